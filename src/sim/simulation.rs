//! [`Sim`]: one simulation of `nworld` worlds of a model on the GPU, split as MuJoCo splits it:
//! the immutable model ([`SimModel`]: every table the worlds share), the per-world data
//! ([`SimData`]: state, contacts, constraint rows and solver scratch) and the pipelines
//! ([`Step`]: kernels and bind groups, nothing per world). Every caller (rollout, bench,
//! environments, tests) builds its simulation through [`Sim::new`].

use std::ops::Range;

use super::SimState;
use super::contact::{ContactState, ContactTable, DEFAULT_CONTACT_CAPACITY, GpuContacts};
use super::efc::{EfcState, EfcTable, GpuEfc};
use super::footprint::Footprint;
use super::sites::Sites;
use super::sparsity::GpuSparsity;
use super::step::Step;
use crate::error::{Error, Result};
use crate::gpu::layout::RunParams;
use crate::gpu::model_buffers::ModelMirror;
use crate::gpu::{Bindings, GpuContext, GpuModel, WorldChunks};
use crate::model::{Model, disable};

/// What a simulation is built with beyond the model and the world count.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Active contacts per world; a world with more drops the rest and counts the step in
    /// `ContactState::count`.
    pub contact_capacity: usize,
    /// At most this many worlds per chunk (each chunk is bound and dispatched on its own); the
    /// adapter's binding limit may ask for fewer. `None`: as many as one binding holds.
    pub max_chunk: Option<usize>,
    /// The sites the position stage computes (default: those the tendons read).
    pub sites: Sites,
    /// Whether every step also computes each body's contact wrench (`SimState::cfrc_ext`,
    /// MuJoCo's cfrc_ext) from the solver's forces: one more dispatch a step.
    pub contact_forces: bool,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            contact_capacity: DEFAULT_CONTACT_CAPACITY,
            max_chunk: None,
            sites: Sites::default(),
            contact_forces: false,
        }
    }
}

/// The model on the GPU: the tables every world reads (MuJoCo's mjModel).
pub struct SimModel {
    /// Bodies, joints, dofs, geoms, sites, tendons, actuators, sizes and options.
    pub gpu: GpuModel,
    /// Tendon Jacobian rows and the dof-to-actuator/tendon indexes.
    pub sparsity: GpuSparsity,
    /// Constraint rows' sources, dof lists, the Hessian's pattern and the solver's parameters.
    pub efc: GpuEfc,
    /// Contact candidates.
    pub contacts: GpuContacts,
    /// Entries of the sparse joint-space inertia M.
    pub nm: usize,
    /// The sites the position stage computes ([`Sites::gpu_table`]).
    pub site_list: wgpu::Buffer,
}

impl SimModel {
    /// Build and upload every table of `model` with room for `contact_capacity` contacts a world,
    /// computing `sites`. Errors name what the model has that sinew does not simulate.
    pub fn upload(ctx: &GpuContext, model: &Model, contact_capacity: usize, sites: &Sites) -> Result<Self> {
        refuse_unsupported(model)?;
        let nm = ModelMirror::nm(model);
        let contacts = GpuContacts::upload(ctx, ContactTable::new(model, contact_capacity)?);
        let efc = GpuEfc::upload(ctx, EfcTable::new(model, &contacts.table)?, model.nv, nm);
        Ok(SimModel {
            gpu: GpuModel::upload(ctx, model),
            sparsity: GpuSparsity::upload(ctx, model),
            efc,
            contacts,
            nm,
            site_list: sites.upload(ctx, model),
        })
    }

    /// Offer every table to kernels by its WGSL name.
    pub fn bind(&self, b: &mut Bindings) {
        self.gpu.bind(b);
        self.sparsity.bind(b);
        self.efc.bind(b);
        self.contacts.bind(b);
        b.shared("site_list", &self.site_list);
    }
}

fn refuse_unsupported(model: &Model) -> Result<()> {
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
    Ok(())
}

/// The buffers one chunk of worlds binds alone.
pub struct ChunkBuffers {
    /// Its worlds (global indices).
    pub worlds: Range<usize>,
    /// Uniform [`RunParams`] with the chunk's world count.
    pub run: wgpu::Buffer,
    /// (len + 1) u32: the chunk's worlds whose Newton solve goes on, then their count.
    pub pending: wgpu::Buffer,
    /// (3) u32: the indirect workgroup counts of the chunk's next Newton `iterate`.
    pub pending_args: wgpu::Buffer,
}

/// Per-world data on the GPU (MuJoCo's mjData, nworld times), and how the worlds are chunked.
pub struct SimData {
    /// Number of worlds.
    pub nworld: usize,
    /// The chunks the worlds are bound and dispatched in.
    pub chunks: WorldChunks,
    /// Positions, velocities, activations, controls and everything derived from them.
    pub state: SimState,
    /// Constraint rows and Newton scratch.
    pub efc: EfcState,
    /// Contacts and their counts.
    pub contacts: ContactState,
    /// Per chunk, the buffers it binds alone.
    pub chunk_buffers: Vec<ChunkBuffers>,
}

impl SimData {
    /// `nworld` worlds of `m` (uploaded as `model`) at the model's reference configuration, at
    /// rest, bound in chunks that fit `ctx`'s largest binding (and at most `max_chunk` worlds).
    pub fn new(
        ctx: &GpuContext,
        m: &Model,
        model: &SimModel,
        nworld: usize,
        max_chunk: Option<usize>,
    ) -> Result<Self> {
        let state = SimState::new(ctx, m, nworld);
        let efc = EfcState::new(ctx, &model.efc.table, m.nv, nworld);
        let contacts = ContactState::new(ctx, &model.contacts.table, nworld);
        let mut per_world = Bindings::new(nworld);
        state.bind(&mut per_world);
        efc.bind(&mut per_world);
        contacts.bind(&mut per_world);
        let mut chunks = WorldChunks::fit_adapter(ctx, nworld, &per_world.per_world_sizes())?;
        if let Some(max) = max_chunk {
            // keep chunk offsets aligned
            let unit = WorldChunks::unit(WorldChunks::align(ctx));
            chunks.chunk = chunks.chunk.min((max / unit * unit).max(unit));
        }
        let run = |n: usize| RunParams {
            nworld: n as u32,
            ten_nnz: model.sparsity.rows.nnz() as u32,
            nm: model.nm as u32,
            zero: 0,
        };
        let chunk_buffers = chunks
            .ranges()
            .into_iter()
            .map(|worlds| ChunkBuffers {
                run: ctx.uniform_from("chunk.run", &run(worlds.len())),
                pending: ctx.storage_zeroed::<u32>("chunk.pending", worlds.len() + 1),
                pending_args: ctx.indirect_args("chunk.pending_args"),
                worlds,
            })
            .collect();
        Ok(SimData { nworld, chunks, state, efc, contacts, chunk_buffers })
    }

    /// Offer every per-world buffer to kernels by its WGSL name, with the chunks' own buffers.
    pub fn bind(&self, b: &mut Bindings) {
        self.state.bind(b);
        self.efc.bind(b);
        self.contacts.bind(b);
        for (k, c) in self.chunk_buffers.iter().enumerate() {
            b.chunk_own(k, "run", &c.run).chunk_own(k, "pending", &c.pending);
            b.chunk_own(k, "pending_args", &c.pending_args);
        }
    }

    /// Bytes of every per-world buffer (state, contacts, rows and scratch, the chunks' lists).
    pub fn bytes(&self) -> u64 {
        let chunks: u64 =
            self.chunk_buffers.iter().map(|c| c.run.size() + c.pending.size() + c.pending_args.size()).sum();
        self.state.bytes() + self.efc.bytes() + self.contacts.bytes() + chunks
    }

    /// [`SimData::bytes`] per world.
    pub fn bytes_per_world(&self) -> u64 {
        self.bytes() / self.nworld.max(1) as u64
    }
}

/// A simulation: model, data and pipelines, and the bindings its kernels were resolved from.
pub struct Sim {
    /// The shared tables.
    pub model: SimModel,
    /// The worlds' data.
    pub data: SimData,
    /// The physics step's pipelines.
    pub step: Step,
    /// The buffers of `model` and `data` by WGSL name, in `data`'s chunks (environments add
    /// theirs to a copy).
    pub bindings: Bindings,
    /// The buffers as a function of the world count (checked before they were made).
    pub footprint: Footprint,
}

impl Sim {
    /// `nworld` worlds of `m` at its reference configuration, at rest. Refuses, before
    /// allocating anything large, a world count the adapter cannot hold, naming the largest
    /// that fits.
    pub fn new(ctx: &GpuContext, m: &Model, nworld: usize, options: SimOptions) -> Result<Self> {
        if nworld == 0 {
            return Err(Error::Config("a simulation needs at least one world".into()));
        }
        refuse_unsupported(m)?;
        let footprint = Self::footprint(ctx, m, options.contact_capacity)?;
        footprint.check(ctx, &model_label(m), nworld)?;
        let model = SimModel::upload(ctx, m, options.contact_capacity, &options.sites)?;
        let data = SimData::new(ctx, m, &model, nworld, options.max_chunk)?;
        let mut bindings = Bindings::chunked(data.chunks);
        model.bind(&mut bindings);
        data.bind(&mut bindings);
        let args = data.chunk_buffers.iter().map(|c| c.pending_args.clone()).collect();
        let step = Step::new(ctx, m, &model, &bindings, args, options.contact_forces)?;
        Ok(Sim { model, data, step, bindings, footprint })
    }

    /// The per-world buffers `nworld` worlds of `model` take (state, contact slots, constraint
    /// rows and solver scratch, with room for `capacity` contacts per world), measured without
    /// allocating them; check a world count with [`Footprint::check`] before building.
    pub fn footprint(ctx: &GpuContext, m: &Model, capacity: usize) -> Result<Footprint> {
        let contacts = ContactTable::new(m, capacity)?;
        let mut efc = EfcTable::new(m, &contacts)?;
        // as SimModel::upload places it (the factor in workgroup memory or in the scratch)
        efc.fit_adapter(ctx, m.nv, ModelMirror::nm(m));
        Footprint::measure(ctx, |n| {
            let state = SimState::new(ctx, m, n);
            let efc_state = EfcState::new(ctx, &efc, m.nv, n);
            let contact_state = ContactState::new(ctx, &contacts, n);
            // one chunk's own buffers
            let chunk = (
                ctx.uniform_from("chunk.run", &RunParams::default()),
                ctx.storage_zeroed::<u32>("chunk.pending", n + 1),
                ctx.indirect_args("chunk.pending_args"),
            );
            Ok((state, efc_state, contact_state, chunk))
        })
    }

    /// Number of worlds.
    pub fn nworld(&self) -> usize {
        self.data.nworld
    }

    /// The state buffers (qpos, qvel, ...).
    pub fn state(&self) -> &SimState {
        &self.data.state
    }

    /// Record and submit `n` physics steps in one command buffer.
    pub fn run(&self, ctx: &GpuContext, n: usize) {
        self.step.run(ctx, n);
    }
}

/// A short name for a model in messages.
fn model_label(m: &Model) -> String {
    if m.name.is_empty() { "the model".into() } else { m.name.clone() }
}
