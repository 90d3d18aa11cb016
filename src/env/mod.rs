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
pub mod task;

use crate::error::{Error, Result};
use crate::gpu::{GpuContext, GpuModel};
use crate::model::{JointType, Model};
use crate::sim::SimState;
use crate::sim::sparsity::GpuSparsity;
use crate::sim::stages::{Kernel, Stage};
use crate::sim::step::Step;
pub use config::{ActionMap, EnvConfig, EnvFile, TaskConfig};
use fatigue::FatigueParams;
use layout::{EnvParams, WorldEnv};

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
    /// The simulator state (per-world buffers).
    pub state: SimState,
    /// The physics step.
    pub physics: Step,
    /// (nworld × nu) f32: actions the policy writes before [`Env::step`] (mapped to [0, 1]
    /// excitations as `env.action_map` says).
    pub actions: wgpu::Buffer,
    /// (nworld × nobs) f32: observations.
    pub obs: wgpu::Buffer,
    /// (nworld) f32: rewards of the last control step.
    pub reward: wgpu::Buffer,
    /// (nworld) u32: done flags of the last control step ([`DONE_TERMINATED`], [`DONE_TRUNCATED`],
    /// [`DONE_RESET`]).
    pub done: wgpu::Buffer,
    /// (nworld) [`WorldEnv`]: episode state and statistics.
    pub world: wgpu::Buffer,
    /// (nworld × nu) vec4: fatigue compartments (MA, MR, MF, 0).
    pub fatigue: wgpu::Buffer,
    /// (nworld × nu) f32: the last raw actions (part of the observation).
    pub last_action: wgpu::Buffer,
    /// The task's reference motion at the control rate (imitation only).
    pub motion: Option<motion::Motion>,
    task_name: &'static str,
    apply_action: Kernel,
    evaluate: Kernel,
    reset_worlds: Kernel,
    observe: Kernel,
    mark_all: Kernel,
    /// Model, sparsity and task buffers the kernels are bound to.
    _bound: (GpuModel, GpuSparsity, Vec<wgpu::Buffer>, [wgpu::Buffer; 3]),
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
        let path = crate::models::resolve(&file.env.model)?;
        let model = crate::mjcf::load_model(&path)?;
        Self::with_model(ctx, model, file, nworld)
    }

    /// Build `nworld` worlds of `file`'s task on an already compiled `model`.
    pub fn with_model(ctx: &GpuContext, model: Model, file: &EnvFile, nworld: usize) -> Result<Self> {
        if nworld == 0 {
            return Err(Error::Config("an environment needs at least one world".into()));
        }
        let m = &model;
        let c = &file.env;
        let root = (0..m.njnt)
            .find(|&j| m.jnt_type[j] == JointType::Free && m.body_parentid[m.jnt_bodyid[j]] == 0)
            .ok_or_else(|| {
                Error::Config("the tasks need a model with a free root joint (a floating base)".into())
            })?;
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
        let gm = GpuModel::upload(ctx, m);
        let sp = GpuSparsity::upload(ctx, m);
        let state = SimState::new(ctx, m, nworld);
        let physics = Step::with_contact_capacity(ctx, m, &gm, &sp, &state, c.contact_capacity)?;
        let task = task::build(ctx, m, &gm, &file.task, ctrl_dt, pelvis)?;
        let nfoot = feet.len();
        let nobs = (m.nq - 2) + m.nv + m.na + 3 * m.nu + nfoot + m.nu + task.extra_obs;

        // which foot each contact slot touches
        let table = &physics.contacts.table;
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
        init_qpos[m.jnt_qposadr[root] + 2] = c.stand_height;
        let fp = FatigueParams::default();
        let r = &c.randomize;
        let forward = c.forward;
        let params = EnvParams {
            nworld: nworld as u32,
            nobs: nobs as u32,
            max_steps: c.max_steps,
            seed: c.seed,
            root_qpos: m.jnt_qposadr[root] as u32,
            root_dof: m.jnt_dofadr[root] as u32,
            root_body: m.jnt_bodyid[root] as u32,
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
        let s = &state;
        let mut shared: Vec<&wgpu::Buffer> = vec![
            &gm.sizes,
            &params_buf,
            &world,
            &gm.bodies,
            &gm.joints,
            &gm.dofs,
            &s.qpos,
            &s.qvel,
            &s.act,
            &s.qacc_warmstart,
            &s.xpos,
            &s.xquat,
            &s.cdof,
            &s.subtree_com,
            &s.actuator_length,
            &s.actuator_velocity,
            &s.actuator_force,
            &physics.contact_state.con,
            &slot_feet,
            &obs,
            &reward,
            &done,
            &last_action,
            &s.world_scale,
            &fatigue,
            &init,
            &s.nonfinite,
            &s.site_xpos,
        ];
        shared.extend(task.buffers.iter());
        let per_world = |entry: &str| Kernel::new(ctx, task.shader, entry, &shared, nworld);
        let evaluate = per_world("evaluate")?;
        let reset_worlds = per_world("reset")?;
        let observe = per_world("observe")?;
        let mark_all = per_world("mark_all")?;
        let apply_action = Kernel::new(
            ctx,
            "env/action.wgsl",
            "apply",
            &[&gm.sizes, &params_buf, &gm.actuators, &actions, &s.ctrl, &last_action, &fatigue],
            nworld * m.nu,
        )?;
        Ok(Env {
            nworld,
            nobs,
            ctrl_dt,
            state,
            physics,
            actions,
            obs,
            reward,
            done,
            world,
            fatigue,
            last_action,
            motion: task.motion,
            task_name: file.task.name(),
            apply_action,
            evaluate,
            reset_worlds,
            observe,
            mark_all,
            _bound: (gm, sp, task.buffers, [params_buf, init, slot_feet]),
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

    /// Record one control step into `pass` (for callers batching several steps or their own work).
    pub fn record_step(&self, pass: &mut wgpu::ComputePass) {
        self.apply_action.record(pass);
        for _ in 0..self.config.env.frame_skip {
            self.physics.record(pass);
        }
        self.record_forward(pass);
        self.evaluate.record(pass);
        self.reset_worlds.record(pass);
        self.record_forward(pass);
        self.observe.record(pass);
    }

    /// Every dispatch of a control step other than the physics steps, in recorded order, named
    /// (for timing the task layer stage by stage): action, the forward stages, evaluate, reset,
    /// the forward stages again, observe.
    pub fn task_stages(&self) -> Vec<(&'static str, &dyn Stage)> {
        const FORWARD: [&str; 5] =
            ["forward:kinematics", "forward:com", "forward:tendon", "forward:velocity", "forward:actuation"];
        let forward = || FORWARD.into_iter().zip(self.physics.forward_stages());
        let mut v: Vec<(&'static str, &dyn Stage)> = vec![("action", &self.apply_action)];
        v.extend(forward());
        v.push(("evaluate", &self.evaluate));
        v.push(("reset", &self.reset_worlds));
        v.extend(forward());
        v.push(("observe", &self.observe));
        v
    }

    fn record_forward(&self, pass: &mut wgpu::ComputePass) {
        for s in self.physics.forward_stages() {
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
        ctx.queue.submit([enc.finish()]);
    }

    /// Download the observations (nworld × nobs).
    pub fn observations(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        ctx.download(&self.obs, self.nworld * self.nobs)
    }

    /// Download the last rewards (nworld).
    pub fn rewards(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        ctx.download(&self.reward, self.nworld)
    }

    /// Download the last done flags (nworld).
    pub fn dones(&self, ctx: &GpuContext) -> Result<Vec<u32>> {
        ctx.download(&self.done, self.nworld)
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
            mean_last_return: finished.iter().map(|e| e.last_return as f64).sum::<f64>() / n,
            mean_last_length: finished.iter().map(|e| e.last_length as f64).sum::<f64>() / n,
        })
    }

    /// Bytes of GPU memory per world (simulator state, constraint and contact scratch, env buffers).
    pub fn bytes_per_world(&self) -> u64 {
        let env = self.obs.size()
            + self.reward.size()
            + self.done.size()
            + self.world.size()
            + self.fatigue.size()
            + self.last_action.size()
            + self.actions.size();
        (self.state.bytes() + self.physics.efc_state.bytes() + self.physics.contact_state.bytes() + env)
            / self.nworld as u64
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
