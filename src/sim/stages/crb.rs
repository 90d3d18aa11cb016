//! `crb` stage (shaders/crb.wgsl): composite inertias and the sparse joint-space inertia M with
//! armature, one invocation per world.

use super::Kernel;
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;

/// Build the stage for model `m` and state `s`.
pub fn crb(ctx: &GpuContext, m: &GpuModel, s: &SimState) -> Result<Kernel> {
    Kernel::new(
        ctx,
        "crb.wgsl",
        "main",
        &[&m.sizes, &s.run, &m.bodies, &m.dofs, &m.dof_madr, &s.cinert, &s.cdof, &s.crb, &s.qm],
        s.nworld,
    )
}
