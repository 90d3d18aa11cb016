//! The physics step: a plain list of stage calls (MuJoCo's mj_step: smooth dynamics, collision,
//! constraint rows, the constraint solver, Euler), recorded for many steps into one command buffer with no
//! host round trip.

use super::simulation::SimModel;
use super::stages::{self, Kernel, Kernels, Stage};
use crate::error::Result;
use crate::gpu::{Bindings, GpuContext};
use crate::model::Model;

/// Every stage of one step: pipelines and bind groups, nothing per world (the worlds' buffers
/// are [`super::SimData`]'s).
pub struct Step {
    position: Kernel,
    tendon: Kernel,
    actuation: Kernels,
    mass_bias: Kernel,
    passive: Kernel,
    smooth: Kernels,
    collision: Kernel,
    rows: Kernel,
    newton: stages::newton::Newton,
    /// Each body's contact wrench after the solve, where asked for.
    contact_force: Option<Kernels>,
    damp: Kernels,
    integrate: Kernel,
}

impl Step {
    /// Build every stage of `m` (uploaded as `model`) bound to `bindings` (the model's and the
    /// worlds' buffers by name, in their chunks); `pending_args` holds each chunk's indirect
    /// arguments for the Newton iterations; `contact_forces` adds the cfrc_ext stage after the
    /// solve.
    pub fn new(
        ctx: &GpuContext,
        m: &Model,
        model: &SimModel,
        bindings: &Bindings,
        pending_args: Vec<wgpu::Buffer>,
        contact_forces: bool,
    ) -> Result<Self> {
        let b = bindings;
        let sizes = &model.gpu.mirror.sizes;
        let implicit = model.gpu.mirror.options.implicit != 0;
        Ok(Step {
            position: stages::position::position(ctx, b)?,
            tendon: stages::tendon::tendon(ctx, b, sizes)?,
            actuation: stages::actuation::actuation(ctx, b, sizes)?,
            mass_bias: stages::mass_bias::mass_bias(ctx, b)?,
            passive: stages::passive::passive(ctx, b, sizes)?,
            smooth: stages::solve::smooth(ctx, b, model.nm, m.nv)?,
            collision: stages::collision::collision(ctx, b, model.contacts.table.pairs.len())?,
            rows: stages::rows::rows(ctx, b)?,
            newton: stages::newton::newton(ctx, b, &model.efc, pending_args)?,
            contact_force: if contact_forces {
                let nslot = (model.contacts.table.params.nslot as usize).max(1);
                Some(stages::contact_force::contact_force(ctx, b, m.nbody, nslot)?)
            } else {
                None
            },
            damp: stages::solve::damp(ctx, b, model.nm, m.nv, implicit)?,
            integrate: stages::integrate::integrate(ctx, b)?,
        })
    }

    /// The stages of one step with their names, in order (with `contact_force` after `newton`
    /// where the step was built with contact forces).
    pub fn named_stages(&self) -> Vec<(&'static str, &dyn Stage)> {
        let mut stages: Vec<(&'static str, &dyn Stage)> = vec![
            ("position", &self.position),
            ("tendon", &self.tendon),
            ("actuation", &self.actuation),
            ("mass_bias", &self.mass_bias),
            ("passive", &self.passive),
            ("smooth", &self.smooth),
            ("collision", &self.collision),
            ("rows", &self.rows),
            ("newton", &self.newton),
            ("damp", &self.damp),
            ("integrate", &self.integrate),
        ];
        // right after the solve, while the contacts, rows and coms are still the step's
        if let Some(k) = &self.contact_force {
            let after = stages.iter().position(|(n, _)| *n == "newton").map_or(stages.len(), |i| i + 1);
            stages.insert(after, ("contact_force", k));
        }
        stages
    }

    /// The position- and velocity-dependent stages (kinematics and com, tendon with the tendon
    /// velocities, actuation): after an Euler update or a reset they bring body frames, sites,
    /// muscle lengths, velocities and forces up to date with the new qpos/qvel/act, as MuJoCo's
    /// mj_forward does before reading them.
    pub fn forward_stages(&self) -> [&dyn Stage; 3] {
        [&self.position, &self.tendon, &self.actuation]
    }

    /// Dispatches one step records.
    pub fn dispatches(&self) -> usize {
        self.named_stages().iter().map(|(_, s)| s.dispatches()).sum()
    }

    /// Record one step into `pass`.
    pub fn record(&self, pass: &mut wgpu::ComputePass) {
        for (_, s) in self.named_stages() {
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
        ctx.submit(enc.finish());
    }
}
