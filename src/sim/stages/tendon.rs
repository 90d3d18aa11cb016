//! `tendon` stage (shaders/tendon.wgsl): tendon lengths, sparse Jacobians and path points, one
//! invocation per (world, tendon) — where muscle models spend their time, so it is parallel over
//! tendons.

use super::Kernel;
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;
use crate::sim::sparsity::GpuSparsity;

/// Build the stage for model `m` and state `s`.
pub fn tendon(ctx: &GpuContext, m: &GpuModel, sp: &GpuSparsity, s: &SimState) -> Result<Kernel> {
    let buffers = [
        &m.sizes, &s.run, &m.tendons, &m.wraps, &m.sites, &m.geoms, &m.bodies, &m.dofs, &sp.ten_rows,
        &sp.ten_row_dof, &m.joints, &s.qpos, &s.site_xpos, &s.geom_xpos, &s.geom_xquat, &s.subtree_com,
        &s.cdof, &s.ten_length, &s.ten_j, &s.wrap_xpos, &s.ten_wrapnum, &m.body_subtree_end,
    ];
    Kernel::new(ctx, "tendon.wgsl", "main", &buffers, s.nworld * m.mirror.sizes.ntendon as usize)
}
