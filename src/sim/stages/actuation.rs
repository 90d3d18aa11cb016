//! `actuation` stage (shaders/actuation.wgsl): transmission, activation dynamics and forces per
//! (world, actuator), then qfrc_actuator gathered per (world, dof).

use super::{Kernel, Kernels};
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;
use crate::sim::sparsity::GpuSparsity;

/// Build the stage for model `m` and state `s`.
pub fn actuation(ctx: &GpuContext, m: &GpuModel, sp: &GpuSparsity, s: &SimState) -> Result<Kernels> {
    let buffers = [
        &m.sizes, &s.run, &m.actuators, &m.joints, &m.actuator_acc0, &sp.dof_act_rows, &sp.dof_act_pairs,
        &s.qpos, &s.qvel, &s.act, &s.ctrl, &s.ten_length, &s.ten_velocity, &s.ten_j, &s.actuator_length,
        &s.actuator_velocity, &s.act_dot, &s.actuator_force, &s.qfrc_actuator, &s.world_scale,
    ];
    let sizes = &m.mirror.sizes;
    Ok(Kernels(vec![
        Kernel::new(ctx, "actuation.wgsl", "main", &buffers, s.nworld * sizes.nu as usize)?,
        Kernel::new(ctx, "actuation.wgsl", "qfrc", &buffers, s.nworld * sizes.nv as usize)?,
    ]))
}
