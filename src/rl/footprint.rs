//! The training's own GPU memory per world: the Burn tensors a PPO iteration allocates by design
//! (the bound environment outputs, a rollout's stored steps and their concatenation, GAE, and a
//! minibatch's gathers and activations with their gradients), as a [`Footprint`] added to the
//! simulator's, so `train.nworld` is checked against the adapter before Burn allocates anything.
//!
//! An estimate from the shapes, not a measurement: Burn's memory pool rounds allocations up and
//! keeps freed blocks, so real use is somewhat higher; the largest single tensor (a rollout's
//! `[T·N, nobs]` observations) is exact, and it is what meets the binding limit first.

use super::config::TrainFile;
use crate::sim::footprint::{BufferFootprint, Footprint};

/// Bytes of one f32 or i32 element.
const ELEM: u64 = 4;

/// Burn's tensors for `nobs` observations and `nu` actions under `cfg`, one entry per tensor.
pub fn training_footprint(nobs: usize, nu: usize, cfg: &TrainFile) -> Footprint {
    let (nobs, nu) = (nobs as u64, nu as u64);
    let t = cfg.train.horizon as u64;
    let minibatches = cfg.ppo.minibatches.max(1) as u64;
    let layers: Vec<u64> =
        cfg.policy.actor_hidden.iter().chain(&cfg.policy.critic_hidden).map(|&h| h as u64).collect();
    let mut buffers = Vec::new();
    let mut add = |label: &str, elements: u64, count: u64| {
        for _ in 0..count {
            buffers.push(BufferFootprint {
                label: format!("burn.{label}"),
                fixed: 0,
                per_world: elements * ELEM,
                tile: 1,
                // Burn binds each tensor whole
                chunked: false,
            });
        }
    };
    // the observations, rewards and done flags the environment writes
    add("env_io", nobs, 1);
    add("env_io", 1, 2);
    // each step's observations, actions and 5 scalars (log-probability, value, reward, ended,
    // raw reward) as collected, then each kind concatenated over the T steps
    add("rollout.step", nobs, t);
    add("rollout.step", nu, t);
    add("rollout.step", 1, 5 * t);
    add("rollout.obs", t * nobs, 1);
    add("rollout.actions", t * nu, 1);
    add("rollout.scalars", t, 5);
    // one step's forward passes: each hidden layer before and after its activation
    for &h in &layers {
        add("rollout.forward", h, 2);
    }
    // advantages, returns, and the permutation (random keys, sorted keys and indices)
    add("update.gae", t, 4);
    add("update.permutation", t, 3);
    // a minibatch: its gathered samples, and each layer's activations and their gradients
    add("update.minibatch", (t * nobs).div_ceil(minibatches), 1);
    add("update.minibatch", (t * nu).div_ceil(minibatches), 1);
    add("update.minibatch", t.div_ceil(minibatches), 5);
    for &h in &layers {
        add("update.activation", (t * h).div_ceil(minibatches), 4);
    }
    Footprint { buffers }
}
