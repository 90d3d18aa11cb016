//! The motion library (src/env/motion_library.rs) on its fixtures (tests/fixtures/motions, made by
//! tools/make_motion_fixtures.py from the reference gait): LocoMuJoCo's format against the
//! project's, joints matched by name, several trajectories per file, folders, sampling weights,
//! clear errors, and `sinew motions`. Needs the fetched model myolegs_walk.

use std::path::{Path, PathBuf};

use sinew::env::motion_library::{MotionLibrary, MotionSet, Sampling};
use sinew::model::Model;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/motions").join(name)
}

fn model() -> Model {
    sinew::mjcf::load_model(&sinew::models::resolve("myolegs_walk").unwrap()).unwrap()
}

/// The control rate of the imitation presets (2 ms physics steps, frame_skip 5).
const RATE: f64 = 100.0;

/// LocoMuJoCo's file (joints shuffled, 200 Hz, two trajectories) and the project's npz of the
/// same motion at 100 fps give the same frames at the control rate (the same f32 values; only the
/// quaternions' renormalisation on the resampled path may move last bits), and the same
/// velocities.
#[test]
fn locomujoco_file_loads_to_the_same_frames_as_the_projects_npz() {
    let m = model();
    let own = MotionSet::read(&[fixture("walk_a.npz")], &m).unwrap();
    let loco = MotionSet::read(&[fixture("locomujoco_200hz.npz")], &m).unwrap();
    assert!(own.warnings.is_empty() && loco.warnings.is_empty(), "{:?} {:?}", own.warnings, loco.warnings);
    let names: Vec<&str> = loco.motions.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["locomujoco_200hz[0]", "locomujoco_200hz[1]"]);
    assert_eq!(own.motions[0].name, "walk_a", "the file's own name array");
    assert_eq!((loco.motions[0].motion.fps, loco.motions[0].motion.nframe), (200.0, 599));
    let own = MotionLibrary::new(&m, &own, RATE, 9).unwrap();
    let loco = MotionLibrary::new(&m, &loco, RATE, 9).unwrap();
    let (a, b) = (&own.motions[0], &loco.motions[0]);
    assert_eq!((a.nframe, b.nframe), (300, 300), "frames at {RATE} fps");
    // the same f32 values from either file; quaternions renormalised once more on the resampled
    // path, which may move their last bits
    let diff = |a: &[f64], b: &[f64]| a.iter().zip(b).fold(0.0f64, |w, (x, y)| w.max((x - y).abs()));
    let worst = diff(&own.qpos[..300 * m.nq], &loco.qpos[..300 * m.nq]);
    assert!(worst < 1e-12, "qpos differs between the formats by {worst}");
    let worst = diff(&own.qvel[..300 * m.nv], &loco.qvel[..300 * m.nv]);
    assert!(worst < 1e-9, "qvel differs by {worst}");
    // the second trajectory follows the first in the library's arrays
    assert_eq!(loco.motions[1].start, 300);
    assert_eq!(loco.motions[1].nframe, 150);
    assert_eq!(loco.total_frames(), 450);
}

/// A model joint the file lacks is held at qpos0 and named in a warning; a file joint the model
/// lacks is skipped and named too.
#[test]
fn missing_and_unknown_joints_are_named() {
    let m = model();
    let set = MotionSet::read(&[fixture("locomujoco_missing.npz")], &m).unwrap();
    assert_eq!(set.warnings.len(), 2, "{:?}", set.warnings);
    assert!(set.warnings.iter().any(|w| w.contains("not_a_joint")), "{:?}", set.warnings);
    assert!(
        set.warnings.iter().any(|w| w.contains("mtp_angle_l") && w.contains("qpos0")),
        "{:?}",
        set.warnings
    );
    let j = m.jnt_name.iter().position(|n| n == "mtp_angle_l").unwrap();
    let a = m.jnt_qposadr[j];
    let motion = &set.motions[0].motion;
    assert!((0..motion.nframe).all(|f| motion.qpos[f * m.nq + a] == m.qpos0[a]));
    // the rest is the gait's: the knee moves
    let knee = m.jnt_qposadr[m.jnt_name.iter().position(|n| n == "knee_angle_r").unwrap()];
    assert_ne!(motion.qpos[knee], motion.qpos[19 * m.nq + knee]);
}

/// A folder reads its files in name order; durations, sampling weights (uniform and by
/// duration) and the library's layout follow.
#[test]
fn folders_and_sampling_weights() {
    let m = model();
    let set = MotionSet::read(&[fixture("")], &m).unwrap();
    let names: Vec<&str> = set.motions.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["locomujoco_200hz[0]", "locomujoco_200hz[1]", "locomujoco_missing", "walk_a", "walk_c_50fps"]
    );
    let total: f64 = set.motions.iter().map(|s| (s.motion.nframe - 1) as f64 / s.motion.fps).sum();
    assert!((set.total_seconds() - total).abs() < 1e-12);
    let lib = MotionLibrary::new(&m, &set, RATE, 9).unwrap();
    let uniform = lib.weights(Sampling::Uniform);
    assert!(uniform.iter().all(|w| (w - 0.2).abs() < 1e-12), "{uniform:?}");
    let by_length = lib.weights(Sampling::Duration);
    let frames: Vec<f64> = lib.motions.iter().map(|e| (e.nframe - 1) as f64).collect();
    let sum: f64 = frames.iter().sum();
    for (w, f) in by_length.iter().zip(&frames) {
        assert!((w - f / sum).abs() < 1e-12);
    }
    assert_eq!(lib.qpos.len(), lib.total_frames() * m.nq);
    assert_eq!(lib.motions.last().map(|e| e.start + e.nframe), Some(lib.total_frames()));
}

/// Bad input is refused with the motion (and frame) named: a motion too short for the
/// look-ahead, missing files, empty folders, a quaternion that is not unit length.
#[test]
fn bad_motion_sets_are_refused_by_name() {
    let m = model();
    let set = MotionSet::read(&[fixture("locomujoco_missing.npz")], &m).unwrap();
    let e = MotionLibrary::new(&m, &set, RATE, 40).unwrap_err().to_string();
    assert!(e.contains("locomujoco_missing") && e.contains("40"), "{e}");
    let e = MotionSet::read(&[fixture("nowhere.npz")], &m).unwrap_err().to_string();
    assert!(e.contains("nowhere.npz"), "{e}");
    let empty = std::env::temp_dir().join(format!("sinew_empty_motions_{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let e = MotionSet::read(std::slice::from_ref(&empty), &m).unwrap_err().to_string();
    assert!(e.contains("no .npz"), "{e}");
    let e = MotionSet::read(&[], &m).unwrap_err().to_string();
    assert!(e.contains("no motion files"), "{e}");
    // a project npz whose root quaternion is scaled at frame 3
    let mut q = MotionSet::read(&[fixture("walk_a.npz")], &m).unwrap().motions[0].motion.qpos.clone();
    for k in 3..7 {
        q[3 * m.nq + k] *= 2.0;
    }
    let bad = empty.join("bad.npz");
    let array =
        sinew::npio::Array { shape: vec![q.len() / m.nq, m.nq], data: q.iter().map(|x| *x as f32).collect() };
    let fps = sinew::npio::Array { shape: vec![], data: vec![100.0] };
    sinew::npio::save_npz(&bad, &[("qpos", &array), ("fps", &fps)]).unwrap();
    let e = MotionSet::read(std::slice::from_ref(&empty), &m).unwrap_err().to_string();
    assert!(e.contains("bad.npz") && e.contains("frame 3") && e.contains("quaternion"), "{e}");
    let _ = std::fs::remove_dir_all(&empty);
}

/// `sinew motions MODEL FILE... --json` lists what the files hold at their source rates.
#[test]
fn sinew_motions_lists_a_dataset() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sinew"))
        .args(["motions", "myolegs_walk", "--json"])
        .arg(fixture("walk_c_50fps.npz"))
        .arg(fixture("locomujoco_200hz.npz"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let motions = v["motions"].as_array().unwrap();
    let row = |i: usize| {
        let r = &motions[i];
        (r["name"].as_str().unwrap().to_string(), r["frames"].as_u64().unwrap(), r["fps"].as_f64().unwrap())
    };
    assert_eq!(row(0), ("walk_c_50fps".into(), 100, 50.0));
    assert_eq!(row(1), ("locomujoco_200hz[0]".into(), 599, 200.0));
    assert_eq!(row(2), ("locomujoco_200hz[1]".into(), 299, 200.0));
    let total = v["total_seconds"].as_f64().unwrap();
    assert!((total - (99.0 / 50.0 + 598.0 / 200.0 + 298.0 / 200.0)).abs() < 1e-9, "{total}");
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_sinew"))
        .args(["motions", "myolegs_walk"])
        .arg(fixture("nowhere.npz"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("nowhere.npz"));
}

/// The retargeted library (assets/motions/retargeted, made by tools/retarget) passes both models'
/// motion validation (shape, finite values, unit quaternions, joint ranges) without a warning,
/// holds what its quality report lists (frames, no joint-range excess, no penetration), and the
/// imitation presets that train on it build.
#[test]
fn the_retargeted_library_is_valid_for_both_models_and_its_presets_build() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for model in ["myolegs_walk", "mm_fullbody"] {
        let m = sinew::mjcf::load_model(&sinew::models::resolve(model).unwrap()).unwrap();
        let dir = root.join("assets/motions/retargeted").join(model);
        let set = MotionSet::read(&[dir.clone()], &m).unwrap();
        assert!(set.warnings.is_empty(), "{model}: {:?}", set.warnings);
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("REPORT.json")).unwrap()).unwrap();
        assert_eq!(report["model"], model);
        let listed = report["motions"].as_object().unwrap();
        let mut names: Vec<&str> = set.motions.iter().map(|s| s.name.as_str()).collect();
        names.sort();
        let mut want: Vec<&str> = listed.keys().map(String::as_str).collect();
        want.sort();
        assert_eq!(names, want, "{model}: the motions and the report's");
        assert_eq!(names.len(), 20);
        for s in &set.motions {
            let r = &listed[&s.name];
            assert_eq!(r["frames"].as_u64().unwrap() as usize, s.motion.nframe, "{model} {}", s.name);
            assert!(r["joint_range_excess"].as_f64().unwrap() < 1e-3, "{model} {}: {r}", s.name);
            assert_eq!(r["ground_penetration_m"].as_f64().unwrap(), 0.0, "{model} {}: {r}", s.name);
        }
        let lib = MotionLibrary::new(&m, &set, RATE, 9).unwrap();
        assert_eq!(lib.motions.len(), 20);
    }
    let ctx = sinew::gpu::GpuContext::new().unwrap();
    for (config, nmotion) in
        [("configs/myolegs_imitation_library.toml", 14), ("configs/mm_fullbody_imitation.toml", 20)]
    {
        let file = sinew::env::EnvFile::load(&root.join(config)).unwrap();
        let env = sinew::env::Env::new(&ctx, &file, 1).unwrap();
        assert_eq!(env.motion.as_ref().unwrap().motions.len(), nmotion, "{config}");
    }
}
