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

fn biomech_json(args: &[&str]) -> serde_json::Value {
    let out =
        Command::new(env!("CARGO_BIN_EXE_sinew")).arg("biomech").args(args).arg("--json").output().unwrap();
    assert!(out.status.success(), "biomech {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `rollout --contact-forces` writes every body's wrench and the muscle states, and `sinew
/// biomech` reports on it: every part present, each computed or saying why; the reference gait
/// replayed (kinematics only) has the cycles and speed it was built with.
#[test]
fn biomech_reports_a_contact_rollout_and_the_reference_gait() {
    let (steps, nworld, nu) = (300, 2, 80);
    let ctrl: Vec<f32> = (0..steps * nu)
        .map(|i| 0.2 + 0.2 * ((i % nu) as f32 * 0.37 + (i / nu) as f32 * 0.02).sin())
        .collect();
    let ctrl_path = tmp("biomech_ctrl.npy");
    npio::save_npy(&ctrl_path, &Array { shape: vec![steps, nu], data: ctrl }).unwrap();
    let traj = tmp("biomech_traj.npz");
    let out = Command::new(env!("CARGO_BIN_EXE_sinew"))
        .args(["rollout", "myolegs", "--nworld", "2", "--contact-forces", "--ctrl"])
        .arg(&ctrl_path)
        .arg("--out")
        .arg(&traj)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let m = sinew::mjcf::load_model(&sinew::models::resolve("myolegs").unwrap()).unwrap();
    let keys = ["cfrc_ext", "actuator_length", "actuator_velocity", "ctrl"];
    let arrays = npio::load_npz(&traj, &keys).unwrap();
    let shapes: Vec<Vec<usize>> = arrays.iter().map(|a| a.as_ref().unwrap().shape.clone()).collect();
    assert_eq!(shapes[0], vec![steps, nworld, m.nbody, 6]);
    assert_eq!(shapes[1], vec![steps, nworld, m.nu]);
    // the body lands on its feet (from step 12): at step 100 their vertical forces push up
    let w = &arrays[0].as_ref().unwrap().data;
    let foot = |name: &str| m.body_name.iter().position(|b| b == name).unwrap();
    let at = 100 * nworld * m.nbody * 6;
    let fz: f32 = ["calcn_r", "calcn_l", "toes_r", "toes_l"].iter().map(|b| w[at + foot(b) * 6 + 5]).sum();
    assert!(fz > 0.0, "no ground reaction force at step 100 ({fz} N)");

    let dir = tmp("biomech_out");
    let r = biomech_json(&[traj.to_str().unwrap(), "--model", "myolegs", "--out", dir.to_str().unwrap()]);
    for part in ["cycles", "grf", "joint_angles", "emg", "cost_of_transport", "synergies"] {
        assert!(r.get(part).is_some_and(|v| v.is_object()), "no '{part}' in the report");
    }
    // muscle states were recorded: energy and synergies are computed whatever the gait
    assert!(r["cost_of_transport"]["metabolic_energy_j"].as_f64().unwrap() > 0.0);
    assert_eq!(r["synergies"]["vaf"].as_array().unwrap().len(), 8);
    for f in ["biomech.json", "summary.md", "synergies.png"] {
        assert!(dir.join(f).is_file(), "{f} not written");
    }

    // the reference gait: 1.10 s strides at 1.25 m/s (tools/make_gait_motion.py)
    let motion = common::root().join("assets/motions/myolegs_walk.npz");
    let dir = tmp("biomech_motion");
    let r =
        biomech_json(&[motion.to_str().unwrap(), "--model", "myolegs_walk", "--out", dir.to_str().unwrap()]);
    for foot in ["right", "left"] {
        let c = &r["cycles"]["per_foot"][foot];
        assert!(c["kept"].as_u64().unwrap() >= 8, "{foot}: {c}");
        assert!((c["duration_s"]["mean"].as_f64().unwrap() - 1.10).abs() < 0.011, "{foot}: {c}");
    }
    assert!((r["cycles"]["speed_m_s"].as_f64().unwrap() - 1.25).abs() < 0.0125);
    // the motion is built from the normative curves' key values: the same shapes (its detected
    // foot contact falls 14 % of a cycle after the nominal heel strike, hence the shift)
    for angle in ["hip_flexion_r", "knee_flexion_r", "ankle_dorsiflexion_l"] {
        let best = &r["joint_angles"][angle]["normative"]["best_shift"];
        assert!(best["pearson_r"].as_f64().unwrap() > 0.99, "{angle}: {best}");
    }
    assert!(r["grf"]["unavailable"].as_str().unwrap().contains("no contact forces"));
    assert!(dir.join("joint_angles.png").is_file());

    // bad input: clear errors, exit code 2
    let err = run_err(&["biomech", traj.to_str().unwrap()]);
    assert!(err.contains("--model"), "{err}");
    let err =
        run_err(&["biomech", traj.to_str().unwrap(), "--model", "myolegs", "--emg", "/nonexistent/emg.csv"]);
    assert!(err.contains("emg.csv"), "{err}");
    let err = run_err(&["biomech", traj.to_str().unwrap(), "--model", "myolegs", "--feet", "no_such_body"]);
    assert!(err.contains("no_such_body"), "{err}");
}
