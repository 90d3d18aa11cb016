//! `rne` stage (shaders/rne.wgsl): body velocities and the bias force (Coriolis, centrifugal,
//! gravity) by recursive Newton-Euler, one invocation per world.

use super::{Kernel, Work};
use crate::error::Result;
use crate::gpu::{Bindings, GpuContext};

/// Build the stage: one invocation per world.
pub fn rne(ctx: &GpuContext, b: &Bindings) -> Result<Kernel> {
    Kernel::new(ctx, "rne.wgsl", "main", b, Work::PerWorld(1))
}
