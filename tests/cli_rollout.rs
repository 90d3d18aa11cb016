//! `sinew rollout` end to end: myolegs with constraints disabled reproduces MuJoCo's fixture
//! trajectory; bad input is a clear error with exit code 2.

mod common;

use std::process::Command;

use common::Fixture;
use sinew::npio::{self, Array};

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sinew-cli-rollout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn myolegs_reproduces_mujoco() {
    let mut fx = Fixture::open(&common::root().join("tests/fixtures/smooth/myolegs.npz"));
    let ctrl = fx.f64("traj_ctrl");
    let want = fx.f64("traj_qpos");
    let nu = 80;
    let steps = ctrl.len() / nu;
    let ctrl_path = tmp("ctrl.npy");
    npio::save_npy(
        &ctrl_path,
        &Array { shape: vec![steps, nu], data: ctrl.iter().map(|v| *v as f32).collect() },
    )
    .unwrap();
    let out_path = tmp("traj.npz");
    let out = Command::new(env!("CARGO_BIN_EXE_sinew"))
        .args(["rollout", "myolegs", "--nworld", "3", "--disable", "constraint"])
        .arg("--ctrl")
        .arg(&ctrl_path)
        .arg("--out")
        .arg(&out_path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got =
        npio::load_npz(&out_path, &["qpos", "qvel", "act", "actuator_force", "ten_length", "qacc"]).unwrap();
    let qpos = got[0].as_ref().unwrap();
    let nq = want.len() / steps;
    assert_eq!(qpos.shape, vec![steps, 3, nq]);
    for (name, a) in ["qpos", "qvel", "act", "actuator_force", "ten_length", "qacc"].iter().zip(&got) {
        assert_eq!(a.as_ref().unwrap().shape[..2], [steps, 3], "{name}");
    }
    // Every world follows MuJoCo (constraints disabled, the fixture's controls): 1e-4 (m, rad).
    let mut worst = 0.0f64;
    for t in 0..steps {
        for w in 0..3 {
            for i in 0..nq {
                let d = (qpos.data[(t * 3 + w) * nq + i] as f64 - want[t * nq + i]).abs();
                worst = worst.max(d);
            }
        }
    }
    assert!(worst < 1e-4, "max |qpos - MuJoCo| = {worst}");
}

fn run_err(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sinew")).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_input_is_a_clear_error() {
    let asset = common::root().join("assets/cylinder_wrap.xml");
    let asset = asset.to_str().unwrap();
    let wrong = tmp("wrong.npy");
    npio::save_npy(&wrong, &Array { shape: vec![5, 3], data: vec![0.5; 15] }).unwrap();
    let out = tmp("o.npz");
    let e = run_err(&["rollout", asset, "--ctrl", wrong.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(e.contains("expected (steps, 2) or (nworld, steps, 2)"), "{e}");
    let e = run_err(&["rollout", asset, "--ctrl", "/no/such/file.npy", "--out", out.to_str().unwrap()]);
    assert!(e.contains("/no/such/file.npy"), "{e}");
    let ok = tmp("ok.npy");
    npio::save_npy(&ok, &Array { shape: vec![5, 2], data: vec![0.5; 10] }).unwrap();
    let e = run_err(&[
        "rollout",
        asset,
        "--ctrl",
        ok.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--disable",
        "nonsense",
    ]);
    assert!(e.contains("unknown flag"), "{e}");
}

/// `--option` sets the solver's budget: the model's own values (iterations 100) change nothing,
/// bit for bit; a budget of one Newton iteration with one line-search step changes the
/// trajectory once the bodies rest on each other; a bad value is refused.
#[test]
fn option_sets_the_solver_budget() {
    let ctrl = tmp("ctrl_option.npy");
    npio::save_npy(&ctrl, &Array { shape: vec![300, 0], data: vec![] }).unwrap();
    let scene = common::root().join("assets/contact_scene.xml");
    let qacc = |option: &[&str]| -> Vec<f32> {
        let out = tmp("option.npz");
        let run = Command::new(env!("CARGO_BIN_EXE_sinew"))
            .args(["rollout", scene.to_str().unwrap(), "--ctrl", ctrl.to_str().unwrap()])
            .args(["--out", out.to_str().unwrap()])
            .args(option)
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        npio::load_npz(&out, &["qacc"]).unwrap().remove(0).unwrap().data
    };
    let model = qacc(&[]);
    assert_eq!(qacc(&["--option", "iterations=100,ls_iterations=50"]), model);
    let one = qacc(&["--option", "iterations=1,ls_iterations=1"]);
    assert!(one.iter().all(|v| v.is_finite()));
    assert_ne!(one, model);
    let out = tmp("never.npz");
    let err = run_err(&[
        "rollout",
        scene.to_str().unwrap(),
        "--ctrl",
        ctrl.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--option",
        "iterations=0",
    ]);
    assert!(err.contains("iterations = 0 must be >= 1"), "{err}");
}
