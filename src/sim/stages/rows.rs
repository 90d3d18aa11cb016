//! `rows` stage (shaders/rows.wgsl): the constraint rows of every world — joint equalities, joint
//! and tendon limits (constraint.wgsl), then the pyramidal rows of the contacts `collision` found
//! and the rows' index by dof (contact.wgsl) — one invocation per world, with contacts or not.

use super::{Kernel, Work};
use crate::error::Result;
use crate::gpu::{Bindings, GpuContext};

/// Build the stage.
pub fn rows(ctx: &GpuContext, b: &Bindings) -> Result<Kernel> {
    Kernel::new(ctx, "rows.wgsl", "rows", b, Work::PerWorld(1))
}
