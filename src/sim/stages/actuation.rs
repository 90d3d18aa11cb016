//! `actuation` stage (shaders/actuation.wgsl): transmission, activation dynamics and forces per
//! (world, actuator), then qfrc_actuator gathered per (world, dof).

use super::{Kernel, Kernels, Work};
use crate::error::Result;
use crate::gpu::layout::ModelSizes;
use crate::gpu::{Bindings, GpuContext};

/// Build the stage: per actuator of every world (transmission, activation, force), then per dof
/// (qfrc_actuator).
pub fn actuation(ctx: &GpuContext, b: &Bindings, sizes: &ModelSizes) -> Result<Kernels> {
    Ok(Kernels(vec![
        Kernel::new(ctx, "actuation.wgsl", "main", b, Work::PerWorld(sizes.nu as usize))?,
        Kernel::new(ctx, "actuation.wgsl", "qfrc", b, Work::PerWorld(sizes.nv as usize))?,
    ]))
}
