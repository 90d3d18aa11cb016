//! Export a trained Gaussian-policy actor as ONNX (opset 17): the deterministic action (the
//! Gaussian's mean) as a function of the raw observation, so a MuJoCo/MyoSuite user can run the
//! policy with onnxruntime and no sinew.
//!
//! The graph is `obs [batch, nobs]` → `Sub(mean)` → `Div(std)` → `Clip(−clip, clip)` → per
//! hidden layer `Gemm` → `LayerNormalization`? → activation → … → last `Gemm` → `action
//! [batch, nu]`. [`host_forward`] computes the same thing on the CPU (the reference the export is
//! tested against).
//!
//! Protobuf: no light, maintained crate ships the ONNX messages (`onnx-protobuf` brings
//! rust-protobuf and its generated code for the whole schema; `onnx-pb` sits on a 2020 prost), so
//! the few messages this graph needs are declared below with `prost` derives, field numbers from
//! `onnx/onnx.proto`. Fields we never set are left out; readers treat them as absent.

use std::path::Path;

use prost::Message;
use serde::{Deserialize, Serialize};

use crate::atomic_file::write_atomic;
use crate::error::{Error, Result};

/// Hidden-layer nonlinearity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// x · sigmoid(x).
    Silu,
    /// x for x > 0, exp(x) − 1 otherwise (alpha 1).
    Elu,
    /// tanh(x).
    Tanh,
}

/// Layer normalization over the features of one layer's output, applied after `x·W + b` and
/// before the activation: `(y − mean(y)) / sqrt(var(y) + eps) · gamma + beta` (biased variance).
#[derive(Debug, Clone, PartialEq)]
pub struct LayerNorm {
    /// Scale, `[n_out]`.
    pub gamma: Vec<f32>,
    /// Shift, `[n_out]`.
    pub beta: Vec<f32>,
    /// Added to the variance; > 0.
    pub eps: f32,
}

/// One fully connected layer, `y = x·W + b`.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseLayer {
    /// Input width.
    pub n_in: usize,
    /// Output width.
    pub n_out: usize,
    /// `W`, `[n_in, n_out]` row-major.
    pub weight: Vec<f32>,
    /// `b`, `[n_out]`.
    pub bias: Vec<f32>,
    /// Normalization of this layer's output (hidden layers only).
    pub layer_norm: Option<LayerNorm>,
}

/// A trained actor's deterministic policy: observation normalization and an MLP whose last layer
/// outputs the action mean.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyExport {
    /// Running observation mean, `[nobs]`.
    pub obs_mean: Vec<f32>,
    /// Running observation standard deviation, `[nobs]`, every entry > 0.
    pub obs_std: Vec<f32>,
    /// Normalized observations are clamped to `[−obs_clip, obs_clip]`; > 0 (may be infinite).
    pub obs_clip: f32,
    /// The MLP, input first; `layers[0].n_in == nobs`, the last layer's `n_out` is `nu`.
    pub layers: Vec<DenseLayer>,
    /// Nonlinearity of every layer but the last (of every layer when there is a `head`).
    pub activation: Activation,
    /// A soft mixture-of-experts output layer after `layers` (MuscleMimic's), instead of the
    /// last layer giving the action.
    pub head: Option<SoftMoeHead>,
}

/// A soft mixture-of-experts output layer: `K` linear experts and a linear gate on the same input
/// `z`; the output is `Σ_k softmax((z G + g) / T)_k (z W_k + b_k)`.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftMoeHead {
    /// Input width.
    pub n_in: usize,
    /// Output width (the action's).
    pub n_out: usize,
    /// Experts K.
    pub experts: usize,
    /// Softmax temperature T.
    pub temperature: f32,
    /// `[n_in, K·n_out]` row-major: column `k·n_out + j` is expert k's output j.
    pub weight: Vec<f32>,
    /// `[K·n_out]`.
    pub bias: Vec<f32>,
    /// `[n_in, K]` row-major.
    pub gate_weight: Vec<f32>,
    /// `[K]`.
    pub gate_bias: Vec<f32>,
}

impl SoftMoeHead {
    /// The output `[n_out]` of input `z` `[n_in]`.
    pub fn forward(&self, z: &[f32]) -> Vec<f32> {
        let (k, n) = (self.experts, self.n_out);
        let affine = |w: &[f32], b: &[f32], width: usize| {
            let mut y = b.to_vec();
            for (zi, row) in z.iter().zip(w.chunks_exact(width)) {
                for (yj, wj) in y.iter_mut().zip(row) {
                    *yj += zi * wj;
                }
            }
            y
        };
        let scores: Vec<f32> =
            affine(&self.gate_weight, &self.gate_bias, k).iter().map(|s| s / self.temperature).collect();
        let top = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let e: Vec<f32> = scores.iter().map(|s| (s - top).exp()).collect();
        let total: f32 = e.iter().sum();
        let heads = affine(&self.weight, &self.bias, k * n);
        (0..n).map(|j| (0..k).map(|e_| e[e_] / total * heads[e_ * n + j]).sum()).collect()
    }

    fn validate(&self, n_in: usize) -> std::result::Result<(), String> {
        let (k, n) = (self.experts, self.n_out);
        if self.n_in != n_in || k == 0 || n == 0 {
            return Err(format!("soft MoE head is {} → {k} × {n}, its input is {n_in} wide", self.n_in));
        }
        let sizes = [
            ("weight", self.weight.len(), n_in * k * n),
            ("bias", self.bias.len(), k * n),
            ("gate_weight", self.gate_weight.len(), n_in * k),
            ("gate_bias", self.gate_bias.len(), k),
        ];
        for (name, got, want) in sizes {
            if got != want {
                return Err(format!("soft MoE head {name} has {got} values, expected {want}"));
            }
        }
        if !(self.temperature > 0.0 && self.temperature.is_finite()) {
            return Err(format!("soft MoE temperature = {} must be > 0", self.temperature));
        }
        let all = self.weight.iter().chain(&self.bias).chain(&self.gate_weight).chain(&self.gate_bias);
        if all.clone().any(|v| !v.is_finite()) {
            return Err("soft MoE head has non-finite parameters".into());
        }
        Ok(())
    }
}

impl PolicyExport {
    /// Observation width `nobs` (0 when there are no layers).
    pub fn nobs(&self) -> usize {
        self.layers.first().map(|l| l.n_in).or(self.head.as_ref().map(|h| h.n_in)).unwrap_or(0)
    }

    /// Action width `nu` (0 when there are no layers).
    pub fn nu(&self) -> usize {
        match &self.head {
            Some(h) => h.n_out,
            None => self.layers.last().map_or(0, |l| l.n_out),
        }
    }

    /// Checks every shape and value the export relies on; the error names the offending field.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::Config(format!("policy export: {msg}")));
        if self.layers.is_empty() && self.head.is_none() {
            return bad("no layers".into());
        }
        let nobs = self.nobs();
        if self.obs_mean.len() != nobs || self.obs_std.len() != nobs {
            return bad(format!(
                "obs_mean has {} and obs_std {} entries, the first layer takes nobs = {nobs}",
                self.obs_mean.len(),
                self.obs_std.len()
            ));
        }
        if let Some(i) = self.obs_mean.iter().position(|v| !v.is_finite()) {
            return bad(format!("obs_mean[{i}] = {} is not finite", self.obs_mean[i]));
        }
        if let Some(i) = self.obs_std.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
            return bad(format!("obs_std[{i}] = {} is not a positive number", self.obs_std[i]));
        }
        if self.obs_clip.is_nan() || self.obs_clip <= 0.0 {
            return bad(format!("obs_clip = {} must be > 0", self.obs_clip));
        }
        // with a head every layer is hidden (activated, may be normalised)
        let last = if self.head.is_some() { usize::MAX } else { self.layers.len() - 1 };
        if let Some(h) = &self.head {
            let n_in = self.layers.last().map_or(nobs, |l| l.n_out);
            h.validate(n_in).or_else(bad)?;
        }
        for (i, l) in self.layers.iter().enumerate() {
            if l.n_in == 0 || l.n_out == 0 {
                return bad(format!("layer {i} is {} × {}: widths must be > 0", l.n_in, l.n_out));
            }
            if i > 0 && l.n_in != self.layers[i - 1].n_out {
                return bad(format!(
                    "layer {i} takes {} inputs but layer {} outputs {}",
                    l.n_in,
                    i - 1,
                    self.layers[i - 1].n_out
                ));
            }
            if l.weight.len() != l.n_in * l.n_out {
                return bad(format!(
                    "layer {i} weight has {} values, expected n_in × n_out = {} × {}",
                    l.weight.len(),
                    l.n_in,
                    l.n_out
                ));
            }
            if l.bias.len() != l.n_out {
                return bad(format!(
                    "layer {i} bias has {} values, expected n_out = {}",
                    l.bias.len(),
                    l.n_out
                ));
            }
            if l.weight.iter().chain(&l.bias).any(|v| !v.is_finite()) {
                return bad(format!("layer {i} has non-finite weights or biases"));
            }
            if let Some(ln) = &l.layer_norm {
                if i == last {
                    return bad(format!("layer {i} is the output layer and cannot have a layer norm"));
                }
                if ln.gamma.len() != l.n_out || ln.beta.len() != l.n_out {
                    return bad(format!(
                        "layer {i} layer norm has {} gammas and {} betas, expected n_out = {}",
                        ln.gamma.len(),
                        ln.beta.len(),
                        l.n_out
                    ));
                }
                if ln.gamma.iter().chain(&ln.beta).any(|v| !v.is_finite()) {
                    return bad(format!("layer {i} layer norm has non-finite parameters"));
                }
                if !(ln.eps > 0.0 && ln.eps.is_finite()) {
                    return bad(format!("layer {i} layer norm eps = {} must be > 0", ln.eps));
                }
            }
        }
        Ok(())
    }
}

/// Runs the policy on the CPU in f32, exactly the computation the ONNX graph describes.
/// `obs` is `[batch, nobs]` row-major (batch may be 0); returns the actions, `[batch, nu]`.
pub fn host_forward(p: &PolicyExport, obs: &[f32]) -> Result<Vec<f32>> {
    p.validate()?;
    let nobs = p.nobs();
    if !obs.len().is_multiple_of(nobs) {
        return Err(Error::Config(format!(
            "policy forward: {} observation values are not a whole number of rows of nobs = {nobs}",
            obs.len()
        )));
    }
    let batch = obs.len() / nobs;
    let mut out = Vec::with_capacity(batch * p.nu());
    for row in obs.chunks_exact(nobs) {
        let mut x: Vec<f32> = row
            .iter()
            .zip(p.obs_mean.iter().zip(&p.obs_std))
            .map(|(o, (m, s))| ((o - m) / s).clamp(-p.obs_clip, p.obs_clip))
            .collect();
        for (i, l) in p.layers.iter().enumerate() {
            let mut y = l.bias.clone();
            // i-k-j order walks W's rows contiguously.
            for (xk, wrow) in x.iter().zip(l.weight.chunks_exact(l.n_out)) {
                for (yj, w) in y.iter_mut().zip(wrow) {
                    *yj += xk * w;
                }
            }
            if i + 1 < p.layers.len() || p.head.is_some() {
                if let Some(ln) = &l.layer_norm {
                    layer_norm(&mut y, ln);
                }
                y.iter_mut().for_each(|v| *v = activate(p.activation, *v));
            }
            x = y;
        }
        if let Some(h) = &p.head {
            x = h.forward(&x);
        }
        out.extend_from_slice(&x);
    }
    Ok(out)
}

fn layer_norm(y: &mut [f32], ln: &LayerNorm) {
    let n = y.len() as f32;
    let mean = y.iter().sum::<f32>() / n;
    let var = y.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
    let inv = 1.0 / (var + ln.eps).sqrt();
    for ((v, g), b) in y.iter_mut().zip(&ln.gamma).zip(&ln.beta) {
        *v = (*v - mean) * inv * g + b;
    }
}

fn activate(a: Activation, x: f32) -> f32 {
    match a {
        Activation::Silu => x / (1.0 + (-x).exp()),
        Activation::Elu => {
            if x > 0.0 {
                x
            } else {
                x.exp_m1()
            }
        }
        Activation::Tanh => x.tanh(),
    }
}

/// Writes `p` as an ONNX model (opset 17, IR version 8) to `path`, atomically (a temporary file
/// beside it, then a rename). Input `"obs"`: float32 `[batch, nobs]` with `batch` symbolic;
/// output `"action"`: float32 `[batch, nu]`. `producer_note` goes into the model's doc string
/// (say which run and checkpoint it came from).
pub fn write_policy_onnx(path: &Path, p: &PolicyExport, producer_note: &str) -> Result<()> {
    p.validate()?;
    write_model(path, graph(p), producer_note)
}

/// `graph` as an ONNX model (opset 17, IR version 8) at `path`, atomically.
fn write_model(path: &Path, graph: GraphProto, note: &str) -> Result<()> {
    let model = ModelProto {
        ir_version: 8,
        producer_name: "sinew".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        doc_string: note.into(),
        graph: Some(graph),
        opset_import: vec![OperatorSetIdProto { domain: String::new(), version: 17 }],
    };
    write_atomic(path, &model.encode_to_vec())
}

fn graph(p: &PolicyExport) -> GraphProto {
    let mut g = GraphBuilder::default();
    append_mlp(&mut g, p, "", "action");
    GraphProto {
        name: "sinew_policy".into(),
        doc_string: "deterministic policy: action = mean of the Gaussian policy given obs".into(),
        node: g.nodes,
        initializer: g.inits,
        input: vec![value_info("obs", p.nobs())],
        output: vec![value_info("action", p.nu())],
    }
}

/// The nodes of policy `p` from graph input `obs` to `output`, every name but those two starting
/// with `prefix`.
fn append_mlp(g: &mut GraphBuilder, p: &PolicyExport, prefix: &str, output: &str) {
    let nobs = p.nobs() as i64;
    let n = |s: &str| format!("{prefix}{s}");
    g.init(&n("obs_mean"), &[nobs], &p.obs_mean);
    g.init(&n("obs_std"), &[nobs], &p.obs_std);
    g.init(&n("obs_clip_min"), &[], &[-p.obs_clip]);
    g.init(&n("obs_clip_max"), &[], &[p.obs_clip]);
    g.node("Sub", &["obs", &n("obs_mean")], &n("obs_centered"), vec![]);
    g.node("Div", &[&n("obs_centered"), &n("obs_std")], &n("obs_scaled"), vec![]);
    let mut x =
        g.node("Clip", &[&n("obs_scaled"), &n("obs_clip_min"), &n("obs_clip_max")], &n("obs_norm"), vec![]);
    let last = if p.head.is_some() { usize::MAX } else { p.layers.len() - 1 };
    for (i, l) in p.layers.iter().enumerate() {
        let (w, b) = (n(&format!("l{i}.weight")), n(&format!("l{i}.bias")));
        g.init(&w, &[l.n_in as i64, l.n_out as i64], &l.weight);
        g.init(&b, &[l.n_out as i64], &l.bias);
        if i == last {
            g.node("Gemm", &[&x, &w, &b], output, vec![]);
            break;
        }
        x = g.node("Gemm", &[&x, &w, &b], &n(&format!("l{i}.linear")), vec![]);
        if let Some(ln) = &l.layer_norm {
            let (s, t) = (n(&format!("l{i}.ln.gamma")), n(&format!("l{i}.ln.beta")));
            g.init(&s, &[l.n_out as i64], &ln.gamma);
            g.init(&t, &[l.n_out as i64], &ln.beta);
            let attrs = vec![attr_int("axis", -1), attr_float("epsilon", ln.eps)];
            x = g.node("LayerNormalization", &[&x, &s, &t], &n(&format!("l{i}.ln")), attrs);
        }
        let out = n(&format!("l{i}.act"));
        x = match p.activation {
            Activation::Tanh => g.node("Tanh", &[&x], &out, vec![]),
            Activation::Elu => g.node("Elu", &[&x], &out, vec![attr_float("alpha", 1.0)]),
            // Opset 17 has no SiLU operator.
            Activation::Silu => {
                let sig = g.node("Sigmoid", &[&x], &n(&format!("l{i}.sigmoid")), vec![]);
                g.node("Mul", &[&x, &sig], &out, vec![])
            }
        };
    }
    if let Some(h) = &p.head {
        let (k, nu) = (h.experts as i64, h.n_out as i64);
        let z = x;
        g.init(&n("moe.gate_weight"), &[h.n_in as i64, k], &h.gate_weight);
        g.init(&n("moe.gate_bias"), &[k], &h.gate_bias);
        g.init(&n("moe.temperature"), &[], &[h.temperature]);
        g.init(&n("moe.weight"), &[h.n_in as i64, k * nu], &h.weight);
        g.init(&n("moe.bias"), &[k * nu], &h.bias);
        g.init_i64(&n("moe.shape"), &[3], &[-1, k, nu]);
        g.init_i64(&n("moe.axes1"), &[1], &[1]);
        g.init_i64(&n("moe.axes2"), &[1], &[2]);
        g.node("Gemm", &[&z, &n("moe.gate_weight"), &n("moe.gate_bias")], &n("moe.scores"), vec![]);
        g.node("Div", &[&n("moe.scores"), &n("moe.temperature")], &n("moe.scaled"), vec![]);
        g.node("Softmax", &[&n("moe.scaled")], &n("moe.p"), vec![attr_int("axis", -1)]);
        g.node("Unsqueeze", &[&n("moe.p"), &n("moe.axes2")], &n("moe.p3"), vec![]);
        g.node("Gemm", &[&z, &n("moe.weight"), &n("moe.bias")], &n("moe.heads"), vec![]);
        g.node("Reshape", &[&n("moe.heads"), &n("moe.shape")], &n("moe.heads3"), vec![]);
        g.node("Mul", &[&n("moe.heads3"), &n("moe.p3")], &n("moe.weighted"), vec![]);
        g.node("ReduceSum", &[&n("moe.weighted"), &n("moe.axes1")], output, vec![attr_int("keepdims", 0)]);
    }
}

/// Write a mixture of experts (KINESIS) as one ONNX graph: input `obs` [batch, nobs], output
/// `action` [batch, nu], the action of the expert the gate scores highest (ArgMax → OneHot mask
/// over the experts' stacked actions → sum).
pub fn write_mixture_onnx(
    path: &Path,
    gate: &PolicyExport,
    experts: &[PolicyExport],
    note: &str,
) -> Result<()> {
    let k = experts.len();
    if gate.nu() != k || k == 0 {
        return Err(Error::Config(format!(
            "mixture export: the gate scores {} experts, {k} given",
            gate.nu()
        )));
    }
    for p in std::iter::once(gate).chain(experts) {
        p.validate()?;
    }
    let mut g = GraphBuilder::default();
    append_mlp(&mut g, gate, "gate.", "gate.logits");
    g.init_i64("axes1", &[1], &[1]);
    g.init_i64("axes2", &[1], &[2]);
    let mut stacked = Vec::new();
    for (i, e) in experts.iter().enumerate() {
        let out = format!("e{i}.action");
        append_mlp(&mut g, e, &format!("e{i}."), &out);
        stacked.push(g.node("Unsqueeze", &[&out, "axes1"], &format!("e{i}.row"), vec![]));
    }
    let refs: Vec<&str> = stacked.iter().map(String::as_str).collect();
    g.node("Concat", &refs, "experts", vec![attr_int("axis", 1)]);
    g.node("ArgMax", &["gate.logits"], "choice", vec![attr_int("axis", 1), attr_int("keepdims", 0)]);
    g.init_i64("depth", &[], &[k as i64]);
    g.init("one_hot_values", &[2], &[0.0, 1.0]);
    g.node("OneHot", &["choice", "depth", "one_hot_values"], "choice_mask", vec![attr_int("axis", -1)]);
    g.node("Unsqueeze", &["choice_mask", "axes2"], "choice_mask3", vec![]);
    g.node("Mul", &["experts", "choice_mask3"], "chosen", vec![]);
    g.node("ReduceSum", &["chosen", "axes1"], "action", vec![attr_int("keepdims", 0)]);
    let graph = GraphProto {
        name: "sinew_mixture".into(),
        doc_string: "mixture of experts: the action of the expert with the highest gate score".into(),
        node: g.nodes,
        initializer: g.inits,
        input: vec![value_info("obs", gate.nobs())],
        output: vec![value_info("action", experts[0].nu())],
    };
    write_model(path, graph, note)
}

#[derive(Default)]
struct GraphBuilder {
    nodes: Vec<NodeProto>,
    inits: Vec<TensorProto>,
}

impl GraphBuilder {
    /// A float32 constant (little-endian raw data, as ONNX requires).
    fn init(&mut self, name: &str, dims: &[i64], values: &[f32]) {
        let raw_data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.inits.push(TensorProto { dims: dims.to_vec(), data_type: FLOAT, name: name.into(), raw_data });
    }

    /// An int64 constant.
    fn init_i64(&mut self, name: &str, dims: &[i64], values: &[i64]) {
        let raw_data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.inits.push(TensorProto { dims: dims.to_vec(), data_type: INT64, name: name.into(), raw_data });
    }

    /// Adds a node with one output and returns that output's name.
    fn node(&mut self, op: &str, inputs: &[&str], output: &str, attribute: Vec<AttributeProto>) -> String {
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![output.into()],
            name: output.into(),
            op_type: op.into(),
            attribute,
        });
        output.into()
    }
}

fn value_info(name: &str, width: usize) -> ValueInfoProto {
    let dim = |value| Dimension { value: Some(value) };
    let shape = TensorShapeProto {
        dim: vec![dim(DimValue::DimParam("batch".into())), dim(DimValue::DimValue(width as i64))],
    };
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto { tensor_type: Some(TypeTensor { elem_type: FLOAT, shape: Some(shape) }) }),
    }
}

fn attr_float(name: &str, f: f32) -> AttributeProto {
    AttributeProto { name: name.into(), f: Some(f), i: None, r#type: ATTR_FLOAT }
}

fn attr_int(name: &str, i: i64) -> AttributeProto {
    AttributeProto { name: name.into(), f: None, i: Some(i), r#type: ATTR_INT }
}

// The ONNX messages (subset), field numbers from onnx/onnx.proto.

/// TensorProto.DataType.FLOAT; also TypeProto.Tensor.elem_type.
const FLOAT: i32 = 1;
/// TensorProto.DataType.INT64.
const INT64: i32 = 7;
/// AttributeProto.AttributeType values.
const ATTR_FLOAT: i32 = 1;
const ATTR_INT: i32 = 2;

#[derive(Clone, PartialEq, Message)]
struct ModelProto {
    #[prost(int64, tag = "1")]
    ir_version: i64,
    #[prost(string, tag = "2")]
    producer_name: String,
    #[prost(string, tag = "3")]
    producer_version: String,
    #[prost(string, tag = "6")]
    doc_string: String,
    #[prost(message, optional, tag = "7")]
    graph: Option<GraphProto>,
    #[prost(message, repeated, tag = "8")]
    opset_import: Vec<OperatorSetIdProto>,
}

#[derive(Clone, PartialEq, Message)]
struct OperatorSetIdProto {
    #[prost(string, tag = "1")]
    domain: String,
    #[prost(int64, tag = "2")]
    version: i64,
}

#[derive(Clone, PartialEq, Message)]
struct GraphProto {
    #[prost(message, repeated, tag = "1")]
    node: Vec<NodeProto>,
    #[prost(string, tag = "2")]
    name: String,
    #[prost(message, repeated, tag = "5")]
    initializer: Vec<TensorProto>,
    #[prost(string, tag = "10")]
    doc_string: String,
    #[prost(message, repeated, tag = "11")]
    input: Vec<ValueInfoProto>,
    #[prost(message, repeated, tag = "12")]
    output: Vec<ValueInfoProto>,
}

#[derive(Clone, PartialEq, Message)]
struct NodeProto {
    #[prost(string, repeated, tag = "1")]
    input: Vec<String>,
    #[prost(string, repeated, tag = "2")]
    output: Vec<String>,
    #[prost(string, tag = "3")]
    name: String,
    #[prost(string, tag = "4")]
    op_type: String,
    #[prost(message, repeated, tag = "5")]
    attribute: Vec<AttributeProto>,
}

#[derive(Clone, PartialEq, Message)]
struct AttributeProto {
    #[prost(string, tag = "1")]
    name: String,
    // `optional` so that 0 is still written when it is the value.
    #[prost(float, optional, tag = "2")]
    f: Option<f32>,
    #[prost(int64, optional, tag = "3")]
    i: Option<i64>,
    #[prost(int32, tag = "20")]
    r#type: i32,
}

#[derive(Clone, PartialEq, Message)]
struct TensorProto {
    // proto2 `repeated int64` without [packed = true]: written unpacked, as onnx.proto declares.
    #[prost(int64, repeated, packed = "false", tag = "1")]
    dims: Vec<i64>,
    #[prost(int32, tag = "2")]
    data_type: i32,
    #[prost(string, tag = "8")]
    name: String,
    #[prost(bytes = "vec", tag = "9")]
    raw_data: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
struct ValueInfoProto {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(message, optional, tag = "2")]
    r#type: Option<TypeProto>,
}

/// TypeProto's `value` oneof holds only `tensor_type` here; a lone optional field encodes the same.
#[derive(Clone, PartialEq, Message)]
struct TypeProto {
    #[prost(message, optional, tag = "1")]
    tensor_type: Option<TypeTensor>,
}

#[derive(Clone, PartialEq, Message)]
struct TypeTensor {
    #[prost(int32, tag = "1")]
    elem_type: i32,
    #[prost(message, optional, tag = "2")]
    shape: Option<TensorShapeProto>,
}

#[derive(Clone, PartialEq, Message)]
struct TensorShapeProto {
    #[prost(message, repeated, tag = "1")]
    dim: Vec<Dimension>,
}

#[derive(Clone, PartialEq, Message)]
struct Dimension {
    #[prost(oneof = "DimValue", tags = "1, 2")]
    value: Option<DimValue>,
}

#[derive(Clone, PartialEq, prost::Oneof)]
enum DimValue {
    #[prost(int64, tag = "1")]
    DimValue(i64),
    #[prost(string, tag = "2")]
    DimParam(String),
}
