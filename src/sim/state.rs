//! [`SimState`]: the per-world GPU buffers (world-major, f32) the stages read and write.

use crate::gpu::GpuContext;
use crate::gpu::layout::RunParams;
use crate::model::Model;

/// State of `nworld` worlds of one model. Shapes are per world, world-major (`[w * n + i]`);
/// 3-vectors and quaternions are `vec4<f32>` (quaternions (w, x, y, z)).
pub struct SimState {
    /// Number of worlds.
    pub nworld: usize,
    /// Uniform [`RunParams`].
    pub run: wgpu::Buffer,
    /// (nworld × nq) f32.
    pub qpos: wgpu::Buffer,
    /// (nworld × nv) f32.
    pub qvel: wgpu::Buffer,
    /// (nworld × na) f32.
    pub act: wgpu::Buffer,
    /// (nworld × nu) f32.
    pub ctrl: wgpu::Buffer,
    /// (nworld × nbody) vec4: body origins.
    pub xpos: wgpu::Buffer,
    /// (nworld × nbody) vec4: body orientations.
    pub xquat: wgpu::Buffer,
    /// (nworld × njnt) vec4: joint anchors.
    pub xanchor: wgpu::Buffer,
    /// (nworld × njnt) vec4: joint axes.
    pub xaxis: wgpu::Buffer,
    /// (nworld × nsite) vec4: site positions.
    pub site_xpos: wgpu::Buffer,
    /// (nworld × ngeom) vec4: geom positions.
    pub geom_xpos: wgpu::Buffer,
    /// (nworld × ngeom) vec4: geom orientations.
    pub geom_xquat: wgpu::Buffer,
    /// (nworld × nbody) vec4: subtree centres of mass.
    pub subtree_com: wgpu::Buffer,
    /// (nworld × nv × 2) vec4: dof motion axes [angular, linear] at the tree's com frame.
    pub cdof: wgpu::Buffer,
    /// (nworld × nbody × 3) vec4: body inertia about the com-frame origin: (m·d, m),
    /// (Ixx, Iyy, Izz), (Ixy, Ixz, Iyz), with d the centre of mass relative to that origin.
    pub cinert: wgpu::Buffer,
    /// (nworld × ntendon) f32: tendon lengths.
    pub ten_length: wgpu::Buffer,
    /// (nworld × nnz) f32: sparse tendon Jacobians (rows: [`crate::sim::sparsity::TendonRows`]).
    pub ten_j: wgpu::Buffer,
    /// (nworld × 2·nwrap) vec4: tendon path points (tendon t's from 2·tendon_adr\[t\]).
    pub wrap_xpos: wgpu::Buffer,
    /// (nworld × ntendon) u32: number of path points of each tendon.
    pub ten_wrapnum: wgpu::Buffer,
    /// (nworld × ntendon) f32: tendon velocities.
    pub ten_velocity: wgpu::Buffer,
    /// (nworld × nu) f32: actuator lengths.
    pub actuator_length: wgpu::Buffer,
    /// (nworld × nu) f32: actuator velocities.
    pub actuator_velocity: wgpu::Buffer,
    /// (nworld × na) f32: activation rates.
    pub act_dot: wgpu::Buffer,
    /// (nworld × nu) f32: actuator forces.
    pub actuator_force: wgpu::Buffer,
    /// (nworld × nv) f32: generalised actuator forces.
    pub qfrc_actuator: wgpu::Buffer,
    /// (nworld × nbody × 3) vec4: composite inertias (layout as `cinert`).
    pub crb: wgpu::Buffer,
    /// (nworld × nm) f32: sparse joint-space inertia (rows: the dof, then its ancestors).
    pub qm: wgpu::Buffer,
    /// (nworld × (nm + 2·nv)) f64 (f32 without shader f64): scratch of `solve` (the L'DL
    /// factor, then the solution vector and, for the f32 refinement, the residual).
    pub qld: wgpu::Buffer,
    /// (nworld × nbody × 2) vec4: body spatial velocities.
    pub cvel: wgpu::Buffer,
    /// (nworld × nv × 2) vec4: time derivatives of cdof.
    pub cdof_dot: wgpu::Buffer,
    /// (nworld × nbody × 2) vec4: body spatial accelerations (bias pass).
    pub cacc: wgpu::Buffer,
    /// (nworld × nbody × 2) vec4: body forces (bias pass).
    pub cfrc: wgpu::Buffer,
    /// (nworld × nv) f32: Coriolis, centrifugal and gravity forces.
    pub qfrc_bias: wgpu::Buffer,
    /// (nworld × nv) f32: passive forces.
    pub qfrc_passive: wgpu::Buffer,
    /// (nworld × nv) f32: accelerations (constrained).
    pub qacc: wgpu::Buffer,
    /// (nworld × nv) f32: accelerations without constraints.
    pub qacc_smooth: wgpu::Buffer,
    /// (nworld × nv) f32: the previous step's qacc, where the constraint solver starts.
    pub qacc_warmstart: wgpu::Buffer,
    /// (nworld × nv) f32: generalised constraint forces Jᵀ f.
    pub qfrc_constraint: wgpu::Buffer,
    /// (nworld × nv) f32: velocity change per unit time that Euler applies.
    pub dv: wgpu::Buffer,
    /// (nworld) u32: 1 once the world's state has gone non-finite (sticky).
    pub nonfinite: wgpu::Buffer,
    /// (nworld) vec4: per-world scales (muscle strength, body mass, -, -); 1 unless an
    /// environment randomises them. Strength multiplies muscle actuator forces; mass multiplies
    /// every body's mass and inertia.
    pub world_scale: wgpu::Buffer,
}

impl SimState {
    /// `nworld` worlds at the model's reference configuration, at rest, with zero activation/control.
    pub fn new(ctx: &GpuContext, m: &Model, nworld: usize) -> Self {
        let qpos0: Vec<f32> = (0..nworld).flat_map(|_| m.qpos0.iter().map(|v| *v as f32)).collect();
        let vec4 = |label: &str, n: usize| ctx.storage_zeroed::<[f32; 4]>(label, nworld * n);
        let ten_nnz = crate::sim::sparsity::TendonRows::new(m).nnz();
        let nm = crate::gpu::model_buffers::ModelMirror::nm(m);
        let f32s = |label: &str, n: usize| ctx.storage_zeroed::<f32>(label, nworld * n);
        SimState {
            nworld,
            run: ctx.uniform_from(
                "state.run",
                &RunParams { nworld: nworld as u32, ten_nnz: ten_nnz as u32, nm: nm as u32, zero: 0 },
            ),
            qpos: ctx.storage_from("state.qpos", &qpos0),
            qvel: ctx.storage_zeroed::<f32>("state.qvel", nworld * m.nv),
            act: ctx.storage_zeroed::<f32>("state.act", nworld * m.na),
            ctrl: ctx.storage_zeroed::<f32>("state.ctrl", nworld * m.nu),
            xpos: vec4("state.xpos", m.nbody),
            xquat: vec4("state.xquat", m.nbody),
            xanchor: vec4("state.xanchor", m.njnt),
            xaxis: vec4("state.xaxis", m.njnt),
            site_xpos: vec4("state.site_xpos", m.nsite),
            geom_xpos: vec4("state.geom_xpos", m.ngeom),
            geom_xquat: vec4("state.geom_xquat", m.ngeom),
            subtree_com: vec4("state.subtree_com", m.nbody),
            cdof: vec4("state.cdof", 2 * m.nv),
            cinert: vec4("state.cinert", 3 * m.nbody),
            ten_length: ctx.storage_zeroed::<f32>("state.ten_length", nworld * m.ntendon),
            ten_j: ctx.storage_zeroed::<f32>("state.ten_j", nworld * ten_nnz),
            wrap_xpos: vec4("state.wrap_xpos", 2 * m.nwrap),
            ten_wrapnum: ctx.storage_zeroed::<u32>("state.ten_wrapnum", nworld * m.ntendon),
            ten_velocity: ctx.storage_zeroed::<f32>("state.ten_velocity", nworld * m.ntendon),
            actuator_length: ctx.storage_zeroed::<f32>("state.actuator_length", nworld * m.nu),
            actuator_velocity: ctx.storage_zeroed::<f32>("state.actuator_velocity", nworld * m.nu),
            act_dot: ctx.storage_zeroed::<f32>("state.act_dot", nworld * m.na),
            actuator_force: ctx.storage_zeroed::<f32>("state.actuator_force", nworld * m.nu),
            qfrc_actuator: f32s("state.qfrc_actuator", m.nv),
            crb: vec4("state.crb", 3 * m.nbody),
            qm: f32s("state.qm", nm),
            qld: ctx.storage_zeroed::<f64>("state.qld", nworld * (nm + 2 * m.nv)),
            cvel: vec4("state.cvel", 2 * m.nbody),
            cdof_dot: vec4("state.cdof_dot", 2 * m.nv),
            cacc: vec4("state.cacc", 2 * m.nbody),
            cfrc: vec4("state.cfrc", 2 * m.nbody),
            qfrc_bias: f32s("state.qfrc_bias", m.nv),
            qfrc_passive: f32s("state.qfrc_passive", m.nv),
            qacc: f32s("state.qacc", m.nv),
            qacc_smooth: f32s("state.qacc_smooth", m.nv),
            qacc_warmstart: f32s("state.qacc_warmstart", m.nv),
            qfrc_constraint: f32s("state.qfrc_constraint", m.nv),
            dv: f32s("state.dv", m.nv),
            nonfinite: ctx.storage_zeroed::<u32>("state.nonfinite", nworld),
            world_scale: ctx.storage_from("state.world_scale", &vec![[1.0f32, 1.0, 1.0, 1.0]; nworld]),
        }
    }

    /// Bytes of every per-world buffer.
    pub fn bytes(&self) -> u64 {
        [
            &self.qpos, &self.qvel, &self.act, &self.ctrl, &self.xpos, &self.xquat, &self.xanchor,
            &self.xaxis, &self.site_xpos, &self.geom_xpos, &self.geom_xquat, &self.subtree_com, &self.cdof,
            &self.cinert, &self.ten_length, &self.ten_j, &self.ten_velocity, &self.actuator_length,
            &self.actuator_velocity, &self.act_dot, &self.actuator_force, &self.qfrc_actuator, &self.crb,
            &self.qm, &self.qld, &self.cvel, &self.cdof_dot, &self.cacc, &self.cfrc, &self.qfrc_bias,
            &self.qfrc_passive, &self.qacc, &self.qacc_smooth, &self.qacc_warmstart, &self.qfrc_constraint,
            &self.dv, &self.nonfinite, &self.wrap_xpos, &self.ten_wrapnum, &self.world_scale,
        ]
        .iter()
        .map(|b| b.size())
        .sum()
    }

    /// Overwrite a buffer with host data (length must match its use).
    pub fn write<T: bytemuck::Pod>(ctx: &GpuContext, buffer: &wgpu::Buffer, data: &[T]) {
        ctx.queue.write_buffer(buffer, 0, bytemuck::cast_slice(data));
    }
}
