//! A training environment's control step (actions, frame-skip physics, forward, rewards,
//! auto-reset, observations) at one world count, time-boxed, with the physics alone on the same
//! worlds for the task layer's share.

use std::time::Instant;

use indicatif::ProgressBar;
use sinew::Result;
use sinew::env::{Env, EnvFile};
use sinew::gpu::GpuContext;
use sinew::model::Model;

use super::stages::{StageTiming, time_steps};
use super::step::Budget;
use super::timing::time_box;

/// One world count's figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TaskFigures {
    /// Worlds stepped together.
    pub nworld: usize,
    /// Physics steps per control step.
    pub frame_skip: u32,
    /// Control steps timed.
    pub control_steps: usize,
    /// Wall seconds of the timed control steps.
    pub seconds: f64,
    /// Control steps per second over all worlds.
    pub env_steps_per_s: f64,
    /// The same in physics steps (× frame_skip).
    pub physics_steps_per_s: f64,
    /// Physics steps per second of the physics alone on the same worlds.
    pub physics_only_steps_per_s: f64,
    /// The task layer's share of a control step: 1 − physics alone / whole step.
    pub task_layer_share: f64,
    /// Seconds to build the environment.
    pub build_s: f64,
    /// GPU bytes per world (physics and environment buffers).
    pub bytes_per_world: u64,
    /// Compute dispatches one control step records.
    pub dispatches_per_control_step: usize,
    /// Imitation: motions in the environment's library (0 for other tasks).
    pub motions: usize,
    /// Imitation: GPU bytes of the motion library's per-frame arrays (reference joint
    /// positions and velocities, and the mimic sites' trajectories), shared by every world.
    pub motion_library_bytes: u64,
    /// How `stage_ms` was taken, when it was.
    pub stage_timing: Option<StageTiming>,
    /// Mean milliseconds per control step of each stage (physics stages summed over the frame
    /// skip; the task layer's forward passes as `forward:*`).
    pub stage_ms: Vec<(String, f64)>,
}

/// Measure `nworld` worlds of `file`'s environment on `model` (`file.env.model`, compiled once
/// for the whole sweep).
pub fn measure(
    ctx: &GpuContext,
    model: &Model,
    file: &EnvFile,
    nworld: usize,
    budget: Budget,
    bar: &ProgressBar,
) -> Result<TaskFigures> {
    let start = Instant::now();
    let env = Env::with_model(ctx, model.clone(), file, nworld)?;
    let nu = env.model.nu;
    // a fixed mid-range excitation pattern, varied across muscles
    let actions: Vec<f32> = (0..nworld * nu).map(|i| ((i * 37) % 100) as f32 / 100.0 - 0.5).collect();
    env.write_actions(ctx, &actions)?;
    env.reset(ctx);
    ctx.wait()?;
    let build_s = start.elapsed().as_secs_f64();
    let fs = file.env.frame_skip as usize;
    let run = |n: usize| {
        for _ in 0..n {
            env.step(ctx);
        }
        ctx.wait()
    };
    bar.set_message("warm-up");
    time_box(budget.seconds / 4.0, usize::MAX, bar, &run)?;
    let t = time_steps(ctx, budget.seconds, budget.stages, bar, &env.step_stages(), &run)?;
    let timed = t.timed;
    bar.set_message("physics alone");
    let physics = time_box(budget.seconds / 2.0, usize::MAX, bar, |n| {
        env.sim.run(ctx, n * fs);
        ctx.wait()
    })?;
    let env_sps = (nworld * timed.steps) as f64 / timed.seconds;
    let control_s = timed.per_step();
    Ok(TaskFigures {
        nworld,
        frame_skip: file.env.frame_skip,
        control_steps: timed.steps,
        seconds: timed.seconds,
        env_steps_per_s: env_sps,
        physics_steps_per_s: env_sps * fs as f64,
        physics_only_steps_per_s: (nworld * physics.steps * fs) as f64 / physics.seconds,
        task_layer_share: ((control_s - physics.per_step()) / control_s).max(0.0),
        build_s,
        bytes_per_world: env.bytes_per_world(),
        dispatches_per_control_step: env.dispatches_per_control_step(),
        motions: env.motion.as_ref().map_or(0, |l| l.motions.len()),
        motion_library_bytes: env.motion_library_bytes(),
        stage_timing: t.stage_timing,
        stage_ms: t.stage_ms,
    })
}
