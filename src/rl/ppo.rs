//! PPO's loss (Schulman et al. 2017) with value clipping, as tensor functions of a minibatch.

use burn::tensor::Tensor;

use super::reduce::mean_all;

/// The pieces of one minibatch's loss (`[1]` tensors).
pub struct LossParts {
    /// −mean(min(ρ·A, clip(ρ, 1−ε, 1+ε)·A)).
    pub policy: Tensor<1>,
    /// mean(max((V − R)², (V_old + clip(V − V_old, ±ε_v) − R)²)), or mean((V − R)²) unclipped.
    pub value: Tensor<1>,
    /// Entropy of the policy.
    pub entropy: Tensor<1>,
    /// mean((ρ − 1) − ln ρ): an estimate of KL(old ‖ new) (detached).
    pub approx_kl: Tensor<1>,
    /// Fraction of samples with |ρ − 1| > ε (detached).
    pub clip_fraction: Tensor<1>,
}

/// PPO's loss pieces. `logp_new`, `logp_old`, `advantages`, `values_new`, `values_old`,
/// `returns`: `[B]`; `entropy`: `[1]`.
#[allow(clippy::too_many_arguments)]
pub fn ppo_loss(
    logp_new: Tensor<1>,
    logp_old: Tensor<1>,
    advantages: Tensor<1>,
    values_new: Tensor<1>,
    values_old: Tensor<1>,
    returns: Tensor<1>,
    entropy: Tensor<1>,
    clip: f64,
    value_clip: f64,
) -> LossParts {
    let log_ratio = logp_new - logp_old;
    let ratio = log_ratio.clone().exp();
    let surrogate = ratio.clone() * advantages.clone();
    let clipped = ratio.clone().clamp(1.0 - clip, 1.0 + clip) * advantages;
    let policy = mean_all(surrogate.min_pair(clipped)).neg();
    let err = (values_new.clone() - returns.clone()).square();
    let value = if value_clip > 0.0 {
        let v_clipped = values_old.clone() + (values_new - values_old).clamp(-value_clip, value_clip);
        mean_all(err.max_pair((v_clipped - returns).square()))
    } else {
        mean_all(err)
    };
    let (r, lr) = (ratio.detach(), log_ratio.detach());
    let approx_kl = mean_all(r.clone().sub_scalar(1.0) - lr);
    let clip_fraction = mean_all(r.sub_scalar(1.0).abs().greater_elem(clip).float());
    LossParts { policy, value, entropy, approx_kl, clip_fraction }
}
