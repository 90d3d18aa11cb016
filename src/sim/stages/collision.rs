//! `collision` stage (shaders/collision.wgsl): every candidate pair of the model's
//! [`crate::sim::contact::ContactTable`] in every world, into per-pair contact slots.

use super::{Kernel, Work};
use crate::error::Result;
use crate::gpu::{Bindings, GpuContext};

/// Build the stage: one invocation per candidate pair of every world (no dispatch without pairs).
pub fn collision(ctx: &GpuContext, b: &Bindings, npair: usize) -> Result<Kernel> {
    Kernel::new(ctx, "collision.wgsl", "detect", b, Work::PerWorld(npair))
}
