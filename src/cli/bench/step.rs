//! The bare physics step of one model at one world count, time-boxed.

use std::time::Instant;

use indicatif::ProgressBar;
use sinew::Result;
use sinew::gpu::{GpuContext, GpuModel};
use sinew::model::Model;
use sinew::sim::SimState;
use sinew::sim::contact::DEFAULT_CONTACT_CAPACITY;
use sinew::sim::footprint::Footprint;
use sinew::sim::sparsity::GpuSparsity;
use sinew::sim::step::Step;

use super::stages::{StageTimer, StageTiming, each_alone};
use super::timing::{Timed, time_box};

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
    /// How `stage_ms` was taken, when it was.
    pub stage_timing: Option<StageTiming>,
    /// Mean milliseconds per step of each stage.
    pub stage_ms: Vec<(String, f64)>,
}

/// The model's footprint, to check world counts before building them.
pub fn footprint(ctx: &GpuContext, m: &Model) -> Result<Footprint> {
    Step::footprint(ctx, m, DEFAULT_CONTACT_CAPACITY)
}

/// Measure `nworld` worlds of `m` (its disable flags as set), every control at 0.05.
pub fn measure(ctx: &GpuContext, m: &Model, nworld: usize, budget: Budget, bar: &ProgressBar) -> Result<StepFigures> {
    let t = Instant::now();
    let gm = GpuModel::upload(ctx, m);
    let sp = GpuSparsity::upload(ctx, m);
    let st = SimState::new(ctx, m, nworld);
    if m.nu > 0 {
        SimState::write(ctx, &st.ctrl, &vec![0.05f32; nworld * m.nu]);
    }
    let step = Step::new(ctx, m, &gm, &sp, &st)?;
    ctx.wait()?;
    let build_s = t.elapsed().as_secs_f64();
    let run = |n: usize| {
        step.run(ctx, n);
        ctx.wait()
    };
    bar.set_message("warm-up");
    time_box(budget.seconds / 4.0, usize::MAX, bar, &run)?;
    let named = step.named_stages();
    let mut timer = if budget.stages { StageTimer::new(ctx, named.len()) } else { None };
    bar.set_message("timed");
    let timed: Timed = match timer.as_mut() {
        Some(timer) => {
            let max = timer.max_steps();
            time_box(budget.seconds, max, bar, |n| timer.run(ctx, &named, n))?
        }
        None => time_box(budget.seconds, usize::MAX, bar, &run)?,
    };
    let (stage_timing, stage_ms) = match (&timer, budget.stages) {
        (Some(t), _) => (Some(t.mode()), t.mean_ms()),
        (None, true) => {
            bar.set_message("stages alone");
            let reps = ((budget.seconds / timed.per_step()) as usize).clamp(1, 100);
            (Some(StageTiming::EachAlone), each_alone(ctx, &named, reps)?)
        }
        (None, false) => (None, Vec::new()),
    };
    let bytes = st.bytes() + step.efc_state.bytes() + step.contact_state.bytes();
    Ok(StepFigures {
        nworld,
        steps: timed.steps,
        seconds: timed.seconds,
        physics_steps_per_s: (nworld * timed.steps) as f64 / timed.seconds,
        build_s,
        bytes_per_world: bytes / nworld as u64,
        stage_timing,
        stage_ms,
    })
}
