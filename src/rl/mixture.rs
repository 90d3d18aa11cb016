//! KINESIS' mixture of experts (`policy.kind = "moe"`): frozen expert policies, each a trained
//! deterministic policy (its own observation normaliser and MLP), and a gate — the run's actor,
//! an MLP from the run's normalised observations to one score per expert. Training samples an
//! expert from the gate's softmax (PPO on the gate: the log-probability is the chosen expert's);
//! the action is that expert's mean action. The deployed policy (evaluation, ONNX) takes the
//! expert the gate scores highest.
//!
//! A mixture run's checkpoints hold its experts' arrays (`expert/<k>/...`), so evaluation,
//! export and resume need nothing but the checkpoint.

use std::path::{Path, PathBuf};

use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use super::checkpoint::{self, Checkpoint};
use super::config::PolicyKind;
use super::onnx::{Activation, DenseLayer, LayerNorm, PolicyExport, SoftMoeHead, host_forward};
use super::policy::{activate, layer_norm, soft_moe};
use crate::error::{Error, Result};

/// One expert's arrays on the device.
struct DeviceExpert {
    mean: Tensor<2>,
    std: Tensor<2>,
    clip: f64,
    activation: Activation,
    /// Per layer: weight `[n_in, n_out]`, bias `[1, n_out]`, LayerNorm (gamma, beta, eps).
    layers: Vec<(Tensor<2>, Tensor<2>, Option<(Tensor<2>, Tensor<2>, f64)>)>,
    /// A soft mixture-of-experts output layer after `layers`.
    head: Option<DeviceSoftMoe>,
}

/// A soft-MoE output layer on the device (see [`SoftMoeHead`]).
struct DeviceSoftMoe {
    weight: Tensor<2>,
    bias: Tensor<2>,
    gate_weight: Tensor<2>,
    gate_bias: Tensor<2>,
    experts: usize,
    temperature: f64,
}

/// The frozen experts of a mixture, on the host and on the device.
pub struct Experts {
    /// Their deterministic policies, in gate order.
    pub policies: Vec<PolicyExport>,
    device: Vec<DeviceExpert>,
}

impl Experts {
    /// Load each expert (a checkpoint, or a run directory's latest) of a policy with `nobs`
    /// observations and `nu` actions; an expert of other sizes, or a mixture itself, is refused
    /// by name.
    pub fn load(paths: &[PathBuf], nobs: usize, nu: usize) -> Result<Vec<PolicyExport>> {
        paths
            .iter()
            .map(|p| {
                let path = checkpoint::latest(p)?;
                let c = Checkpoint::load(&path)?;
                let what = path.display();
                if c.meta.policy.kind == PolicyKind::Moe {
                    return Err(Error::Config(format!("policy.experts: {what} is a mixture itself")));
                }
                if (c.meta.nobs, c.meta.nu) != (nobs, nu) {
                    return Err(Error::Config(format!(
                        "policy.experts: {what} takes {} observations and gives {} actions; this environment has {nobs} \
                         and {nu}",
                        c.meta.nobs, c.meta.nu
                    )));
                }
                super::export::policy_of(&c)
            })
            .collect()
    }

    /// Upload `policies` to `device`.
    pub fn new(policies: Vec<PolicyExport>, device: &Device) -> Result<Self> {
        let row = |v: &[f32]| Tensor::<2>::from_data(TensorData::new(v.to_vec(), [1, v.len()]), device);
        let on_device = policies
            .iter()
            .map(|p| {
                p.validate()?;
                let layers = p
                    .layers
                    .iter()
                    .map(|l| {
                        let w = Tensor::<2>::from_data(
                            TensorData::new(l.weight.clone(), [l.n_in, l.n_out]),
                            device,
                        );
                        let ln = l.layer_norm.as_ref().map(|n| (row(&n.gamma), row(&n.beta), n.eps as f64));
                        (w, row(&l.bias), ln)
                    })
                    .collect();
                let matrix = |v: &[f32], r: usize, c: usize| {
                    Tensor::<2>::from_data(TensorData::new(v.to_vec(), [r, c]), device)
                };
                let head = p.head.as_ref().map(|h| DeviceSoftMoe {
                    weight: matrix(&h.weight, h.n_in, h.experts * h.n_out),
                    bias: row(&h.bias),
                    gate_weight: matrix(&h.gate_weight, h.n_in, h.experts),
                    gate_bias: row(&h.gate_bias),
                    experts: h.experts,
                    temperature: h.temperature as f64,
                });
                Ok(DeviceExpert {
                    mean: row(&p.obs_mean),
                    std: row(&p.obs_std),
                    clip: p.obs_clip as f64,
                    activation: p.activation,
                    layers,
                    head,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Experts { policies, device: on_device })
    }

    /// Each expert's action `[N, nu]` for raw observations `obs` `[N, nobs]` (what `host_forward`
    /// computes, on the device).
    pub fn actions(&self, obs: Tensor<2>) -> Vec<Tensor<2>> {
        self.device
            .iter()
            .map(|e| {
                let mut x = ((obs.clone() - e.mean.clone()) / e.std.clone()).clamp(-e.clip, e.clip);
                // with a soft-MoE head every layer is hidden
                let last = if e.head.is_some() { usize::MAX } else { e.layers.len() - 1 };
                for (i, (w, b, ln)) in e.layers.iter().enumerate() {
                    x = x.matmul(w.clone()) + b.clone();
                    if i < last {
                        if let Some((g, beta, eps)) = ln {
                            x = layer_norm(x, g.clone(), beta.clone(), *eps);
                        }
                        x = activate(e.activation, x);
                    }
                }
                match &e.head {
                    Some(h) => {
                        let p = [&h.weight, &h.bias, &h.gate_weight, &h.gate_bias].map(|t| t.clone());
                        soft_moe(x, p, h.experts, h.temperature).0
                    }
                    None => x,
                }
            })
            .collect()
    }

    /// Write the experts into checkpoint `c`.
    pub fn save(&self, c: &mut Checkpoint) -> Result<()> {
        save_experts(&self.policies, c)
    }
}

/// How each expert's arrays are laid out in a checkpoint (the `experts` blob, JSON).
#[derive(Serialize, Deserialize)]
struct ExpertShape {
    obs_clip: f32,
    activation: Activation,
    /// Per layer: (n_in, n_out, LayerNorm eps when it has one).
    layers: Vec<(usize, usize, Option<f32>)>,
    /// A soft-MoE output layer: (n_in, n_out, experts, temperature).
    #[serde(default)]
    head: Option<(usize, usize, usize, f32)>,
}

fn save_experts(policies: &[PolicyExport], c: &mut Checkpoint) -> Result<()> {
    let mut shapes = Vec::new();
    for (k, p) in policies.iter().enumerate() {
        c.put_f32s(&format!("expert/{k}/obs_mean"), &p.obs_mean);
        c.put_f32s(&format!("expert/{k}/obs_std"), &p.obs_std);
        for (i, l) in p.layers.iter().enumerate() {
            c.put_f32s(&format!("expert/{k}/l{i}/weight"), &l.weight);
            c.put_f32s(&format!("expert/{k}/l{i}/bias"), &l.bias);
            if let Some(n) = &l.layer_norm {
                c.put_f32s(&format!("expert/{k}/l{i}/ln_gamma"), &n.gamma);
                c.put_f32s(&format!("expert/{k}/l{i}/ln_beta"), &n.beta);
            }
        }
        if let Some(h) = &p.head {
            c.put_f32s(&format!("expert/{k}/moe/weight"), &h.weight);
            c.put_f32s(&format!("expert/{k}/moe/bias"), &h.bias);
            c.put_f32s(&format!("expert/{k}/moe/gate_weight"), &h.gate_weight);
            c.put_f32s(&format!("expert/{k}/moe/gate_bias"), &h.gate_bias);
        }
        shapes.push(ExpertShape {
            obs_clip: p.obs_clip,
            activation: p.activation,
            layers: p
                .layers
                .iter()
                .map(|l| (l.n_in, l.n_out, l.layer_norm.as_ref().map(|n| n.eps)))
                .collect(),
            head: p.head.as_ref().map(|h| (h.n_in, h.n_out, h.experts, h.temperature)),
        });
    }
    let json = serde_json::to_vec(&shapes).map_err(|e| Error::Config(format!("checkpoint experts: {e}")))?;
    c.blobs.insert("experts".into(), json);
    Ok(())
}

/// The experts a mixture checkpoint holds.
pub fn experts_of(c: &Checkpoint) -> Result<Vec<PolicyExport>> {
    let shapes: Vec<ExpertShape> = serde_json::from_slice(c.blob("experts")?)
        .map_err(|e| Error::Config(format!("checkpoint 'experts': {e}")))?;
    shapes
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let layers = s
                .layers
                .iter()
                .enumerate()
                .map(|(i, &(n_in, n_out, eps))| {
                    let f = |n: &str| c.f32s(&format!("expert/{k}/l{i}/{n}"));
                    let layer_norm = match eps {
                        Some(eps) => Some(LayerNorm { gamma: f("ln_gamma")?, beta: f("ln_beta")?, eps }),
                        None => None,
                    };
                    Ok(DenseLayer { n_in, n_out, weight: f("weight")?, bias: f("bias")?, layer_norm })
                })
                .collect::<Result<_>>()?;
            let p = PolicyExport {
                obs_mean: c.f32s(&format!("expert/{k}/obs_mean"))?,
                obs_std: c.f32s(&format!("expert/{k}/obs_std"))?,
                obs_clip: s.obs_clip,
                layers,
                activation: s.activation,
                head: match s.head {
                    Some((n_in, n_out, experts, temperature)) => {
                        let f = |n: &str| c.f32s(&format!("expert/{k}/moe/{n}"));
                        Some(SoftMoeHead {
                            n_in,
                            n_out,
                            experts,
                            temperature,
                            weight: f("weight")?,
                            bias: f("bias")?,
                            gate_weight: f("gate_weight")?,
                            gate_bias: f("gate_bias")?,
                        })
                    }
                    None => None,
                },
            };
            p.validate().map_err(|e| Error::Config(format!("checkpoint expert {k}: {e}")))?;
            Ok(p)
        })
        .collect()
}

/// What a checkpoint deploys: a policy, or a mixture of experts.
#[derive(Debug, Clone, PartialEq)]
pub enum Deployed {
    /// A policy: the actor's mean action.
    Mlp(PolicyExport),
    /// A gate (scores `[K]`) and its experts: the action of the expert scored highest.
    Mixture {
        /// The gate: the run's normaliser and actor, one output per expert.
        gate: PolicyExport,
        /// The experts, in gate order.
        experts: Vec<PolicyExport>,
    },
}

impl Deployed {
    /// The deterministic actions `[batch, nu]` of observations `obs` `[batch, nobs]`, on the host.
    pub fn forward(&self, obs: &[f32]) -> Result<Vec<f32>> {
        match self {
            Deployed::Mlp(p) => host_forward(p, obs),
            Deployed::Mixture { gate, experts } => {
                let scores = host_forward(gate, obs)?;
                let k = experts.len();
                let actions: Vec<Vec<f32>> =
                    experts.iter().map(|e| host_forward(e, obs)).collect::<Result<_>>()?;
                let nu = experts[0].nu();
                let mut out = Vec::with_capacity(scores.len() / k * nu);
                for (row, s) in scores.chunks(k).enumerate() {
                    // the first of equal maxima, as ONNX's ArgMax
                    let best = (0..k).fold(0, |b, j| if s[j] > s[b] { j } else { b });
                    out.extend_from_slice(&actions[best][row * nu..(row + 1) * nu]);
                }
                Ok(out)
            }
        }
    }

    /// Write the deterministic policy as ONNX (input `obs`, output `action`).
    pub fn write_onnx(&self, path: &Path, note: &str) -> Result<()> {
        match self {
            Deployed::Mlp(p) => super::onnx::write_policy_onnx(path, p, note),
            Deployed::Mixture { gate, experts } => super::onnx::write_mixture_onnx(path, gate, experts, note),
        }
    }
}

/// The deployed policy of checkpoint `c`.
pub fn deployed_of(c: &Checkpoint) -> Result<Deployed> {
    let gate_or_policy = super::export::policy_of(c)?;
    Ok(match c.meta.policy.kind {
        PolicyKind::Mlp => Deployed::Mlp(gate_or_policy),
        PolicyKind::Moe => Deployed::Mixture { gate: gate_or_policy, experts: experts_of(c)? },
    })
}
