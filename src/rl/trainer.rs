//! A training run: the environment, the networks, the optimiser and the normaliser on one
//! device, iterated rollout → update, with checkpoints and per-iteration metrics.

use std::sync::Arc;
use std::time::Instant;

use burn::tensor::{Device, Tensor, TensorData};

use super::adam::Adam;
use super::checkpoint::{Checkpoint, CheckpointMeta};
use super::config::PolicyKind;
use super::config::TrainFile;
use super::lattice::SpdSolver;
use super::mixture::Experts;
use super::normalizer::ObsNormalizer;
use super::policy::ActorCritic;
use super::ranks::{Ranks, merge_moments, merge_two};
use super::rollout::{EnvIo, Sampler, collect};
use super::update::update;
use crate::env::{Env, EpisodeStats};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;

/// One iteration's numbers (the CSV row).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IterationMetrics {
    /// Iterations completed, this one included.
    pub iteration: usize,
    /// Environment steps so far (all worlds).
    pub env_steps: u64,
    /// Mean return of each world's last finished episode.
    pub mean_return: f64,
    /// Mean length of each world's last finished episode (control steps).
    pub mean_episode_length: f64,
    /// Of the episodes finished this iteration, the fraction ended by a termination rule (the
    /// previous iteration's value when none finished).
    pub termination_rate: f64,
    /// Of the episodes finished this iteration, the fraction that met the task's success rule.
    pub success_rate: f64,
    /// Mean raw reward per step of this rollout.
    pub mean_reward: f64,
    /// Environment steps per second of wall time (rollout + update).
    pub env_steps_per_s: f64,
    /// Wall time of the rollout (simulation and policy inference), s.
    pub rollout_s: f64,
    /// Wall time of the update (GAE, PPO epochs), s.
    pub update_s: f64,
    /// PPO statistics (means over minibatches).
    pub policy_loss: f64,
    /// Value loss.
    pub value_loss: f64,
    /// Policy entropy.
    pub entropy: f64,
    /// Approximate KL(old ‖ new).
    pub approx_kl: f64,
    /// Fraction of clipped ratios.
    pub clip_fraction: f64,
    /// Global gradient norm before clipping.
    pub grad_norm: f64,
    /// Explained variance of the returns by the values.
    pub explained_variance: f64,
    /// Learning rate used.
    pub learning_rate: f64,
    /// Queue submits this iteration (simulator steps and Burn flushes).
    pub submits: u64,
    /// Blocking host readbacks this iteration.
    pub readbacks: u64,
}

/// Column order of the metrics CSV.
pub const CSV_COLUMNS: [&str; 20] = [
    "iteration", "env_steps", "mean_return", "mean_episode_length", "termination_rate", "success_rate",
    "mean_reward", "env_steps_per_s", "rollout_s", "update_s", "policy_loss", "value_loss", "entropy",
    "approx_kl", "clip_fraction", "grad_norm", "explained_variance", "learning_rate", "submits", "readbacks",
];

impl IterationMetrics {
    /// Values in [`CSV_COLUMNS`] order.
    pub fn row(&self) -> [f64; 20] {
        [
            self.iteration as f64, self.env_steps as f64, self.mean_return, self.mean_episode_length,
            self.termination_rate, self.success_rate, self.mean_reward, self.env_steps_per_s, self.rollout_s,
            self.update_s, self.policy_loss, self.value_loss, self.entropy, self.approx_kl,
            self.clip_fraction, self.grad_norm, self.explained_variance, self.learning_rate,
            self.submits as f64, self.readbacks as f64,
        ]
    }
}

/// Everything a run holds on the device.
pub struct Trainer<'a> {
    ctx: &'a GpuContext,
    /// The Burn device (the shared wgpu device).
    pub device: Device,
    /// The configuration.
    pub cfg: TrainFile,
    /// The environments.
    pub env: Env,
    io: EnvIo,
    /// The networks' layout.
    pub net: ActorCritic,
    /// Parameter values (no autodiff).
    pub params: Vec<Tensor<2>>,
    /// Optimiser state.
    pub adam: Adam,
    /// Observation statistics.
    pub norm: ObsNormalizer,
    /// Iterations completed.
    pub iteration: usize,
    /// Environment steps taken.
    pub env_steps: u64,
    last_stats: EpisodeStats,
    last_rates: [f64; 2],
    /// Lattice exploration: the covariance's inverse and log-determinant on the device.
    lattice: Option<SpdSolver>,
    /// A mixture's frozen experts.
    experts: Option<Experts>,
    /// The processes this run spans (one without MPI).
    pub ranks: Arc<Ranks>,
}

impl<'a> Trainer<'a> {
    /// Build the environments and fresh networks (seeded by `train.seed`), and reset the worlds.
    pub fn new(ctx: &'a GpuContext, cfg: TrainFile) -> Result<Self> {
        Self::with_ranks(ctx, cfg, Arc::new(Ranks::single()))
    }

    /// [`Trainer::new`] as one of `ranks`' processes: `train.nworld` worlds of its own, their
    /// streams seeded apart from the other ranks' (rank 0's as a single process's), the same
    /// networks on every rank.
    pub fn with_ranks(ctx: &'a GpuContext, mut cfg: TrainFile, ranks: Arc<Ranks>) -> Result<Self> {
        cfg.env.env.seed = super::ranks::rank_env_seed(cfg.env.env.seed, ranks.rank);
        let device = ctx.burn_device()?;
        let mut env = Env::new(ctx, &cfg.env, cfg.train.nworld)?;
        if env.model.nu == 0 {
            return Err(Error::Config("the model has no actuators to learn to drive".into()));
        }
        // the simulator's buffers fit (Env checked them); with Burn's tensors too?
        let mut footprint = env.sim.footprint.clone();
        footprint.extend(super::footprint::training_footprint(env.nobs, env.model.nu, &cfg));
        footprint.check(ctx, &cfg.env.env.model, cfg.train.nworld)?;
        let io = EnvIo::bind(ctx, &mut env, &device)?;
        env.reset(ctx);
        let net = ActorCritic::new(env.nobs, env.model.nu, &cfg.policy);
        let params = net.to_tensors(&net.init_host(&cfg.policy, cfg.train.seed), &device)?;
        let adam = Adam::new(&params, cfg.ppo.adam_betas, cfg.ppo.adam_eps);
        let norm = ObsNormalizer::new(env.nobs, cfg.policy.obs_clip as f64, &device);
        let lattice = match net.latent_log_std {
            Some(_) => Some(SpdSolver::new(ctx, &device, env.model.nu)?),
            None => None,
        };
        let experts = match cfg.policy.kind {
            PolicyKind::Moe => {
                Some(Experts::new(Experts::load(&cfg.policy.experts, env.nobs, env.model.nu)?, &device)?)
            }
            PolicyKind::Mlp => None,
        };
        Ok(Trainer {
            ctx,
            device,
            cfg,
            env,
            io,
            net,
            params,
            adam,
            norm,
            iteration: 0,
            env_steps: 0,
            last_stats: EpisodeStats::default(),
            last_rates: [0.0; 2],
            lattice,
            experts,
            ranks,
        })
    }

    /// The learning rate of the next iteration (linear annealing to 0 when configured).
    pub fn learning_rate(&self) -> f64 {
        let lr = self.cfg.ppo.learning_rate as f64;
        if self.cfg.ppo.anneal_lr {
            lr * (1.0 - self.iteration as f64 / self.cfg.train.iterations as f64).max(0.0)
        } else {
            lr
        }
    }

    /// One iteration: rollout, update, metrics (two host reads: the episode counters and the
    /// update's statistics).
    pub fn iterate(&mut self) -> Result<IterationMetrics> {
        let (s0, r0) = self.ctx.counters.get();
        let t0 = Instant::now();
        // the policy's draws are seeded per iteration, so a resumed run draws what the
        // uninterrupted one would have
        // (every rank draws its own actions: rank 0 as a single process would)
        let rank_stream = (self.ranks.rank as u64).wrapping_mul(0xd1b5_4a32_d192_ed03);
        self.device.seed(
            self.cfg.train.seed ^ (self.iteration as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ rank_stream,
        );
        // data-parallel: the statistics before this rollout (the same on every rank) and this
        // rank's rollout alone, merged over the ranks after the update
        let mut batch = (self.ranks.size > 1).then(|| {
            (
                self.norm.clone(),
                ObsNormalizer::new(self.env.nobs, self.cfg.policy.obs_clip as f64, &self.device),
            )
        });
        let t = &self.cfg.train;
        let ro = collect(
            self.ctx,
            &self.device,
            &self.env,
            &self.io,
            &self.net,
            &self.params,
            &mut self.norm,
            batch.as_mut().map(|(_, rollout)| rollout),
            t.horizon,
            self.cfg.ppo.gamma as f64,
            t.reward_scale as f64,
            &sampler(&self.lattice, &self.experts),
        )?;
        // the episodes this rollout ended move the motions' sampling weights (adaptive imitation)
        self.env.adapt_sampling(self.ctx);
        let mean_reward = super::reduce::mean_all(ro.raw_rewards.clone());
        self.device.sync().map_err(|e| Error::Gpu(format!("{e:?}")))?;
        let t1 = Instant::now();
        let lr = self.learning_rate();
        let stats = update(
            self.ctx,
            &self.device,
            &self.net,
            &mut self.params,
            &mut self.adam,
            ro,
            &self.cfg.ppo,
            lr,
            &sampler(&self.lattice, &self.experts),
            self.cfg.policy.soft_moe_balance as f64,
            &self.ranks,
        )?;
        let row = Tensor::cat(vec![stats.0, mean_reward.reshape([1])], 0);
        let mut values = read(self.ctx, row)?;
        let mut ep = self.env.stats(self.ctx)?;
        if let Some((before, rollout)) = batch {
            self.merge_normalizers(before, rollout)?;
            (values, ep) = self.over_ranks(values, ep);
        }
        let t2 = Instant::now();
        self.iteration += 1;
        if self.ranks.size > 1 {
            let every = self.cfg.train.rank_check_every;
            if every > 0 && self.iteration.is_multiple_of(every) {
                self.check_ranks_agree()?;
            }
        }
        let t = &self.cfg.train;
        // every rank's worlds
        let steps = (t.horizon * t.nworld * self.ranks.size) as u64;
        self.env_steps += steps;
        let d_episodes = ep.episodes.saturating_sub(self.last_stats.episodes);
        // rates over the episodes that finished this iteration; the last value when none did
        let rate = |x: u64, y: u64, last: f64| {
            if d_episodes > 0 { x.saturating_sub(y) as f64 / d_episodes as f64 } else { last }
        };
        let (s1, r1) = self.ctx.counters.get();
        let m = IterationMetrics {
            iteration: self.iteration,
            env_steps: self.env_steps,
            mean_return: ep.mean_last_return,
            mean_episode_length: ep.mean_last_length,
            termination_rate: rate(ep.terminations, self.last_stats.terminations, self.last_rates[0]),
            success_rate: rate(ep.successes, self.last_stats.successes, self.last_rates[1]),
            mean_reward: values[7] as f64,
            env_steps_per_s: steps as f64 / (t2 - t0).as_secs_f64(),
            rollout_s: (t1 - t0).as_secs_f64(),
            update_s: (t2 - t1).as_secs_f64(),
            policy_loss: values[0] as f64,
            value_loss: values[1] as f64,
            entropy: values[2] as f64,
            approx_kl: values[3] as f64,
            clip_fraction: values[4] as f64,
            grad_norm: values[5] as f64,
            explained_variance: values[6] as f64,
            learning_rate: lr,
            submits: s1 - s0,
            readbacks: r1 - r0,
        };
        self.last_stats = ep;
        self.last_rates = [m.termination_rate, m.success_rate];
        Ok(m)
    }

    /// Data-parallel: the observation statistics become those of every observation any rank has
    /// seen: `before` (the statistics this iteration started from, the same on every rank: merged
    /// last time, or restored from the same checkpoint) merged with every rank's `rollout` (its
    /// moments, gathered in rank order), in f64 on the host, so every rank ends the iteration
    /// with the same normaliser, stored as the f32 values a checkpoint holds.
    fn merge_normalizers(&mut self, before: ObsNormalizer, rollout: ObsNormalizer) -> Result<()> {
        let n = self.env.nobs;
        // one readback: before's mean and variance, then the rollout's
        let host = read_flat(self.ctx, [before.mean, before.var, rollout.mean, rollout.var])?;
        let wide = |count: f64, at: usize| {
            std::iter::once(count).chain(host[at..at + 2 * n].iter().map(|x| *x as f64)).collect::<Vec<f64>>()
        };
        let rollouts = merge_moments(&self.ranks.gather_f64(&wide(rollout.count, 2 * n)), n);
        let all = merge_two(&wide(before.count, 0), &rollouts, n);
        let mean: Vec<f32> = all[1..1 + n].iter().map(|x| *x as f32).collect();
        let var: Vec<f32> = all[1 + n..].iter().map(|x| *x as f32).collect();
        self.norm.mean = Tensor::from_data(TensorData::new(mean, [1, n]), &self.device);
        self.norm.var = Tensor::from_data(TensorData::new(var, [1, n]), &self.device);
        self.norm.count = all[0];
        Ok(())
    }

    /// Data-parallel: the update's statistics and the mean reward averaged over the ranks, and the
    /// episode counters summed (each rank's means weigh alike: every rank runs `train.nworld`
    /// worlds), the same on every rank.
    fn over_ranks(&self, values: Vec<f32>, ep: EpisodeStats) -> (Vec<f32>, EpisodeStats) {
        let mut mine: Vec<f64> = values.iter().map(|x| *x as f64).collect();
        mine.extend([
            ep.episodes as f64, ep.terminations as f64, ep.successes as f64, ep.mean_last_return,
            ep.mean_last_length,
        ]);
        let width = mine.len();
        let all = self.ranks.gather_f64(&mine);
        let size = self.ranks.size as f64;
        let sum = |i: usize| all.iter().skip(i).step_by(width).sum::<f64>();
        let k = values.len();
        let values = (0..k).map(|i| (sum(i) / size) as f32).collect();
        let ep = EpisodeStats {
            episodes: sum(k) as u64,
            terminations: sum(k + 1) as u64,
            successes: sum(k + 2) as u64,
            mean_last_return: sum(k + 3) / size,
            mean_last_length: sum(k + 4) / size,
        };
        (values, ep)
    }

    /// Data-parallel: every rank's parameters and observation normaliser hash to the same bits,
    /// else an error naming the iteration (a rank whose arithmetic went its own way would train
    /// another policy).
    fn check_ranks_agree(&self) -> Result<()> {
        let tensors = self.params.iter().chain([&self.norm.mean, &self.norm.var]).cloned();
        let bits = read_flat(self.ctx, tensors)?;
        let hash = bits.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, x| {
            (h ^ x.to_bits() as u64).wrapping_mul(0x0000_0100_0000_01b3)
        });
        // two exact halves (an f64 holds 32 bits exactly)
        match self.ranks.disagreement(&[(hash >> 32) as f64, (hash & 0xffff_ffff) as f64]) {
            None => Ok(()),
            Some(all) => Err(Error::Gpu(format!(
                "after iteration {}, the ranks' parameters or normalisers differ (checksums {:?}): the ranks \
                 no longer train one policy",
                self.iteration,
                all.iter().map(|h| ((h[0] as u64) << 32) | h[1] as u64).collect::<Vec<_>>()
            ))),
        }
    }

    /// A mixture checkpoint's experts replace this run's (resume and fine-tuning use the
    /// experts the checkpoint was trained with).
    fn take_experts(&mut self, c: &Checkpoint) -> Result<()> {
        if self.experts.is_some() {
            self.experts = Some(Experts::new(super::mixture::experts_of(c)?, &self.device)?);
        }
        Ok(())
    }

    /// What the deployed policy needs (parameters, observation normaliser, experts), without
    /// the optimiser or the worlds: cheap, and no collective, so rank 0 alone may take it
    /// (training videos).
    pub fn policy_checkpoint(&self) -> Result<Checkpoint> {
        let mut c = self.checkpoint_meta_only();
        for (i, name) in self.net.names.iter().enumerate() {
            c.put_f32s(&format!("param/{name}"), &read(self.ctx, self.params[i].clone())?);
        }
        c.put_f32s("norm/mean", &read(self.ctx, self.norm.mean.clone())?);
        c.put_f32s("norm/var", &read(self.ctx, self.norm.var.clone())?);
        if let Some(experts) = &self.experts {
            experts.save(&mut c)?;
        }
        Ok(c)
    }

    /// A checkpoint holding only this run's metadata.
    fn checkpoint_meta_only(&self) -> Checkpoint {
        let meta = CheckpointMeta {
            iteration: self.iteration,
            env_steps: self.env_steps,
            adam_step: self.adam.step,
            norm_count: self.norm.count,
            model: self.cfg.env.env.model.clone(),
            task: self.env.task().to_string(),
            nobs: self.env.nobs,
            nu: self.env.model.nu,
            nworld: self.env.nworld,
            policy: self.cfg.policy.clone(),
            params: self.net.names.iter().cloned().zip(self.net.shapes.iter().copied()).collect(),
            ranks: self.ranks.size,
        };
        Checkpoint { meta, blobs: Default::default() }
    }

    /// Everything needed to continue this run exactly.
    pub fn checkpoint(&self) -> Result<Checkpoint> {
        let mut c = self.checkpoint_meta_only();
        for (i, name) in self.net.names.iter().enumerate() {
            c.put_f32s(&format!("param/{name}"), &read(self.ctx, self.params[i].clone())?);
            c.put_f32s(&format!("adam_m/{name}"), &read(self.ctx, self.adam.m[i].clone())?);
            c.put_f32s(&format!("adam_v/{name}"), &read(self.ctx, self.adam.v[i].clone())?);
        }
        c.put_f32s("norm/mean", &read(self.ctx, self.norm.mean.clone())?);
        c.put_f32s("norm/var", &read(self.ctx, self.norm.var.clone())?);
        let s = &self.last_stats;
        let stats = [
            s.episodes as f32,
            s.terminations as f32,
            s.successes as f32,
            self.last_rates[0] as f32,
            self.last_rates[1] as f32,
        ];
        c.put_f32s("stats", &stats);
        if let Some(experts) = &self.experts {
            experts.save(&mut c)?;
        }
        // every rank's worlds, gathered on rank 0 (rank r's under rank{r}/)
        let own = self.env.snapshot(self.ctx)?;
        let all = if self.ranks.size > 1 { self.ranks.gather_bytes(pack(&own)) } else { Vec::new() };
        for (name, bytes) in own {
            c.blobs.insert(format!("env/{name}"), bytes);
        }
        for (r, packed) in all.iter().enumerate().skip(1) {
            for (name, bytes) in unpack(packed)? {
                c.blobs.insert(format!("rank{r}/env/{name}"), bytes);
            }
        }
        Ok(c)
    }

    /// Start from `c`'s policy (fine-tuning): its parameters and observation normaliser, with
    /// this trainer's fresh optimiser, iteration count and worlds. The observation and action
    /// sizes and the networks' layout must match, else an error naming both.
    pub fn init_from(&mut self, c: &Checkpoint) -> Result<()> {
        let m = &c.meta;
        if m.nobs != self.env.nobs || m.nu != self.env.model.nu {
            return Err(Error::Config(format!(
                "--init-from: the checkpoint's policy takes {} observations and gives {} actions; this run's \
                 environment has {} observations and {} actions",
                m.nobs, m.nu, self.env.nobs, self.env.model.nu
            )));
        }
        let here: Vec<(String, [usize; 2])> =
            self.net.names.iter().cloned().zip(self.net.shapes.iter().copied()).collect();
        if m.params != here {
            return Err(Error::Config(format!(
                "--init-from: the checkpoint's network ({:?}) is not this run's ({:?}); set [policy] as it was",
                m.policy, self.cfg.policy
            )));
        }
        for (i, name) in self.net.names.iter().enumerate() {
            self.params[i] = load_tensor(c, &format!("param/{name}"), self.net.shapes[i], &self.device)?;
        }
        self.norm.mean = load_tensor(c, "norm/mean", [1, m.nobs], &self.device)?;
        self.norm.var = load_tensor(c, "norm/var", [1, m.nobs], &self.device)?;
        self.norm.count = m.norm_count;
        self.take_experts(c)
    }

    /// Continue from `c` (same model, task, sizes and networks, else a clear error).
    pub fn restore(&mut self, c: &Checkpoint) -> Result<()> {
        let m = &c.meta;
        let mismatch = |what: &str, saved: String, now: String| {
            Err(Error::Config(format!(
                "checkpoint does not fit this run: {what} is {saved} there, {now} here"
            )))
        };
        if m.task != self.env.task() {
            return mismatch("the task", m.task.clone(), self.env.task().into());
        }
        if m.nobs != self.env.nobs || m.nu != self.env.model.nu {
            return mismatch(
                "(observation, action) size",
                format!("({}, {})", m.nobs, m.nu),
                format!("({}, {})", self.env.nobs, self.env.model.nu),
            );
        }
        if m.nworld != self.env.nworld {
            return mismatch("nworld", m.nworld.to_string(), self.env.nworld.to_string());
        }
        if m.ranks != self.ranks.size {
            return mismatch(
                "the number of ranks (MPI processes)",
                m.ranks.to_string(),
                self.ranks.size.to_string(),
            );
        }
        let here: Vec<(String, [usize; 2])> =
            self.net.names.iter().cloned().zip(self.net.shapes.iter().copied()).collect();
        if m.params != here {
            return mismatch("the network", format!("{:?}", m.policy), format!("{:?}", self.cfg.policy));
        }
        let device = self.device.clone();
        let load = |name: &str, shape: [usize; 2]| load_tensor(c, name, shape, &device);
        for (i, name) in self.net.names.iter().enumerate() {
            let s = self.net.shapes[i];
            self.params[i] = load(&format!("param/{name}"), s)?;
            self.adam.m[i] = load(&format!("adam_m/{name}"), s)?;
            self.adam.v[i] = load(&format!("adam_v/{name}"), s)?;
        }
        self.adam.step = m.adam_step;
        self.norm.mean = load("norm/mean", [1, m.nobs])?;
        self.norm.var = load("norm/var", [1, m.nobs])?;
        self.norm.count = m.norm_count;
        self.take_experts(c)?;
        let stats = c.f32s("stats")?;
        if stats.len() != 5 {
            return Err(Error::Config("checkpoint 'stats' must hold 5 numbers".into()));
        }
        self.last_rates = [stats[3] as f64, stats[4] as f64];
        self.last_stats = EpisodeStats {
            episodes: stats[0] as u64,
            terminations: stats[1] as u64,
            successes: stats[2] as u64,
            ..Default::default()
        };
        // the worlds: Burn must have written nothing pending into the bound outputs first
        super::interop::flush(self.ctx, &self.device)?;
        let prefix = match self.ranks.rank {
            0 => "env/".to_string(),
            r => format!("rank{r}/env/"),
        };
        self.env.restore(self.ctx, |name| c.blob(&format!("{prefix}{name}")).map(|b| b.to_vec()))?;
        self.iteration = m.iteration;
        self.env_steps = m.env_steps;
        Ok(())
    }
}

/// How a run's rollouts draw actions, from its Lattice solver or mixture experts.
fn sampler<'a>(lattice: &'a Option<SpdSolver>, experts: &'a Option<Experts>) -> Sampler<'a> {
    match (lattice, experts) {
        (Some(spd), _) => Sampler::Lattice(spd),
        (_, Some(experts)) => Sampler::Mixture(experts),
        _ => Sampler::Gaussian,
    }
}

/// Named blobs in one byte string (a rank's worlds sent to rank 0): per blob its name's length
/// (u32 LE), the name, its length (u64 LE), the bytes.
fn pack(blobs: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, bytes) in blobs {
        out.extend((name.len() as u32).to_le_bytes());
        out.extend(name.as_bytes());
        out.extend((bytes.len() as u64).to_le_bytes());
        out.extend(bytes);
    }
    out
}

/// The blobs [`pack`] packed; `Err` on a truncated string.
fn unpack(mut b: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    let bad = || Error::Gpu("a rank's world state arrived truncated".into());
    let take = |n: usize, b: &mut &[u8]| -> Result<Vec<u8>> {
        if b.len() < n {
            return Err(bad());
        }
        let (head, rest) = b.split_at(n);
        *b = rest;
        Ok(head.to_vec())
    };
    let mut out = Vec::new();
    while !b.is_empty() {
        let len = u32::from_le_bytes(take(4, &mut b)?.try_into().map_err(|_| bad())?) as usize;
        let name = String::from_utf8(take(len, &mut b)?).map_err(|_| bad())?;
        let len = u64::from_le_bytes(take(8, &mut b)?.try_into().map_err(|_| bad())?) as usize;
        out.push((name, take(len, &mut b)?));
    }
    Ok(out)
}

/// A checkpoint's array `name` as a tensor of `shape` on `device` (its size checked).
fn load_tensor(c: &Checkpoint, name: &str, shape: [usize; 2], device: &Device) -> Result<Tensor<2>> {
    let v = c.f32s(name)?;
    if v.len() != shape[0] * shape[1] {
        return Err(Error::Config(format!("checkpoint {name}: {} values, expected {shape:?}", v.len())));
    }
    Ok(Tensor::from_data(TensorData::new(v, shape), device))
}

/// Read `tensors` to the host in one readback, each flattened, one after the other.
pub fn read_flat(ctx: &GpuContext, tensors: impl IntoIterator<Item = Tensor<2>>) -> Result<Vec<f32>> {
    read(ctx, Tensor::cat(tensors.into_iter().map(|t| t.reshape([-1])).collect(), 0))
}

/// Read a tensor to the host (counted as a readback).
pub fn read<const D: usize>(ctx: &GpuContext, t: Tensor<D>) -> Result<Vec<f32>> {
    ctx.counters.readback();
    let data = t.try_into_data().map_err(|e| Error::Gpu(format!("reading a tensor: {e:?}")))?;
    data.try_to_vec::<f32>().map_err(|e| Error::Gpu(format!("reading a tensor: {e:?}")))
}
