//! What moves the drawn worlds without a policy: an open-loop rollout stepped on the GPU, or a
//! trajectory (`sinew rollout`'s npz) replayed by setting each row's qpos and act and running
//! the kinematics stages. Both hand each drawn frame to a sink.

use super::image::Image;
use super::renderer::{RenderOptions, Renderer};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::model::Model;
use crate::sim::rollout::InitState;
use crate::sim::stages::{self, Stage};
use crate::sim::{Sim, SimOptions};

/// Steps per drawn frame: `rate` (steps/s) shown at `fps` frames/s draws every
/// `round(rate / fps)`-th step (at least every step).
pub fn stride(rate: f64, fps: Option<f64>) -> usize {
    match fps {
        Some(f) if f > 0.0 => (rate / f).round().max(1.0) as usize,
        _ => 1,
    }
}

/// Step `nworld` worlds of `m` from `init` under `ctrl` (steps × nworld × nu, world-major within
/// a step) and draw after every `every`-th step (after steps every−1, 2·every−1, ...): the state
/// MuJoCo's mjData holds after that step, with kinematics recomputed for the new qpos.
#[allow(clippy::too_many_arguments)]
pub fn open_loop(
    ctx: &GpuContext,
    m: &Model,
    nworld: usize,
    steps: usize,
    init: &InitState,
    ctrl: &[f32],
    every: usize,
    opts: RenderOptions,
    mut sink: impl FnMut(Image) -> Result<()>,
) -> Result<()> {
    if ctrl.len() != steps * nworld * m.nu {
        return Err(Error::Model(format!(
            "controls: {} values, expected steps × nworld × nu = {steps} × {nworld} × {}",
            ctrl.len(),
            m.nu
        )));
    }
    let sim = Sim::new(ctx, m, nworld, SimOptions::default())?;
    let st = sim.state();
    for (buf, data) in [(&st.qpos, &init.qpos), (&st.qvel, &init.qvel), (&st.act, &init.act)] {
        if !data.is_empty() {
            st.upload(ctx, buf, data)?;
        }
    }
    let renderer = Renderer::new(ctx, m, st, opts)?;
    let every = every.max(1);
    let row = nworld * m.nu;
    let mut t = 0;
    while t < steps {
        let n = every.min(steps - t);
        for k in t..t + n {
            if row > 0 {
                st.upload(ctx, &st.ctrl, &ctrl[k * row..(k + 1) * row])?;
            }
            stages::run(ctx, &sim.step.stages());
        }
        t += n;
        if n == every {
            stages::run(ctx, &kinematics(&sim));
            sink(renderer.frame(ctx)?)?;
        }
    }
    Ok(())
}

/// Draw every `every`-th row of a trajectory: `qpos` (rows × nworld × nq) and, when given,
/// `act` (rows × nworld × na), as `sinew rollout` writes them.
pub fn replay(
    ctx: &GpuContext,
    m: &Model,
    nworld: usize,
    qpos: &[f32],
    act: Option<&[f32]>,
    every: usize,
    opts: RenderOptions,
    mut sink: impl FnMut(Image) -> Result<()>,
) -> Result<()> {
    let (nq, na) = (m.nq, m.na);
    if nworld == 0 || nq == 0 || qpos.len() % (nworld * nq) != 0 {
        return Err(Error::Model(format!("trajectory qpos: {} values is not rows × {nworld} worlds × nq {nq}", qpos.len())));
    }
    let rows = qpos.len() / (nworld * nq);
    if let Some(a) = act
        && a.len() != rows * nworld * na
    {
        return Err(Error::Model(format!(
            "trajectory act: {} values, expected rows × nworld × na = {rows} × {nworld} × {na}",
            a.len()
        )));
    }
    let sim = Sim::new(ctx, m, nworld, SimOptions::default())?;
    let st = sim.state();
    let renderer = Renderer::new(ctx, m, st, opts)?;
    let every = every.max(1);
    for r in (every - 1..rows).step_by(every) {
        st.upload(ctx, &st.qpos, &qpos[r * nworld * nq..(r + 1) * nworld * nq])?;
        if let Some(a) = act
            && na > 0
        {
            st.upload(ctx, &st.act, &a[r * nworld * na..(r + 1) * nworld * na])?;
        }
        stages::run(ctx, &kinematics(&sim));
        sink(renderer.frame(ctx)?)?;
    }
    Ok(())
}

/// The stages that bring what the renderer reads (geom and site poses, tendon paths) up to date
/// with qpos.
fn kinematics(sim: &Sim) -> [&dyn Stage; 2] {
    let f = sim.step.forward_stages();
    [f[0], f[1]]
}
