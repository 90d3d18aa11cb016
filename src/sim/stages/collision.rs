//! `collision` stage (shaders/collision.wgsl): every candidate pair of the model's
//! [`crate::sim::contact::ContactTable`] in every world, into per-pair contact slots.

use super::Kernel;
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;
use crate::sim::contact::{ContactState, GpuContacts};

/// Build the stage (no dispatch when the model has no candidate pairs).
pub fn collision(
    ctx: &GpuContext,
    m: &GpuModel,
    c: &GpuContacts,
    cs: &ContactState,
    s: &SimState,
) -> Result<Kernel> {
    let buffers = [&m.sizes, &s.run, &c.params, &c.pairs, &m.geoms, &s.geom_xpos, &s.geom_xquat, &cs.con];
    Kernel::new(ctx, "collision.wgsl", "detect", &buffers, s.nworld * c.table.pairs.len())
}
