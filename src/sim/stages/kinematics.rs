//! `kinematics` stage (shaders/kinematics.wgsl): body frames, joint anchors/axes and site
//! positions from qpos, one invocation per world.

use super::{bind, groups64};
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;

/// The kinematics pipeline bound to one model and state.
pub struct Kinematics {
    pipeline: wgpu::ComputePipeline,
    group: wgpu::BindGroup,
    nworld: usize,
}

impl Kinematics {
    /// Build the pipeline and bind the model and state buffers.
    pub fn new(ctx: &GpuContext, m: &GpuModel, s: &SimState) -> Result<Self> {
        let pipeline = ctx.compute_pipeline("kinematics.wgsl", "main")?;
        let group = bind(
            ctx,
            &pipeline,
            "kinematics",
            &[
                &m.sizes, &s.run, &m.bodies, &m.joints, &m.sites, &m.qpos0, &s.qpos, &s.xpos, &s.xquat,
                &s.xanchor, &s.xaxis, &s.site_xpos, &m.geoms, &s.geom_xpos, &s.geom_xquat,
            ],
        )?;
        Ok(Kinematics { pipeline, group, nworld: s.nworld })
    }
}

impl super::Stage for Kinematics {
    fn record(&self, pass: &mut wgpu::ComputePass) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &self.group, &[]);
        pass.dispatch_workgroups(groups64(self.nworld), 1, 1);
    }
}
