//! `newton` stage (shaders/newton.wgsl): MuJoCo's convex constraint problem solved for qacc per
//! world (Newton with exact line search, warm-started from the previous step), and
//! qfrc_constraint = Jᵀ f; one workgroup of `EfcTable::threads` invocations per world, and each
//! `iterate` dispatch only over the worlds still iterating (shaders/pending.wgsl lists them).

use super::{Kernel, Stage};
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;
use crate::sim::efc::{EfcState, GpuEfc};

/// `start`, then `compact` and an indirect `iterate` recorded enough times to cover the model's
/// iterations (a dispatch over no pending world launches nothing), then `finish`.
pub struct Newton {
    start: Kernel,
    compact: Kernel,
    iterate: Kernel,
    args: wgpu::Buffer,
    repeats: usize,
    finish: Kernel,
}

impl Stage for Newton {
    fn record(&self, pass: &mut wgpu::ComputePass) {
        self.start.record(pass);
        for _ in 0..self.repeats {
            self.compact.record(pass);
            self.iterate.record_indirect(pass, &self.args);
        }
        self.finish.record(pass);
    }
}

/// Build the stage.
pub fn newton(ctx: &GpuContext, m: &GpuModel, efc: &GpuEfc, e: &EfcState, s: &SimState) -> Result<Newton> {
    let buffers = [
        &m.sizes, &s.run, &efc.params, &m.dofs, &m.dof_madr, &s.qm, &s.qacc_smooth, &e.jval, &e.aref, &e.d,
        &e.side, &e.nefc, &e.work, &s.qacc, &s.qacc_warmstart, &s.qfrc_constraint, &m.dof_mcol, &efc.pattern,
        &e.pending, &e.jrow, &efc.lists, &e.jt,
    ];
    // EfcTable::fit_adapter placed the factor
    let hot = efc.table.workgroup_factor();
    let threads = [
        ("WG", efc.table.threads as f64),
        ("HOT", f64::from(u8::from(hot.is_some()))),
        ("HOT_LEN", hot.unwrap_or(1) as f64),
    ];
    let kernel = |entry: &str| Kernel::per_workgroup(ctx, "newton.wgsl", entry, &buffers, s.nworld, &threads);
    let pending = [&s.run, &efc.params, &e.work, &e.pending, &e.pending_args];
    Ok(Newton {
        start: kernel("start")?,
        compact: Kernel::per_workgroup(ctx, "pending.wgsl", "compact", &pending, 1, &[])?,
        args: e.pending_args.clone(),
        iterate: kernel("iterate")?,
        repeats: efc.table.newton_dispatches(),
        finish: kernel("finish")?,
    })
}
