//! `mass_bias` stage (shaders/mass_bias.wgsl): composite inertias and the joint-space inertia M
//! with armature (crb.wgsl), and the Coriolis, centrifugal and gravity forces (rne.wgsl), one
//! invocation per world doing both.

use super::{Kernel, Work};
use crate::error::Result;
use crate::gpu::{Bindings, GpuContext};

/// Build the stage.
pub fn mass_bias(ctx: &GpuContext, b: &Bindings) -> Result<Kernel> {
    Kernel::new(ctx, "mass_bias.wgsl", "mass_bias", b, Work::PerWorld(1))
}
