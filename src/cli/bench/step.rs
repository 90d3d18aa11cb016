//! The bare physics step of one model at one world count, time-boxed.

use std::time::Instant;

use indicatif::ProgressBar;
use sinew::Result;
use sinew::gpu::GpuContext;
use sinew::model::Model;
use sinew::sim::contact::DEFAULT_CONTACT_CAPACITY;
use sinew::sim::footprint::Footprint;
use sinew::sim::{Sim, SimOptions};

use super::stages::{StageTiming, time_steps};
use super::timing::time_box;

/// What to measure and how long.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Seconds of timed work per world count (after a warm-up of a quarter of it, at least one
    /// step).
    pub seconds: f64,
    /// Also time every stage.
    pub stages: bool,
}

/// One world count's figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepFigures {
    /// Worlds stepped together.
    pub nworld: usize,
    /// Physics steps timed (each over all worlds).
    pub steps: usize,
    /// Wall seconds of the timed steps.
    pub seconds: f64,
    /// World-steps per second.
    pub physics_steps_per_s: f64,
    /// Seconds to build the pipelines and buffers.
    pub build_s: f64,
    /// GPU bytes per world (state, contacts, constraint rows and scratch).
    pub bytes_per_world: u64,
    /// Compute dispatches one physics step records (Newton's indirect ones counted whether or
    /// not they launch work).
    pub dispatches_per_step: usize,
    /// Worlds per tile of the state layout (`SINEW_WORLD_TILE`; 1 is world-major).
    pub world_tile: usize,
    /// How `stage_ms` was taken, when it was.
    pub stage_timing: Option<StageTiming>,
    /// Mean milliseconds per step of each stage.
    pub stage_ms: Vec<(String, f64)>,
    /// Newton iterations per world in the last step (with stages).
    pub newton_iterations: Option<NewtonIterations>,
}

/// Newton iterations per world in one step, over its first worlds (gradient checks included: a
/// world whose gradient was small at once counts 1, one without constraint rows 0).
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct NewtonIterations {
    /// Worlds read (the first, at most [`ITERATION_SAMPLE`]).
    pub worlds: usize,
    /// Mean over them.
    pub mean: f64,
    /// The most any of them used.
    pub max: f64,
}

/// Worlds whose Newton iterations `--stages` reads back after the timed steps.
pub const ITERATION_SAMPLE: usize = 256;

/// The model's footprint, to check world counts before building them.
pub fn footprint(ctx: &GpuContext, m: &Model) -> Result<Footprint> {
    Sim::footprint(ctx, m, DEFAULT_CONTACT_CAPACITY)
}

/// Measure `nworld` worlds of `m` (its disable flags as set), every control at 0.05.
pub fn measure(
    ctx: &GpuContext,
    m: &Model,
    nworld: usize,
    budget: Budget,
    bar: &ProgressBar,
) -> Result<StepFigures> {
    let start = Instant::now();
    let sim = Sim::new(ctx, m, nworld, SimOptions::default())?;
    if m.nu > 0 {
        sim.state().upload(ctx, &sim.state().ctrl, &vec![0.05f32; nworld * m.nu])?;
    }
    let step = &sim.step;
    ctx.wait()?;
    let build_s = start.elapsed().as_secs_f64();
    let run = |n: usize| {
        step.run(ctx, n);
        ctx.wait()
    };
    bar.set_message("warm-up");
    time_box(budget.seconds / 4.0, usize::MAX, bar, &run)?;
    let t = time_steps(ctx, budget.seconds, budget.stages, bar, &step.named_stages(), &run)?;
    let newton_iterations = if budget.stages {
        let worlds = nworld.min(ITERATION_SAMPLE);
        let it = sim.data.efc.iterations(ctx, &sim.model.efc.table, worlds)?;
        Some(NewtonIterations {
            worlds,
            mean: it.iter().sum::<f64>() / worlds as f64,
            max: it.iter().copied().fold(0.0, f64::max),
        })
    } else {
        None
    };
    Ok(StepFigures {
        nworld,
        steps: t.timed.steps,
        seconds: t.timed.seconds,
        physics_steps_per_s: (nworld * t.timed.steps) as f64 / t.timed.seconds,
        build_s,
        bytes_per_world: sim.data.bytes_per_world(),
        dispatches_per_step: step.dispatches(),
        world_tile: sinew::sim::tiles::world_tile(),
        stage_timing: t.stage_timing,
        stage_ms: t.stage_ms,
        newton_iterations,
    })
}
