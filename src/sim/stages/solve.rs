//! `solve` stage (shaders/solve.wgsl): factor the sparse M and solve for qacc_smooth (before the
//! constraint solver), then (after it) the velocity change dv that Euler integrates: with implicit
//! damping (M + h·D)⁻¹ (f + qfrc_constraint), else qacc. Per world for the factorisations, per
//! (world, dof) for the stores.

use super::{Kernel, Kernels, Work};
use crate::error::Result;
use crate::gpu::{Bindings, GpuContext};

/// Refinement steps solve.wgsl's f32 path takes: its two, fewer where a CPU adapter's limit of
/// 65,535 loop iterations per invocation (llvmpipe ends loops past it silently) would cut the
/// substitution short. An invocation runs the substitutions (about 2·nm + nv loop iterations) and
/// per step a residual (about 2·nm) and the substitutions again; kept within 50,000.
fn refine_steps(ctx: &GpuContext, nm: usize, nv: usize) -> f64 {
    if ctx.summary().device_type != "Cpu" {
        return 2.0;
    }
    let (solve, step) = (2 * nm + nv, 4 * nm + nv);
    (50_000usize.saturating_sub(solve) / step).min(2) as f64
}

fn solve_kernel(ctx: &GpuContext, b: &Bindings, nm: usize, nv: usize, entry: &str) -> Result<Kernel> {
    let steps = refine_steps(ctx, nm, nv);
    Kernel::with_constants(ctx, "solve.wgsl", entry, b, Work::PerWorld(1), &[("REFINE_STEPS", steps)])
}

/// qacc_smooth = M⁻¹ (passive + actuator − bias), for a model with `nv` dofs and `nm` entries
/// in its sparse M.
pub fn smooth(ctx: &GpuContext, b: &Bindings, nm: usize, nv: usize) -> Result<Kernels> {
    Ok(Kernels(vec![
        Kernel::new(ctx, "solve.wgsl", "acceleration", b, Work::PerWorld(1))?,
        solve_kernel(ctx, b, nm, nv, "acceleration_solve")?,
        Kernel::new(ctx, "solve.wgsl", "store_qacc", b, Work::PerWorld(nv))?,
    ]))
}

/// dv from the final qacc and qfrc_constraint under implicit damping (when `implicit`); nothing
/// otherwise (integrate then reads qacc).
pub fn damp(ctx: &GpuContext, b: &Bindings, nm: usize, nv: usize, implicit: bool) -> Result<Kernels> {
    Ok(Kernels(if implicit {
        vec![
            Kernel::new(ctx, "solve.wgsl", "damped", b, Work::PerWorld(1))?,
            solve_kernel(ctx, b, nm, nv, "damped_solve")?,
            Kernel::new(ctx, "solve.wgsl", "store_dv", b, Work::PerWorld(nv))?,
        ]
    } else {
        Vec::new()
    }))
}
