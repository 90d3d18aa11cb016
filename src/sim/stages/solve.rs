//! `solve` stage (shaders/solve.wgsl): factor the sparse M and solve for qacc, then (with
//! implicit damping) factor M + h·D and solve for the velocity change dv; constraints disabled.
//! Per world for the factorisations, per (world, dof) for the stores.

use super::{Kernel, Kernels};
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;

/// Build the stage for model `m` and state `s`.
pub fn solve(ctx: &GpuContext, m: &GpuModel, s: &SimState) -> Result<Kernels> {
    let buffers = [
        &m.sizes, &s.run, &m.options, &m.dofs, &m.dof_madr, &s.qm, &s.qfrc_bias, &s.qfrc_passive,
        &s.qfrc_actuator, &s.qld, &s.qacc, &s.dv,
    ];
    let per_dof = s.nworld * m.mirror.sizes.nv as usize;
    let mut kernels = vec![
        Kernel::new(ctx, "solve.wgsl", "acceleration", &buffers, s.nworld)?,
        Kernel::new(ctx, "solve.wgsl", "acceleration_solve", &buffers, s.nworld)?,
        Kernel::new(ctx, "solve.wgsl", "store_qacc", &buffers, per_dof)?,
    ];
    if m.mirror.options.implicit != 0 {
        kernels.push(Kernel::new(ctx, "solve.wgsl", "damped", &buffers, s.nworld)?);
        kernels.push(Kernel::new(ctx, "solve.wgsl", "damped_solve", &buffers, s.nworld)?);
    }
    kernels.push(Kernel::new(ctx, "solve.wgsl", "store_dv", &buffers, per_dof)?);
    Ok(Kernels(kernels))
}
