//! `sinew bench --suite` writes one JSON record with every field, peers measured or marked
//! absent, and ratios that are the figures in the file divided; `tools/bundle` makes a bundle
//! that runs with no environment set.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn sinew() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sinew"))
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sinew-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn sorted(k: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = k.iter().map(|s| s.to_string()).collect();
    k.sort();
    k
}

/// `a / b` as the file says it, or null when either is missing.
fn check_ratio(row: &Value, ours: &str, peer: &str, ratio: &str) {
    match (row[ours].as_f64(), row[peer].as_f64()) {
        (Some(a), Some(b)) => {
            let r = row[ratio].as_f64().unwrap_or_else(|| panic!("{ratio} missing: {row}"));
            assert!((r - a / b).abs() <= 1e-12 * (a / b).abs(), "{ratio} {r} vs {a}/{b}");
        }
        _ => assert!(row[ratio].is_null(), "{ratio} without both figures: {row}"),
    }
}

#[test]
fn suite_record_has_every_field_and_consistent_ratios() {
    let out_dir = tempdir("suite");
    let out = sinew()
        .args(["bench", "--suite", "--models", "myolegs", "--nworld", "1,2", "--seconds", "0.2"])
        .args(["--train-nworld", "4", "--stages", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    // the record's path is the last line; its name is <adapter>-<date>.json
    let path = PathBuf::from(stdout.lines().last().unwrap().trim());
    assert_eq!(path.parent().unwrap(), out_dir);
    let rec: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    assert!(name.ends_with(&format!("-{}.json", &rec["date"].as_str().unwrap()[..10])), "{name}");
    assert_eq!(
        keys(&rec),
        sorted(&[
            "schema", "sinew_version", "commit", "date", "date_unix", "wall_s", "machine", "adapter",
            "settings", "step", "env", "train", "render", "peers", "errors", "notes",
        ])
    );
    // the renderer's frames/s, one row per suite model
    let render = rec["render"].as_array().unwrap();
    assert_eq!(render.len(), 1);
    assert_eq!(render[0]["model"], "myolegs");
    assert!(render[0]["triangles"].as_u64().unwrap() > 0);
    for k in ["draw_frames_per_s", "readback_frames_per_s", "video_frames_per_s"] {
        assert!(render[0][k].as_f64().unwrap() > 0.0, "{k}: {}", render[0]);
    }
    assert_eq!(rec["schema"], "sinew-bench-suite/1");
    assert_eq!(rec["errors"].as_array().unwrap().len(), 0, "{}", rec["errors"]);
    assert_eq!(
        keys(&rec["adapter"]),
        sorted(&[
            "name", "backend", "device_type", "driver", "driver_info", "vendor_id", "device_id", "features",
            "limits"
        ])
    );
    assert_eq!(
        keys(&rec["adapter"]["features"]),
        sorted(&["shader_f64", "subgroups", "timestamp_query", "timestamp_query_inside_passes"])
    );
    for k in [
        "max_storage_buffer_binding_size",
        "max_buffer_size",
        "device_memory",
        "max_compute_workgroup_storage_size",
    ] {
        assert!(rec["adapter"]["limits"].get(k).is_some(), "limits.{k}");
    }

    // step: myolegs × contacts on/off × 2 world counts, each with every peer column
    let step = rec["step"].as_array().unwrap();
    assert_eq!(step.len(), 4);
    let step_keys = sorted(&[
        "model",
        "contacts",
        "nworld",
        "steps",
        "seconds",
        "physics_steps_per_s",
        "build_s",
        "bytes_per_world",
        "dispatches_per_step",
        "world_tile",
        "stage_timing",
        "stage_ms",
        "newton_iterations",
        "mujoco_1thread_steps_per_s",
        "ratio_vs_mujoco_1thread",
        "mujoco_all_cores_steps_per_s",
        "ratio_vs_mujoco_all_cores",
        "mjx_steps_per_s",
        "ratio_vs_mjx",
        "mjwarp_steps_per_s",
        "ratio_vs_mjwarp",
    ]);
    for (row, (contacts, nworld)) in step.iter().zip([(true, 1), (true, 2), (false, 1), (false, 2)]) {
        assert_eq!(keys(row), step_keys);
        assert_eq!((row["contacts"].as_bool(), row["nworld"].as_u64()), (Some(contacts), Some(nworld)));
        let sps = row["physics_steps_per_s"].as_f64().unwrap();
        let (steps, secs) = (row["steps"].as_f64().unwrap(), row["seconds"].as_f64().unwrap());
        assert!((sps - nworld as f64 * steps / secs).abs() <= 1e-9 * sps);
        assert!(secs >= 0.2, "time box: {secs}");
        assert_eq!(row["stage_ms"].as_array().unwrap().len(), 11, "one time per stage");
        // every stage but collision (no pairs with contacts off) records a dispatch, and Newton
        // at least start, one compact + iterate and finish
        let dispatches = row["dispatches_per_step"].as_u64().unwrap();
        assert!(dispatches >= 13, "{dispatches} dispatches per step");
        // myolegs always has rows (its knee equalities), so every world takes at least its
        // gradient check, and no more than the model's 100
        let it = &row["newton_iterations"];
        assert_eq!(it["worlds"].as_u64(), Some(nworld as u64), "{it}");
        let (mean, max) = (it["mean"].as_f64().unwrap(), it["max"].as_f64().unwrap());
        assert!((1.0..=max).contains(&mean) && max <= 100.0, "{it}");
        for (peer, ratio) in [
            ("mujoco_1thread_steps_per_s", "ratio_vs_mujoco_1thread"),
            ("mujoco_all_cores_steps_per_s", "ratio_vs_mujoco_all_cores"),
            ("mjx_steps_per_s", "ratio_vs_mjx"),
            ("mjwarp_steps_per_s", "ratio_vs_mjwarp"),
        ] {
            check_ratio(row, "physics_steps_per_s", peer, ratio);
        }
    }
    // the MuJoCo peer is installed here (tools/fetch-models): measured, and its figure is the rows'
    let peers = rec["peers"].as_array().unwrap();
    let mujoco = peers.iter().find(|p| p["peer"] == "mujoco_1thread" && p["contacts"] == true).unwrap();
    assert_eq!(mujoco["status"], "measured", "{mujoco}");
    assert_eq!(step[0]["mujoco_1thread_steps_per_s"], mujoco["output"]["steps_per_s"]);
    let all = peers.iter().find(|p| p["peer"] == "mujoco_all_cores" && p["contacts"] == true).unwrap();
    assert_eq!(
        all["output"]["processes"].as_u64(),
        Some(std::thread::available_parallelism().unwrap().get() as u64)
    );
    // every batched GPU peer is either measured or says why not
    for p in peers.iter().filter(|p| p["peer"] == "mjx" || p["peer"] == "mjwarp") {
        let status = p["status"].as_str().unwrap();
        assert!(["measured", "absent", "failed"].contains(&status), "{p}");
        if status != "measured" {
            assert!(!p["reason"].as_str().unwrap().is_empty());
        }
    }

    // env: the imitation environment on myolegs_walk
    let env = rec["env"].as_array().unwrap();
    assert_eq!(env.len(), 2);
    for row in env {
        assert_eq!(row["task"], "imitation");
        // frame_skip physics steps and the task layer
        assert!(row["dispatches_per_control_step"].as_u64().unwrap() > 16, "{row}");
        let (e, p) = (row["env_steps_per_s"].as_f64().unwrap(), row["physics_steps_per_s"].as_f64().unwrap());
        assert!((p - e * row["frame_skip"].as_f64().unwrap()).abs() <= 1e-9 * p);
        check_ratio(
            row,
            "physics_steps_per_s",
            "mujoco_1thread_steps_per_s",
            "ratio_physics_vs_mujoco_1thread",
        );
    }

    // train: both presets, one iteration each at the forced world count
    let train = rec["train"].as_array().unwrap();
    let configs: Vec<&str> = train.iter().map(|t| t["config"].as_str().unwrap()).collect();
    assert_eq!(configs, ["configs/quickstart.toml", "configs/myolegs_imitation.toml"]);
    for t in train {
        assert_eq!(t["nworld"], 4);
        let steps = t["env_steps"].as_f64().unwrap();
        assert_eq!(steps, 4.0 * t["horizon"].as_f64().unwrap());
        let s = t["rollout_s"].as_f64().unwrap() + t["update_s"].as_f64().unwrap();
        let sps = t["env_steps_per_s"].as_f64().unwrap();
        // end to end includes the two statistics reads after the update: at most its figure
        assert!(sps <= steps / s * (1.0 + 1e-9) && sps > 0.0, "{t}");
    }
    assert_eq!(train[1]["preset_nworld"], 4096);
    let _ = std::fs::remove_dir_all(&out_dir);
}

fn unpack(tarball: &Path, into: &Path) {
    let st = Command::new("tar").arg("-xzf").arg(tarball).arg("-C").arg(into).status().unwrap();
    assert!(st.success());
}

#[test]
fn bundle_runs_with_nothing_set() {
    let work = tempdir("bundle");
    let out = Command::new(common::root().join("tools/bundle"))
        .args(["--binary", env!("CARGO_BIN_EXE_sinew"), "--out"])
        .arg(work.join("dist"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tarball = PathBuf::from(String::from_utf8_lossy(&out.stdout).lines().last().unwrap().trim());
    let name = tarball.file_name().unwrap().to_string_lossy().to_string();
    assert_eq!(name, format!("sinew-{}-x86_64-linux.tar.gz", env!("CARGO_PKG_VERSION")));
    assert!(std::fs::metadata(&tarball).unwrap().len() < 60 << 20);
    let unpacked = work.join("unpacked");
    std::fs::create_dir_all(&unpacked).unwrap();
    unpack(&tarball, &unpacked);
    let root = unpacked.join("sinew");
    for f in [
        "bin/sinew",
        "bundle.json",
        "README.md",
        "models/models.json",
        "tools/peer_common.py",
        "tools/mujoco_bench.py",
        "tools/mjx_bench.py",
        "tools/mjwarp_bench.py",
        "configs/quickstart.toml",
        "configs/myolegs_imitation.toml",
        "assets/elbow_pose.xml",
        "assets/motions/myolegs_walk.npz",
    ] {
        assert!(root.join(f).is_file(), "bundle lacks {f}");
    }
    // nothing points back at this machine's model cache
    let manifest = std::fs::read_to_string(root.join("models/models.json")).unwrap();
    assert!(!manifest.contains("/.cache/"), "{manifest}");
    // no HOME, cache or SINEW_MODELS to find models in: the bundle's own must resolve
    let empty = work.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let run = |args: &[&str]| {
        Command::new(root.join("bin/sinew"))
            .args(args)
            .current_dir(&empty)
            .env("HOME", &empty)
            .env("XDG_CACHE_HOME", &empty)
            .env("SINEW_MODELS", &empty)
            .env_remove("SINEW_PYTHON")
            .output()
            .unwrap()
    };
    for model in ["myolegs", "mm_fullbody", "myolegs_walk"] {
        let out = run(&["info", model, "--json"]);
        assert!(out.status.success(), "info {model}: {}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["nu"].as_u64().unwrap() > 0);
    }
    let out = run(&["bench", "myolegs", "--nworld", "64", "--seconds", "1", "--json"]);
    assert!(out.status.success(), "bench: {}", String::from_utf8_lossy(&out.stderr));
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = &rows.as_array().unwrap()[0];
    assert_eq!(row["nworld"], 64);
    assert!(row["seconds"].as_f64().unwrap() >= 1.0 && row["physics_steps_per_s"].as_f64().unwrap() > 0.0);
    let _ = std::fs::remove_dir_all(&work);
}
