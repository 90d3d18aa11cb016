//! Shared test helpers: fixture loading and element-wise comparison with tolerances.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One MuJoCo fixture (npz written by tools/mujoco_fixtures.py).
pub struct Fixture {
    archive: npyz::npz::NpzArchive<std::io::BufReader<std::fs::File>>,
    pub name: String,
}

impl Fixture {
    pub fn open(path: &Path) -> Fixture {
        let archive = npyz::npz::NpzArchive::open(path)
            .unwrap_or_else(|e| panic!("{}: {e} (regenerate with tools/mujoco_fixtures.py)", path.display()));
        Fixture { archive, name: path.file_stem().unwrap().to_string_lossy().into_owned() }
    }

    /// A float array, flattened.
    pub fn f64(&mut self, key: &str) -> Vec<f64> {
        let npy =
            self.archive.by_name(key).unwrap().unwrap_or_else(|| panic!("{}: no array '{key}'", self.name));
        npy.into_vec::<f64>().unwrap()
    }

    /// A float32 array, flattened and widened.
    pub fn f32(&mut self, key: &str) -> Vec<f64> {
        let npy =
            self.archive.by_name(key).unwrap().unwrap_or_else(|| panic!("{}: no array '{key}'", self.name));
        npy.into_vec::<f32>().unwrap().into_iter().map(f64::from).collect()
    }

    /// An integer array, flattened.
    pub fn i64(&mut self, key: &str) -> Vec<i64> {
        let npy =
            self.archive.by_name(key).unwrap().unwrap_or_else(|| panic!("{}: no array '{key}'", self.name));
        npy.into_vec::<i64>().unwrap()
    }

    /// A scalar integer.
    pub fn count(&mut self, key: &str) -> usize {
        self.i64(key)[0] as usize
    }
}

/// Collects mismatches so one test run reports every differing field, then fails once.
#[derive(Default)]
pub struct Report {
    pub failures: Vec<String>,
    pub checked: usize,
    /// Largest |diff| per quantity (label without world/state/step numbers and indices).
    pub worst: std::collections::BTreeMap<String, f64>,
}

/// "world 3 body 2 cinert I" -> "cinert I": the quantity a label names.
fn quantity(label: &str) -> String {
    let words: Vec<&str> = label.split_whitespace().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if ["world", "state", "step", "body", "tendon"].contains(&words[i]) && i + 1 < words.len() {
            i += 2;
            continue;
        }
        out.push(words[i].split('[').next().unwrap_or(""));
        i += 1;
    }
    out.join(" ")
}

impl Report {
    /// |ours - mujoco| <= rel·|mujoco| + abs, element-wise; lengths must agree.
    pub fn close(&mut self, what: &str, ours: &[f64], mujoco: &[f64], rel: f64, abs: f64) {
        self.checked += 1;
        if ours.len() != mujoco.len() {
            self.failures.push(format!("{what}: length {} vs MuJoCo {}", ours.len(), mujoco.len()));
            return;
        }
        let mut worst: Option<(usize, f64)> = None;
        let largest = ours.iter().zip(mujoco).fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        let e = self.worst.entry(quantity(what)).or_insert(0.0);
        *e = e.max(largest);
        for (i, (a, b)) in ours.iter().zip(mujoco).enumerate() {
            let err = (a - b).abs();
            let tol = rel * b.abs() + abs;
            if !(err <= tol) && worst.is_none_or(|(_, w)| err > w) {
                worst = Some((i, err));
            }
        }
        if let Some((i, err)) = worst {
            self.failures
                .push(format!("{what}[{i}]: sinew {} vs MuJoCo {} (|diff| {err:.3e})", ours[i], mujoco[i]));
        }
    }

    /// Exact equality of integer arrays.
    pub fn equal(&mut self, what: &str, ours: &[i64], mujoco: &[i64]) {
        self.checked += 1;
        if ours != mujoco {
            let i = ours.iter().zip(mujoco).position(|(a, b)| a != b).unwrap_or(ours.len().min(mujoco.len()));
            self.failures.push(format!(
                "{what}: differs at {i} (sinew {:?} vs MuJoCo {:?}; lengths {} vs {})",
                ours.get(i),
                mujoco.get(i),
                ours.len(),
                mujoco.len()
            ));
        }
    }

    pub fn finish(&self, name: &str) {
        assert!(self.checked > 0, "{name}: nothing was compared");
        if std::env::var_os("SINEW_REPORT").is_some() {
            for (q, e) in &self.worst {
                println!("{name}: max |diff| {q} = {e:.2e}");
            }
        }
        assert!(
            self.failures.is_empty(),
            "{name}: {} of {} fields differ from MuJoCo:\n  {}",
            self.failures.len(),
            self.checked,
            self.failures.join("\n  ")
        );
    }
}

/// Flatten rows.
pub fn flat<const N: usize>(v: &[[f64; N]]) -> Vec<f64> {
    v.iter().flat_map(|r| r.iter().copied()).collect()
}

/// A fixture's (steps × nu) control sequence repeated for every world: (steps × nworld × nu) f32.
pub fn ctrl_per_world(ctrl: &[f64], steps: usize, nworld: usize, nu: usize) -> Vec<f32> {
    let mut c = Vec::with_capacity(steps * nworld * nu);
    for t in 0..steps {
        for _ in 0..nworld {
            c.extend(ctrl[t * nu..(t + 1) * nu].iter().map(|v| *v as f32));
        }
    }
    c
}

/// Roll `m` out in 3 worlds from rest, clean and with a NaN in world 1's qvel\[dof\]: world 1 is
/// flagged non-finite, worlds 0 and 2 run exactly as in the clean batch.
pub fn assert_poisoned_world_is_isolated(m: &sinew::model::Model, dof: usize) {
    use sinew::sim::rollout::{InitState, rollout};
    let (nworld, steps) = (3, 20);
    let ctrl = vec![0.3f32; steps * nworld * m.nu];
    let ctx = sinew::gpu::GpuContext::new().unwrap();
    let clean = rollout(&ctx, m, nworld, steps, &InitState::rest(m, nworld), &ctrl).unwrap();
    let mut init = InitState::rest(m, nworld);
    init.qvel[m.nv + dof] = f32::NAN; // world 1
    let poisoned = rollout(&ctx, m, nworld, steps, &init, &ctrl).unwrap();
    assert_eq!(clean.nonfinite, vec![false; nworld]);
    assert_eq!(poisoned.nonfinite, vec![false, true, false]);
    for t in 0..steps {
        for w in [0, 2] {
            let r = (t * nworld + w) * m.nq..(t * nworld + w + 1) * m.nq;
            assert_eq!(poisoned.qpos[r.clone()], clean.qpos[r], "world {w} step {t}");
        }
    }
}

/// World `w`'s row at step `t` of a rollout output laid out (steps × nworld × n), as f64.
pub fn world_row(data: &[f32], t: usize, w: usize, nworld: usize, n: usize) -> Vec<f64> {
    data[(t * nworld + w) * n..(t * nworld + w + 1) * n].iter().map(|v| *v as f64).collect()
}

/// The quick-start training config with `key=value` overrides.
pub fn quickstart(overrides: &[&str]) -> sinew::rl::config::TrainFile {
    try_quickstart(overrides).unwrap()
}

/// The quick-start training config with `key=value` overrides, or why it is refused.
pub fn try_quickstart(overrides: &[&str]) -> sinew::Result<sinew::rl::config::TrainFile> {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    sinew::rl::config::TrainFile::load(&root().join("configs/quickstart.toml"), &o)
}

/// `sinew rollout MODEL` from the built binary with per-world controls `ctrl` (nworld × steps ×
/// nu) and extra environment variables `env`: its qpos, qvel, act and qacc. `dir` holds the
/// files; `tag` names this run's output.
pub fn cli_rollout(
    dir: &std::path::Path,
    model: &str,
    ctrl: &sinew::npio::Array,
    tag: &str,
    env: &[(&str, &str)],
) -> Vec<sinew::npio::Array> {
    let ctrl_path = dir.join(format!("{tag}_ctrl.npy"));
    sinew::npio::save_npy(&ctrl_path, ctrl).unwrap();
    let out = dir.join(format!("{tag}.npz"));
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sinew"));
    cmd.args(["rollout", model, "--ctrl", ctrl_path.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    cmd.envs(env.iter().copied());
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{tag} ({env:?}): {}", String::from_utf8_lossy(&o.stderr));
    let arrays = sinew::npio::load_npz(&out, &["qpos", "qvel", "act", "qacc"]).unwrap();
    arrays.into_iter().map(|a| a.unwrap()).collect()
}

/// `sinew info myolegs --gpu` with environment variable `var` set to `value` fails with exit
/// code 2 and an error naming the variable and the value.
pub fn assert_env_value_refused(var: &str, value: &str) {
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_sinew"))
        .args(["info", "myolegs", "--gpu"])
        .env(var, value)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("{var} is '{value}'")), "{err}");
}
