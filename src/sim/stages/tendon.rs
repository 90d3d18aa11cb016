//! `tendon` stage (shaders/tendon.wgsl): tendon lengths, sparse Jacobians, path points and (from
//! the Jacobian rows) tendon velocities, one invocation per (world, tendon) — where muscle models
//! spend their time, so it is parallel over tendons.

use super::{Kernel, Work};
use crate::error::Result;
use crate::gpu::layout::ModelSizes;
use crate::gpu::{Bindings, GpuContext};

/// Build the stage: one invocation per tendon of every world.
pub fn tendon(ctx: &GpuContext, b: &Bindings, sizes: &ModelSizes) -> Result<Kernel> {
    Kernel::new(ctx, "tendon.wgsl", "main", b, Work::PerWorld(sizes.ntendon as usize))
}
