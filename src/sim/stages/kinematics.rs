//! `kinematics` stage (shaders/kinematics.wgsl): body frames, joint anchors/axes, site and geom
//! frames from qpos, one invocation per world.

use super::Kernel;
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;

/// Build the stage for model `m` and state `s`.
pub fn kinematics(ctx: &GpuContext, m: &GpuModel, s: &SimState) -> Result<Kernel> {
    let buffers = [
        &m.sizes, &s.run, &m.bodies, &m.joints, &m.sites, &m.qpos0, &s.qpos, &s.xpos, &s.xquat, &s.xanchor,
        &s.xaxis, &s.site_xpos, &m.geoms, &s.geom_xpos, &s.geom_xquat,
    ];
    Kernel::new(ctx, "kinematics.wgsl", "main", &buffers, s.nworld)
}
