//! `constraint` stage (shaders/constraint.wgsl): the rows of joint equalities, joint limits and
//! tendon limits from the model's [`crate::sim::efc::EfcTable`], per world.

use super::{Kernel, Work};
use crate::error::Result;
use crate::gpu::{Bindings, GpuContext};

/// Build the stage: one invocation per world.
pub fn constraint(ctx: &GpuContext, b: &Bindings) -> Result<Kernel> {
    Kernel::new(ctx, "constraint.wgsl", "rows", b, Work::PerWorld(1))
}
