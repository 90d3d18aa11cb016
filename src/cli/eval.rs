//! `sinew eval`: deterministic evaluation of a checkpoint.

use std::path::PathBuf;

use clap::Args;
use sinew::gpu::GpuContext;
use sinew::{Error, Result};

/// Arguments of `sinew eval`.
#[derive(Args)]
pub struct EvalArgs {
    /// A checkpoint file, or a run directory (its latest checkpoint).
    pub checkpoint: PathBuf,
    /// Episodes to evaluate.
    #[arg(long, default_value_t = 100)]
    pub episodes: usize,
    /// Parallel worlds.
    #[arg(long, default_value_t = 64)]
    pub nworld: usize,
    /// Print only the JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Run `sinew eval`; also writes `eval.json` beside the checkpoints.
pub fn run(args: &EvalArgs) -> Result<()> {
    let ctx = GpuContext::new()?;
    let result = sinew::rl::eval::evaluate(&ctx, &args.checkpoint, args.episodes, args.nworld);
    ctx.quiesce();
    let r = result?;
    let json = serde_json::to_string_pretty(&r).map_err(|e| Error::Config(format!("eval report: {e}")))?;
    if let Some(run_dir) = r.checkpoint.parent().and_then(|p| p.parent()) {
        let out = run_dir.join("eval.json");
        sinew::atomic_file::write_atomic(&out, json.as_bytes())?;
    }
    if args.json {
        println!("{json}");
    } else {
        println!("checkpoint {}", r.checkpoint.display());
        println!(
            "episodes {}  mean return {:.3}  mean length {:.1}  termination rate {:.3}",
            r.episodes, r.mean_return, r.mean_episode_length, r.termination_rate
        );
        if let Some(s) = r.success_rate {
            println!("success rate {s:.3}");
        }
        if let Some(t) = &r.tracking {
            println!(
                "tracking ({} world-steps): joint position error {:.4}, root position error {:.4} m, relative site error {:.4} m",
                t.samples, t.joint_position_error, t.root_position_error, t.relative_site_error
            );
        }
    }
    Ok(())
}
