//! `sinew eval`: deterministic evaluation of a checkpoint.

use std::path::PathBuf;

use clap::Args;
use sinew::gpu::GpuContext;
use sinew::rl::motion_eval::{PerMotionOptions, evaluate_per_motion};
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
    /// Imitation: run every motion of the set once from its first frame and score each (writes
    /// `eval_motions.json` in the run).
    #[arg(long)]
    pub per_motion: bool,
    /// With --per-motion: evaluate these motion files or folders instead of the run's set.
    #[arg(long, num_args = 1.., requires = "per_motion")]
    pub motions: Vec<PathBuf>,
    /// With --per-motion: a named split, NAME=FILE (FILE lists motion names, one per line);
    /// repeatable. Each split is aggregated on its own beside "all".
    #[arg(long, value_name = "NAME=FILE", requires = "per_motion")]
    pub split: Vec<String>,
    /// With --per-motion: an episode ends early when the mean relative site deviation passes
    /// this (m; MuscleMimic's rule).
    #[arg(long, default_value_t = sinew::rl::motion_eval::MUSCLEMIMIC_SITE_DEVIATION, requires = "per_motion")]
    pub site_deviation: f32,
    /// Also draw N episodes (one world each, side by side in one environment) into
    /// RUN/videos/episode_<k>.mp4.
    #[arg(long, value_name = "N", conflicts_with = "per_motion")]
    pub video: Option<usize>,
    /// Also write the biomechanical report of the policy's episodes into RUN/biomech (as
    /// `sinew biomech RUN` with its defaults: 4 episodes, feet from env.feet).
    #[arg(long, conflicts_with = "per_motion")]
    pub biomech: bool,
    #[command(flatten)]
    pub draw: super::view_args::DrawArgs,
}

/// Run `sinew eval`; also writes `eval.json` (or `eval_motions.json`) in the run directory.
pub fn run(args: &EvalArgs) -> Result<()> {
    let ctx = GpuContext::new()?;
    if args.per_motion {
        let result = per_motion(&ctx, args);
        ctx.quiesce();
        return result;
    }
    let result = sinew::rl::eval::evaluate(&ctx, &args.checkpoint, args.episodes, args.nworld);
    let videos = match (&result, args.video) {
        (Ok(r), Some(n)) => videos(&ctx, args, r, n),
        _ => Ok(()),
    };
    let biomech = match (&result, &videos) {
        (Ok(_), Ok(())) if args.biomech => {
            super::biomech::run_on(&super::biomech::BiomechArgs::for_run(&args.checkpoint), Some(&ctx))
        }
        _ => Ok(()),
    };
    ctx.quiesce();
    let r = result?;
    videos?;
    biomech?;
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

fn per_motion(ctx: &GpuContext, args: &EvalArgs) -> Result<()> {
    let splits = args
        .split
        .iter()
        .map(|s| match s.split_once('=') {
            Some((name, file)) if !name.is_empty() && !file.is_empty() && name != "all" => {
                Ok((name.to_string(), PathBuf::from(file)))
            }
            _ => Err(Error::Config(format!("--split {s}: expected NAME=FILE (NAME not \"all\")"))),
        })
        .collect::<Result<Vec<_>>>()?;
    let opts = PerMotionOptions {
        motions: args.motions.clone(),
        splits,
        nworld: args.nworld,
        site_deviation: args.site_deviation,
    };
    let r = evaluate_per_motion(ctx, &args.checkpoint, &opts)?;
    let json = serde_json::to_string_pretty(&r).map_err(|e| Error::Config(format!("eval report: {e}")))?;
    if let Some(run_dir) = r.checkpoint.parent().and_then(|p| p.parent()) {
        sinew::atomic_file::write_atomic(&run_dir.join("eval_motions.json"), json.as_bytes())?;
    }
    if args.json {
        println!("{json}");
        return Ok(());
    }
    println!(
        "checkpoint {}  (early termination: mean site deviation > {} m)",
        r.checkpoint.display(),
        r.site_deviation
    );
    println!(
        "{:<28} {:>6} {:>6} {:>5} {:>8} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8}",
        "motion",
        "frames",
        "steps",
        "early",
        "coverage",
        "jpos_rmse",
        "jvel_rmse",
        "root_m",
        "yaw_rad",
        "rel_m",
        "abs_m"
    );
    for m in &r.motions {
        println!(
            "{:<28} {:>6} {:>6} {:>5} {:>8.3} {:>9.4} {:>9.4} {:>8.4} {:>8.4} {:>8.4} {:>8.4}",
            m.name,
            m.frames,
            m.episode_length,
            if m.early_termination { "yes" } else { "no" },
            m.coverage,
            m.errors.joint_pos_rmse,
            m.errors.joint_vel_rmse,
            m.errors.root_pos_rmse,
            m.errors.root_yaw_error,
            m.errors.relative_site_error,
            m.errors.absolute_site_error
        );
    }
    for (name, a) in &r.aggregates {
        println!(
            "{name}: {} motions, early termination {:.3}, frame coverage {:.3}, joint position RMSE {:.4}, \
             relative site error {:.4} m, absolute site error {:.4} m, root RMSE {:.4} m",
            a.motions,
            a.early_termination_rate,
            a.frame_coverage,
            a.errors.joint_pos_rmse,
            a.errors.relative_site_error,
            a.errors.absolute_site_error,
            a.errors.root_pos_rmse
        );
    }
    Ok(())
}

/// `--video N`: N episodes drawn into the run's videos/ folder.
fn videos(ctx: &GpuContext, args: &EvalArgs, r: &sinew::rl::eval::EvalReport, n: usize) -> Result<()> {
    let run_dir =
        r.checkpoint.parent().and_then(|p| p.parent()).ok_or_else(|| {
            Error::Config(format!("{}: not inside a run directory", r.checkpoint.display()))
        })?;
    let dir = run_dir.join("videos");
    let written = sinew::rl::video::write_episodes(ctx, &r.checkpoint, n, &dir, |m, pelvis| {
        args.draw.options(m, pelvis)
    })?;
    for (path, s) in written {
        eprintln!("eval: {} frames -> {} ({} kB)", s.frames, path.display(), s.bytes / 1024);
    }
    Ok(())
}
