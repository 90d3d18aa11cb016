//! `newton` stage (shaders/newton.wgsl): MuJoCo's convex constraint problem solved for qacc per
//! world (Newton with exact line search, warm-started from the previous step), and
//! qfrc_constraint = Jᵀ f; one workgroup of `EfcTable::threads` invocations per world, and each
//! `iterate` dispatch only over the worlds still iterating (shaders/pending.wgsl lists them).

use super::{Kernel, Stage, Work};
use crate::error::Result;
use crate::gpu::{Bindings, GpuContext};
use crate::sim::efc::GpuEfc;

/// `start`, then `compact` and an indirect `iterate` recorded enough times to cover the model's
/// iterations (a dispatch over no pending world launches nothing), then `finish`; each over
/// every chunk of worlds, with the chunk's own pending list.
pub struct Newton {
    start: Kernel,
    compact: Kernel,
    iterate: Kernel,
    /// Per chunk: the indirect arguments `compact` writes for `iterate`.
    args: Vec<wgpu::Buffer>,
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

    fn dispatches(&self) -> usize {
        let per_repeat = self.compact.dispatches() + self.iterate.indirect_dispatches();
        self.start.dispatches() + self.repeats * per_repeat + self.finish.dispatches()
    }
}

/// Build the stage; `args` holds each chunk's `pending_args` buffer, in chunk order.
pub fn newton(ctx: &GpuContext, b: &Bindings, efc: &GpuEfc, args: Vec<wgpu::Buffer>) -> Result<Newton> {
    // EfcTable::fit_adapter placed the factor and the vectors
    let t = &efc.table;
    let plan = t.hot;
    let threads = [
        ("WG", t.threads as f64),
        ("HOT", f64::from(u8::from(plan.factor))),
        ("VHOT", f64::from(u8::from(plan.vectors))),
        ("VLEN", t.vectors_len() as f64),
        ("HOT_FACTOR", if plan.vectors { t.vectors_len() as f64 } else { 0.0 }),
        ("HOT_LEN", t.workgroup_len(plan).max(1) as f64),
        // GpuContext::from_adapter has refused an invalid SINEW_NEWTON_UPDATES
        ("UPDATES", f64::from(u8::from(crate::sim::efc::rank_one_updates().unwrap_or(true)))),
        ("CHANGED_MAX", crate::sim::efc::UPDATE_ROWS_MAX as f64),
        ("WALK_COLUMNS", crate::sim::efc::UPDATE_WALK_COLUMNS as f64),
    ];
    let kernel =
        |entry: &str| Kernel::per_workgroup(ctx, "newton.wgsl", entry, b, Work::PerWorld(1), &threads);
    Ok(Newton {
        start: kernel("start")?,
        compact: Kernel::per_workgroup(ctx, "pending.wgsl", "compact", b, Work::Fixed(1), &[])?,
        args,
        iterate: kernel("iterate")?,
        repeats: efc.table.newton_dispatches(),
        finish: kernel("finish")?,
    })
}
