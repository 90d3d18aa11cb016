//! The physics step: a plain list of stage calls (MuJoCo's mj_step: smooth dynamics, collision,
//! constraint rows, the constraint solver, Euler), recorded for many steps into one command buffer with no
//! host round trip.

use super::SimState;
use super::contact::{ContactState, ContactTable, DEFAULT_CONTACT_CAPACITY, GpuContacts};
use super::efc::{EfcState, EfcTable, GpuEfc};
use super::footprint::Footprint;
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
    smooth: Kernels,
    collision: Kernel,
    constraint: Kernel,
    contact: Kernel,
    newton: stages::newton::Newton,
    damp: Kernels,
    integrate: Kernel,
    /// The constraint table on the GPU.
    pub efc: GpuEfc,
    /// Constraint rows and solver scratch.
    pub efc_state: EfcState,
    /// The contact candidates on the GPU.
    pub contacts: GpuContacts,
    /// Per-world contacts and their counts.
    pub contact_state: ContactState,
}

impl Step {
    /// Build all stage pipelines for `m` (uploaded as `gm`, sparsity `sp`) and state `s`, with
    /// room for [`DEFAULT_CONTACT_CAPACITY`] contacts per world.
    pub fn new(
        ctx: &GpuContext,
        model: &Model,
        gm: &GpuModel,
        sp: &GpuSparsity,
        s: &SimState,
    ) -> Result<Self> {
        Self::with_contact_capacity(ctx, model, gm, sp, s, DEFAULT_CONTACT_CAPACITY)
    }

    /// [`Step::new`] with room for `capacity` active contacts per world; a world with more drops
    /// the rest and counts the step in `contact_state.count`.
    pub fn with_contact_capacity(
        ctx: &GpuContext,
        model: &Model,
        gm: &GpuModel,
        sp: &GpuSparsity,
        s: &SimState,
        capacity: usize,
    ) -> Result<Self> {
        if model.opt.disableflags & (disable::CONSTRAINT | disable::FRICTIONLOSS) == 0
            && (model.dof_frictionloss.iter().any(|f| *f > 0.0)
                || model.tendon_frictionloss.iter().any(|f| *f > 0.0))
        {
            return Err(Error::Model(
                "this model has friction loss, which sinew does not simulate yet: disable it (`--disable \
                 frictionloss`)"
                    .into(),
            ));
        }
        let nm = crate::gpu::model_buffers::ModelMirror::nm(model);
        let contacts = GpuContacts::upload(ctx, ContactTable::new(model, capacity)?);
        let contact_state = ContactState::new(ctx, &contacts.table, s.nworld);
        let efc = GpuEfc::upload(ctx, EfcTable::new(model, &contacts.table)?, model.nv, nm);
        let efc_state = EfcState::new(ctx, &efc.table, model.nv, s.nworld);
        Ok(Step {
            kinematics: stages::kinematics::kinematics(ctx, gm, s)?,
            com: stages::com::com(ctx, gm, s)?,
            tendon: stages::tendon::tendon(ctx, gm, sp, s)?,
            velocity: stages::velocity::velocity(ctx, gm, sp, s)?,
            actuation: stages::actuation::actuation(ctx, gm, sp, s)?,
            crb: stages::crb::crb(ctx, gm, s)?,
            rne: stages::rne::rne(ctx, gm, s)?,
            passive: stages::passive::passive(ctx, gm, sp, s)?,
            smooth: stages::solve::smooth(ctx, gm, s)?,
            collision: stages::collision::collision(ctx, gm, &contacts, &contact_state, s)?,
            constraint: stages::constraint::constraint(ctx, gm, sp, &efc, &efc_state, s)?,
            contact: stages::contact::contact(ctx, gm, &efc, &efc_state, &contacts, &contact_state, s)?,
            newton: stages::newton::newton(ctx, gm, &efc, &efc_state, s)?,
            damp: stages::solve::damp(ctx, gm, s)?,
            integrate: stages::integrate::integrate(ctx, gm, s)?,
            efc,
            efc_state,
            contacts,
            contact_state,
        })
    }

    /// The per-world buffers `nworld` worlds of `model` take ([`SimState`], contact slots,
    /// constraint rows and solver scratch, with room for `capacity` contacts per world), measured
    /// without allocating them; check a world count with [`Footprint::check`] before building.
    pub fn footprint(ctx: &GpuContext, model: &Model, capacity: usize) -> Result<Footprint> {
        let contacts = ContactTable::new(model, capacity)?;
        let mut efc = EfcTable::new(model, &contacts)?;
        // as Step::new places it (the factor in workgroup memory or in the scratch)
        efc.fit_adapter(ctx, model.nv, crate::gpu::model_buffers::ModelMirror::nm(model));
        Footprint::measure(ctx, |n| {
            Ok((
                SimState::new(ctx, model, n),
                ContactState::new(ctx, &contacts, n),
                EfcState::new(ctx, &efc, model.nv, n),
            ))
        })
    }

    /// The stages of one step, in order.
    pub fn stages(&self) -> [&dyn Stage; 15] {
        self.named_stages().map(|(_, s)| s)
    }

    /// The stages of one step with their names, in order.
    pub fn named_stages(&self) -> [(&'static str, &dyn Stage); 15] {
        [
            ("kinematics", &self.kinematics),
            ("com", &self.com),
            ("tendon", &self.tendon),
            ("velocity", &self.velocity),
            ("actuation", &self.actuation),
            ("crb", &self.crb),
            ("rne", &self.rne),
            ("passive", &self.passive),
            ("smooth", &self.smooth),
            ("collision", &self.collision),
            ("constraint", &self.constraint),
            ("contact", &self.contact),
            ("newton", &self.newton),
            ("damp", &self.damp),
            ("integrate", &self.integrate),
        ]
    }

    /// The position- and velocity-dependent stages (kinematics, com, tendon, velocity,
    /// actuation): after an Euler update or a reset they bring body frames, sites, muscle
    /// lengths, velocities and forces up to date with the new qpos/qvel/act, as MuJoCo's
    /// mj_forward does before reading them.
    pub fn forward_stages(&self) -> [&dyn Stage; 5] {
        [&self.kinematics, &self.com, &self.tendon, &self.velocity, &self.actuation]
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
