//! `com` stage (shaders/com.wgsl): subtree centres of mass, cdof and cinert, one invocation per
//! world.

use super::{bind, groups64};
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;

/// The com pipeline bound to one model and state.
pub struct Com {
    pipeline: wgpu::ComputePipeline,
    group: wgpu::BindGroup,
    nworld: usize,
}

impl Com {
    /// Build the pipeline and bind the model and state buffers.
    pub fn new(ctx: &GpuContext, m: &GpuModel, s: &SimState) -> Result<Self> {
        let pipeline = ctx.compute_pipeline("com.wgsl", "main")?;
        let group = bind(
            ctx,
            &pipeline,
            "com",
            &[
                &m.sizes, &s.run, &m.bodies, &m.joints, &s.xpos, &s.xquat, &s.xanchor, &s.xaxis,
                &s.subtree_com, &s.cdof, &s.cinert,
            ],
        )?;
        Ok(Com { pipeline, group, nworld: s.nworld })
    }
}

impl super::Stage for Com {
    fn record(&self, pass: &mut wgpu::ComputePass) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &self.group, &[]);
        pass.dispatch_workgroups(groups64(self.nworld), 1, 1);
    }
}
