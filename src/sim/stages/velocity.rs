//! `velocity` stage (shaders/velocity.wgsl), tendon part: ten_velocity = J·qvel per
//! (world, tendon). (Body velocities for the bias force live in `rne`.)

use super::Kernel;
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;
use crate::sim::sparsity::GpuSparsity;

/// Build the stage for model `m` and state `s`.
pub fn velocity(ctx: &GpuContext, m: &GpuModel, sp: &GpuSparsity, s: &SimState) -> Result<Kernel> {
    let buffers = [&m.sizes, &s.run, &sp.ten_rows, &sp.ten_row_dof, &s.qvel, &s.ten_j, &s.ten_velocity];
    Kernel::new(ctx, "velocity.wgsl", "main", &buffers, s.nworld * m.mirror.sizes.ntendon as usize)
}
