//! `contact_force` stage (shaders/contact_force.wgsl): MuJoCo's cfrc_ext, the contact wrench on
//! every body from the step's solver forces, one invocation per (world, body), and each contact
//! slot's force vector (for drawing), one per (world, slot). Not part of the
//! step unless asked for ([`crate::sim::SimOptions::contact_forces`]): recorded right after the
//! Newton solve, while the contacts, rows and subtree coms are still the step's.

use super::{Kernel, Kernels, Work};
use crate::error::Result;
use crate::gpu::{Bindings, GpuContext};

/// Build the stage for a model with `nbody` bodies and `nslot` contact slots a world.
pub fn contact_force(ctx: &GpuContext, b: &Bindings, nbody: usize, nslot: usize) -> Result<Kernels> {
    Ok(Kernels(vec![
        Kernel::new(ctx, "contact_force.wgsl", "contact_force", b, Work::PerWorld(nbody))?,
        Kernel::new(ctx, "contact_force.wgsl", "contact_vectors", b, Work::PerWorld(nslot))?,
    ]))
}
