//! Batched training environments on the GPU: `nworld` worlds of one model, stepped at the
//! control rate with a frame skip, with observations, rewards, done flags, episode statistics
//! and auto-reset all computed by WGSL kernels into GPU buffers. `step` records one command
//! buffer and reads nothing back.
//!
//! One control step, in order: actions → controls (`shaders/env/action.wgsl`, with optional
//! 3CC-r fatigue); `frame_skip` physics steps; the forward stages (frames, sites, muscle
//! states at the new state); the task's `evaluate` (reward, termination, truncation, episode
//! counters); `reset` of every world that ended (from its own random draw); the forward stages
//! again (so reset worlds are observed at their new state); the task's `observe`.

pub mod config;
pub mod fatigue;
pub mod layout;
pub mod motion;
pub mod motion_library;
pub mod readback;
pub mod sampling;
pub mod task;

use crate::error::{Error, Result};
use crate::gpu::{Binding, Bindings, GpuContext, GpuSlice};
use crate::model::{JointType, Model};
use crate::sim::stages::{Kernel, Stage, Work};
use crate::sim::{Sim, SimOptions, SimState};
pub use config::{ActionMap, EnvConfig, EnvFile, TaskConfig};
use fatigue::FatigueParams;
use layout::{EnvParams, ImitationParams, MotionRow, WorldEnv};

/// The checkpoint blob holding the imitation task's motion table (sampling statistics).
const MOTION_TABLE: &str = "imitation.motions";

/// Flags in [`Env::done`]: the episode ended by a termination rule.
pub const DONE_TERMINATED: u32 = 1;
/// Flags in [`Env::done`]: the episode was cut at its length limit (or the reference ran out).
pub const DONE_TRUNCATED: u32 = 2;
/// Flags in [`Env::done`]: the host asked for a reset ([`Env::reset`]).
pub const DONE_RESET: u32 = 4;

/// A batch of `nworld` environments of one task on one model.
pub struct Env {
    /// The model.
    pub model: Model,
    /// The configuration it was built from.
    pub config: EnvFile,
    /// Number of worlds.
    pub nworld: usize,
    /// Observation size per world.
    pub nobs: usize,
    /// Control step (s): frame_skip × timestep.
    pub ctrl_dt: f64,
    /// The simulation: model, per-world data and the physics step (its `footprint` gives the
    /// physics' buffers as a function of the world count; a trainer adds its own to it).
    pub sim: Sim,
    /// (nworld × nu) f32: actions written before [`Env::step`] (mapped to [0, 1] excitations as
    /// `env.action_map` says). A trainer on the same device passes its own to
    /// [`Env::step_with_actions`] instead.
    pub actions: wgpu::Buffer,
    /// (nworld × nobs) f32: observations (the env's own buffer, or the range given to
    /// [`Env::bind_outputs`]).
    pub obs: GpuSlice,
    /// (nworld) f32: rewards of the last control step.
    pub reward: GpuSlice,
    /// (nworld) u32: done flags of the last control step ([`DONE_TERMINATED`], [`DONE_TRUNCATED`],
    /// [`DONE_RESET`]).
    pub done: GpuSlice,
    /// (nworld) [`WorldEnv`]: episode state and statistics.
    pub world: wgpu::Buffer,
    /// (nworld × nu) vec4: fatigue compartments (MA, MR, MF, 0).
    pub fatigue: wgpu::Buffer,
    /// (nworld × nu) f32: the last raw actions (part of the observation).
    pub last_action: wgpu::Buffer,
    /// The task's reference motions at the control rate (imitation only).
    pub motion: Option<motion_library::MotionLibrary>,
    /// Imitation: the mimic sites' ids and reference trajectories relative to the pelvis.
    pub mimic: Option<(Vec<usize>, motion::SiteTrajectory)>,
    /// The pelvis body's id.
    pub pelvis: usize,
    /// (nworld × nobs) f32, once [`Env::keep_final_observations`] was called: each world's
    /// observation at the end of the last control step, before a world whose episode ended
    /// there was reset (Gymnasium's final observation).
    pub final_obs: Option<wgpu::Buffer>,
    /// The observation kernel writing into `final_obs`, recorded between evaluate and reset.
    observe_final: Option<Kernel>,
    task_name: &'static str,
    apply_action: Kernel,
    evaluate: Kernel,
    reset_worlds: Kernel,
    observe: Kernel,
    mark_all: Kernel,
    /// Imitation with adaptive sampling: folds the episode counts into the sampling table.
    adapt: Option<Kernel>,
    /// Imitation: the task's uniform as configured (per-motion evaluation changes it for a while).
    imitation: Option<ImitationParams>,
    /// Every buffer the env's kernels bind, by WGSL name (the simulation's, the env's and the
    /// task's), kept to rebind outputs and actions elsewhere.
    bindings: Bindings,
    task_state: Vec<(&'static str, wgpu::Buffer)>,
}

/// Episode statistics summed over worlds (downloaded on request).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EpisodeStats {
    /// Finished episodes.
    pub episodes: u64,
    /// Of them, ended by a termination rule.
    pub terminations: u64,
    /// Reaching: targets reached.
    pub successes: u64,
    /// Mean return of each world's last finished episode (worlds with one).
    pub mean_last_return: f64,
    /// Mean length of each world's last finished episode.
    pub mean_last_length: f64,
}

impl Env {
    /// Build `nworld` worlds of `file`'s task and model (the model named in `file.env.model`).
    pub fn new(ctx: &GpuContext, file: &EnvFile, nworld: usize) -> Result<Self> {
        Self::with_model(ctx, Self::load_model(file)?, file, nworld)
    }

    /// [`Env::new`], with each body's contact wrench computed every physics step (see
    /// [`Env::with_sim_options`]): for analyses and drawings that read contact forces.
    pub fn with_contact_forces(ctx: &GpuContext, file: &EnvFile, nworld: usize) -> Result<Self> {
        Self::with_sim_options(ctx, Self::load_model(file)?, file, nworld, None, true)
    }

    /// The model `file.env.model` names, compiled.
    fn load_model(file: &EnvFile) -> Result<Model> {
        crate::mjcf::load_model(&crate::models::resolve(&file.env.model)?)
    }

    /// Build `nworld` worlds of `file`'s task on an already compiled `model` (its solver options
    /// overridden by `env.option`).
    pub fn with_model(ctx: &GpuContext, model: Model, file: &EnvFile, nworld: usize) -> Result<Self> {
        Self::with_chunks(ctx, model, file, nworld, None)
    }

    /// [`Env::with_model`] with the worlds bound and dispatched in chunks of at most
    /// `max_chunk` (rounded down to a multiple of 64; `None`: as many as one binding holds).
    pub fn with_chunks(
        ctx: &GpuContext,
        model: Model,
        file: &EnvFile,
        nworld: usize,
        max_chunk: Option<usize>,
    ) -> Result<Self> {
        Self::with_sim_options(ctx, model, file, nworld, max_chunk, false)
    }

    /// [`Env::with_chunks`], with each body's contact wrench computed every physics step when
    /// `contact_forces` (`SimState::cfrc_ext`, for analyses that read ground reaction forces).
    pub fn with_sim_options(
        ctx: &GpuContext,
        mut model: Model,
        file: &EnvFile,
        nworld: usize,
        max_chunk: Option<usize>,
        contact_forces: bool,
    ) -> Result<Self> {
        if nworld == 0 {
            return Err(Error::Config("an environment needs at least one world".into()));
        }
        file.env.option.apply(&mut model.opt);
        let m = &model;
        let c = &file.env;
        let root =
            (0..m.njnt).find(|&j| m.jnt_type[j] == JointType::Free && m.body_parentid[m.jnt_bodyid[j]] == 0);
        if root.is_none() && task::needs_free_root(&file.task) {
            return Err(Error::Config(format!(
                "the {} task needs a model with a free root joint (a floating base)",
                file.task.name()
            )));
        }
        let body = |name: &str, what: &str| {
            m.body_name
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| Error::Config(format!("{what}: the model has no body '{name}'")))
        };
        let pelvis = body(&c.pelvis, "env.pelvis")?;
        let feet: Vec<Vec<usize>> = c
            .feet
            .iter()
            .map(|names| names.iter().map(|n| body(n, "env.feet")).collect::<Result<Vec<_>>>())
            .collect::<Result<_>>()?;
        let ctrl_dt = m.opt.timestep * c.frame_skip as f64;
        // refuses a world count the adapter cannot hold before allocating it
        let sites = crate::sim::Sites::Read(task::read_sites(m, &file.task)?);
        let options = SimOptions { contact_capacity: c.contact_capacity, max_chunk, sites, contact_forces };
        let sim = Sim::new(ctx, m, nworld, options)?;
        let gm = &sim.model.gpu;
        let task = task::build(ctx, m, gm, &file.task, ctrl_dt, pelvis, nworld)?;
        let nfoot = feet.len();
        // proprioception leaves out the free root's x and y
        let root_xy = if root.is_some() { 2 } else { 0 };
        let nobs = (m.nq - root_xy) + m.nv + m.na + 3 * m.nu + nfoot + m.nu + task.extra_obs;

        // which foot each contact slot touches
        let table = &sim.model.contacts.table;
        let mut slot_feet = vec![0u32; (table.params.nslot as usize).max(1)];
        for pair in &table.pairs {
            let mut bits = 0u32;
            for g in [pair.geom1 as usize, pair.geom2 as usize] {
                for (f, roots) in feet.iter().enumerate() {
                    // bodies are numbered depth first: r's subtree is r..subtree_end[r]
                    let b = m.geom_bodyid[g] as u32;
                    let subtree_end = &gm.mirror.body_subtree_end;
                    if roots.iter().any(|&r| (r as u32..subtree_end[r]).contains(&b)) {
                        bits |= 1 << f;
                    }
                }
            }
            for k in 0..pair.maxcon {
                slot_feet[(pair.slot + k) as usize] = bits;
            }
        }
        let mut init_qpos: Vec<f32> = m.qpos0.iter().map(|v| *v as f32).collect();
        if let Some(root) = root {
            init_qpos[m.jnt_qposadr[root] + 2] = c.stand_height;
        }
        // without a free root, addresses no qpos or dof has (the proprioception skips none)
        const NONE: u32 = u32::MAX / 2;
        let fp = FatigueParams::default();
        let r = &c.randomize;
        let forward = c.forward;
        let params = EnvParams {
            nworld: nworld as u32,
            nobs: nobs as u32,
            max_steps: c.max_steps,
            seed: c.seed,
            root_qpos: root.map_or(NONE, |r| m.jnt_qposadr[r] as u32),
            root_dof: root.map_or(NONE, |r| m.jnt_dofadr[r] as u32),
            root_body: root.map_or(0, |r| m.jnt_bodyid[r] as u32),
            pelvis: pelvis as u32,
            nfoot: nfoot as u32,
            nslot: table.params.nslot,
            action_map: match c.action_map {
                ActionMap::Linear => 0,
                ActionMap::Sigmoid => 1,
            },
            fatigue: c.fatigue as u32,
            ctrl_dt: ctrl_dt as f32,
            qpos_noise: r.qpos_noise,
            qvel_noise: r.qvel_noise,
            stand_height: c.stand_height,
            scale_range: [r.strength[0], r.strength[1], r.mass[0], r.mass[1]],
            forward: [forward[0], forward[1], forward[2], 0.0],
            fatigue_prm: [fp.fatigue as f32, fp.recovery as f32, fp.rest_multiplier as f32, ctrl_dt as f32],
        };
        let worlds: Vec<WorldEnv> = (0..nworld)
            .map(|w| WorldEnv { rng: seed_stream(c.seed, w as u32), ..Default::default() })
            .collect();
        let params_buf = ctx.uniform_from("env.params", &params);
        let world = ctx.storage_from("env.world", &worlds);
        let obs = ctx.storage_zeroed::<f32>("env.obs", nworld * nobs);
        let reward = ctx.storage_zeroed::<f32>("env.reward", nworld);
        let done = ctx.storage_zeroed::<u32>("env.done", nworld);
        let nu = m.nu.max(1);
        let actions = ctx.storage_zeroed::<f32>("env.actions", nworld * nu);
        let last_action = ctx.storage_zeroed::<f32>("env.last_action", nworld * nu);
        let fatigue = ctx.storage_from("env.fatigue", &vec![[0.0f32, 1.0, 0.0, 0.0]; nworld * nu]);
        let init = ctx.storage_from("env.init_qpos", &init_qpos);
        let slot_feet = ctx.storage_from("env.slot_feet", &slot_feet);
        let mut b = sim.bindings.clone();
        let world_bytes = std::mem::size_of::<WorldEnv>() as u64;
        let nu4 = 4 * m.nu as u64;
        b.shared("env", &params_buf).shared("slot_feet", &slot_feet).shared("init_qpos", &init);
        b.per_world("world", &world, world_bytes).per_world("obs", &obs, 4 * nobs as u64);
        b.per_world("reward", &reward, 4).per_world("done", &done, 4);
        b.per_world("actions", &actions, nu4).per_world("last_action", &last_action, nu4);
        b.per_world("fatigue", &fatigue, 4 * nu4);
        for (name, buffer, per_world) in &task.buffers {
            b.per_world(name, buffer, *per_world);
        }
        let per_world = |entry: &str| Kernel::new(ctx, task.shader, entry, &b, Work::PerWorld(1));
        let evaluate = per_world("evaluate")?;
        let reset_worlds = per_world("reset")?;
        let observe = per_world("observe")?;
        let mark_all = per_world("mark_all")?;
        let adaptive =
            matches!(&file.task, TaskConfig::Imitation(c) if c.sampling == sampling::Sampling::Adaptive);
        let adapt = match adaptive {
            true => Some(Kernel::per_workgroup(ctx, task.shader, "adapt", &b, Work::Fixed(1), &[])?),
            false => None,
        };
        let apply_action = Kernel::new(ctx, "env/action.wgsl", "apply", &b, Work::PerWorld(m.nu))?;
        Ok(Env {
            nworld,
            nobs,
            ctrl_dt,
            sim,
            actions,
            obs: GpuSlice::whole(&obs),
            reward: GpuSlice::whole(&reward),
            done: GpuSlice::whole(&done),
            world,
            fatigue,
            last_action,
            motion: task.motion,
            mimic: task.mimic,
            pelvis,
            task_name: file.task.name(),
            apply_action,
            evaluate,
            reset_worlds,
            observe,
            mark_all,
            adapt,
            final_obs: None,
            observe_final: None,
            imitation: task.imitation,
            bindings: b,
            task_state: task.state,
            model,
            config: file.clone(),
        })
    }

    /// The task's name.
    pub fn task(&self) -> &'static str {
        self.task_name
    }

    /// Reset every world (each from its own random draw) and compute the first observations.
    pub fn reset(&self, ctx: &GpuContext) {
        self.submit(ctx, |env, pass| {
            env.mark_all.record(pass);
            env.reset_worlds.record(pass);
            env.record_forward(pass);
            env.observe.record(pass);
        });
    }

    /// Write actions (nworld × nu, world-major) from the host. A trainer on the same device writes
    /// [`Env::actions`] directly instead.
    pub fn write_actions(&self, ctx: &GpuContext, actions: &[f32]) -> Result<()> {
        if actions.len() != self.nworld * self.model.nu {
            return Err(Error::Config(format!(
                "actions: {} values, expected nworld × nu = {} × {}",
                actions.len(),
                self.nworld,
                self.model.nu
            )));
        }
        if !actions.is_empty() {
            SimState::write(ctx, &self.actions, actions);
        }
        Ok(())
    }

    /// One control step for every world (see the module docs), submitted; nothing is read back.
    pub fn step(&self, ctx: &GpuContext) {
        self.submit(ctx, |env, pass| env.record_step(pass));
    }

    /// One control step reading the actions from `actions` (nworld × nu f32, e.g. a Burn tensor's
    /// range) instead of [`Env::actions`]; submitted, nothing read back. Whoever wrote `actions`
    /// must have submitted that work first (Burn: flush the device).
    pub fn step_with_actions(&self, ctx: &GpuContext, actions: &GpuSlice) -> Result<()> {
        let need = (self.nworld * self.model.nu * 4) as u64;
        if self.model.nu > 0 && actions.size < need {
            return Err(Error::Config(format!(
                "step_with_actions: {} bytes of actions, need nworld × nu × 4 = {need}",
                actions.size
            )));
        }
        let apply = if self.model.nu == 0 {
            None
        } else {
            let mut b = self.bindings.clone();
            b.replace("actions", slice_binding(actions, need / self.nworld as u64));
            Some(self.apply_action.rebind(ctx, "external actions", &b)?)
        };
        self.submit(ctx, |env, pass| env.record_step_with(pass, apply.as_ref().unwrap_or(&env.apply_action)));
        Ok(())
    }

    /// Make the task kernels write observations, rewards and done flags into these ranges (e.g.
    /// Burn tensors: obs nworld × nobs f32, reward nworld f32, done nworld u32/i32) instead of the
    /// env's own buffers. The ranges must stay allocated while the env uses them.
    pub fn bind_outputs(
        &mut self,
        ctx: &GpuContext,
        obs: GpuSlice,
        reward: GpuSlice,
        done: GpuSlice,
    ) -> Result<()> {
        let n = self.nworld as u64;
        for (name, slice, need) in
            [("obs", &obs, 4 * n * self.nobs as u64), ("reward", &reward, 4 * n), ("done", &done, 4 * n)]
        {
            if slice.size < need {
                return Err(Error::Config(format!(
                    "bind_outputs: {name} has {} bytes, need {need}",
                    slice.size
                )));
            }
        }
        let mut b = self.bindings.clone();
        b.replace("obs", slice_binding(&obs, 4 * self.nobs as u64));
        b.replace("reward", slice_binding(&reward, 4)).replace("done", slice_binding(&done, 4));
        let why = "external outputs";
        let evaluate = self.evaluate.rebind(ctx, why, &b)?;
        let reset_worlds = self.reset_worlds.rebind(ctx, why, &b)?;
        let observe = self.observe.rebind(ctx, why, &b)?;
        let mark_all = self.mark_all.rebind(ctx, why, &b)?;
        // the outputs stay bound there (the action kernel does not bind them)
        self.bindings = b;
        (self.evaluate, self.reset_worlds, self.observe, self.mark_all) =
            (evaluate, reset_worlds, observe, mark_all);
        (self.obs, self.reward, self.done) = (obs, reward, done);
        Ok(())
    }

    /// From now on, every control step also writes each world's observation before the reset of
    /// worlds whose episode ended into [`Env::final_obs`] (one more observation dispatch per
    /// step): what Gymnasium's same-step autoreset returns as the final observation. Kept on the
    /// GPU, read with the step's other outputs.
    pub fn keep_final_observations(&mut self, ctx: &GpuContext) -> Result<()> {
        if self.final_obs.is_some() {
            return Ok(());
        }
        let buf = ctx.storage_zeroed::<f32>("env.final_obs", self.nworld * self.nobs);
        let mut b = self.bindings.clone();
        b.replace("obs", slice_binding(&GpuSlice::whole(&buf), 4 * self.nobs as u64));
        self.observe_final = Some(self.observe.rebind(ctx, "final observations", &b)?);
        self.final_obs = Some(buf);
        Ok(())
    }

    /// Record one control step into `pass` (for callers batching several steps or their own work).
    pub fn record_step(&self, pass: &mut wgpu::ComputePass) {
        self.record_step_with(pass, &self.apply_action);
    }

    fn record_step_with(&self, pass: &mut wgpu::ComputePass, apply_action: &Kernel) {
        for (_, stage) in self.step_stages_with(apply_action) {
            stage.record(pass);
        }
    }

    /// Every dispatch of one control step, in recorded order, named: the action mapping, the
    /// physics step's stages `frame_skip` times (named as in [`Step::named_stages`]), then the
    /// task layer as [`Env::task_stages`] names it after its action.
    pub fn step_stages(&self) -> Vec<(&'static str, &dyn Stage)> {
        self.step_stages_with(&self.apply_action)
    }

    fn step_stages_with<'s>(&'s self, apply_action: &'s Kernel) -> Vec<(&'static str, &'s dyn Stage)> {
        let mut v: Vec<(&'static str, &dyn Stage)> = vec![("action", apply_action)];
        for _ in 0..self.config.env.frame_skip {
            v.extend(self.sim.step.named_stages());
        }
        v.extend(self.task_stages().into_iter().skip(1));
        v
    }

    /// Compute dispatches one control step records.
    pub fn dispatches_per_control_step(&self) -> usize {
        self.step_stages().iter().map(|(_, s)| s.dispatches()).sum()
    }

    /// Every dispatch of a control step other than the physics steps, in recorded order, named
    /// (for timing the task layer stage by stage): action, the forward stages, evaluate, reset,
    /// the forward stages again, observe.
    pub fn task_stages(&self) -> Vec<(&'static str, &dyn Stage)> {
        const FORWARD: [&str; 3] = ["forward:position", "forward:tendon", "forward:actuation"];
        let forward = || FORWARD.into_iter().zip(self.sim.step.forward_stages());
        let mut v: Vec<(&'static str, &dyn Stage)> = vec![("action", &self.apply_action)];
        v.extend(forward());
        v.push(("evaluate", &self.evaluate));
        if let Some(k) = &self.observe_final {
            v.push(("observe_final", k));
        }
        v.push(("reset", &self.reset_worlds));
        v.extend(forward());
        v.push(("observe", &self.observe));
        v
    }

    fn record_forward(&self, pass: &mut wgpu::ComputePass) {
        for s in self.sim.step.forward_stages() {
            s.record(pass);
        }
    }

    fn submit(&self, ctx: &GpuContext, f: impl FnOnce(&Self, &mut wgpu::ComputePass)) {
        let mut enc =
            ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("env") });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("env"),
                timestamp_writes: None,
            });
            f(self, &mut pass);
        }
        ctx.submit(enc.finish());
    }

    /// Download the observations (nworld × nobs).
    pub fn observations(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        ctx.download_at(&self.obs.buffer, self.obs.offset, self.nworld * self.nobs)
    }

    /// Download the last rewards (nworld).
    pub fn rewards(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        ctx.download_at(&self.reward.buffer, self.reward.offset, self.nworld)
    }

    /// Download the last done flags (nworld).
    pub fn dones(&self, ctx: &GpuContext) -> Result<Vec<u32>> {
        ctx.download_at(&self.done.buffer, self.done.offset, self.nworld)
    }

    /// Download every world's episode state.
    pub fn worlds(&self, ctx: &GpuContext) -> Result<Vec<WorldEnv>> {
        ctx.download(&self.world, self.nworld)
    }

    /// Episode statistics summed over worlds.
    pub fn stats(&self, ctx: &GpuContext) -> Result<EpisodeStats> {
        let w = self.worlds(ctx)?;
        let finished: Vec<&WorldEnv> = w.iter().filter(|e| e.episodes > 0).collect();
        let n = finished.len().max(1) as f64;
        Ok(EpisodeStats {
            episodes: w.iter().map(|e| e.episodes as u64).sum(),
            terminations: w.iter().map(|e| e.terminations as u64).sum(),
            successes: w.iter().map(|e| e.successes as u64).sum(),
            // + 0.0: an empty f64 sum is -0.0
            mean_last_return: finished.iter().map(|e| e.last_return as f64).sum::<f64>() / n + 0.0,
            mean_last_length: finished.iter().map(|e| e.last_length as f64).sum::<f64>() / n + 0.0,
        })
    }

    /// The simulator arrays that hold the worlds' state between control steps, named, with
    /// their element size (saved world-major through [`SimState`], whatever their layout).
    fn sim_state_buffers(&self) -> [(&'static str, &wgpu::Buffer, usize); 7] {
        let s = self.sim.state();
        [
            ("sim.qpos", &s.qpos, 4),
            ("sim.qvel", &s.qvel, 4),
            ("sim.act", &s.act, 4),
            ("sim.ctrl", &s.ctrl, 4),
            ("sim.qacc_warmstart", &s.qacc_warmstart, 4),
            ("sim.world_scale", &s.world_scale, 16),
            ("sim.nonfinite", &s.nonfinite, 4),
        ]
    }

    /// The env's own buffers that hold the worlds' state between control steps (everything
    /// else is recomputed by the next step), then the observations: (name, buffer, offset, size).
    fn env_state_buffers(&self) -> Vec<(&'static str, &wgpu::Buffer, u64, u64)> {
        let mut v: Vec<(&'static str, &wgpu::Buffer, u64, u64)> = [
            ("env.world", &self.world),
            ("env.fatigue", &self.fatigue),
            ("env.last_action", &self.last_action),
        ]
        .into_iter()
        .map(|(n, b)| (n, b, 0, b.size()))
        .collect();
        v.extend(self.task_state.iter().map(|(n, b)| (*n, b, 0, b.size())));
        v.push(("env.obs", &self.obs.buffer, self.obs.offset, (self.nworld * self.nobs * 4) as u64));
        v.push(("env.done", &self.done.buffer, self.done.offset, (self.nworld * 4) as u64));
        v
    }

    /// Download the worlds' state, named, for a checkpoint.
    pub fn snapshot(&self, ctx: &GpuContext) -> Result<Vec<(String, Vec<u8>)>> {
        let s = self.sim.state();
        let mut out = Vec::new();
        for (n, b, elem) in self.sim_state_buffers() {
            out.push((n.to_string(), s.download_bytes(ctx, b, elem)?));
        }
        for (n, b, off, size) in self.env_state_buffers() {
            out.push((n.to_string(), ctx.download_at::<u8>(b, off, size as usize)?));
        }
        if self.motion.is_some() {
            let rows = self.motion_rows(ctx)?;
            out.push((MOTION_TABLE.to_string(), bytemuck::cast_slice(&rows).to_vec()));
        }
        Ok(out)
    }

    /// Restore a [`Env::snapshot`]: `get(name)` gives each saved blob. Sizes must match (same
    /// model, task and nworld).
    pub fn restore(&self, ctx: &GpuContext, get: impl Fn(&str) -> Result<Vec<u8>>) -> Result<()> {
        self.check_saved_motions(&get("env.world")?)?;
        // checkpoints written before the table was saved restore with fresh sampling statistics
        let table = get(MOTION_TABLE).ok();
        if let Some(bytes) = &table {
            self.check_saved_table(bytes)?;
        }
        let s = self.sim.state();
        let mismatch = |n: &str, saved: usize, size: u64| {
            Error::Config(format!(
                "restoring {n}: {saved} bytes saved, this environment has {size} (other model, task or nworld?)"
            ))
        };
        for (n, b, elem) in self.sim_state_buffers() {
            let bytes = get(n)?;
            let size = s.world_bytes(b)? as u64;
            if bytes.len() as u64 != size {
                return Err(mismatch(n, bytes.len(), size));
            }
            s.upload_bytes(ctx, b, elem, &bytes)?;
        }
        for (n, b, off, size) in self.env_state_buffers() {
            let bytes = get(n)?;
            if bytes.len() as u64 != size {
                return Err(mismatch(n, bytes.len(), size));
            }
            ctx.queue.write_buffer(b, off, &bytes);
        }
        if let (Some(bytes), Some(b)) = (table, self.bindings.get("motions")) {
            ctx.queue.write_buffer(&b.buffer, b.offset, &bytes);
        }
        Ok(())
    }

    /// Imitation: refuse a saved motion table whose motions are not this library's (frames and
    /// offsets differ), before anything is written.
    fn check_saved_table(&self, bytes: &[u8]) -> Result<()> {
        let Some(lib) = &self.motion else { return Ok(()) };
        let size = std::mem::size_of::<MotionRow>();
        let same = bytes.len() == size * lib.motions.len()
            && bytes
                .chunks_exact(size)
                .map(bytemuck::pod_read_unaligned::<MotionRow>)
                .zip(&lib.motions)
                .all(|(r, e)| r.start as usize == e.start && r.nframe as usize == e.nframe);
        if !same {
            return Err(Error::Config(format!(
                "restoring {MOTION_TABLE}: the checkpoint's motion table does not match this environment's {} \
                 motions (did the imitation motion set change since the checkpoint?)",
                lib.motions.len()
            )));
        }
        Ok(())
    }

    /// Imitation: refuse saved worlds that track a motion this environment's library does not
    /// have, or a frame past its end (the motion set changed since the checkpoint), before
    /// anything is written. Sizes are checked by the caller.
    fn check_saved_motions(&self, world_bytes: &[u8]) -> Result<()> {
        let Some(lib) = &self.motion else { return Ok(()) };
        let size = std::mem::size_of::<WorldEnv>();
        let worlds = world_bytes.chunks_exact(size).map(bytemuck::pod_read_unaligned::<WorldEnv>);
        for (w, e) in worlds.enumerate() {
            let fits = lib.motions.get(e.motion as usize).is_some_and(|m| (e.frame0 as usize) < m.nframe);
            if !fits {
                return Err(Error::Config(format!(
                    "restoring env.world: world {w} tracks motion {} from frame {}, which this environment's {} \
                     motions do not have (did the imitation motion set change since the checkpoint?)",
                    e.motion,
                    e.frame0,
                    lib.motions.len()
                )));
            }
        }
        Ok(())
    }

    /// Imitation with adaptive sampling: fold the episodes counted on each motion since the last
    /// call into its sampling probability (one workgroup's dispatch, nothing read back; a trainer
    /// calls it between rollouts). Nothing for other samplings and tasks.
    pub fn adapt_sampling(&self, ctx: &GpuContext) {
        if let Some(adapt) = &self.adapt {
            self.submit(ctx, |_, pass| adapt.record_once(pass));
        }
    }

    /// Whether reset draws motions adaptively ([`Env::adapt_sampling`] does something).
    pub fn adapts_sampling(&self) -> bool {
        self.adapt.is_some()
    }

    /// Imitation: the motion table reset draws from (one row per motion of [`Env::motion`];
    /// empty for other tasks).
    pub fn motion_rows(&self, ctx: &GpuContext) -> Result<Vec<MotionRow>> {
        match (&self.motion, self.bindings.get("motions")) {
            (Some(lib), Some(b)) => ctx.download(&b.buffer, lib.motions.len()),
            _ => Ok(Vec::new()),
        }
    }

    /// Imitation, for per-motion evaluation: from the next reset on, world `w` tracks motion
    /// `motions[w]` from its first frame without noise, and an episode ends early only when the
    /// mean site deviation passes `site_deviation` (m) or the world breaks. `None` restores the
    /// configured draws and rules.
    pub fn fix_motions(&self, ctx: &GpuContext, fixed: Option<(&[u32], f32)>) -> Result<()> {
        let (Some(lib), Some(configured), Some(task)) =
            (&self.motion, self.imitation, self.bindings.get("task"))
        else {
            return Err(Error::Config(format!("fixing motions: the {} task has none", self.task())));
        };
        let mut params = configured;
        if let Some((motions, site_deviation)) = fixed {
            if motions.len() != self.nworld {
                return Err(Error::Config(format!(
                    "fixing motions: {} motions for {} worlds",
                    motions.len(),
                    self.nworld
                )));
            }
            if let Some(&m) = motions.iter().find(|&&m| m as usize >= lib.motions.len()) {
                return Err(Error::Config(format!("fixing motions: no motion {m} in {}", lib.motions.len())));
            }
            let mut worlds = self.worlds(ctx)?;
            for (w, &m) in worlds.iter_mut().zip(motions) {
                w.motion = m;
            }
            ctx.queue.write_buffer(&self.world, 0, bytemuck::cast_slice(&worlds));
            params.fixed = 1;
            params.terminate = [site_deviation, f32::MAX, 0.0, 0.0];
        }
        ctx.queue.write_buffer(&task.buffer, task.offset, bytemuck::bytes_of(&params));
        Ok(())
    }

    /// Bytes of GPU memory per world (simulator state, constraint and contact scratch, env buffers).
    pub fn bytes_per_world(&self) -> u64 {
        let env = self.obs.size
            + self.reward.size
            + self.done.size
            + self.world.size()
            + self.fatigue.size()
            + self.last_action.size()
            + self.actions.size();
        (self.sim.data.bytes() + env) / self.nworld as u64
    }

    /// Bytes of the imitation task's motion library on the GPU, shared by every world: every
    /// frame's joint positions and velocities, the mimic sites' reference trajectories and the
    /// motion table (0 for other tasks).
    pub fn motion_library_bytes(&self) -> u64 {
        ["ref_qpos", "ref_qvel", "ref_site", "motions"]
            .iter()
            .filter_map(|n| self.bindings.get(n))
            .map(|b| b.buffer.size())
            .sum()
    }
}

/// The first state of world `w`'s random stream under `seed` (distinct, well mixed streams).
pub fn seed_stream(seed: u32, w: u32) -> u32 {
    // splitmix-style mixing of (seed, world)
    let mut z = (seed as u64) << 32 | w as u64;
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) as u32
}

/// A range someone else owns (a Burn tensor) offered in place of an env buffer holding
/// `per_world` bytes per world.
fn slice_binding(slice: &GpuSlice, per_world: u64) -> Binding {
    Binding { buffer: slice.buffer.clone(), offset: slice.offset, size: slice.size, per_world, tiled: false }
}
