//! ONNX policy export: the written file passes onnx's checker and onnx's reference evaluator
//! (tools/check_onnx.py, in the fetch-models venv or `$SINEW_PYTHON`) computes the actions
//! `host_forward` does; shape mismatches are errors, not panics or files.

use std::path::{Path, PathBuf};
use std::process::Command;

use sinew::Error;
use sinew::npio::{Array, load_npy, save_npy};
use sinew::rl::onnx::{Activation, DenseLayer, LayerNorm, PolicyExport, host_forward, write_policy_onnx};

const NOBS: usize = 7;
const NU: usize = 5;

/// xorshift64*: deterministic test data without a rand dependency.
struct Rng(u64);

impl Rng {
    /// Uniform in [-scale, scale).
    fn uniform(&mut self, scale: f32) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40;
        scale * (bits as f32 / (1u64 << 23) as f32 - 1.0)
    }

    fn vec(&mut self, n: usize, scale: f32) -> Vec<f32> {
        (0..n).map(|_| self.uniform(scale)).collect()
    }
}

fn layer(rng: &mut Rng, n_in: usize, n_out: usize, ln: bool) -> DenseLayer {
    let layer_norm = ln.then(|| LayerNorm {
        gamma: (0..n_out).map(|_| 1.0 + rng.uniform(0.3)).collect(),
        beta: rng.vec(n_out, 0.2),
        eps: 1e-5,
    });
    DenseLayer {
        n_in,
        n_out,
        weight: rng.vec(n_in * n_out, 1.5 / (n_in as f32).sqrt()),
        bias: rng.vec(n_out, 0.3),
        layer_norm,
    }
}

/// nobs 7 → 16 (layer norm) → 12 → nu 5.
fn policy(rng: &mut Rng, activation: Activation) -> PolicyExport {
    PolicyExport {
        obs_mean: rng.vec(NOBS, 2.0),
        obs_std: (0..NOBS).map(|_| 1.0 + rng.uniform(0.5)).collect(),
        obs_clip: 3.0,
        layers: vec![layer(rng, NOBS, 16, true), layer(rng, 16, 12, false), layer(rng, 12, NU, false)],
        activation,
        head: None,
    }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("onnx_export-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `$SINEW_PYTHON`, else the venv tools/fetch-models makes (it holds numpy and onnx).
fn python() -> PathBuf {
    std::env::var_os("SINEW_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| sinew::models::models_dir().join(".venv/bin/python"))
}

/// Run `model` on `obs` (`[batch, NOBS]`) with onnx's reference evaluator (tools/check_onnx.py,
/// which also runs onnx's checker); the actions `[batch, NU]`.
fn reference_actions(model: &Path, obs: &[f32], dir: &Path) -> Vec<f32> {
    let python = python();
    assert!(python.is_file(), "{} not found: run tools/fetch-models or set SINEW_PYTHON", python.display());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/check_onnx.py");
    let stem = model.file_stem().unwrap().to_string_lossy();
    let (input, output) = (dir.join(format!("{stem}-obs.npy")), dir.join(format!("{stem}-action.npy")));
    let batch = obs.len() / NOBS;
    save_npy(&input, &Array { shape: vec![batch, NOBS], data: obs.to_vec() }).unwrap();
    let run = Command::new(&python).arg(&script).args([model, &input, &output]).output().unwrap();
    assert!(
        run.status.success(),
        "{}: check_onnx.py failed:\n{}{}",
        model.display(),
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let got = load_npy(&output).unwrap();
    assert_eq!(got.shape, vec![batch, NU]);
    got.data
}

/// Every action within 1e-5 relative (values below 1 compared as if they were 1).
fn assert_actions_close(what: &str, got: &[f32], want: &[f32]) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= 1e-5 * w.abs().max(1.0), "{what} action[{i}]: onnx {g} vs host {w}");
    }
}

#[test]
fn reference_evaluator_matches_host_forward() {
    let dir = scratch_dir("evaluator");
    let mut rng = Rng(0x5eed_1234_abcd);
    let batch = 9;
    for activation in [Activation::Silu, Activation::Elu, Activation::Tanh] {
        let p = policy(&mut rng, activation);
        // Wide enough that some normalized observations pass the clip.
        let obs = rng.vec(batch * NOBS, 8.0);
        let clipped = obs.iter().enumerate().any(|(i, o)| {
            let k = i % NOBS;
            ((o - p.obs_mean[k]) / p.obs_std[k]).abs() > p.obs_clip
        });
        assert!(clipped, "test data should exercise the observation clip");
        let model = dir.join(format!("{activation:?}.onnx"));
        write_policy_onnx(&model, &p, "onnx_export test").unwrap();
        let got = reference_actions(&model, &obs, &dir);
        assert_actions_close(&format!("{activation:?}"), &got, &host_forward(&p, &obs).unwrap());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn host_forward_by_hand() {
    // 2 → 2 (tanh) → 1, no layer norm: small enough to write out.
    let p = PolicyExport {
        obs_mean: vec![1.0, -1.0],
        obs_std: vec![2.0, 0.5],
        obs_clip: 1.5,
        layers: vec![
            DenseLayer {
                n_in: 2,
                n_out: 2,
                weight: vec![1.0, 2.0, -1.0, 0.5],
                bias: vec![0.1, -0.2],
                layer_norm: None,
            },
            DenseLayer { n_in: 2, n_out: 1, weight: vec![3.0, -1.0], bias: vec![0.5], layer_norm: None },
        ],
        activation: Activation::Tanh,
        head: None,
    };
    // Row 0 normalizes to (2 → clipped 1.5, 0); row 1 to (0, 1).
    let got = host_forward(&p, &[5.0, -1.0, 1.0, -0.5]).unwrap();
    let h0 = [(1.5f32 + 0.1).tanh(), (3.0f32 - 0.2).tanh()];
    let h1 = [(-1.0f32 + 0.1).tanh(), (0.5f32 - 0.2).tanh()];
    let want = [3.0 * h0[0] - h0[1] + 0.5, 3.0 * h1[0] - h1[1] + 0.5];
    assert_eq!(got.len(), 2);
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-6, "{got:?} vs {want:?}");
    }
    assert!(host_forward(&p, &[]).unwrap().is_empty());
}

#[test]
fn mismatched_shapes_are_errors() {
    let good = policy(&mut Rng(7), Activation::Elu);
    host_forward(&good, &[0.0; 2 * NOBS]).unwrap();
    type Edit = fn(&mut PolicyExport);
    let cases: [(&str, Edit); 10] = [
        ("no layers", |p| p.layers.clear()),
        ("obs_mean has 6", |p| {
            p.obs_mean.pop();
        }),
        ("obs_std[2]", |p| p.obs_std[2] = 0.0),
        ("obs_clip", |p| p.obs_clip = f32::NAN),
        ("layer 1 takes 15 inputs", |p| {
            p.layers[1].n_in = 15;
            p.layers[1].weight.truncate(15 * 12);
        }),
        ("layer 0 weight has", |p| {
            p.layers[0].weight.pop();
        }),
        ("layer 2 bias has", |p| p.layers[2].bias.push(0.0)),
        ("layer 0 layer norm has", |p| {
            p.layers[0].layer_norm.as_mut().unwrap().beta.pop();
        }),
        ("output layer", |p| {
            p.layers[2].layer_norm = p.layers[0].layer_norm.clone().map(|mut ln| {
                ln.gamma.truncate(NU);
                ln.beta.truncate(NU);
                ln
            })
        }),
        ("non-finite", |p| p.layers[1].weight[3] = f32::INFINITY),
    ];
    let dir = scratch_dir("errors");
    let path = dir.join("bad.onnx");
    for (needle, edit) in cases {
        let mut p = good.clone();
        edit(&mut p);
        for err in
            [host_forward(&p, &[0.0; NOBS]).unwrap_err(), write_policy_onnx(&path, &p, "").unwrap_err()]
        {
            assert!(matches!(&err, Error::Config(m) if m.contains(needle)), "{needle}: {err}");
        }
        assert!(!path.exists(), "{needle}: a file was written");
    }
    let err = host_forward(&good, &[0.0; NOBS + 1]).unwrap_err();
    assert!(matches!(&err, Error::Config(m) if m.contains("nobs = 7")), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A mixture of experts exports as one graph whose action is the highest-scored expert's: the
/// reference evaluator agrees with the host's mixture forward on a batch where the gate picks
/// different experts.
#[test]
fn mixture_export_matches_the_host_mixture() {
    use sinew::rl::mixture::Deployed;
    let dir = scratch_dir("mixture");
    let mut rng = Rng(0x0e0e_2026);
    let (batch, k) = (16, 3);
    let experts: Vec<PolicyExport> = (0..k).map(|_| policy(&mut rng, Activation::Elu)).collect();
    let mut gate = policy(&mut rng, Activation::Tanh);
    let h = gate.layers.last().unwrap().n_in;
    *gate.layers.last_mut().unwrap() = layer(&mut rng, h, k, false);
    // gate weights large enough that the scores differ between observations
    for w in gate.layers.last_mut().unwrap().weight.iter_mut() {
        *w *= 20.0;
    }
    let obs = rng.vec(batch * NOBS, 3.0);
    let scores = host_forward(&gate, &obs).unwrap();
    let picks: std::collections::BTreeSet<usize> =
        scores.chunks(k).map(|s| (0..k).fold(0, |b, j| if s[j] > s[b] { j } else { b })).collect();
    assert!(picks.len() >= 2, "the gate picks only {picks:?}: the test would not tell experts apart");
    let mixture = Deployed::Mixture { gate, experts };
    let model = dir.join("mixture.onnx");
    mixture.write_onnx(&model, "onnx_export mixture test").unwrap();
    let got = reference_actions(&model, &obs, &dir);
    assert_actions_close("mixture", &got, &mixture.forward(&obs).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A policy ending in a soft mixture-of-experts layer exports with the same actions as the host's
/// forward (softmax gate, experts stacked by a reshape, weighted sum); a head of the wrong size
/// is refused.
#[test]
fn soft_moe_head_export_matches_host_forward() {
    use sinew::rl::onnx::SoftMoeHead;
    let dir = scratch_dir("soft_moe");
    let mut rng = Rng(0x50f7_0e0e);
    let (batch, k, h) = (11, 4, 12);
    let mut p = policy(&mut rng, Activation::Silu);
    p.layers.pop(); // 7 → 16 → 12, both hidden, then the head
    p.head = Some(SoftMoeHead {
        n_in: h,
        n_out: NU,
        experts: k,
        temperature: 0.5,
        weight: rng.vec(h * k * NU, 0.5),
        bias: rng.vec(k * NU, 0.2),
        gate_weight: rng.vec(h * k, 2.0),
        gate_bias: rng.vec(k, 0.5),
    });
    let obs = rng.vec(batch * NOBS, 3.0);
    let model = dir.join("soft_moe.onnx");
    write_policy_onnx(&model, &p, "onnx_export soft MoE test").unwrap();
    let got = reference_actions(&model, &obs, &dir);
    assert_actions_close("soft MoE", &got, &host_forward(&p, &obs).unwrap());
    // a head whose input is not the last hidden width
    let mut bad = p.clone();
    bad.head.as_mut().unwrap().n_in = h + 1;
    let e = host_forward(&bad, &obs).unwrap_err().to_string();
    assert!(e.contains("soft MoE head"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
