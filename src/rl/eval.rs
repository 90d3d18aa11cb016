//! Deterministic evaluation of a checkpoint: the policy's mean action (run on the host from the
//! exported arrays, exactly what `policy.onnx` computes) in fresh worlds of the run's task, until
//! the requested number of episodes have finished.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::checkpoint::{self, Checkpoint};
use super::config::TrainFile;
use super::mixture::deployed_of;
use super::tracking::TrackingErrors;
use crate::env::{DONE_TERMINATED, Env};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;

/// Evaluation results (the JSON `sinew eval --json` prints).
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// The checkpoint evaluated.
    pub checkpoint: PathBuf,
    /// Episodes counted.
    pub episodes: usize,
    /// Mean undiscounted return.
    pub mean_return: f64,
    /// Mean episode length (control steps).
    pub mean_episode_length: f64,
    /// Fraction of episodes ended by a termination rule.
    pub termination_rate: f64,
    /// Fraction of episodes meeting the task's success rule (pose, reaching).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_rate: Option<f64>,
    /// Imitation: tracking errors against the reference (mid-episode world-steps).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking: Option<TrackingErrors>,
}

/// A checkpoint (`path`, or a run directory's latest), loaded, with its run's config.
pub fn load_run(path: &Path) -> Result<(PathBuf, Checkpoint, TrainFile)> {
    let ckpt_path = checkpoint::latest(path)?;
    let ckpt = Checkpoint::load(&ckpt_path)?;
    let run_dir = ckpt_path.parent().and_then(Path::parent).ok_or_else(|| {
        Error::Config(format!("{}: a checkpoint lives in RUN_DIR/checkpoints/", ckpt_path.display()))
    })?;
    let cfg = TrainFile::load(&run_dir.join("config.toml"), &[])?;
    Ok((ckpt_path, ckpt, cfg))
}

/// Refuse a checkpoint whose task, observation or action size differs from `env`'s.
pub fn check_fits(ckpt_path: &Path, ckpt: &Checkpoint, env: &Env) -> Result<()> {
    if env.nobs != ckpt.meta.nobs || env.model.nu != ckpt.meta.nu || env.task() != ckpt.meta.task {
        return Err(Error::Config(format!(
            "{}: the checkpoint's (task, nobs, nu) = ({}, {}, {}) do not fit the run's environment ({}, {}, {})",
            ckpt_path.display(),
            ckpt.meta.task,
            ckpt.meta.nobs,
            ckpt.meta.nu,
            env.task(),
            env.nobs,
            env.model.nu
        )));
    }
    Ok(())
}

/// Evaluate `path` (a checkpoint, or a run directory: its latest) over `episodes` episodes in
/// `nworld` worlds.
pub fn evaluate(ctx: &GpuContext, path: &Path, episodes: usize, nworld: usize) -> Result<EvalReport> {
    if episodes == 0 || nworld == 0 {
        return Err(Error::Config("eval needs --episodes and --nworld of at least 1".into()));
    }
    let (ckpt_path, ckpt, cfg) = load_run(path)?;
    let env = Env::new(ctx, &cfg.env, nworld)?;
    check_fits(&ckpt_path, &ckpt, &env)?;
    let policy = deployed_of(&ckpt)?;
    env.reset(ctx);
    let before = env.stats(ctx)?;
    let (mut returns, mut lengths, mut terminated) = (Vec::new(), Vec::new(), 0usize);
    let mut ret = vec![0f64; nworld];
    let mut len = vec![0usize; nworld];
    let mut tracking = TrackingErrors::default();
    let max_steps = cfg.env.env.max_steps as usize * (episodes.div_ceil(nworld) + 1) + 10;
    for _ in 0..max_steps {
        let obs = env.observations(ctx)?;
        env.write_actions(ctx, &policy.forward(&obs)?)?;
        env.step(ctx);
        let (r, d) = (env.rewards(ctx)?, env.dones(ctx)?);
        tracking.add(ctx, &env, &d)?;
        for w in 0..nworld {
            ret[w] += r[w] as f64;
            len[w] += 1;
            if d[w] != 0 && returns.len() < episodes {
                returns.push(ret[w]);
                lengths.push(len[w] as f64);
                terminated += (d[w] & DONE_TERMINATED != 0) as usize;
            }
            if d[w] != 0 {
                (ret[w], len[w]) = (0.0, 0);
            }
        }
        if returns.len() >= episodes {
            break;
        }
    }
    if returns.is_empty() {
        return Err(Error::Config("no episode finished during evaluation".into()));
    }
    let after = env.stats(ctx)?;
    let n = returns.len() as f64;
    let defines_success = matches!(env.task(), "pose" | "reaching");
    let finished = after.episodes.saturating_sub(before.episodes).max(1) as f64;
    Ok(EvalReport {
        checkpoint: ckpt_path,
        episodes: returns.len(),
        mean_return: returns.iter().sum::<f64>() / n,
        mean_episode_length: lengths.iter().sum::<f64>() / n,
        termination_rate: terminated as f64 / n,
        success_rate: defines_success
            .then(|| after.successes.saturating_sub(before.successes) as f64 / finished),
        tracking: tracking.means(),
    })
}
