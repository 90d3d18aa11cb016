//! What moves the drawn worlds without a policy: an open-loop rollout stepped on the GPU
//! ([`OpenLoop`]), or a trajectory (`sinew rollout`'s npz) replayed by setting each row's qpos
//! and act and running the kinematics stages ([`Replay`]). [`open_loop`] and [`replay`] hand
//! each drawn frame to a sink; the viewer drives the same types interactively.

use super::image::Image;
use super::renderer::{RenderOptions, Renderer};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::model::Model;
use crate::sim::rollout::InitState;
use crate::sim::stages::{self, Stage};
use crate::sim::{Sim, SimOptions, SimState};

/// Steps per drawn frame: `rate` (steps/s) shown at `fps` frames/s draws every
/// `round(rate / fps)`-th step (at least every step).
pub fn stride(rate: f64, fps: Option<f64>) -> usize {
    match fps {
        Some(f) if f > 0.0 => (rate / f).round().max(1.0) as usize,
        _ => 1,
    }
}

/// Worlds of a model stepped under a control sequence (looping over its rows), drawn on demand.
pub struct OpenLoop {
    sim: Sim,
    renderer: Renderer,
    init: InitState,
    /// (rows × padded nworld × nu) the controls, each row laid out as the state's `ctrl` is
    /// (converted once, copied on the GPU per step).
    raw_ctrl: Vec<f32>,
    /// Values per raw row.
    raw_row: usize,
    rows: usize,
    /// The rows of the steps one [`OpenLoop::step`] records (grown to the largest batch).
    ctrl_batch: Option<wgpu::Buffer>,
    t: usize,
}

impl OpenLoop {
    /// `nworld` worlds of `m` starting from `init`, controlled by `ctrl` (rows × nworld × nu,
    /// world-major within a row; row t at step t, looping), drawn with `opts`.
    pub fn new(
        ctx: &GpuContext,
        m: &Model,
        nworld: usize,
        init: InitState,
        ctrl: Vec<f32>,
        opts: RenderOptions,
    ) -> Result<Self> {
        let row = nworld * m.nu;
        if (row == 0 && !ctrl.is_empty()) || (row > 0 && (ctrl.is_empty() || ctrl.len() % row != 0)) {
            return Err(Error::Model(format!(
                "controls: {} values is not rows × nworld × nu with nworld {nworld} and nu {}",
                ctrl.len(),
                m.nu
            )));
        }
        let rows = if row == 0 { 1 } else { ctrl.len() / row };
        // contact forces on, for the renderer's force arrows (one small dispatch a step)
        let sim = Sim::new(ctx, m, nworld, SimOptions { contact_forces: true, ..SimOptions::default() })?;
        let renderer = Renderer::new(ctx, m, &sim, opts)?;
        let st = sim.state();
        let mut raw_ctrl = Vec::new();
        if row > 0 {
            for r in ctrl.chunks(row) {
                raw_ctrl.extend(st.to_raw(&st.ctrl, r)?);
            }
        }
        let raw_row = raw_ctrl.len() / rows;
        let mut s = OpenLoop { sim, renderer, init, raw_ctrl, raw_row, rows, ctrl_batch: None, t: 0 };
        s.reset(ctx)?;
        Ok(s)
    }

    /// Back to the initial state.
    pub fn reset(&mut self, ctx: &GpuContext) -> Result<()> {
        let st = self.sim.state();
        for (buf, data) in
            [(&st.qpos, &self.init.qpos), (&st.qvel, &self.init.qvel), (&st.act, &self.init.act)]
        {
            if !data.is_empty() {
                st.upload(ctx, buf, data)?;
            }
        }
        self.t = 0;
        stages::run(ctx, &kinematics(&self.sim));
        Ok(())
    }

    /// `n` physics steps, then the kinematics of the new state (what MuJoCo's mjData holds
    /// after the last step, with body frames for its qpos): one write of the steps' controls and
    /// one submission.
    pub fn step(&mut self, ctx: &GpuContext, n: usize) -> Result<()> {
        let raw_row = self.raw_row;
        let bytes = (raw_row * 4) as u64;
        if raw_row > 0 && n > 0 {
            let batch: Vec<f32> = (0..n)
                .flat_map(|k| {
                    let r = (self.t + k) % self.rows;
                    self.raw_ctrl[r * raw_row..(r + 1) * raw_row].iter().copied()
                })
                .collect();
            if self.ctrl_batch.as_ref().is_none_or(|b| b.size() < n as u64 * bytes) {
                self.ctrl_batch = Some(ctx.storage_zeroed::<f32>("render.ctrl_batch", n * raw_row));
            }
            SimState::write(ctx, self.ctrl_batch.as_ref().expect("made above"), &batch);
        }
        let st = self.sim.state();
        let mut enc =
            ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("open_loop") });
        for k in 0..n {
            if let Some(b) = self.ctrl_batch.as_ref().filter(|_| raw_row > 0) {
                enc.copy_buffer_to_buffer(b, k as u64 * bytes, &st.ctrl, 0, bytes);
            }
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("step"),
                timestamp_writes: None,
            });
            self.sim.step.record(&mut pass);
        }
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("kinematics"),
                timestamp_writes: None,
            });
            for s in kinematics(&self.sim) {
                s.record(&mut pass);
            }
        }
        ctx.submit(enc.finish());
        self.t += n;
        Ok(())
    }

    /// Steps taken since the last reset.
    pub fn steps_taken(&self) -> usize {
        self.t
    }

    /// The renderer (camera, shown worlds).
    pub fn renderer(&mut self) -> &mut Renderer {
        &mut self.renderer
    }

    /// The simulator.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }
}

/// A trajectory's rows shown one at a time.
pub struct Replay {
    sim: Sim,
    renderer: Renderer,
    qpos: Vec<f32>,
    act: Option<Vec<f32>>,
    rows: usize,
    nq: usize,
    na: usize,
}

impl Replay {
    /// `qpos` (rows × nworld × nq) and, when given, `act` (rows × nworld × na) of `nworld`
    /// worlds of `m`, as `sinew rollout` writes them, drawn with `opts`.
    pub fn new(
        ctx: &GpuContext,
        m: &Model,
        nworld: usize,
        qpos: Vec<f32>,
        act: Option<Vec<f32>>,
        opts: RenderOptions,
    ) -> Result<Self> {
        let (nq, na) = (m.nq, m.na);
        if nworld == 0 || nq == 0 || qpos.is_empty() || qpos.len() % (nworld * nq) != 0 {
            return Err(Error::Model(format!(
                "trajectory qpos: {} values is not rows × {nworld} worlds × nq {nq}",
                qpos.len()
            )));
        }
        let rows = qpos.len() / (nworld * nq);
        if let Some(a) = &act
            && a.len() != rows * nworld * na
        {
            return Err(Error::Model(format!(
                "trajectory act: {} values, expected rows × nworld × na = {rows} × {nworld} × {na}",
                a.len()
            )));
        }
        let sim = Sim::new(ctx, m, nworld, SimOptions::default())?;
        let renderer = Renderer::new(ctx, m, &sim, opts)?;
        Ok(Replay { sim, renderer, qpos, act, rows, nq, na })
    }

    /// Rows in the trajectory.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Pose the worlds as in row `r` (< rows).
    pub fn show(&mut self, ctx: &GpuContext, r: usize) -> Result<()> {
        let st = self.sim.state();
        let n = self.sim.nworld();
        let r = r.min(self.rows - 1);
        st.upload(ctx, &st.qpos, &self.qpos[r * n * self.nq..(r + 1) * n * self.nq])?;
        if let Some(a) = &self.act
            && self.na > 0
        {
            st.upload(ctx, &st.act, &a[r * n * self.na..(r + 1) * n * self.na])?;
        }
        stages::run(ctx, &kinematics(&self.sim));
        Ok(())
    }

    /// The renderer (camera, shown worlds).
    pub fn renderer(&mut self) -> &mut Renderer {
        &mut self.renderer
    }
}

/// Step `nworld` worlds of `m` from `init` under `ctrl` (steps × nworld × nu, world-major within
/// a step) and draw after every `every`-th step (after steps every−1, 2·every−1, ...).
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
    let mut live = OpenLoop::new(ctx, m, nworld, init.clone(), ctrl.to_vec(), opts)?;
    let every = every.max(1);
    for _ in 0..steps / every {
        live.step(ctx, every)?;
        sink(live.renderer.frame(ctx)?)?;
    }
    Ok(())
}

/// Draw every `every`-th row of a trajectory (rows every−1, 2·every−1, ...): `qpos`
/// (rows × nworld × nq) and, when given, `act` (rows × nworld × na).
#[allow(clippy::too_many_arguments)]
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
    let mut r = Replay::new(ctx, m, nworld, qpos.to_vec(), act.map(<[f32]>::to_vec), opts)?;
    let every = every.max(1);
    for row in (every - 1..r.rows()).step_by(every) {
        r.show(ctx, row)?;
        sink(r.renderer.frame(ctx)?)?;
    }
    Ok(())
}

/// The stages that bring what the renderer reads (geom and site poses, tendon paths) up to date
/// with qpos.
fn kinematics(sim: &Sim) -> [&dyn Stage; 2] {
    let f = sim.step.forward_stages();
    [f[0], f[1]]
}
