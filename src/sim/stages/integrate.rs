//! `integrate` stage (shaders/integrate.wgsl): Euler with implicit joint damping, quaternion
//! integration and the activation update, one invocation per world.

use super::{Kernel, Work};
use crate::error::Result;
use crate::gpu::{Bindings, GpuContext};

/// Build the stage: one invocation per world.
pub fn integrate(ctx: &GpuContext, b: &Bindings) -> Result<Kernel> {
    Kernel::new(ctx, "integrate.wgsl", "main", b, Work::PerWorld(1))
}
