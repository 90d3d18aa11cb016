//! `sinew mine`: the motions a policy fails, as a new motion set (KINESIS' negative mining).

use std::path::PathBuf;

use clap::Args;
use sinew::gpu::GpuContext;
use sinew::rl::motion_eval::{MUSCLEMIMIC_SITE_DEVIATION, PerMotionOptions};
use sinew::{Error, Result};

/// Arguments of `sinew mine`.
#[derive(Args)]
pub struct MineArgs {
    /// A run directory (its latest checkpoint) or a checkpoint of an imitation run.
    pub run: PathBuf,
    /// Evaluate these motion files or folders instead of the run's set.
    #[arg(long, num_args = 1..)]
    pub motions: Vec<PathBuf>,
    /// The mined set: an npz holding every failed motion (LocoMuJoCo's format with their names);
    /// a summary goes beside it as .json.
    #[arg(long)]
    pub out: PathBuf,
    /// Worlds run at once.
    #[arg(long, default_value_t = 64)]
    pub nworld: usize,
    /// A motion fails when the mean relative site deviation passes this (m).
    #[arg(long, default_value_t = MUSCLEMIMIC_SITE_DEVIATION)]
    pub site_deviation: f32,
    /// Print only the JSON summary.
    #[arg(long)]
    pub json: bool,
}

/// Run `sinew mine`.
pub fn run(args: &MineArgs) -> Result<()> {
    let ctx = GpuContext::new()?;
    let opts = PerMotionOptions {
        motions: args.motions.clone(),
        splits: Vec::new(),
        nworld: args.nworld,
        site_deviation: args.site_deviation,
    };
    let result = sinew::rl::mine::mine(&ctx, &args.run, &opts, &args.out);
    ctx.quiesce();
    let s = result?;
    if args.json {
        let json =
            serde_json::to_string_pretty(&s).map_err(|e| Error::Config(format!("mine summary: {e}")))?;
        println!("{json}");
        return Ok(());
    }
    println!(
        "{} of {} motions failed (early termination at mean site deviation > {} m); frame coverage {:.3}",
        s.failed.len(),
        s.evaluated,
        s.site_deviation,
        s.frame_coverage
    );
    for name in &s.failed {
        println!("  {name}");
    }
    match &s.out {
        Some(out) => println!("mined set: {} (train the next expert on it with --init-from)", out.display()),
        None => println!(
            "no motion failed: nothing to mine (summary in {})",
            args.out.with_extension("json").display()
        ),
    }
    Ok(())
}
