//! `com` stage (shaders/com.wgsl): subtree centres of mass, cdof and cinert, one invocation per
//! world.

use super::{Kernel, Work};
use crate::error::Result;
use crate::gpu::{Bindings, GpuContext};

/// Build the stage: one invocation per world.
pub fn com(ctx: &GpuContext, b: &Bindings) -> Result<Kernel> {
    Kernel::new(ctx, "com.wgsl", "main", b, Work::PerWorld(1))
}
