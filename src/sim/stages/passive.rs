//! `passive` stage (shaders/passive.wgsl): joint and tendon springs and dampers, one invocation
//! per (world, joint).

use super::{Kernel, Work};
use crate::error::Result;
use crate::gpu::layout::ModelSizes;
use crate::gpu::{Bindings, GpuContext};

/// Build the stage: one invocation per joint of every world.
pub fn passive(ctx: &GpuContext, b: &Bindings, sizes: &ModelSizes) -> Result<Kernel> {
    Kernel::new(ctx, "passive.wgsl", "main", b, Work::PerWorld(sizes.njnt as usize))
}
