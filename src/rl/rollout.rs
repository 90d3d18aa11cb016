//! Collecting a rollout: T control steps of every world, policy and simulator alternating on the
//! one device. The environment writes its observations, rewards and done flags straight into
//! Burn tensors (bound once, [`EnvIo`]); each step's sampled actions are a Burn tensor the
//! simulator's action kernel binds and reads. Nothing is read back to the host.

use burn::tensor::{Device, Distribution, Int, Tensor};

use super::interop::{BoundTensor, bind_int_tensor, bind_tensor, flush};
use super::lattice::SpdSolver;
use super::mixture::Experts;
use super::normalizer::ObsNormalizer;
use super::policy::{ActorCritic, log_prob};
use crate::env::{DONE_TERMINATED, DONE_TRUNCATED, Env};
use crate::error::Result;
use crate::gpu::GpuContext;

/// Burn tensors the environment writes every control step (bound for the run's lifetime).
pub struct EnvIo {
    /// `[nworld, nobs]` observations.
    pub obs: Tensor<2>,
    /// `[nworld]` rewards of the last step.
    pub reward: Tensor<1>,
    /// `[nworld]` done flags of the last step (`DONE_*` bits).
    pub done: Tensor<1, Int>,
    _bound: [BoundTensor; 3],
}

impl EnvIo {
    /// Allocate the tensors on `device` and make `env`'s kernels write into them.
    pub fn bind(ctx: &GpuContext, env: &mut Env, device: &Device) -> Result<Self> {
        let obs = Tensor::<2>::zeros([env.nworld, env.nobs], device);
        let reward = Tensor::<1>::zeros([env.nworld], device);
        let done = Tensor::<1, Int>::zeros([env.nworld], device);
        let bound = [bind_tensor(&obs)?, bind_tensor(&reward)?, bind_int_tensor(&done)?];
        // the zeros must be written before the env's first submit touches them
        flush(ctx, device)?;
        env.bind_outputs(ctx, bound[0].slice.clone(), bound[1].slice.clone(), bound[2].slice.clone())?;
        Ok(EnvIo { obs, reward, done, _bound: bound })
    }
}

/// How actions are drawn from the actor's output.
pub enum Sampler<'a> {
    /// Independent Gaussian noise on the mean.
    Gaussian,
    /// Lattice noise (src/rl/lattice.rs), with the covariance's solver.
    Lattice(&'a SpdSolver),
    /// A mixture's gate picks an expert (src/rl/mixture.rs).
    Mixture(&'a Experts),
}

/// One rollout, `T` steps × `N` worlds, on the device.
pub struct Rollout {
    /// `[T·N, nobs]` normalised observations the actions were drawn at.
    pub obs: Tensor<2>,
    /// `[T·N, nu]` sampled actions (a mixture: `[T·N, K]` one-hot choices of an expert).
    pub actions: Tensor<2>,
    /// `[T·N]` their log-probabilities.
    pub log_probs: Tensor<1>,
    /// `[T, N]` values of the observations.
    pub values: Tensor<2>,
    /// `[T, N]` rewards (scaled; truncated steps bootstrapped with γ·V).
    pub rewards: Tensor<2>,
    /// `[T, N]` 1 where the step ended its episode.
    pub ended: Tensor<2>,
    /// `[N]` value of the observation after the last step.
    pub last_value: Tensor<1>,
    /// `[T, N]` raw (unscaled) rewards, for logs.
    pub raw_rewards: Tensor<2>,
}

/// Collect `horizon` steps with the stochastic policy, updating `norm` with every observation
/// (and `batch`, where given, with this rollout's alone: its moments, which data-parallel
/// training merges over the ranks).
#[allow(clippy::too_many_arguments)]
pub fn collect(
    ctx: &GpuContext,
    device: &Device,
    env: &Env,
    io: &EnvIo,
    net: &ActorCritic,
    params: &[Tensor<2>],
    norm: &mut ObsNormalizer,
    mut batch: Option<&mut ObsNormalizer>,
    horizon: usize,
    gamma: f64,
    reward_scale: f64,
    sampler: &Sampler,
) -> Result<Rollout> {
    // Lattice: the covariance's inverse and log-determinant, fixed for the rollout
    let lattice = match sampler {
        Sampler::Lattice(spd) => Some(spd.solve(ctx, device, super::lattice::covariance(net, params)?)?),
        _ => None,
    };
    let mut obs = Vec::with_capacity(horizon);
    let mut actions = Vec::with_capacity(horizon);
    let mut log_probs = Vec::with_capacity(horizon);
    let (mut values, mut rewards, mut ended, mut raw) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..horizon {
        norm.update(io.obs.clone());
        if let Some(b) = batch.as_deref_mut() {
            b.update(io.obs.clone());
        }
        let x = norm.normalize(io.obs.clone());
        let out = net.actor(params, x.clone());
        let value = net.critic(params, x.clone());
        // what the update re-scores (the action, or a mixture's one-hot choice) and the action
        let (drawn, action) = match (sampler, &lattice) {
            (Sampler::Lattice(_), Some((p, logdet))) => {
                let action = super::lattice::sample(net, params, out.clone(), device)?;
                log_probs.push(super::lattice::log_prob(action.clone() - out, p.clone(), logdet.clone()));
                (action.clone(), action)
            }
            (Sampler::Mixture(experts), _) => {
                let choice = super::mixture_sampling::draw(out.clone(), device);
                log_probs.push(super::mixture_sampling::log_prob(choice.clone(), out));
                let action = super::mixture_sampling::chosen_action(&choice, experts.actions(io.obs.clone()));
                (choice, action)
            }
            _ => {
                let log_std = params[net.log_std.expect("a Gaussian policy has a log-std")].clone();
                let noise = Tensor::<2>::random([env.nworld, net.nu], Distribution::Normal(0.0, 1.0), device);
                let action = out.clone() + noise * log_std.clone().exp();
                log_probs.push(log_prob(action.clone(), out, log_std));
                (action.clone(), action)
            }
        };
        let bound = bind_tensor(&action)?;
        flush(ctx, device)?;
        env.step_with_actions(ctx, &bound.slice)?;
        drop(bound);
        // copies of what the step wrote, taken before the next step overwrites it
        let flags = io.done.clone();
        let terminated = flags.clone().bitwise_and_scalar(DONE_TERMINATED as i64).greater_elem(0).float();
        let truncated = flags.bitwise_and_scalar(DONE_TRUNCATED as i64).greater_elem(0).float();
        let r = io.reward.clone().mul_scalar(1.0);
        // a truncated episode did not end: bootstrap it with γ·V(s_t) (the state after the step
        // was replaced by the reset's)
        let learn_r = r.clone().mul_scalar(reward_scale)
            + truncated
                .clone()
                .mul(terminated.clone().neg().add_scalar(1.0))
                .mul(value.clone())
                .mul_scalar(gamma);
        ended.push(terminated.add(truncated).clamp_max(1.0));
        rewards.push(learn_r);
        raw.push(r);
        values.push(value);
        obs.push(x);
        actions.push(drawn);
    }
    let last_value = net.critic(params, norm.normalize(io.obs.clone()));
    Ok(Rollout {
        obs: Tensor::cat(obs, 0),
        actions: Tensor::cat(actions, 0),
        log_probs: Tensor::cat(log_probs, 0),
        values: Tensor::stack(values, 0),
        rewards: Tensor::stack(rewards, 0),
        ended: Tensor::stack(ended, 0),
        last_value,
        raw_rewards: Tensor::stack(raw, 0),
    })
}
