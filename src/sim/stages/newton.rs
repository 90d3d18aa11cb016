//! `newton` stage (shaders/newton.wgsl): MuJoCo's convex constraint problem solved for qacc per
//! world (Newton with exact line search, warm-started from the previous step), and
//! qfrc_constraint = Jᵀ f; one workgroup of `EfcTable::threads` invocations per world.

use super::{Kernel, Stage};
use crate::error::Result;
use crate::gpu::{GpuContext, GpuModel};
use crate::sim::SimState;
use crate::sim::efc::{EfcState, GpuEfc};

/// `start`, then `iterate` recorded enough times to cover the model's iterations (worlds that
/// are done return at once), then `finish`.
pub struct Newton {
    start: Kernel,
    iterate: Kernel,
    repeats: usize,
    finish: Kernel,
}

impl Stage for Newton {
    fn record(&self, pass: &mut wgpu::ComputePass) {
        self.start.record(pass);
        for _ in 0..self.repeats {
            self.iterate.record(pass);
        }
        self.finish.record(pass);
    }
}

/// Build the stage.
pub fn newton(ctx: &GpuContext, m: &GpuModel, efc: &GpuEfc, e: &EfcState, s: &SimState) -> Result<Newton> {
    let buffers = [
        &m.sizes, &s.run, &efc.params, &m.dofs, &m.dof_madr, &s.qm, &s.qacc_smooth, &e.j, &e.aref, &e.d,
        &e.side, &e.nefc, &e.work, &s.qacc, &s.qacc_warmstart, &s.qfrc_constraint, &m.dof_mcol,
        &efc.pattern,
    ];
    let threads = [("WG", efc.table.threads as f64)];
    let kernel = |entry: &str| Kernel::per_workgroup(ctx, "newton.wgsl", entry, &buffers, s.nworld, &threads);
    Ok(Newton {
        start: kernel("start")?,
        iterate: kernel("iterate")?,
        repeats: efc.table.newton_dispatches(),
        finish: kernel("finish")?,
    })
}
