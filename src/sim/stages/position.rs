//! `position` stage (shaders/position.wgsl): body, joint, site and geom frames from qpos
//! (kinematics.wgsl), then subtree centres of mass, dof axes and com-frame inertias (com.wgsl),
//! one invocation per world doing both.

use super::{Kernel, Work};
use crate::error::Result;
use crate::gpu::{Bindings, GpuContext};

/// Build the stage.
pub fn position(ctx: &GpuContext, b: &Bindings) -> Result<Kernel> {
    Kernel::new(ctx, "position.wgsl", "position", b, Work::PerWorld(1))
}
