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
        .args(["train.nworld=8", "train.horizon=4", "train.iterations=1", "train.checkpoint_every=1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
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
