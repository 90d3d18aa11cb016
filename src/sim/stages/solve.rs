//! `solve` stage (shaders/solve.wgsl): factor the sparse M and solve for qacc_smooth (before the
//! constraint solver), then (after it) the velocity change dv that Euler integrates: with implicit
//! damping (M + h·D)⁻¹ (f + qfrc_constraint), else qacc. Per world for the factorisations, per
//! (world, dof) for the stores.

use super::{Kernel, Kernels};
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;

fn buffers<'a>(m: &'a GpuModel, s: &'a SimState) -> [&'a wgpu::Buffer; 15] {
    [
        &m.sizes, &s.run, &m.options, &m.dofs, &m.dof_madr, &s.qm, &s.qfrc_bias, &s.qfrc_passive,
        &s.qfrc_actuator, &s.qld, &s.qacc_smooth, &s.dv, &s.qacc, &s.qfrc_constraint, &m.dof_mcol,
    ]
}

/// qacc_smooth = M⁻¹ (passive + actuator − bias).
pub fn smooth(ctx: &GpuContext, m: &GpuModel, s: &SimState) -> Result<Kernels> {
    let b = buffers(m, s);
    let per_dof = s.nworld * m.mirror.sizes.nv as usize;
    Ok(Kernels(vec![
        Kernel::new(ctx, "solve.wgsl", "acceleration", &b, s.nworld)?,
        Kernel::new(ctx, "solve.wgsl", "acceleration_solve", &b, s.nworld)?,
        Kernel::new(ctx, "solve.wgsl", "store_qacc", &b, per_dof)?,
    ]))
}

/// dv from the final qacc (and qfrc_constraint under implicit damping).
pub fn damp(ctx: &GpuContext, m: &GpuModel, s: &SimState) -> Result<Kernels> {
    let b = buffers(m, s);
    let per_dof = s.nworld * m.mirror.sizes.nv as usize;
    Ok(Kernels(if m.mirror.options.implicit != 0 {
        vec![
            Kernel::new(ctx, "solve.wgsl", "damped", &b, s.nworld)?,
            Kernel::new(ctx, "solve.wgsl", "damped_solve", &b, s.nworld)?,
            Kernel::new(ctx, "solve.wgsl", "store_dv", &b, per_dof)?,
        ]
    } else {
        vec![Kernel::new(ctx, "solve.wgsl", "copy_dv", &b, per_dof)?]
    }))
}
