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
        &s.subtree_com, &s.qvel, &e.jval, &e.jrow, &efc.lists, &e.jt, &e.aref, &e.d, &e.side, &e.nefc,
        &cs.count,
    ];
    // every world, with contacts or not: the rows' index by dof is built here
    Kernel::new(ctx, "contact.wgsl", "rows", &buffers, s.nworld)
}
