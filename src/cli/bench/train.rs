//! One PPO training iteration (rollout and update) of a training config, after one warm-up
//! iteration (pipeline compilation, Burn's autotuning).

use std::path::Path;
use std::time::Instant;

use sinew::Result;
use sinew::gpu::GpuContext;
use sinew::rl::config::TrainFile;
use sinew::rl::trainer::Trainer;

/// One config's figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrainFigures {
    /// The config file (relative to sinew's root where it is one of its presets).
    pub config: String,
    /// The config's own `train.nworld`.
    pub preset_nworld: usize,
    /// The world count measured.
    pub nworld: usize,
    /// Why `nworld` is what it is: `preset`, `--train-nworld`, or `reduced` (the preset's rollout
    /// would have taken too long on this adapter; see the suite).
    pub nworld_source: String,
    /// Control steps per world per rollout.
    pub horizon: usize,
    /// Environment steps in the iteration (nworld × horizon).
    pub env_steps: u64,
    /// Wall seconds of the rollout (simulation and policy inference).
    pub rollout_s: f64,
    /// Wall seconds of the update (GAE, PPO epochs, Adam).
    pub update_s: f64,
    /// Environment steps per second end to end (rollout + update).
    pub env_steps_per_s: f64,
    /// Seconds of the warm-up iteration (compilation included).
    pub warmup_iteration_s: f64,
    /// Seconds to build the trainer (environments, networks).
    pub build_s: f64,
}

/// Measure `config` with `train.nworld` set to `nworld` when given.
pub fn measure(
    ctx: &GpuContext,
    config: &Path,
    label: &str,
    nworld: Option<usize>,
    nworld_source: &str,
) -> Result<TrainFigures> {
    let preset = TrainFile::load(config, &[])?;
    let overrides: Vec<String> = nworld.map(|n| format!("train.nworld={n}")).into_iter().collect();
    let cfg = TrainFile::load(config, &overrides)?;
    let t = Instant::now();
    let mut trainer = Trainer::new(ctx, cfg)?;
    ctx.wait()?;
    let build_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    trainer.iterate()?;
    let warmup_iteration_s = t.elapsed().as_secs_f64();
    let m = trainer.iterate()?;
    let tr = &trainer.cfg.train;
    Ok(TrainFigures {
        config: label.to_string(),
        preset_nworld: preset.train.nworld,
        nworld: tr.nworld,
        nworld_source: if nworld.is_some() { nworld_source } else { "preset" }.to_string(),
        horizon: tr.horizon,
        env_steps: (tr.nworld * tr.horizon) as u64,
        rollout_s: m.rollout_s,
        update_s: m.update_s,
        env_steps_per_s: m.env_steps_per_s,
        warmup_iteration_s,
        build_s,
    })
}
