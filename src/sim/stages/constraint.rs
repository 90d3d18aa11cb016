//! `constraint` stage (shaders/constraint.wgsl): the rows of joint equalities, joint limits and
//! tendon limits from the model's [`crate::sim::efc::EfcTable`], per world.

use super::Kernel;
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;
use crate::sim::efc::{EfcState, GpuEfc};
use crate::sim::sparsity::GpuSparsity;

/// Build the stage.
pub fn constraint(
    ctx: &GpuContext,
    m: &GpuModel,
    sp: &GpuSparsity,
    efc: &GpuEfc,
    e: &EfcState,
    s: &SimState,
) -> Result<Kernel> {
    let buffers = [
        &m.sizes, &s.run, &m.options, &efc.params, &efc.sources, &sp.ten_rows, &sp.ten_row_dof, &s.qpos,
        &s.qvel, &s.ten_length, &s.ten_j, &e.jval, &e.jrow, &efc.lists, &e.aref, &e.d, &e.side, &e.nefc,
    ];
    Kernel::new(ctx, "constraint.wgsl", "rows", &buffers, s.nworld)
}
