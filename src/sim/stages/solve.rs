//! `solve` stage (shaders/solve.wgsl): factor the sparse M and solve for qacc_smooth (before the
//! constraint solver), then (after it) the velocity change dv that Euler integrates: with implicit
//! damping (M + h·D)⁻¹ (f + qfrc_constraint), else qacc. Per world for the factorisations, per
//! (world, dof) for the stores.

use super::{Kernel, Kernels};
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;

fn buffers<'a>(m: &'a GpuModel, s: &'a SimState) -> [&'a wgpu::Buffer; 15] {
    [
        &m.sizes, &s.run, &m.options, &m.dofs, &m.dof_madr, &s.qm, &s.qfrc_bias, &s.qfrc_passive,
        &s.qfrc_actuator, &s.qld, &s.qacc_smooth, &s.dv, &s.qacc, &s.qfrc_constraint, &m.dof_mcol,
    ]
}

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

fn solve_kernel(ctx: &GpuContext, m: &GpuModel, s: &SimState, entry: &str) -> Result<Kernel> {
    // M's entries from its column table: (nv + 1) offsets, then 2 words per off-diagonal entry
    let nv = m.mirror.sizes.nv as usize;
    let nm = nv + m.mirror.dof_mcol.len().saturating_sub(nv + 1) / 2;
    let steps = refine_steps(ctx, nm, nv);
    Kernel::with_constants(ctx, "solve.wgsl", entry, &buffers(m, s), s.nworld, &[("REFINE_STEPS", steps)])
}

/// qacc_smooth = M⁻¹ (passive + actuator − bias).
pub fn smooth(ctx: &GpuContext, m: &GpuModel, s: &SimState) -> Result<Kernels> {
    let b = buffers(m, s);
    let per_dof = s.nworld * m.mirror.sizes.nv as usize;
    Ok(Kernels(vec![
        Kernel::new(ctx, "solve.wgsl", "acceleration", &b, s.nworld)?,
        solve_kernel(ctx, m, s, "acceleration_solve")?,
        Kernel::new(ctx, "solve.wgsl", "store_qacc", &b, per_dof)?,
    ]))
}

/// dv from the final qacc (and qfrc_constraint under implicit damping).
pub fn damp(ctx: &GpuContext, m: &GpuModel, s: &SimState) -> Result<Kernels> {
    let b = buffers(m, s);
    let per_dof = s.nworld * m.mirror.sizes.nv as usize;
    Ok(Kernels(if m.mirror.options.implicit != 0 {
        vec![
            Kernel::new(ctx, "solve.wgsl", "damped", &b, s.nworld)?,
            solve_kernel(ctx, m, s, "damped_solve")?,
            Kernel::new(ctx, "solve.wgsl", "store_dv", &b, per_dof)?,
        ]
    } else {
        vec![Kernel::new(ctx, "solve.wgsl", "copy_dv", &b, per_dof)?]
    }))
}
