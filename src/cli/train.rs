//! `sinew train`: PPO on the GPU (see `sinew::rl`).

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use sinew::Result;
use sinew::gpu::GpuContext;
use sinew::rl::ranks::Ranks;
use sinew::rl::run::{RunOptions, train};

/// Arguments of `sinew train`.
#[derive(Args)]
pub struct TrainArgs {
    /// Training config (TOML: the environment plus [train], [ppo], [policy]), e.g.
    /// configs/quickstart.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Overrides of any config field, `section.key=value` (TOML values; e.g. train.nworld=512
    /// ppo.learning_rate=1e-3 policy.actor_hidden=[512,512,512]).
    pub overrides: Vec<String>,
    /// Run directory (default: a new folder under runs/).
    #[arg(long)]
    pub run_dir: Option<PathBuf>,
    /// Continue RUN_DIR from its latest checkpoint (its config.toml; overrides apply on top, e.g.
    /// train.iterations=2000 to extend it).
    #[arg(long, value_name = "RUN_DIR")]
    pub resume: Option<PathBuf>,
    /// Start a new run from a trained policy: CHECKPOINT, or RUN_DIR's latest (its weights and
    /// observation normaliser; a fresh optimiser). For fine-tuning to new motions, a new task or
    /// new model parameters with the same observation and action sizes.
    #[arg(long, value_name = "CHECKPOINT|RUN_DIR")]
    pub init_from: Option<PathBuf>,
    /// Print each iteration's host readbacks and queue submits and the rollout/update times.
    #[arg(long)]
    pub verbose: bool,
    /// No progress bar (one line per iteration instead).
    #[arg(long)]
    pub no_progress: bool,
}

/// Run `sinew train` (under mpirun/srun with the `mpi` feature: one rank of a data-parallel run,
/// on its node's GPU of its local rank).
pub fn run(args: &TrainArgs) -> Result<()> {
    let ranks = Arc::new(Ranks::detect()?);
    if ranks.size == 1 {
        return run_on(args, GpuContext::new()?, ranks);
    }
    // one rank's error or panic ends the whole job (MPI_Abort, whatever the launcher's settings),
    // so no rank is left waiting in a collective for it
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default_hook(info);
        sinew::rl::ranks::abort_world(101);
        std::process::abort();
    }));
    let result =
        GpuContext::for_local_rank(ranks.local_rank).and_then(|ctx| run_on(args, ctx, ranks.clone()));
    if let Err(e) = &result {
        eprintln!("error on rank {} of {}: {e}", ranks.rank, ranks.size);
        ranks.abort(2);
    }
    result
}

fn run_on(args: &TrainArgs, ctx: GpuContext, ranks: Arc<Ranks>) -> Result<()> {
    let root = ranks.is_root();
    let opts = RunOptions {
        config: args.config.clone(),
        overrides: args.overrides.clone(),
        run_dir: args.run_dir.clone(),
        resume: args.resume.clone(),
        init_from: args.init_from.clone(),
        verbose: args.verbose,
        progress: !args.no_progress && root,
        ranks,
        on_iteration: None,
    };
    let result = train(&ctx, &opts);
    ctx.quiesce();
    let s = result?;
    if !root {
        return Ok(());
    }
    if let Some(m) = s.metrics.last() {
        println!(
            "done: {} iterations, {} env steps; last: return {:.3}, episode length {:.1}, success {:.3}, {:.0} env-steps/s",
            m.iteration, m.env_steps, m.mean_return, m.mean_episode_length, m.success_rate, m.env_steps_per_s
        );
    }
    println!(
        "run directory: {} (metrics.csv, metrics.png, tb/, checkpoints/, policy.onnx)",
        s.run_dir.display()
    );
    Ok(())
}
