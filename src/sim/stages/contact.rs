//! `contact` stage (shaders/contact.wgsl): the pyramidal rows of the contacts `collision` found,
//! appended per world after the rows of `constraint`.

use super::{Kernel, Work};
use crate::error::Result;
use crate::gpu::{Bindings, GpuContext};

/// Build the stage: one invocation per world, with contacts or not (the rows' index by dof is
/// built here).
pub fn contact(ctx: &GpuContext, b: &Bindings) -> Result<Kernel> {
    Kernel::new(ctx, "contact.wgsl", "rows", b, Work::PerWorld(1))
}
