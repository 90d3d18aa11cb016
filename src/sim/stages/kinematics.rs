//! `kinematics` stage (shaders/kinematics.wgsl): body frames, joint anchors/axes, site and geom
//! frames from qpos, one invocation per world.

use super::{Kernel, Work};
use crate::error::Result;
use crate::gpu::{Bindings, GpuContext};

/// Build the stage: one invocation per world.
pub fn kinematics(ctx: &GpuContext, b: &Bindings) -> Result<Kernel> {
    Kernel::new(ctx, "kinematics.wgsl", "main", b, Work::PerWorld(1))
}
