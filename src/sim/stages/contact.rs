//! `contact` stage (shaders/contact.wgsl): the pyramidal rows of the contacts `collision` found,
//! appended per world after the rows of `constraint`.

use super::Kernel;
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;
use crate::sim::contact::{ContactState, GpuContacts};
use crate::sim::efc::{EfcState, GpuEfc};

/// Build the stage (no dispatch when the model has no candidate pairs).
pub fn contact(
    ctx: &GpuContext,
    m: &GpuModel,
    efc: &GpuEfc,
    e: &EfcState,
    c: &GpuContacts,
    cs: &ContactState,
    s: &SimState,
) -> Result<Kernel> {
    let buffers = [
        &m.sizes, &s.run, &m.options, &efc.params, &c.params, &c.pairs, &cs.con, &m.dofs, &m.bodies, &s.cdof,
        &s.subtree_com, &s.qvel, &e.j, &e.aref, &e.d, &e.side, &e.nefc, &cs.count,
    ];
    let worlds = if c.table.pairs.is_empty() { 0 } else { s.nworld };
    Kernel::new(ctx, "contact.wgsl", "rows", &buffers, worlds)
}
