//! Issue 17, item 2: training is bitwise reproducible for a config, seed and device. Each run is
//! its own process, as a user's runs are (a process-wide state such as a kernel cache or an RNG
//! then cannot make two runs agree by accident).

mod common;

use sinew::rl::checkpoint::Checkpoint;

/// Columns that measure time, not learning.
const TIMING: [&str; 3] = ["env_steps_per_s", "rollout_s", "update_s"];

/// metrics.csv without its timing columns.
fn learning_columns(csv: &std::path::Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let keep: Vec<usize> = (0..header.len()).filter(|&i| !TIMING.contains(&header[i])).collect();
    let mut rows = vec![keep.iter().map(|&i| header[i].to_string()).collect()];
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        rows.push(keep.iter().map(|&i| cells[i].to_string()).collect());
    }
    rows
}

#[test]
fn quickstart_runs_with_one_seed_are_bitwise_identical() {
    let base = std::env::temp_dir().join(format!("sinew-reproducible-{}", std::process::id()));
    let config = common::root().join("configs/quickstart.toml");
    let mut first: Option<(Vec<Vec<String>>, Checkpoint)> = None;
    for run in 0..7 {
        let dir = base.join(format!("run{run}"));
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sinew"))
            .args(["train", "--config", config.to_str().unwrap(), "--run-dir", dir.to_str().unwrap()])
            .args(["--no-progress", "train.iterations=5"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let metrics = learning_columns(&dir.join("metrics.csv"));
        assert_eq!(metrics.len(), 6, "header and 5 iterations");
        let ckpt = Checkpoint::load(&dir.join("checkpoints/iter_000005.ckpt")).unwrap();
        match &first {
            None => first = Some((metrics, ckpt)),
            Some((m0, c0)) => {
                for (row, (a, b)) in m0.iter().zip(&metrics).enumerate() {
                    assert_eq!(a, b, "run {run}: metrics.csv row {row} differs from run 0's");
                }
                for (name, blob) in &c0.blobs {
                    assert!(ckpt.blobs.get(name) == Some(blob), "run {run}: checkpoint '{name}' differs");
                }
                assert_eq!(c0.meta, ckpt.meta);
            }
        }
    }
    std::fs::remove_dir_all(&base).unwrap();
}
