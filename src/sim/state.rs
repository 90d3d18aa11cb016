//! [`SimState`]: the per-world GPU buffers (f32, in tiles of worlds) the stages read and write.

use super::tiles;
use crate::error::{Error, Result};
use crate::gpu::Bindings;
use crate::gpu::GpuContext;
use crate::model::Model;

/// The arrays kept world-major; every other array is laid out in tiles of worlds ([`tiles`];
/// the kernels index them through shaders/common/worlds.wgsl). `qm` stays world-major because
/// Newton's workgroup for one world reads it every iteration (its lanes then read adjacent
/// entries). With a tile of 1 (`SINEW_WORLD_TILE=1`) all are world-major.
const WORLD_MAJOR: &[&str] = &["qm"];

/// Whether the array named `name` is tiled.
fn tiled(name: &str) -> bool {
    !WORLD_MAJOR.contains(&name)
}

/// State of `nworld` worlds of one model. Shapes below are (worlds × per world); an array is
/// laid out in tiles of worlds ([`tiles`]) unless [`WORLD_MAJOR`] names it (`[w * n + i]`),
/// and every one holds room for `tiles::padded(nworld)` worlds. Read and write them through
/// [`SimState::download`] and [`SimState::upload`], which take world-major data either way.
/// 3-vectors and quaternions are `vec4<f32>` (quaternions (w, x, y, z)).
pub struct SimState {
    /// Number of worlds.
    pub nworld: usize,
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
    /// (nworld × nbody × 2) vec4: external contact wrench on each body as MuJoCo's cfrc_ext
    /// (torque, force) about the body tree's subtree_com, world axes; written only where the
    /// simulation was built with `SimOptions::contact_forces`.
    pub cfrc_ext: wgpu::Buffer,
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
    dims: StateDims,
}

/// The per-world counts the buffers were sized by.
#[derive(Debug, Clone, Copy)]
struct StateDims {
    nq: usize,
    nv: usize,
    na: usize,
    nu: usize,
    nbody: usize,
    njnt: usize,
    nsite: usize,
    ngeom: usize,
    ntendon: usize,
    nwrap: usize,
    ten_nnz: usize,
    nm: usize,
    /// Bytes of a `real` in `qld` (8 with shader f64, else 4).
    real: usize,
}

impl SimState {
    /// `nworld` worlds at the model's reference configuration, at rest, with zero activation/control.
    pub fn new(ctx: &GpuContext, m: &Model, nworld: usize) -> Self {
        // room for whole tiles of worlds (tiles::padded), whatever each array's layout
        let pw = tiles::padded(nworld);
        let mut qpos0: Vec<f32> = (0..pw).flat_map(|_| m.qpos0.iter().map(|v| *v as f32)).collect();
        if tiled("qpos") {
            qpos0 = tiles::to_tiled(&qpos0, pw, m.nq);
        }
        let vec4 = |label: &str, n: usize| ctx.storage_zeroed::<[f32; 4]>(label, pw * n);
        let ten_nnz = crate::sim::sparsity::TendonRows::new(m).nnz();
        let nm = crate::gpu::model_buffers::ModelMirror::nm(m);
        let f32s = |label: &str, n: usize| ctx.storage_zeroed::<f32>(label, pw * n);
        SimState {
            nworld,
            dims: StateDims {
                nq: m.nq,
                nv: m.nv,
                na: m.na,
                nu: m.nu,
                nbody: m.nbody,
                njnt: m.njnt,
                nsite: m.nsite,
                ngeom: m.ngeom,
                ntendon: m.ntendon,
                nwrap: m.nwrap,
                ten_nnz,
                nm,
                real: if ctx.has_f64() { 8 } else { 4 },
            },
            qpos: ctx.storage_from("state.qpos", &qpos0),
            qvel: f32s("state.qvel", m.nv),
            act: ctx.storage_zeroed::<f32>("state.act", pw * m.na),
            ctrl: ctx.storage_zeroed::<f32>("state.ctrl", pw * m.nu),
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
            ten_length: ctx.storage_zeroed::<f32>("state.ten_length", pw * m.ntendon),
            ten_j: ctx.storage_zeroed::<f32>("state.ten_j", pw * ten_nnz),
            wrap_xpos: vec4("state.wrap_xpos", 2 * m.nwrap),
            ten_wrapnum: ctx.storage_zeroed::<u32>("state.ten_wrapnum", pw * m.ntendon),
            ten_velocity: ctx.storage_zeroed::<f32>("state.ten_velocity", pw * m.ntendon),
            actuator_length: ctx.storage_zeroed::<f32>("state.actuator_length", pw * m.nu),
            actuator_velocity: ctx.storage_zeroed::<f32>("state.actuator_velocity", pw * m.nu),
            act_dot: ctx.storage_zeroed::<f32>("state.act_dot", pw * m.na),
            actuator_force: ctx.storage_zeroed::<f32>("state.actuator_force", pw * m.nu),
            qfrc_actuator: f32s("state.qfrc_actuator", m.nv),
            crb: vec4("state.crb", 3 * m.nbody),
            qm: f32s("state.qm", nm),
            // reals: f64 where the shader has it, else f32
            qld: if ctx.has_f64() {
                ctx.storage_zeroed::<f64>("state.qld", pw * (nm + 2 * m.nv))
            } else {
                ctx.storage_zeroed::<f32>("state.qld", pw * (nm + 2 * m.nv))
            },
            cvel: vec4("state.cvel", 2 * m.nbody),
            cdof_dot: vec4("state.cdof_dot", 2 * m.nv),
            cacc: vec4("state.cacc", 2 * m.nbody),
            cfrc: vec4("state.cfrc", 2 * m.nbody),
            cfrc_ext: vec4("state.cfrc_ext", 2 * m.nbody),
            qfrc_bias: f32s("state.qfrc_bias", m.nv),
            qfrc_passive: f32s("state.qfrc_passive", m.nv),
            qacc: f32s("state.qacc", m.nv),
            qacc_smooth: f32s("state.qacc_smooth", m.nv),
            qacc_warmstart: f32s("state.qacc_warmstart", m.nv),
            qfrc_constraint: f32s("state.qfrc_constraint", m.nv),
            dv: f32s("state.dv", m.nv),
            nonfinite: ctx.storage_zeroed::<u32>("state.nonfinite", pw),
            world_scale: ctx.storage_from("state.world_scale", &vec![[1.0f32, 1.0, 1.0, 1.0]; pw]),
        }
    }

    /// Every per-world buffer: (WGSL name, buffer, bytes of an element, elements per world).
    fn arrays(&self) -> [(&'static str, &wgpu::Buffer, usize, usize); 41] {
        let d = self.dims;
        let (f, v4) = (4usize, 16usize);
        [
            ("qpos", &self.qpos, f, d.nq),
            ("qvel", &self.qvel, f, d.nv),
            ("act", &self.act, f, d.na),
            ("ctrl", &self.ctrl, f, d.nu),
            ("xpos", &self.xpos, v4, d.nbody),
            ("xquat", &self.xquat, v4, d.nbody),
            ("xanchor", &self.xanchor, v4, d.njnt),
            ("xaxis", &self.xaxis, v4, d.njnt),
            ("site_xpos", &self.site_xpos, v4, d.nsite),
            ("geom_xpos", &self.geom_xpos, v4, d.ngeom),
            ("geom_xquat", &self.geom_xquat, v4, d.ngeom),
            ("subtree_com", &self.subtree_com, v4, d.nbody),
            ("cdof", &self.cdof, v4, 2 * d.nv),
            ("cinert", &self.cinert, v4, 3 * d.nbody),
            ("ten_length", &self.ten_length, f, d.ntendon),
            ("ten_j", &self.ten_j, f, d.ten_nnz),
            ("wrap_xpos", &self.wrap_xpos, v4, 2 * d.nwrap),
            ("ten_wrapnum", &self.ten_wrapnum, f, d.ntendon),
            ("ten_velocity", &self.ten_velocity, f, d.ntendon),
            ("actuator_length", &self.actuator_length, f, d.nu),
            ("actuator_velocity", &self.actuator_velocity, f, d.nu),
            ("act_dot", &self.act_dot, f, d.na),
            ("actuator_force", &self.actuator_force, f, d.nu),
            ("qfrc_actuator", &self.qfrc_actuator, f, d.nv),
            ("crb", &self.crb, v4, 3 * d.nbody),
            ("qm", &self.qm, f, d.nm),
            ("qld", &self.qld, d.real, d.nm + 2 * d.nv),
            ("cvel", &self.cvel, v4, 2 * d.nbody),
            ("cdof_dot", &self.cdof_dot, v4, 2 * d.nv),
            ("cacc", &self.cacc, v4, 2 * d.nbody),
            ("cfrc", &self.cfrc, v4, 2 * d.nbody),
            ("cfrc_ext", &self.cfrc_ext, v4, 2 * d.nbody),
            ("qfrc_bias", &self.qfrc_bias, f, d.nv),
            ("qfrc_passive", &self.qfrc_passive, f, d.nv),
            ("qacc", &self.qacc, f, d.nv),
            ("qacc_smooth", &self.qacc_smooth, f, d.nv),
            ("qacc_warmstart", &self.qacc_warmstart, f, d.nv),
            ("qfrc_constraint", &self.qfrc_constraint, f, d.nv),
            ("dv", &self.dv, f, d.nv),
            ("nonfinite", &self.nonfinite, f, 1),
            ("world_scale", &self.world_scale, v4, 1),
        ]
    }

    /// Offer every buffer to kernels by its WGSL name, with its bytes per world and layout.
    pub fn bind(&self, b: &mut Bindings) {
        for (name, buffer, elem, n) in self.arrays() {
            let per_world = (elem * n) as u64;
            if tiled(name) {
                b.tiled(name, buffer, per_world);
            } else {
                b.per_world(name, buffer, per_world);
            }
        }
    }

    /// The name, element bytes and elements per world of `buffer`, one of this state's fields.
    fn find(&self, buffer: &wgpu::Buffer) -> Result<(&'static str, usize, usize)> {
        self.arrays()
            .into_iter()
            .find(|(_, b, _, _)| std::ptr::eq(*b, buffer))
            .map(|(name, _, elem, n)| (name, elem, n))
            .ok_or_else(|| Error::Gpu("SimState: not one of this state's buffers".into()))
    }

    /// The state array `buffer` (one of this state's fields): its name, elements per world and
    /// whether it is tiled. A tiled array is reordered element by element, so `T` must be its
    /// element (`[f32; 4]` for vec4 arrays, a 4-byte scalar, `qld`'s real).
    fn array<T>(&self, buffer: &wgpu::Buffer) -> Result<(&'static str, usize, bool)> {
        let (name, elem, n) = self.find(buffer)?;
        let size = std::mem::size_of::<T>();
        if size != elem {
            return Err(Error::Gpu(format!(
                "state.{name}: elements of {elem} bytes, read or written as {size}"
            )));
        }
        Ok((name, n, tiled(name)))
    }

    /// Elements of `T` one of this state's arrays holds (room for whole tiles of worlds).
    pub fn raw_len<T>(&self, buffer: &wgpu::Buffer) -> Result<usize> {
        Ok(tiles::padded(self.nworld) * self.array::<T>(buffer)?.1)
    }

    /// A raw copy of one of this state's arrays ([`SimState::raw_len`] elements, as on the GPU)
    /// as `nworld × n` world-major values.
    pub fn from_raw<T: bytemuck::Pod>(&self, buffer: &wgpu::Buffer, raw: &[T]) -> Result<Vec<T>> {
        let (name, n, tiled) = self.array::<T>(buffer)?;
        if raw.len() < tiles::padded(self.nworld) * n {
            return Err(Error::Gpu(format!(
                "state.{name}: {} raw values, fewer than the array holds",
                raw.len()
            )));
        }
        Ok(if tiled { tiles::to_world_major(raw, self.nworld, n) } else { raw[..self.nworld * n].to_vec() })
    }

    /// `nworld × n` world-major values as one of this state's arrays holds them on the GPU
    /// ([`SimState::raw_len`] values, the padding worlds zero).
    pub fn to_raw<T: bytemuck::Pod>(&self, buffer: &wgpu::Buffer, data: &[T]) -> Result<Vec<T>> {
        let (name, n, tiled) = self.array::<T>(buffer)?;
        if data.len() != self.nworld * n {
            return Err(Error::Gpu(format!(
                "state.{name}: {} values, expected nworld × {n} = {}",
                data.len(),
                self.nworld * n
            )));
        }
        if tiled {
            return Ok(tiles::to_tiled(data, self.nworld, n));
        }
        let mut raw = data.to_vec();
        raw.resize(tiles::padded(self.nworld) * n, T::zeroed());
        Ok(raw)
    }

    /// Download one of this state's arrays (e.g. `&state.qpos`) as `nworld × n` world-major
    /// values, whatever its layout on the GPU.
    pub fn download<T: bytemuck::Pod>(&self, ctx: &GpuContext, buffer: &wgpu::Buffer) -> Result<Vec<T>> {
        let raw = ctx.download::<T>(buffer, self.raw_len::<T>(buffer)?)?;
        self.from_raw(buffer, &raw)
    }

    /// Overwrite one of this state's arrays (e.g. `&state.qpos`) from `nworld × n` world-major
    /// values, whatever its layout on the GPU.
    pub fn upload<T: bytemuck::Pod>(
        &self,
        ctx: &GpuContext,
        buffer: &wgpu::Buffer,
        data: &[T],
    ) -> Result<()> {
        let raw = self.to_raw(buffer, data)?;
        if !raw.is_empty() {
            Self::write(ctx, buffer, &raw);
        }
        Ok(())
    }

    /// Bytes of one of this state's arrays, world-major (`nworld ×` its bytes per world).
    pub fn world_bytes(&self, buffer: &wgpu::Buffer) -> Result<usize> {
        let (_, elem, n) = self.find(buffer)?;
        Ok(self.nworld * elem * n)
    }

    /// [`SimState::download`] as bytes, for an array of `elem`-byte elements (4: f32 or u32,
    /// 16: vec4): world-major whatever the layout (checkpoints stay layout-independent).
    pub fn download_bytes(&self, ctx: &GpuContext, buffer: &wgpu::Buffer, elem: usize) -> Result<Vec<u8>> {
        Ok(match elem {
            16 => bytemuck::cast_slice(&self.download::<[u32; 4]>(ctx, buffer)?).to_vec(),
            _ => bytemuck::cast_slice(&self.download::<u32>(ctx, buffer)?).to_vec(),
        })
    }

    /// [`SimState::upload`] from bytes of `elem`-byte elements (see [`SimState::download_bytes`]).
    pub fn upload_bytes(
        &self,
        ctx: &GpuContext,
        buffer: &wgpu::Buffer,
        elem: usize,
        bytes: &[u8],
    ) -> Result<()> {
        let words: Vec<u32> =
            bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        match elem {
            16 => self.upload::<[u32; 4]>(ctx, buffer, bytemuck::cast_slice(&words)),
            _ => self.upload::<u32>(ctx, buffer, &words),
        }
    }

    /// Bytes of every per-world buffer.
    pub fn bytes(&self) -> u64 {
        self.arrays().iter().map(|(_, b, _, _)| b.size()).sum()
    }

    /// Overwrite a buffer with host data (length must match its use).
    pub fn write<T: bytemuck::Pod>(ctx: &GpuContext, buffer: &wgpu::Buffer, data: &[T]) {
        ctx.queue.write_buffer(buffer, 0, bytemuck::cast_slice(data));
    }
}
