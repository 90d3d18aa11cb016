//! Open-loop rollouts on the GPU: a control sequence in, per-step state and quantities out.
//! Controls for a chunk of steps are uploaded once; each step copies its controls into the state,
//! runs every stage, and copies its outputs into trajectory buffers — all in one command buffer
//! per chunk, with one download per chunk.

use super::{Sim, SimOptions, SimState};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::model::Model;

/// Initial state per world: each `(nworld × n)`, world-major.
#[derive(Debug, Clone)]
pub struct InitState {
    /// (nworld × nq)
    pub qpos: Vec<f32>,
    /// (nworld × nv)
    pub qvel: Vec<f32>,
    /// (nworld × na)
    pub act: Vec<f32>,
}

impl InitState {
    /// Every world at qpos0, at rest, with zero activation.
    pub fn rest(m: &Model, nworld: usize) -> Self {
        InitState {
            qpos: (0..nworld).flat_map(|_| m.qpos0.iter().map(|v| *v as f32)).collect(),
            qvel: vec![0.0; nworld * m.nv],
            act: vec![0.0; nworld * m.na],
        }
    }

    /// Set `name` ("qpos", "qvel" or "act") of these `nworld` worlds from an array shaped (n),
    /// the same for every world, or (nworld, n); `Err` says what does not fit.
    pub fn set(
        &mut self,
        m: &Model,
        nworld: usize,
        name: &str,
        shape: &[usize],
        data: &[f32],
    ) -> std::result::Result<(), String> {
        let (dst, n) = match name {
            "qpos" => (&mut self.qpos, m.nq),
            "qvel" => (&mut self.qvel, m.nv),
            "act" => (&mut self.act, m.na),
            _ => return Err(format!("'{name}': the initial state holds qpos, qvel and act")),
        };
        match shape {
            [k] if *k == n && data.len() == n => {
                *dst = (0..nworld).flat_map(|_| data.iter().copied()).collect()
            }
            [w, k] if *w == nworld && *k == n && data.len() == nworld * n => *dst = data.to_vec(),
            _ => return Err(format!("'{name}' has shape {shape:?}, expected ({n}) or ({nworld}, {n})")),
        }
        Ok(())
    }
}

/// What a rollout writes per step, each `(steps × nworld × n)` f32: row t is what MuJoCo's mjData
/// holds after the t-th step (new qpos/qvel/act; force, tendon length and qacc computed during it).
#[derive(Debug, Clone, Default)]
pub struct Trajectory {
    /// (steps × nworld × nq)
    pub qpos: Vec<f32>,
    /// (steps × nworld × nv)
    pub qvel: Vec<f32>,
    /// (steps × nworld × na)
    pub act: Vec<f32>,
    /// (steps × nworld × nu)
    pub actuator_force: Vec<f32>,
    /// (steps × nworld × ntendon)
    pub ten_length: Vec<f32>,
    /// (steps × nworld × nv)
    pub qacc: Vec<f32>,
    /// (steps × nworld × nu) actuator lengths at the step's start (MuJoCo's actuator_length
    /// after the step, computed in its forward pass).
    pub actuator_length: Vec<f32>,
    /// (steps × nworld × nu) actuator velocities, as `actuator_length`.
    pub actuator_velocity: Vec<f32>,
    /// (steps × nworld × nbody × 6) each body's contact wrench (torque, force) as MuJoCo's
    /// cfrc_ext after mj_rnePostConstraint; empty unless asked for ([`Record::contact_forces`]).
    pub cfrc_ext: Vec<f32>,
    /// (nworld) Worlds whose state went non-finite during the rollout (flagged, not stopped).
    pub nonfinite: Vec<bool>,
    /// (nworld) Steps on which a world had more contacts than its capacity and dropped some.
    pub contact_overflow: Vec<u32>,
}

/// How a control array is laid out: (steps, nu), the same for every world, or
/// (nworld, steps, nu).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlLayout {
    /// Worlds.
    pub nworld: usize,
    /// Rows per world in the array.
    pub rows: usize,
    /// Steps to run (at most `rows`).
    pub steps: usize,
    /// One sequence per world (3-D) rather than one for all.
    pub per_world: bool,
}

impl ControlLayout {
    /// The layout of an array of `shape` for `m`, with the world count and steps asked for
    /// (default: the array's worlds or 1, all its rows); `Err` says what does not fit.
    pub fn of(
        m: &Model,
        shape: &[usize],
        want_nworld: Option<usize>,
        want_steps: Option<usize>,
    ) -> std::result::Result<Self, String> {
        let (nworld, rows, per_world) = match shape {
            [s, nu] if *nu == m.nu => (want_nworld.unwrap_or(1), *s, false),
            [w, s, nu] if *nu == m.nu => {
                if let Some(n) = want_nworld.filter(|n| n != w) {
                    return Err(format!("has {w} worlds but {n} were asked for"));
                }
                (*w, *s, true)
            }
            _ => return Err(format!("shape {shape:?}: expected (steps, {0}) or (nworld, steps, {0})", m.nu)),
        };
        let steps = want_steps.unwrap_or(rows);
        if steps > rows || steps == 0 || nworld == 0 {
            return Err(format!("{rows} control rows for {steps} steps and {nworld} worlds"));
        }
        Ok(ControlLayout { nworld, rows, steps, per_world })
    }

    /// The controls `data` (laid out as `self`) as steps × nworld × nu, worlds innermost.
    pub fn expand(&self, m: &Model, data: &[f32]) -> Vec<f32> {
        let mut out = Vec::with_capacity(self.steps * self.nworld * m.nu);
        for t in 0..self.steps {
            for w in 0..self.nworld {
                let row = if self.per_world { w * self.rows + t } else { t };
                out.extend_from_slice(&data[row * m.nu..(row + 1) * m.nu]);
            }
        }
        out
    }
}

/// Steps per submitted command buffer.
const CHUNK: usize = 64;

/// What a rollout records beyond the state arrays it always keeps.
#[derive(Debug, Clone, Copy, Default)]
pub struct Record {
    /// Each body's contact wrench per step (`Trajectory::cfrc_ext`): one more dispatch a step.
    pub contact_forces: bool,
}

/// Run `steps` steps of `nworld` worlds from `init` under `ctrl` (steps × nworld × nu, world-major
/// within a step).
pub fn rollout(
    ctx: &GpuContext,
    m: &Model,
    nworld: usize,
    steps: usize,
    init: &InitState,
    ctrl: &[f32],
) -> Result<Trajectory> {
    rollout_recording(ctx, m, nworld, steps, init, ctrl, Record::default())
}

/// [`rollout`], recording what `record` asks for as well.
pub fn rollout_recording(
    ctx: &GpuContext,
    m: &Model,
    nworld: usize,
    steps: usize,
    init: &InitState,
    ctrl: &[f32],
    record: Record,
) -> Result<Trajectory> {
    if ctrl.len() != steps * nworld * m.nu {
        return Err(Error::Model(format!(
            "control sequence has {} values, expected steps × nworld × nu = {steps} × {nworld} × {}",
            ctrl.len(),
            m.nu
        )));
    }
    let options = SimOptions { contact_forces: record.contact_forces, ..SimOptions::default() };
    let sim = Sim::new(ctx, m, nworld, options)?;
    let st = sim.state();
    for (buf, data) in [(&st.qpos, &init.qpos), (&st.qvel, &init.qvel), (&st.act, &init.act)] {
        if !data.is_empty() {
            st.upload(ctx, buf, data)?;
        }
    }
    let step = &sim.step;
    let sizes = [m.nq, m.nv, m.na, m.nu, m.ntendon, m.nv, m.nu, m.nu];
    let sources = [
        &st.qpos, &st.qvel, &st.act, &st.actuator_force, &st.ten_length, &st.qacc, &st.actuator_length,
        &st.actuator_velocity,
    ];
    // cfrc_ext: two vec4 a body (torque, force), trimmed to six floats when read back
    let nwrench = if record.contact_forces { 2 * m.nbody } else { 0 };
    let chunk = CHUNK.min(steps.max(1));
    // one raw copy of each state array per step, as laid out on the GPU (SimState converts)
    let pw = super::tiles::padded(nworld);
    let outs: Vec<wgpu::Buffer> =
        sizes.iter().map(|n| ctx.storage_zeroed::<f32>("rollout.out", chunk * pw * n)).collect();
    let wrench_out = ctx.storage_zeroed::<[f32; 4]>("rollout.cfrc_ext", (chunk * pw * nwrench).max(1));
    let ctrl_buf = ctx.storage_zeroed::<f32>("rollout.ctrl", chunk * pw * m.nu);
    let mut traj = Trajectory::default();
    let mut t0 = 0;
    while t0 < steps {
        let n = chunk.min(steps - t0);
        let (row, raw_row) = (nworld * m.nu, pw * m.nu);
        if row > 0 {
            let mut raw = Vec::with_capacity(n * raw_row);
            for t in t0..t0 + n {
                raw.extend(st.to_raw(&st.ctrl, &ctrl[t * row..(t + 1) * row])?);
            }
            SimState::write(ctx, &ctrl_buf, &raw);
        }
        let mut enc =
            ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("rollout") });
        for t in 0..n {
            if row > 0 {
                enc.copy_buffer_to_buffer(
                    &ctrl_buf,
                    (t * raw_row * 4) as u64,
                    &st.ctrl,
                    0,
                    (raw_row * 4) as u64,
                );
            }
            {
                let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("step"),
                    timestamp_writes: None,
                });
                step.record(&mut pass);
            }
            for ((src, dst), size) in sources.iter().zip(&outs).zip(sizes) {
                let bytes = (pw * size * 4) as u64;
                if bytes > 0 {
                    enc.copy_buffer_to_buffer(src, 0, dst, t as u64 * bytes, bytes);
                }
            }
            if nwrench > 0 {
                let bytes = (pw * nwrench * 16) as u64;
                enc.copy_buffer_to_buffer(&st.cfrc_ext, 0, &wrench_out, t as u64 * bytes, bytes);
            }
        }
        ctx.submit(enc.finish());
        let mut fields = [
            &mut traj.qpos,
            &mut traj.qvel,
            &mut traj.act,
            &mut traj.actuator_force,
            &mut traj.ten_length,
            &mut traj.qacc,
            &mut traj.actuator_length,
            &mut traj.actuator_velocity,
        ];
        for (((field, buf), size), src) in fields.iter_mut().zip(&outs).zip(sizes).zip(sources) {
            if size == 0 {
                continue;
            }
            let raw = ctx.download::<f32>(buf, n * pw * size)?;
            for step in raw.chunks(pw * size).take(n) {
                field.extend(st.from_raw(src, step)?);
            }
        }
        if nwrench > 0 {
            let raw = ctx.download::<[f32; 4]>(&wrench_out, n * pw * nwrench)?;
            for step in raw.chunks(pw * nwrench).take(n) {
                for v in st.from_raw(&st.cfrc_ext, step)?.chunks(2) {
                    traj.cfrc_ext.extend_from_slice(&[v[0][0], v[0][1], v[0][2], v[1][0], v[1][1], v[1][2]]);
                }
            }
        }
        t0 += n;
    }
    traj.nonfinite = st.download::<u32>(ctx, &st.nonfinite)?.iter().map(|f| *f != 0).collect();
    let count = ctx.download::<u32>(&sim.data.contacts.count, 2 * nworld)?;
    traj.contact_overflow = (0..nworld).map(|w| count[2 * w + 1]).collect();
    Ok(traj)
}
