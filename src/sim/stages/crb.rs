//! `crb` stage (shaders/crb.wgsl): composite inertias and the sparse joint-space inertia M with
//! armature, one invocation per world.

use super::{Kernel, Work};
use crate::error::Result;
use crate::gpu::{Bindings, GpuContext};

/// Build the stage: one invocation per world.
pub fn crb(ctx: &GpuContext, b: &Bindings) -> Result<Kernel> {
    Kernel::new(ctx, "crb.wgsl", "main", b, Work::PerWorld(1))
}
