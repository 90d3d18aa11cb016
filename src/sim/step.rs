//! The physics step: a plain list of stage calls (like MuJoCo's mj_step with constraints
//! disabled), recorded for many steps into one command buffer with no host round trip.

use super::SimState;
use super::sparsity::GpuSparsity;
use super::stages::{self, Kernel, Kernels, Stage};
use crate::error::{Error, Result};
use crate::gpu::{GpuContext, GpuModel};
use crate::model::{Model, disable};

/// Every stage of one step, bound to one model and state.
pub struct Step {
    kinematics: Kernel,
    com: Kernel,
    tendon: Kernel,
    velocity: Kernel,
    actuation: Kernels,
    crb: Kernel,
    rne: Kernel,
    passive: Kernel,
    solve: Kernels,
    integrate: Kernel,
}

impl Step {
    /// Build all stage pipelines for `m` (uploaded as `gm`, sparsity `sp`) and state `s`.
    /// The model must have its constraints disabled: the constraint solver is not in sinew yet.
    pub fn new(
        ctx: &GpuContext,
        model: &Model,
        gm: &GpuModel,
        sp: &GpuSparsity,
        s: &SimState,
    ) -> Result<Self> {
        if model.opt.disableflags & disable::CONSTRAINT == 0 && has_constraints(model) {
            return Err(Error::Model(
                "this model has constraints (equalities, joint/tendon limits or contacts), which sinew does not \
                 simulate yet: disable them (e.g. `--disable constraint`) to run the smooth dynamics"
                    .into(),
            ));
        }
        Ok(Step {
            kinematics: stages::kinematics::kinematics(ctx, gm, s)?,
            com: stages::com::com(ctx, gm, s)?,
            tendon: stages::tendon::tendon(ctx, gm, sp, s)?,
            velocity: stages::velocity::velocity(ctx, gm, sp, s)?,
            actuation: stages::actuation::actuation(ctx, gm, sp, s)?,
            crb: stages::crb::crb(ctx, gm, s)?,
            rne: stages::rne::rne(ctx, gm, s)?,
            passive: stages::passive::passive(ctx, gm, sp, s)?,
            solve: stages::solve::solve(ctx, gm, s)?,
            integrate: stages::integrate::integrate(ctx, gm, s)?,
        })
    }

    /// The stages of one step, in order.
    pub fn stages(&self) -> [&dyn Stage; 10] {
        self.named_stages().map(|(_, s)| s)
    }

    /// The stages of one step with their names (as in `crate::reference`), in order.
    pub fn named_stages(&self) -> [(&'static str, &dyn Stage); 10] {
        [
            ("kinematics", &self.kinematics),
            ("com", &self.com),
            ("tendon", &self.tendon),
            ("velocity", &self.velocity),
            ("actuation", &self.actuation),
            ("crb", &self.crb),
            ("rne", &self.rne),
            ("passive", &self.passive),
            ("solve", &self.solve),
            ("integrate", &self.integrate),
        ]
    }

    /// Record one step into `pass`.
    pub fn record(&self, pass: &mut wgpu::ComputePass) {
        for s in self.stages() {
            s.record(pass);
        }
    }

    /// Record and submit `n` steps in one command buffer.
    pub fn run(&self, ctx: &GpuContext, n: usize) {
        let mut enc =
            ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("steps") });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("steps"),
                timestamp_writes: None,
            });
            for _ in 0..n {
                self.record(&mut pass);
            }
        }
        ctx.queue.submit([enc.finish()]);
    }
}

/// Does the model have anything the constraint solver would act on?
pub fn has_constraints(m: &Model) -> bool {
    let eq = m.opt.disableflags & disable::EQUALITY == 0 && m.eq_active0.iter().any(|a| *a);
    let limits = m.opt.disableflags & disable::LIMIT == 0
        && (m.jnt_limited.iter().any(|l| *l) || m.tendon_limited.iter().any(|l| *l));
    let contacts = m.opt.disableflags & disable::CONTACT == 0
        && (m.npair > 0 || (0..m.ngeom).any(|g| m.geom_contype[g] != 0 || m.geom_conaffinity[g] != 0));
    eq || limits || contacts
}
