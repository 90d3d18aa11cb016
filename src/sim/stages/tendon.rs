//! `tendon` stage (shaders/tendon.wgsl): tendon lengths and sparse Jacobians, one invocation per
//! (world, tendon) — where muscle models spend their time, so it is parallel over tendons.

use super::{bind, groups64};
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;
use crate::sim::sparsity::GpuSparsity;

/// The tendon pipeline bound to one model and state.
pub struct Tendon {
    pipeline: wgpu::ComputePipeline,
    group: wgpu::BindGroup,
    n: usize,
}

impl Tendon {
    /// Build the pipeline and bind the model and state buffers.
    pub fn new(ctx: &GpuContext, m: &GpuModel, sp: &GpuSparsity, s: &SimState) -> Result<Self> {
        let pipeline = ctx.compute_pipeline("tendon.wgsl", "main")?;
        let group = bind(
            ctx,
            &pipeline,
            "tendon",
            &[
                &m.sizes, &s.run, &m.tendons, &m.wraps, &m.sites, &m.geoms, &m.bodies, &m.dofs, &sp.ten_rows,
                &sp.ten_row_dof, &m.joints, &s.qpos, &s.site_xpos, &s.geom_xpos, &s.geom_xquat,
                &s.subtree_com, &s.cdof, &s.ten_length, &s.ten_j, &s.wrap_xpos, &s.ten_wrapnum,
            ],
        )?;
        Ok(Tendon { pipeline, group, n: s.nworld * m.mirror.sizes.ntendon as usize })
    }
}

impl super::Stage for Tendon {
    fn record(&self, pass: &mut wgpu::ComputePass) {
        if self.n == 0 {
            return;
        }
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &self.group, &[]);
        pass.dispatch_workgroups(groups64(self.n), 1, 1);
    }
}
