//! Regression tests for issue 17's hardening items (one per item, named after what it guards).

mod common;

use std::path::PathBuf;
use std::process::Command;

use sinew::npio::{self, Array};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sinew-hardening-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn sinew() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sinew"))
}

/// Item 3: numpy's `np.asfortranarray` files are read in numpy's (row-major) order.
#[test]
fn fortran_order_arrays_are_read_in_numpy_order() {
    use npyz::WriterBuilder;
    for shape in [vec![2usize, 3], vec![2, 3, 4], vec![5]] {
        let n: usize = shape.iter().product();
        // the logical array is 0, 1, 2, ... in row-major order; store it column-major
        let mut fortran = vec![0f32; n];
        let mut fstride = vec![1usize; shape.len()];
        for k in 1..shape.len() {
            fstride[k] = fstride[k - 1] * shape[k - 1];
        }
        for (c, value) in (0..n).enumerate() {
            let mut rest = c;
            let mut off = 0;
            for k in (0..shape.len()).rev() {
                off += (rest % shape[k]) * fstride[k];
                rest /= shape[k];
            }
            fortran[off] = value as f32;
        }
        let path = tmp(&format!("fortran_{}.npy", shape.len()));
        let dims: Vec<u64> = shape.iter().map(|d| *d as u64).collect();
        let file = std::fs::File::create(&path).unwrap();
        let mut w = npyz::WriteOptions::new()
            .default_dtype()
            .order(npyz::Order::Fortran)
            .shape(&dims)
            .writer(file)
            .begin_nd()
            .unwrap();
        w.extend(fortran.iter().copied()).unwrap();
        w.finish().unwrap();
        let a = npio::load_npy(&path).unwrap();
        assert_eq!(a.shape, shape);
        assert_eq!(a.data, (0..n).map(|v| v as f32).collect::<Vec<_>>(), "shape {shape:?}");
    }
}

/// Item 7: a bad output path fails before the simulation; a finished write leaves no temporary
/// file; a failed write leaves the previous file whole.
#[test]
fn outputs_are_checked_first_and_written_atomically() {
    let asset = common::root().join("assets/cylinder_wrap.xml");
    let ctrl = tmp("ctrl.npy");
    npio::save_npy(&ctrl, &Array { shape: vec![3, 2], data: vec![0.5; 6] }).unwrap();
    let out = sinew()
        .args([
            "rollout",
            asset.to_str().unwrap(),
            "--ctrl",
            ctrl.to_str().unwrap(),
            "--out",
            "/no/such/dir/t.npz",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("/no/such/dir/t.npz") && !err.contains("rollout: 3 steps"), "{err}");

    let target = tmp("atomic.bin");
    sinew::atomic_file::write_atomic(&target, b"previous").unwrap();
    let failed = sinew::atomic_file::write_atomic_with(&target, |tmp| {
        std::fs::write(tmp, b"half")?;
        Err(std::io::Error::other("disk full"))
    });
    assert!(failed.is_err());
    assert_eq!(std::fs::read(&target).unwrap(), b"previous");
    let leftovers: Vec<_> = std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Item 8 (inputs): an `--init` npz with unknown arrays, or none, is an error, not ignored.
#[test]
fn init_with_unknown_or_no_arrays_is_an_error() {
    let asset = common::root().join("assets/cylinder_wrap.xml");
    let ctrl = tmp("ctrl_init.npy");
    npio::save_npy(&ctrl, &Array { shape: vec![3, 2], data: vec![0.5; 6] }).unwrap();
    let q = Array { shape: vec![1], data: vec![0.1] };
    for (name, arrays, needle) in [
        ("unknown.npz", vec![("qpos_typo", &q)], "unknown arrays [\"qpos_typo\"]"),
        ("empty.npz", vec![], "holds no arrays"),
    ] {
        let init = tmp(name);
        npio::save_npz(&init, &arrays).unwrap();
        let out = sinew()
            .args(["rollout", asset.to_str().unwrap(), "--ctrl", ctrl.to_str().unwrap()])
            .args(["--out", tmp("o.npz").to_str().unwrap(), "--init", init.to_str().unwrap()])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(needle), "{err}");
    }
}

/// Item 1: a training error after the trainer is built (resume with an incompatible world
/// count) exits with code 2 every time, never with a signal from tearing down a busy device.
#[test]
fn training_error_after_build_exits_cleanly() {
    let run = tmp("run");
    let _ = std::fs::remove_dir_all(&run);
    train_small(&run, &["train.iterations=1", "train.checkpoint_every=1"]);
    for attempt in 0..5 {
        let out = sinew()
            .args(["train", "--resume", run.to_str().unwrap(), "--no-progress", "train.nworld=64"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "attempt {attempt}: {err}");
        assert!(err.contains("nworld"), "{err}");
    }
}

/// Train the quick start into `run` with small sizes and `extra` overrides; panics on failure.
fn train_small(run: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let config = common::root().join("configs/quickstart.toml");
    let out = sinew()
        .args([
            "train",
            "--config",
            config.to_str().unwrap(),
            "--run-dir",
            run.to_str().unwrap(),
            "--no-progress",
        ])
        .args(["train.nworld=8", "train.horizon=4"])
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out
}

/// The `iteration` column of a run's metrics.csv.
fn logged_iterations(run: &std::path::Path) -> Vec<usize> {
    let text = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    text.lines().skip(1).map(|row| row.split(',').next().unwrap().parse().unwrap()).collect()
}

/// Item 4: a resume after a crash continues from the newest checkpoint that loads (a corrupt
/// newer one is skipped), cuts metrics.csv and the TensorBoard events back to it (no iteration
/// logged twice), and removes the temporary files a killed writer left.
#[test]
fn resume_cuts_logs_back_and_skips_a_corrupt_checkpoint() {
    let run = tmp("resume_run");
    let _ = std::fs::remove_dir_all(&run);
    train_small(&run, &["train.iterations=4", "train.checkpoint_every=2"]);
    assert_eq!(logged_iterations(&run), [1, 2, 3, 4]);
    // the crash: iteration 4's checkpoint torn, a writer's temporary left behind
    let newest = run.join("checkpoints/iter_000004.ckpt");
    let bytes = std::fs::read(&newest).unwrap();
    std::fs::write(&newest, &bytes[..bytes.len() / 2]).unwrap();
    let stale = run.join("checkpoints/.iter_000006.ckpt.4242.tmp");
    std::fs::write(&stale, b"half").unwrap();

    let out = sinew().args(["train", "--resume", run.to_str().unwrap(), "--no-progress"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("iter_000004.ckpt") && err.contains("skipped"), "{err}");
    assert!(!stale.exists());
    assert_eq!(logged_iterations(&run), [1, 2, 3, 4]);
    let mut seen = std::collections::HashSet::new();
    for file in std::fs::read_dir(run.join("tb")).unwrap() {
        for (tag, step, _) in sinew::rl::tensorboard::read_scalars(&file.unwrap().path()).unwrap() {
            assert!(seen.insert((tag.clone(), step)), "{tag} at step {step} logged twice");
        }
    }
    assert_eq!(seen.iter().filter(|(tag, _)| tag == "mean_return").count(), 4);
}

/// Item 4: a directory a run left without any checkpoint (killed or failed early) can be reused
/// with `--config ... --run-dir` and resumed (from iteration 0); one that holds a checkpoint
/// cannot be reused.
#[test]
fn run_without_checkpoint_is_reusable_and_resumable() {
    let run = tmp("early_run");
    let _ = std::fs::remove_dir_all(&run);
    train_small(&run, &["train.iterations=1"]);
    let holds = sinew()
        .args(["train", "--config", common::root().join("configs/quickstart.toml").to_str().unwrap()])
        .args(["--run-dir", run.to_str().unwrap(), "--no-progress"])
        .output()
        .unwrap();
    assert_eq!(holds.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&holds.stderr).contains("already holds a run"));

    // what a kill before the first checkpoint leaves
    std::fs::remove_dir_all(run.join("checkpoints")).unwrap();
    std::fs::create_dir_all(run.join("checkpoints")).unwrap();
    train_small(&run, &["train.iterations=2"]);
    assert_eq!(logged_iterations(&run), [1, 2]);

    std::fs::remove_dir_all(run.join("checkpoints")).unwrap();
    let out = sinew().args(["train", "--resume", run.to_str().unwrap(), "--no-progress"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("holds no checkpoint"), "{err}");
    assert_eq!(logged_iterations(&run), [1, 2]);
}

/// Item 4: two processes cannot train into one run directory at once.
#[test]
fn run_directory_is_locked_while_in_use() {
    let run = tmp("locked_run");
    let _ = std::fs::remove_dir_all(&run);
    let held = sinew::rl::run_dir::RunLock::acquire(&run).unwrap();
    assert!(sinew::rl::run_dir::RunLock::acquire(&run).is_err());
    let out = sinew()
        .args(["train", "--config", common::root().join("configs/quickstart.toml").to_str().unwrap()])
        .args(["--run-dir", run.to_str().unwrap(), "--no-progress", "train.nworld=8", "train.iterations=1"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("in use by another sinew process (pid {})", std::process::id())), "{err}");
    drop(held);
    assert!(sinew::rl::run_dir::RunLock::acquire(&run).is_ok());
}

/// Item 5: deeply nested bodies, frames and default classes load without recursion (a thread
/// with a 1 MiB stack reads depth 20,000), and an element deep in a long file is reported at its
/// own line.
#[test]
fn deep_mjcf_loads_iteratively_with_exact_lines() {
    const DEPTH: usize = 20_000;
    let mut xml = String::from("<mujoco>\n<default>\n");
    for k in 0..DEPTH {
        xml += &format!("<default class=\"c{k}\">\n");
    }
    xml += &"</default>\n".repeat(DEPTH + 1);
    xml += "<worldbody>\n<body>\n<joint type=\"slide\"/>\n<geom size=\"0.1\"/>\n";
    for k in 0..DEPTH {
        let tag = if k % 2 == 0 { "body" } else { "frame" };
        xml += &format!("<{tag} pos=\"0 0 0.01\">\n<geom size=\"0.01\" class=\"c{k}\"/>\n");
    }
    for k in (0..DEPTH).rev() {
        xml += if k % 2 == 0 { "</body>\n" } else { "</frame>\n" };
    }
    xml += "</body>\n</worldbody>\n</mujoco>\n";
    let bad =
        xml.replacen("<geom size=\"0.01\" class=\"c19999\"/>", "<geom size=\"0.01\" colour=\"red\"/>", 1);
    let bad_line = bad.lines().position(|l| l.contains("colour")).unwrap() + 1;
    let loaded = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let ok = sinew::mjcf::load_model_str(&xml, std::path::Path::new("deep.xml"))
                .map(|m| (m.nbody, m.ngeom));
            let err =
                sinew::mjcf::load_model_str(&bad, std::path::Path::new("deep.xml")).map(|_| ()).unwrap_err();
            (ok, err.to_string())
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(loaded.0.unwrap(), (2 + DEPTH / 2, 1 + DEPTH));
    assert!(
        loaded.1.contains(&format!("deep.xml:{bad_line}")) && loaded.1.contains("colour"),
        "{}",
        loaded.1
    );
}

/// Item 6: world counts far past the adapter's memory are a clear error naming the count that
/// fits, before any allocation, for rollout and train alike.
#[test]
fn huge_world_counts_are_a_clear_error() {
    let asset = common::root().join("assets/cylinder_wrap.xml");
    let ctrl = tmp("ctrl_huge.npy");
    npio::save_npy(&ctrl, &Array { shape: vec![3, 2], data: vec![0.5; 6] }).unwrap();
    for nworld in ["100000000", "1000000000"] {
        let out = sinew()
            .args(["rollout", asset.to_str().unwrap(), "--ctrl", ctrl.to_str().unwrap(), "--nworld", nworld])
            .args(["--out", tmp("huge.npz").to_str().unwrap()])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(nworld) && err.contains("at most"), "{err}");
    }
    for nworld in ["100000000", "1000000"] {
        let out = sinew()
            .args(["train", "--config", common::root().join("configs/quickstart.toml").to_str().unwrap()])
            .args(["--run-dir", tmp(&format!("huge_run_{nworld}")).to_str().unwrap(), "--no-progress"])
            .arg(format!("train.nworld={nworld}"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(nworld) && err.contains("at most"), "{err}");
    }
}

/// Item 8: every config number is finite and in its range, named when it is not.
#[test]
fn non_finite_or_out_of_range_config_values_are_refused() {
    for (set, needle) in [
        ("policy.init_std=inf", "policy.init_std = inf"),
        ("train.reward_scale=nan", "train.reward_scale = NaN"),
        ("ppo.adam_betas=[0.9, 1.5]", "ppo.adam_betas[1] = 1.5"),
        ("ppo.adam_eps=0.0", "ppo.adam_eps = 0 must be > 0"),
        ("pose.bonus_weight=-inf", "pose.bonus_weight = -inf"),
        ("env.stand_height=-1.0", "env.stand_height = -1 must be > 0"),
    ] {
        let err = common::try_quickstart(&[set]).unwrap_err().to_string();
        assert!(err.contains(needle), "{set}: {err}");
    }
}

/// Item 8: a checkpoint whose header has a valid checksum but lengths or offsets past the file
/// (or overflowing) is an error, not a panic.
#[test]
fn crafted_checkpoint_headers_are_errors() {
    let craft = |hlen: u64, header: &str| {
        let mut bytes = b"SINEWCKPT1\n".to_vec();
        bytes.extend_from_slice(&hlen.to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        let crc = crc32c::crc32c(&bytes);
        bytes.extend_from_slice(&crc.to_le_bytes());
        let path = tmp("crafted.ckpt");
        std::fs::write(&path, bytes).unwrap();
        sinew::rl::checkpoint::Checkpoint::load(&path).map(|_| ()).unwrap_err().to_string()
    };
    assert!(craft(u64::MAX, "{}").contains("header runs past the end"));
    assert!(craft(u64::MAX - 5, "{}").contains("header runs past the end"));
    let meta = r#"{"iteration":0,"env_steps":0,"adam_step":0,"norm_count":0,"model":"m","task":"t","nobs":1,"nu":1,"nworld":1,"policy":{},"params":[]}"#;
    for blob in
        [format!("[\"x\",{},2]", u64::MAX), format!("[\"x\",0,{}]", u64::MAX), "[\"x\",0,9]".to_string()]
    {
        let header = format!(r#"{{"meta":{meta},"blobs":[{blob}]}}"#);
        let err = craft(header.len() as u64, &header);
        assert!(err.contains("blob x runs past the end"), "{blob}: {err}");
    }
}

/// Item 8: MJCF that MuJoCo refuses is refused: repeated actuator, equality, keyframe and sensor
/// names, and a spatial tendon with one point (MuJoCo 4.0's errors, checked by hand).
#[test]
fn mjcf_mujoco_refuses_is_refused() {
    let base = r#"<mujoco><worldbody><body name="b"><joint name="j" type="hinge"/><geom size=".1"/><site name="s1"/><site name="s2" pos="0 0 1"/></body></worldbody>XX</mujoco>"#;
    for (extra, needle) in [
        (
            r#"<actuator><motor name="a" joint="j"/><motor name="a" joint="j"/></actuator>"#,
            "repeated actuator name 'a'",
        ),
        (
            r#"<equality><joint name="e" joint1="j"/><joint name="e" joint1="j"/></equality>"#,
            "repeated equality name 'e'",
        ),
        (r#"<keyframe><key name="k"/><key name="k"/></keyframe>"#, "repeated keyframe name 'k'"),
        (
            r#"<sensor><touch name="x" site="s1"/><touch name="x" site="s2"/></sensor>"#,
            "repeated sensor name 'x'",
        ),
        (r#"<tendon><spatial name="t"><site site="s1"/></spatial></tendon>"#, "at least two points"),
    ] {
        let err = sinew::mjcf::load_model_str(&base.replace("XX", extra), std::path::Path::new("m.xml"))
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{extra}: {err}");
    }
    let fine = base.replace("XX", r#"<actuator><motor name="j" joint="j"/></actuator>"#);
    assert!(sinew::mjcf::load_model_str(&fine, std::path::Path::new("m.xml")).is_ok());
}
