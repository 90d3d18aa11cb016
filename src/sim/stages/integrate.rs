//! `integrate` stage (shaders/integrate.wgsl): Euler with implicit joint damping, quaternion
//! integration and the activation update, one invocation per world.

use super::Kernel;
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;

/// Build the stage for model `m` and state `s`.
pub fn integrate(ctx: &GpuContext, m: &GpuModel, s: &SimState) -> Result<Kernel> {
    Kernel::new(
        ctx,
        "integrate.wgsl",
        "main",
        &[
            &m.sizes, &s.run, &m.options, &m.joints, &m.actuators, &s.act_dot, &s.dv, &s.qpos, &s.qvel,
            &s.act, &s.nonfinite,
        ],
        s.nworld,
    )
}
