//! The deterministic policy (normaliser + actor mean) of a checkpoint, as host arrays: what
//! `sinew eval` runs and what the ONNX export writes.

use super::checkpoint::Checkpoint;
use super::normalizer::VAR_EPS;
use super::onnx::PolicyExport;
use super::policy::ActorCritic;
use crate::error::Result;

/// The policy of checkpoint `c`.
pub fn policy_of(c: &Checkpoint) -> Result<PolicyExport> {
    let m = &c.meta;
    let net = ActorCritic::new(m.nobs, m.nu, &m.policy);
    let values: Vec<Vec<f32>> =
        net.names.iter().map(|n| c.f32s(&format!("param/{n}"))).collect::<Result<_>>()?;
    net.check_values(&values)?;
    let var = c.f32s("norm/var")?;
    Ok(PolicyExport {
        obs_mean: c.f32s("norm/mean")?,
        obs_std: var.iter().map(|v| ((*v as f64) + VAR_EPS).sqrt() as f32).collect(),
        obs_clip: m.policy.obs_clip,
        layers: net.actor_layers(&values),
        activation: m.policy.activation,
        head: net.actor_head(&values),
    })
}
