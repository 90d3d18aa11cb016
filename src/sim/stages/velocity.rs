//! `velocity` stage (shaders/velocity.wgsl), tendon part: ten_velocity = J·qvel per
//! (world, tendon). (Body velocities for the bias force live in `rne`.)

use super::{bind, groups64};
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;
use crate::sim::sparsity::GpuSparsity;

/// The velocity pipeline bound to one model and state.
pub struct Velocity {
    pipeline: wgpu::ComputePipeline,
    group: wgpu::BindGroup,
    n: usize,
}

impl Velocity {
    /// Build the pipeline and bind the buffers.
    pub fn new(ctx: &GpuContext, m: &GpuModel, sp: &GpuSparsity, s: &SimState) -> Result<Self> {
        let pipeline = ctx.compute_pipeline("velocity.wgsl", "main")?;
        let group = bind(
            ctx,
            &pipeline,
            "velocity",
            &[&m.sizes, &s.run, &sp.ten_rows, &sp.ten_row_dof, &s.qvel, &s.ten_j, &s.ten_velocity],
        )?;
        Ok(Velocity { pipeline, group, n: s.nworld * m.mirror.sizes.ntendon as usize })
    }
}

impl super::Stage for Velocity {
    fn record(&self, pass: &mut wgpu::ComputePass) {
        if self.n == 0 {
            return;
        }
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &self.group, &[]);
        pass.dispatch_workgroups(groups64(self.n), 1, 1);
    }
}
