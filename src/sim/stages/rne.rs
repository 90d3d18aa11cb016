//! `rne` stage (shaders/rne.wgsl): body velocities and the bias force (Coriolis, centrifugal,
//! gravity) by recursive Newton-Euler, one invocation per world.

use super::Kernel;
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;

/// Build the stage for model `m` and state `s`.
pub fn rne(ctx: &GpuContext, m: &GpuModel, s: &SimState) -> Result<Kernel> {
    Kernel::new(
        ctx,
        "rne.wgsl",
        "main",
        &[
            &m.sizes, &s.run, &m.options, &m.bodies, &m.joints, &m.dofs, &s.cinert, &s.cdof, &s.qvel,
            &s.cvel, &s.cdof_dot, &s.cacc, &s.cfrc, &s.qfrc_bias,
        ],
        s.nworld,
    )
}
