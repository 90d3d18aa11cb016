//! The PPO update over one rollout: GAE, then `epochs` passes of `minibatches` minibatches drawn
//! by a random permutation on the GPU, each a forward/backward pass and an Adam step. The
//! per-minibatch statistics stay on the device and come back in one read per iteration.

use burn::tensor::{Device, Distribution, Tensor, TensorData};

use super::adam::Adam;
use super::config::PpoConfig;
use super::gae::gae;
use super::policy::{ActorCritic, entropy, log_prob};
use super::ppo::ppo_loss;
use super::ranks::Ranks;
use super::reduce::var_mean;
use super::rollout::{Rollout, Sampler};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;

/// Statistics of one update, means over its minibatches (still on the device): policy loss,
/// value loss, entropy, approx KL, clip fraction, gradient norm, explained variance — `[7]`.
pub struct UpdateStats(pub Tensor<1>);

/// Names of [`UpdateStats`]' entries, in order.
pub const UPDATE_STAT_NAMES: [&str; 7] =
    ["policy_loss", "value_loss", "entropy", "approx_kl", "clip_fraction", "grad_norm", "explained_variance"];

/// Run the update; `params` and `adam` are updated in place.
#[allow(clippy::too_many_arguments)]
pub fn update(
    ctx: &GpuContext,
    device: &Device,
    net: &ActorCritic,
    params: &mut [Tensor<2>],
    adam: &mut Adam,
    ro: Rollout,
    cfg: &PpoConfig,
    lr: f64,
    sampler: &Sampler,
    balance_weight: f64,
    ranks: &Ranks,
) -> Result<UpdateStats> {
    let (adv, ret) =
        gae(ro.rewards, ro.values.clone(), ro.ended, ro.last_value, cfg.gamma as f64, cfg.lambda as f64);
    let b = adv.shape().num_elements();
    let adv = adv.reshape([b]);
    let ret = ret.reshape([b]);
    let values = ro.values.reshape([b]);
    // explained variance of the returns by the rollout's values
    let ev = var_mean(ret.clone() - values.clone())
        .0
        .div(var_mean(ret.clone()).0.add_scalar(1e-8))
        .neg()
        .add_scalar(1.0);
    let mb = b / cfg.minibatches;
    if mb == 0 {
        return Err(Error::Config(format!("{} samples cannot make {} minibatches", b, cfg.minibatches)));
    }
    let mut sums: Vec<Tensor<1>> = Vec::new();
    let mut count = 0usize;
    for _ in 0..cfg.epochs {
        let perm = Tensor::<1>::random([b], Distribution::Uniform(0.0, 1.0), device).argsort(0);
        for k in 0..cfg.minibatches {
            let idx = perm.clone().slice([k * mb..(k + 1) * mb]);
            let pick1 = |t: &Tensor<1>| t.clone().select(0, idx.clone());
            let (obs, act) =
                (ro.obs.clone().select(0, idx.clone()), ro.actions.clone().select(0, idx.clone()));
            let (logp_old, v_old, r_b) = (pick1(&ro.log_probs), pick1(&values), pick1(&ret));
            let mut a = pick1(&adv);
            if cfg.normalize_advantages {
                let (var, mean) = var_mean(a.clone());
                a = (a - mean).div(var.sqrt().add_scalar(1e-8));
            }
            let leaves: Vec<Tensor<2>> = params.iter().map(|p| p.clone().autodiff().require_grad()).collect();
            let (mean, gate) = net.actor_and_gate(&leaves, obs.clone());
            let v = net.critic(&leaves, obs);
            let (logp, ent) = match sampler {
                // the covariance's inverse and log-determinant at these parameters, held constant
                // in a surrogate with the exact value and gradient (src/rl/lattice.rs)
                Sampler::Lattice(spd) => {
                    let sigma = super::lattice::covariance(net, &leaves)?;
                    let (p, logdet) = spd.solve(ctx, device, sigma.clone().inner())?;
                    super::lattice::log_prob_and_entropy(act - mean, sigma, p.autodiff(), logdet.autodiff())
                }
                // a mixture: `act` holds one-hot choices, `mean` the gate's scores
                Sampler::Mixture(_) => (
                    super::mixture_sampling::log_prob(act, mean.clone()),
                    super::mixture_sampling::entropy(mean),
                ),
                Sampler::Gaussian => {
                    let log_std = leaves[net.log_std.expect("a Gaussian policy has a log-std")].clone();
                    (log_prob(act, mean, log_std.clone()), entropy(log_std))
                }
            };
            let parts =
                ppo_loss(logp, logp_old, a, v, v_old, r_b, ent, cfg.clip as f64, cfg.value_clip as f64);
            let mut loss = parts.policy.clone() + parts.value.clone().mul_scalar(cfg.value_coef as f64)
                - parts.entropy.clone().mul_scalar(cfg.entropy_coef as f64);
            // a soft-MoE output layer's load balance: K Σ_k p̄_k² − 1, 0 when the experts are used alike
            if let Some(p) = gate {
                loss = loss + super::policy::load_balance(p).mul_scalar(balance_weight);
            }
            let grads = loss.backward();
            let g: Vec<Tensor<2>> = leaves
                .iter()
                .zip(&net.names)
                .map(|(p, name)| {
                    p.grad(&grads).ok_or_else(|| Error::Gpu(format!("no gradient for parameter {name}")))
                })
                .collect::<Result<_>>()?;
            let g = if ranks.size > 1 { average_over_ranks(ctx, device, g, ranks)? } else { g };
            let norm = adam.step(params, g, lr, cfg.max_grad_norm as f64);
            let row = Tensor::cat(
                vec![
                    parts.policy.inner(),
                    parts.value.inner(),
                    parts.entropy.inner(),
                    parts.approx_kl.inner(),
                    parts.clip_fraction.inner(),
                    norm,
                ],
                0,
            );
            sums.push(row);
            count += 1;
        }
    }
    let mean = Tensor::stack::<2>(sums, 0).sum_dim(0).reshape([6]).div_scalar(count as f64);
    Ok(UpdateStats(Tensor::cat(vec![mean, ev], 0)))
}

/// Every rank's gradients averaged (data-parallel PPO over MPI): flattened into one vector, read
/// to the host once, summed over the ranks (MPI_Allreduce gives every rank the same sum), scaled
/// by 1/ranks and split back, before the global-norm clip and Adam, so every rank takes the same
/// step and the parameters stay bitwise equal.
fn average_over_ranks(
    ctx: &GpuContext,
    device: &Device,
    grads: Vec<Tensor<2>>,
    ranks: &Ranks,
) -> Result<Vec<Tensor<2>>> {
    let t0 = std::time::Instant::now();
    let shapes: Vec<[usize; 2]> = grads.iter().map(|g| g.dims()).collect();
    let mut host = ranks.sum_f32(super::trainer::read_flat(ctx, grads)?);
    let scale = 1.0 / ranks.size as f32;
    host.iter_mut().for_each(|x| *x *= scale);
    ranks.count_reduction(t0.elapsed().as_secs_f64(), 4 * host.len() as u64);
    let mut at = 0;
    Ok(shapes
        .into_iter()
        .map(|s| {
            let n = s[0] * s[1];
            let part = host[at..at + n].to_vec();
            at += n;
            Tensor::from_data(TensorData::new(part, s), device)
        })
        .collect())
}
