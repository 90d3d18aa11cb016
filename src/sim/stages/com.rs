//! `com` stage (shaders/com.wgsl): subtree centres of mass, cdof and cinert, one invocation per
//! world.

use super::Kernel;
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;

/// Build the stage for model `m` and state `s`.
pub fn com(ctx: &GpuContext, m: &GpuModel, s: &SimState) -> Result<Kernel> {
    let buffers = [
        &m.sizes, &s.run, &m.bodies, &m.joints, &s.xpos, &s.xquat, &s.xanchor, &s.xaxis, &s.subtree_com,
        &s.cdof, &s.cinert, &s.world_scale,
    ];
    Kernel::new(ctx, "com.wgsl", "main", &buffers, s.nworld)
}
