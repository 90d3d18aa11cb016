//! `solve` stage (shaders/solve.wgsl): factor the sparse M and solve for qacc and for the
//! implicit-damping velocity change, one invocation per world (constraints disabled).

use super::Kernel;
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;

/// Build the stage for model `m` and state `s`.
pub fn solve(ctx: &GpuContext, m: &GpuModel, s: &SimState) -> Result<Kernel> {
    Kernel::new(
        ctx,
        "solve.wgsl",
        "main",
        &[
            &m.sizes, &s.run, &m.options, &m.dofs, &m.dof_madr, &s.qm, &s.qfrc_bias, &s.qfrc_passive,
            &s.qfrc_actuator, &s.qld, &s.qacc, &s.dv,
        ],
        s.nworld,
    )
}
