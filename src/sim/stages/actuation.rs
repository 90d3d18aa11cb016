//! `actuation` stage (shaders/actuation.wgsl): transmission, activation dynamics and forces per
//! (world, actuator), then qfrc_actuator gathered per (world, dof).

use super::{bind, groups64};
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;
use crate::sim::sparsity::GpuSparsity;

/// The two actuation pipelines bound to one model and state.
pub struct Actuation {
    forces: wgpu::ComputePipeline,
    gather: wgpu::ComputePipeline,
    group_forces: wgpu::BindGroup,
    group_gather: wgpu::BindGroup,
    nact: usize,
    ndof: usize,
}

impl Actuation {
    /// Build the pipelines and bind the buffers.
    pub fn new(ctx: &GpuContext, m: &GpuModel, sp: &GpuSparsity, s: &SimState) -> Result<Self> {
        let buffers = [
            &m.sizes, &s.run, &m.actuators, &m.joints, &m.actuator_acc0, &sp.dof_act_rows, &sp.dof_act_pairs,
            &s.qpos, &s.qvel, &s.act, &s.ctrl, &s.ten_length, &s.ten_velocity, &s.ten_j, &s.actuator_length,
            &s.actuator_velocity, &s.act_dot, &s.actuator_force, &s.qfrc_actuator,
        ];
        let forces = ctx.compute_pipeline("actuation.wgsl", "main")?;
        let gather = ctx.compute_pipeline("actuation.wgsl", "qfrc")?;
        let group_forces = bind(ctx, &forces, "actuation", &buffers)?;
        let group_gather = bind(ctx, &gather, "actuation.qfrc", &buffers)?;
        let sizes = &m.mirror.sizes;
        Ok(Actuation {
            forces,
            gather,
            group_forces,
            group_gather,
            nact: s.nworld * sizes.nu as usize,
            ndof: s.nworld * sizes.nv as usize,
        })
    }
}

impl super::Stage for Actuation {
    fn record(&self, pass: &mut wgpu::ComputePass) {
        if self.nact > 0 {
            pass.set_pipeline(&self.forces);
            pass.set_bind_group(0, &self.group_forces, &[]);
            pass.dispatch_workgroups(groups64(self.nact), 1, 1);
        }
        pass.set_pipeline(&self.gather);
        pass.set_bind_group(0, &self.group_gather, &[]);
        pass.dispatch_workgroups(groups64(self.ndof), 1, 1);
    }
}
