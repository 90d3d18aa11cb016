//! The actor-critic: two MLPs (separate actor and critic) and a state-independent learned
//! log-std, as plain Burn tensors. Every parameter is a rank-2 tensor (biases, LayerNorm gains and
//! the log-std are `[1, n]` rows) so the optimiser and checkpoints treat them alike. Forward
//! passes take the parameter list as an argument: the rollout runs them on the plain (no
//! autodiff) tensors, the update on autodiff leaves made from the same values.

use burn::tensor::{Device, Tensor, TensorData, activation};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

use super::config::{Exploration, PolicyConfig, PolicyKind};
use super::onnx::{Activation, DenseLayer, LayerNorm, SoftMoeHead};
use crate::error::{Error, Result};

/// Indices (into the parameter list) of one dense layer.
#[derive(Debug, Clone)]
struct Dense {
    n_in: usize,
    n_out: usize,
    weight: usize,
    bias: usize,
    /// LayerNorm gain and shift (hidden layers, when configured).
    norm: Option<(usize, usize)>,
}

/// Indices of a soft mixture-of-experts output layer (`[h, K·nu]`, `[1, K·nu]` experts;
/// `[h, K]`, `[1, K]` gate) and its settings.
#[derive(Debug, Clone)]
struct SoftMoe {
    weight: usize,
    bias: usize,
    gate_weight: usize,
    gate_bias: usize,
    n_in: usize,
    experts: usize,
    temperature: f64,
}

/// Layout of the networks: which parameters make which layer.
#[derive(Debug, Clone)]
pub struct ActorCritic {
    /// Observation size.
    pub nobs: usize,
    /// Action size.
    pub nu: usize,
    /// Hidden activation.
    pub activation: Activation,
    actor: Vec<Dense>,
    /// A soft mixture-of-experts output layer after `actor` (whose layers are then all hidden).
    head: Option<SoftMoe>,
    critic: Vec<Dense>,
    /// Index of the `[1, nu]` log-std (Lattice: of the action noise σ_a); none for a mixture,
    /// whose actor is a gate (it explores by its choices).
    pub log_std: Option<usize>,
    /// Lattice: index of the `[1, h]` log-std of the last hidden layer's noise σ_z.
    pub latent_log_std: Option<usize>,
    /// Parameter names, in list order (checkpoints, export).
    pub names: Vec<String>,
    /// Parameter shapes `[rows, cols]`, in list order.
    pub shapes: Vec<[usize; 2]>,
}

const LN_EPS: f64 = 1e-5;

impl ActorCritic {
    /// The layout for `nobs` → `nu` under `cfg`.
    pub fn new(nobs: usize, nu: usize, cfg: &PolicyConfig) -> Self {
        let mut names = Vec::new();
        let mut shapes = Vec::new();
        let mut net = |prefix: &str, hidden: &[usize], n_out: usize| -> Vec<Dense> {
            let mut sizes = vec![nobs];
            sizes.extend_from_slice(hidden);
            sizes.push(n_out);
            (0..sizes.len() - 1)
                .map(|i| {
                    let (a, b) = (sizes[i], sizes[i + 1]);
                    let mut add = |n: String, s: [usize; 2]| {
                        names.push(n);
                        shapes.push(s);
                        names.len() - 1
                    };
                    let weight = add(format!("{prefix}.{i}.weight"), [a, b]);
                    let bias = add(format!("{prefix}.{i}.bias"), [1, b]);
                    let hidden_layer = i + 1 < sizes.len() - 1;
                    let norm = (cfg.layer_norm && hidden_layer).then(|| {
                        (
                            add(format!("{prefix}.{i}.ln_gamma"), [1, b]),
                            add(format!("{prefix}.{i}.ln_beta"), [1, b]),
                        )
                    });
                    Dense { n_in: a, n_out: b, weight, bias, norm }
                })
                .collect()
        };
        // a mixture's actor scores its experts; a soft-MoE actor ends in its hidden layers
        let moe = cfg.kind == PolicyKind::Moe;
        let soft = cfg.soft_moe_experts;
        let actor = match soft {
            0 => net("actor", &cfg.actor_hidden, if moe { cfg.experts.len() } else { nu }),
            _ if cfg.actor_hidden.is_empty() => Vec::new(),
            _ => {
                let (hidden, last) = cfg.actor_hidden.split_at(cfg.actor_hidden.len() - 1);
                net("actor", hidden, last[0])
            }
        };
        let critic = net("critic", &cfg.critic_hidden, 1);
        let head = (soft > 0).then(|| {
            let n_in = cfg.actor_hidden.last().copied().unwrap_or(nobs);
            let mut add = |name: &str, shape: [usize; 2]| {
                names.push(format!("actor.moe.{name}"));
                shapes.push(shape);
                names.len() - 1
            };
            SoftMoe {
                weight: add("weight", [n_in, soft * nu]),
                bias: add("bias", [1, soft * nu]),
                gate_weight: add("gate_weight", [n_in, soft]),
                gate_bias: add("gate_bias", [1, soft]),
                n_in,
                experts: soft,
                temperature: cfg.soft_moe_temperature as f64,
            }
        });
        let log_std = (!moe).then(|| {
            names.push("log_std".into());
            shapes.push([1, nu]);
            names.len() - 1
        });
        let latent_log_std = (cfg.exploration == Exploration::Lattice).then(|| {
            let h = cfg.actor_hidden.last().copied().unwrap_or(nobs);
            names.push("latent_log_std".into());
            shapes.push([1, h]);
            names.len() - 1
        });
        ActorCritic {
            nobs,
            nu,
            activation: cfg.activation,
            actor,
            head,
            critic,
            log_std,
            latent_log_std,
            names,
            shapes,
        }
    }

    /// Initial parameter values on the host (seeded): orthogonal weights (gain √2 for hidden
    /// layers, 0.01 for the actor's output, 1 for the critic's) or Kaiming-uniform, zero biases,
    /// LayerNorm 1/0, log-std = ln(init_std). Row-major `shapes[i]`.
    pub fn init_host(&self, cfg: &PolicyConfig, seed: u64) -> Vec<Vec<f32>> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut values: Vec<Vec<f32>> = self.shapes.iter().map(|s| vec![0.0; s[0] * s[1]]).collect();
        for (net, out_gain) in [(&self.actor, 0.01), (&self.critic, 1.0)] {
            for (i, d) in net.iter().enumerate() {
                let gain = if i + 1 == net.len() { out_gain } else { 2f64.sqrt() };
                values[d.weight] = if cfg.orthogonal_init {
                    orthogonal(d.n_in, d.n_out, gain, &mut rng)
                } else {
                    kaiming_uniform(d.n_in, d.n_out, &mut rng)
                };
                if let Some((g, _)) = d.norm {
                    values[g].fill(1.0);
                }
            }
        }
        if let Some(l) = self.log_std {
            values[l].fill(cfg.init_std.ln());
        }
        if let Some(h) = &self.head {
            // small outputs and a near-uniform gate, as the plain output layer starts
            values[h.weight] = orthogonal(h.n_in, h.experts * self.nu, 0.01, &mut rng);
            values[h.gate_weight] = orthogonal(h.n_in, h.experts, 0.01, &mut rng);
        }
        if let Some(l) = self.latent_log_std {
            values[l].fill(cfg.latent_init_std.ln());
        }
        values
    }

    /// Check host values against the layout (count and sizes).
    pub fn check_values(&self, values: &[Vec<f32>]) -> Result<()> {
        if values.len() != self.shapes.len() {
            return Err(Error::Config(format!(
                "{} parameter arrays, expected {}",
                values.len(),
                self.shapes.len()
            )));
        }
        for ((v, s), n) in values.iter().zip(&self.shapes).zip(&self.names) {
            if v.len() != s[0] * s[1] {
                return Err(Error::Config(format!("parameter {n}: {} values, expected {:?}", v.len(), s)));
            }
        }
        Ok(())
    }

    /// Upload host values as tensors on `device`.
    pub fn to_tensors(&self, values: &[Vec<f32>], device: &Device) -> Result<Vec<Tensor<2>>> {
        self.check_values(values)?;
        Ok(values
            .iter()
            .zip(&self.shapes)
            .map(|(v, s)| Tensor::from_data(TensorData::new(v.clone(), *s), device))
            .collect())
    }

    /// The layers of `net` on `x`; every layer but the last is normalised (when configured) and
    /// activated, the last too when `activate_last`.
    fn mlp(&self, net: &[Dense], p: &[Tensor<2>], x: Tensor<2>, activate_last: bool) -> Tensor<2> {
        let mut x = x;
        for (i, d) in net.iter().enumerate() {
            x = x.matmul(p[d.weight].clone()) + p[d.bias].clone();
            if i + 1 < net.len() || activate_last {
                if let Some((g, b)) = d.norm {
                    x = layer_norm(x, p[g].clone(), p[b].clone(), LN_EPS);
                }
                x = activate(self.activation, x);
            }
        }
        x
    }

    /// Index of the actor's last weight matrix `[h, nu]` (the action head).
    pub fn action_head(&self) -> usize {
        self.actor.last().expect("an actor has an output layer").weight
    }

    /// Mean action `[batch, nu]` of normalised observations `[batch, nobs]` (a mixture: the
    /// gate's scores `[batch, K]`).
    pub fn actor(&self, p: &[Tensor<2>], obs: Tensor<2>) -> Tensor<2> {
        self.actor_and_gate(p, obs).0
    }

    /// [`ActorCritic::actor`], with a soft-MoE output layer's gate probabilities `[batch, K]`.
    pub fn actor_and_gate(&self, p: &[Tensor<2>], obs: Tensor<2>) -> (Tensor<2>, Option<Tensor<2>>) {
        let Some(h) = &self.head else { return (self.mlp(&self.actor, p, obs, false), None) };
        let z = self.mlp(&self.actor, p, obs, true);
        let head = [h.weight, h.bias, h.gate_weight, h.gate_bias].map(|i| p[i].clone());
        let (mixed, probs) = soft_moe(z, head, h.experts, h.temperature);
        (mixed, Some(probs))
    }

    /// Value `[batch]` of normalised observations `[batch, nobs]`.
    pub fn critic(&self, p: &[Tensor<2>], obs: Tensor<2>) -> Tensor<1> {
        self.mlp(&self.critic, p, obs, false).squeeze_dim(1)
    }

    /// The actor's soft-MoE output layer as exported, from host parameter values.
    pub fn actor_head(&self, values: &[Vec<f32>]) -> Option<SoftMoeHead> {
        self.head.as_ref().map(|h| SoftMoeHead {
            n_in: h.n_in,
            n_out: self.nu,
            experts: h.experts,
            temperature: h.temperature as f32,
            weight: values[h.weight].clone(),
            bias: values[h.bias].clone(),
            gate_weight: values[h.gate_weight].clone(),
            gate_bias: values[h.gate_bias].clone(),
        })
    }

    /// The actor's layers as host arrays (for export), from host parameter values.
    pub fn actor_layers(&self, values: &[Vec<f32>]) -> Vec<DenseLayer> {
        self.actor
            .iter()
            .map(|d| DenseLayer {
                n_in: d.n_in,
                n_out: d.n_out,
                weight: values[d.weight].clone(),
                bias: values[d.bias].clone(),
                layer_norm: d.norm.map(|(g, b)| LayerNorm {
                    gamma: values[g].clone(),
                    beta: values[b].clone(),
                    eps: LN_EPS as f32,
                }),
            })
            .collect()
    }
}

/// LayerNorm of each row of `x` `[batch, n]` with gain and shift `[1, n]`.
pub fn layer_norm(x: Tensor<2>, gamma: Tensor<2>, beta: Tensor<2>, eps: f64) -> Tensor<2> {
    let (var, mean) = x.clone().var_mean_bias(1);
    (x - mean).div(var.add_scalar(eps).sqrt()) * gamma + beta
}

/// The hidden-layer nonlinearity `a` on `x`.
pub fn activate(a: Activation, x: Tensor<2>) -> Tensor<2> {
    match a {
        Activation::Silu => activation::silu(x),
        Activation::Elu => activation::elu(x, 1.0),
        Activation::Tanh => activation::tanh(x),
    }
}

/// A soft mixture-of-experts layer on `z` `[batch, h]`: experts `[h, K·nu]`, `[1, K·nu]` and gate
/// `[h, K]`, `[1, K]` (`[weight, bias, gate_weight, gate_bias]`); the mixed output `[batch, nu]`
/// and the gate's probabilities `[batch, K]` at `temperature`.
pub fn soft_moe(z: Tensor<2>, p: [Tensor<2>; 4], experts: usize, temperature: f64) -> (Tensor<2>, Tensor<2>) {
    let [w, b, gw, gb] = p;
    let n = z.dims()[0];
    let nu = w.dims()[1] / experts;
    let probs = activation::softmax((z.clone().matmul(gw) + gb).div_scalar(temperature), 1);
    let heads = (z.matmul(w) + b).reshape([n, experts, nu]);
    let mixed = (heads * probs.clone().reshape([n, experts, 1])).sum_dim(1).reshape([n, nu]);
    (mixed, probs)
}

/// A soft-MoE layer's load-balancing loss `[1]` for gate probabilities `[batch, K]`:
/// `K Σ_k p̄_k² − 1` with `p̄` the batch's mean probabilities; 0 when every expert gets the same
/// share, `K − 1` when one takes everything.
pub fn load_balance(probs: Tensor<2>) -> Tensor<1> {
    let [b, k] = probs.dims();
    let mean = super::reduce::sum_rows(probs).div_scalar(b as f64);
    super::reduce::sum_all(mean.square()).mul_scalar(k as f64).sub_scalar(1.0)
}

/// log N(a; mean, exp(log_std)) summed over the action dims: `[batch]`.
/// `action`, `mean`: `[batch, nu]`; `log_std`: `[1, nu]`.
pub fn log_prob(action: Tensor<2>, mean: Tensor<2>, log_std: Tensor<2>) -> Tensor<1> {
    let nu = log_std.dims()[1] as f64;
    let z = (action - mean).div(log_std.clone().exp());
    let quad = z.square().sum_dim(1).squeeze_dim::<1>(1).mul_scalar(-0.5);
    quad.sub_scalar(0.5 * nu * (2.0 * std::f64::consts::PI).ln()) - super::reduce::sum_all(log_std)
}

/// Entropy of the Gaussian (the same for every state): `[1]`.
pub fn entropy(log_std: Tensor<2>) -> Tensor<1> {
    let nu = log_std.dims()[1] as f64;
    super::reduce::sum_all(log_std).add_scalar(0.5 * nu * (1.0 + (2.0 * std::f64::consts::PI).ln()))
}

/// A semi-orthogonal `n_in × n_out` matrix times `gain` (Gram–Schmidt on Gaussian draws, signs
/// fixed so the result is unique for the draw).
fn orthogonal(n_in: usize, n_out: usize, gain: f64, rng: &mut StdRng) -> Vec<f32> {
    // orthonormal vectors of length `len`, `count` of them (count <= len)
    let (len, count) = if n_in >= n_out { (n_in, n_out) } else { (n_out, n_in) };
    let mut basis: Vec<Vec<f64>> = Vec::with_capacity(count);
    while basis.len() < count {
        let mut v: Vec<f64> = (0..len).map(|_| StandardNormal.sample(rng)).collect();
        for _ in 0..2 {
            // twice: modified Gram–Schmidt loses orthogonality in one pass for large sizes
            for b in &basis {
                let d: f64 = v.iter().zip(b).map(|(x, y)| x * y).sum();
                v.iter_mut().zip(b).for_each(|(x, y)| *x -= d * y);
            }
        }
        let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if n > 1e-6 {
            basis.push(v.into_iter().map(|x| x / n).collect());
        }
    }
    let mut w = vec![0f32; n_in * n_out];
    for r in 0..n_in {
        for c in 0..n_out {
            // columns orthonormal when n_in >= n_out, rows otherwise
            let x = if n_in >= n_out { basis[c][r] } else { basis[r][c] };
            w[r * n_out + c] = (gain * x) as f32;
        }
    }
    w
}

/// Kaiming-uniform (a = √5, PyTorch's `Linear` default): U(±1/√n_in).
fn kaiming_uniform(n_in: usize, n_out: usize, rng: &mut StdRng) -> Vec<f32> {
    let bound = 1.0 / (n_in as f64).sqrt();
    let u = rand_distr::Uniform::new(-bound, bound).expect("bound > 0");
    (0..n_in * n_out).map(|_| u.sample(rng) as f32).collect()
}
