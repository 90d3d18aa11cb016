//! Data-parallel PPO over MPI (feature `mpi`): `mpirun -np 2 sinew train` of the quick start,
//! the two ranks sharing this machine's adapter. Run by `.ci/run` as
//! `cargo test --features mpi --test mpi_training` (Open MPI from Debian).
#![cfg(feature = "mpi")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sinew::rl::checkpoint::Checkpoint;

/// `mpirun -np 2 sinew train ARGS` (allowed as root, two ranks on however many cores there are).
fn mpirun(args: &[&str]) -> Command {
    let mut cmd = Command::new("mpirun");
    cmd.args(["--oversubscribe", "-np", "2", env!("CARGO_BIN_EXE_sinew"), "train", "--no-progress"]);
    cmd.args(args);
    cmd.env("OMPI_ALLOW_RUN_AS_ROOT", "1").env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    cmd
}

fn run_ok(mut cmd: Command) -> String {
    let o = cmd.output().expect("mpirun (Open MPI) is installed");
    let out = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{out}");
    out
}

fn fresh(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn quickstart() -> String {
    common::root().join("configs/quickstart.toml").display().to_string()
}

/// metrics.csv's column `name`, one value per iteration.
fn column(run: &Path, name: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    let mut lines = text.lines();
    let at = lines.next().unwrap().split(',').position(|c| c == name).unwrap();
    lines.map(|l| l.split(',').nth(at).unwrap().parse().unwrap()).collect()
}

/// Two ranks of 64 worlds learn the quick start as one process of 128 does (its test's rule:
/// the return rises by over 100, and the policy then holds the pose in most episodes; given 60
/// iterations instead of 40: measured, the 2-rank run's deterministic policy held it in 44 % of
/// episodes after 40, where the single run's seeds reach 60 %+, both rising), with
/// their parameters and normalisers bitwise equal after every iteration (checked by the run
/// itself: `train.rank_check_every=1` stops it otherwise); rank 0 alone writes the run, whose
/// logs count both ranks' steps and whose normaliser has seen both ranks' observations; the
/// checkpoint holds both ranks' worlds.
#[test]
fn two_ranks_learn_the_quick_start() {
    let run = fresh("mpi_quickstart");
    let out = run_ok({
        let mut c = mpirun(&["--config", &quickstart(), "--run-dir", run.to_str().unwrap()]);
        c.args(["train.nworld=64", "train.iterations=60", "train.rank_check_every=1"]);
        c
    });
    assert!(out.contains("training on 2 ranks × 64 worlds = 128 worlds"), "{out}");
    let returns = column(&run, "mean_return");
    assert_eq!(returns.len(), 60, "one metrics row per iteration, from rank 0 alone");
    assert!(returns[59] > returns[1] + 100.0, "return {} → {}", returns[1], returns[59]);
    let steps = column(&run, "env_steps");
    assert_eq!(steps[0], (2 * 64 * 32) as f64, "env steps count both ranks' worlds");
    let c = Checkpoint::load(&run.join("checkpoints/iter_000060.ckpt")).unwrap();
    assert_eq!(c.meta.ranks, 2);
    assert_eq!(c.meta.norm_count, (60 * 2 * 64 * 32) as f64, "the normaliser saw both ranks' observations");
    assert!(c.blobs.keys().any(|k| k.starts_with("rank1/env/")), "rank 1's worlds are saved");
    for f in ["config.toml", "metrics.png", "policy.onnx"] {
        assert!(run.join(f).is_file(), "{f} missing");
    }
    let ctx = sinew::gpu::GpuContext::new().unwrap();
    let after = sinew::rl::eval::evaluate(&ctx, &run, 64, 32).unwrap();
    let success = after.success_rate.unwrap();
    assert!(success >= 0.6, "success rate after training {success}");
}

/// After one iteration of one control step, whose observations are every world's first (its
/// reset state), rank 0's merged normaliser holds the count, mean and variance of both ranks'
/// observations computed here on the host (each rank's worlds rebuilt with its seed).
#[test]
fn the_merged_normaliser_is_both_ranks_observations() {
    let run = fresh("mpi_normaliser");
    run_ok({
        let mut c = mpirun(&["--config", &quickstart(), "--run-dir", run.to_str().unwrap()]);
        c.args(["train.nworld=16", "train.horizon=1", "train.iterations=1", "ppo.minibatches=1"]);
        c
    });
    let c = Checkpoint::load(&run.join("checkpoints/iter_000001.ckpt")).unwrap();
    let ctx = sinew::gpu::GpuContext::new().unwrap();
    let cfg = common::quickstart(&[]);
    let mut rows: Vec<Vec<f32>> = Vec::new();
    for rank in 0..2 {
        let mut file = cfg.env.clone();
        file.env.seed = sinew::rl::ranks::rank_env_seed(cfg.env.env.seed, rank);
        let env = sinew::env::Env::new(&ctx, &file, 16).unwrap();
        env.reset(&ctx);
        let obs = env.observations(&ctx).unwrap();
        rows.extend(obs.chunks_exact(env.nobs).map(<[f32]>::to_vec));
    }
    let (n, nobs) = (rows.len() as f64, rows[0].len());
    assert_eq!(c.meta.norm_count, n);
    let (mean, var) = (c.f32s("norm/mean").unwrap(), c.f32s("norm/var").unwrap());
    for j in 0..nobs {
        let m = rows.iter().map(|r| r[j] as f64).sum::<f64>() / n;
        let v = rows.iter().map(|r| (r[j] as f64 - m).powi(2)).sum::<f64>() / n;
        assert!((mean[j] as f64 - m).abs() <= 1e-5 * (1.0 + m.abs()), "feature {j}: mean {} vs {m}", mean[j]);
        assert!((var[j] as f64 - v).abs() <= 1e-5 * (1e-3 + v), "feature {j}: variance {} vs {v}", var[j]);
    }
    // the two ranks' worlds differ (else this would not test a merge)
    assert_ne!(rows[0], rows[16]);
}

/// A 2-rank run stopped after iteration 2 and resumed with 2 ranks reaches iteration 4 with
/// bitwise the parameters, moments, normaliser and both ranks' worlds of the run that went
/// straight through; resuming it as a single process is refused by name.
#[test]
fn two_ranks_resume_exactly() {
    // (no learning-rate annealing: its schedule depends on train.iterations, which the resume
    // extends)
    let small = [
        "train.nworld=16",
        "train.horizon=8",
        "ppo.minibatches=2",
        "train.checkpoint_every=2",
        "ppo.anneal_lr=false",
    ];
    let (straight, split) = (fresh("mpi_straight"), fresh("mpi_split"));
    let train = |dir: &Path, iterations: &str, resume: bool| {
        let mut args: Vec<String> = if resume {
            vec!["--resume".into(), dir.display().to_string()]
        } else {
            vec!["--config".into(), quickstart(), "--run-dir".into(), dir.display().to_string()]
        };
        args.extend(small.iter().map(|s| s.to_string()));
        args.push(format!("train.iterations={iterations}"));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_ok(mpirun(&args))
    };
    train(&straight, "4", false);
    train(&split, "2", false);
    train(&split, "4", true);
    let a = Checkpoint::load(&straight.join("checkpoints/iter_000004.ckpt")).unwrap();
    let b = Checkpoint::load(&split.join("checkpoints/iter_000004.ckpt")).unwrap();
    assert!(a.blobs.keys().any(|k| k.starts_with("rank1/env/")));
    for (name, bytes) in &a.blobs {
        assert!(b.blobs.get(name) == Some(bytes), "{name} differs after the resume");
    }
    // (the model's path is spelt as each start resolved it: the config's relative path, or the
    // run directory's resolved one)
    let model_as_in = |m: &sinew::rl::checkpoint::CheckpointMeta| sinew::rl::checkpoint::CheckpointMeta {
        model: String::new(),
        ..m.clone()
    };
    assert_eq!(model_as_in(&a.meta), model_as_in(&b.meta));
    let single = Command::new(env!("CARGO_BIN_EXE_sinew"))
        .args(["train", "--no-progress", "--resume", split.to_str().unwrap(), "train.iterations=6"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&single.stderr);
    assert!(!single.status.success(), "{err}");
    assert!(err.contains("the number of ranks (MPI processes) is 2 there, 1 here"), "{err}");
}

/// The processes of sinew ranks (not mpirun's) whose command line names `run`, from /proc.
fn ranks_of(run: &Path) -> Vec<u32> {
    let want = run.to_str().unwrap();
    let mut pids: Vec<u32> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter(|pid: &u32| {
            let Ok(cmd) = std::fs::read(format!("/proc/{pid}/cmdline")) else { return false };
            let args: Vec<String> =
                cmd.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into()).collect();
            args[0].ends_with("sinew") && args.iter().any(|a| a == want)
        })
        .collect();
    pids.sort_unstable();
    pids
}

/// A rank killed mid-run ends the job with an error instead of leaving the other waiting in a
/// reduction.
#[test]
fn a_rank_that_dies_ends_the_job() {
    let run = fresh("mpi_killed");
    let mut child = mpirun(&["--config", &quickstart(), "--run-dir", run.to_str().unwrap()])
        .args(["train.nworld=16", "train.horizon=8", "train.iterations=500"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    // both ranks are iterating once rank 0 has logged an iteration
    while !run.join("metrics.csv").is_file() || column(&run, "iteration").is_empty() {
        assert!(started.elapsed() < Duration::from_secs(120), "the run never logged an iteration");
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        std::thread::sleep(Duration::from_millis(200));
    }
    let ranks = ranks_of(&run);
    assert_eq!(ranks.len(), 2, "two rank processes: {ranks:?}");
    let victim = ranks[1];
    Command::new("sh").args(["-c", &format!("kill -9 {victim}")]).status().unwrap();
    let killed = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if killed.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the job was still running 60 s after a rank died");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(!status.success(), "mpirun reported success after a rank died");
}
