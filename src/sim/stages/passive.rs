//! `passive` stage (shaders/passive.wgsl): joint and tendon springs and dampers, one invocation
//! per (world, joint).

use super::Kernel;
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;
use crate::sim::sparsity::GpuSparsity;

/// Build the stage for model `m` and state `s`.
pub fn passive(ctx: &GpuContext, m: &GpuModel, sp: &GpuSparsity, s: &SimState) -> Result<Kernel> {
    let z = &m.mirror.sizes;
    Kernel::new(
        ctx,
        "passive.wgsl",
        "main",
        &[
            &m.sizes, &s.run, &m.options, &m.joints, &m.dofs, &m.tendons, &m.qpos_spring, &sp.dof_ten_rows,
            &sp.dof_ten_pairs, &s.qpos, &s.qvel, &s.ten_length, &s.ten_velocity, &s.ten_j, &s.qfrc_passive,
        ],
        s.nworld * z.njnt as usize,
    )
}
