//! `velocity` stage (shaders/velocity.wgsl), tendon part: ten_velocity = J·qvel per
//! (world, tendon). (Body velocities for the bias force live in `rne`.)

use super::{Kernel, Work};
use crate::error::Result;
use crate::gpu::layout::ModelSizes;
use crate::gpu::{Bindings, GpuContext};

/// Build the stage: one invocation per tendon of every world.
pub fn velocity(ctx: &GpuContext, b: &Bindings, sizes: &ModelSizes) -> Result<Kernel> {
    Kernel::new(ctx, "velocity.wgsl", "main", b, Work::PerWorld(sizes.ntendon as usize))
}
