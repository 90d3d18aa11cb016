//! `sinew bench MODEL --nworld 1,256,1024 --steps N [--json]`: physics steps/s on the GPU, and
//! MuJoCo C's single-thread steps/s on this machine for the same model (tools/mujoco_bench.py,
//! with the fetch-models venv's pip `mujoco`), with the ratio.

use std::path::Path;
use std::time::Instant;

use clap::Args;
use sinew::gpu::{GpuContext, GpuModel};
use sinew::sim::SimState;
use sinew::sim::sparsity::GpuSparsity;
use sinew::sim::step::Step;
use sinew::{Error, Result};

/// Arguments of `sinew bench`.
#[derive(Args)]
pub struct BenchArgs {
    /// MJCF file or short name of a fetched model.
    pub model: String,
    /// World counts to measure, comma separated.
    #[arg(long, value_delimiter = ',', default_values_t = vec![1usize, 256, 1024])]
    pub nworld: Vec<usize>,
    /// Steps timed per world count (after one warm-up step).
    #[arg(long, default_value_t = 100)]
    pub steps: usize,
    /// Steps recorded per command buffer.
    #[arg(long, default_value_t = 10)]
    pub steps_per_submit: usize,
    /// Skip the MuJoCo C peer measurement.
    #[arg(long)]
    pub no_peer: bool,
    /// Print one JSON array (one object per world count) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Time a training environment instead of the bare physics step: a task name (imitation,
    /// locomotion, reaching; defaults) or an environment TOML (configs/*.toml). `--steps` then
    /// counts control steps.
    #[arg(long)]
    pub task: Option<String>,
    /// Also time each stage alone (stage-by-stage mode: each stage dispatched by itself, so the
    /// figures include one submit and wait per batch of repeats).
    #[arg(long)]
    pub stages: bool,
}

#[derive(serde::Serialize)]
struct Row {
    model: String,
    nworld: usize,
    steps: usize,
    physics_steps_per_s: f64,
    bytes_per_world: u64,
    adapter: String,
    backend: String,
    driver: String,
    device_type: String,
    disabled: Vec<String>,
    mujoco_steps_per_s: Option<f64>,
    stage_ms: Vec<(String, f64)>,
    ratio_vs_mujoco_1thread: Option<f64>,
    commit: String,
    date_unix: u64,
}

/// Measure and print.
pub fn run(args: &BenchArgs) -> Result<()> {
    if args.task.is_some() {
        return super::bench_task::run(args);
    }
    let path = sinew::models::resolve(&args.model)?;
    let m = sinew::mjcf::load_model(&path)?;
    // the full step, contacts on, in both sinew and the MuJoCo peer
    let disabled: Vec<String> = Vec::new();
    let ctx = GpuContext::new()?;
    let a = ctx.summary();
    let peer = if args.no_peer { None } else { mujoco_peer(&path, &disabled)? };
    let mut rows = Vec::new();
    for &nworld in &args.nworld {
        if nworld == 0 {
            return Err(Error::Model("--nworld: world counts must be positive".into()));
        }
        let gm = GpuModel::upload(&ctx, &m);
        let sp = GpuSparsity::upload(&ctx, &m);
        let st = SimState::new(&ctx, &m, nworld);
        let ctrl = vec![0.05f32; nworld * m.nu];
        if !ctrl.is_empty() {
            SimState::write(&ctx, &st.ctrl, &ctrl);
        }
        let step = Step::new(&ctx, &m, &gm, &sp, &st)?;
        step.run(&ctx, 1);
        ctx.wait()?;
        let start = Instant::now();
        let mut done = 0;
        while done < args.steps {
            let n = args.steps_per_submit.max(1).min(args.steps - done);
            step.run(&ctx, n);
            done += n;
        }
        ctx.wait()?;
        let secs = start.elapsed().as_secs_f64();
        let sps = (nworld * args.steps) as f64 / secs;
        let mut stage_ms = Vec::new();
        if args.stages {
            for (name, stage) in step.named_stages() {
                let reps = args.steps.max(1);
                let start = Instant::now();
                for _ in 0..reps {
                    sinew::sim::stages::run(&ctx, &[stage]);
                }
                ctx.wait()?;
                stage_ms.push((name.to_string(), start.elapsed().as_secs_f64() * 1e3 / reps as f64));
            }
        }
        let bytes_per_world =
            (st.bytes() + step.efc_state.bytes() + step.contact_state.bytes()) / nworld as u64;
        rows.push(Row {
            model: args.model.clone(),
            nworld,
            steps: args.steps,
            physics_steps_per_s: sps,
            bytes_per_world,
            adapter: a.name.clone(),
            backend: a.backend.clone(),
            driver: format!("{} {}", a.driver, a.driver_info),
            device_type: a.device_type.clone(),
            disabled: disabled.clone(),
            mujoco_steps_per_s: peer,
            stage_ms,
            ratio_vs_mujoco_1thread: peer.map(|p| sps / p),
            commit: commit(),
            date_unix: now_unix(),
        });
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows).expect("plain rows serialise"));
        return Ok(());
    }
    println!(
        "model {} on {} ({}, {}); disabled: {}",
        args.model,
        a.name,
        a.backend,
        a.device_type,
        if disabled.is_empty() { "none".into() } else { disabled.join(",") }
    );
    match peer {
        Some(p) => println!("MuJoCo C (pip mujoco, 1 thread, same machine): {p:.0} steps/s"),
        None => println!("MuJoCo C peer: not measured"),
    }
    println!("{:>8} {:>16} {:>14} {:>12}", "nworld", "steps/s", "vs MuJoCo", "bytes/world");
    for r in &rows {
        let ratio = r.ratio_vs_mujoco_1thread.map_or("-".to_string(), |x| format!("{x:.2}×"));
        println!("{:>8} {:>16.0} {:>14} {:>12}", r.nworld, r.physics_steps_per_s, ratio, r.bytes_per_world);
    }
    for r in rows.iter().filter(|r| !r.stage_ms.is_empty()) {
        let total: f64 = r.stage_ms.iter().map(|(_, ms)| ms).sum();
        println!("stages at {} worlds (each alone, ms per dispatch set):", r.nworld);
        for (name, ms) in &r.stage_ms {
            println!("  {name:<12} {ms:>9.3} ms {:>5.1} %", 100.0 * ms / total);
        }
    }
    Ok(())
}

/// MuJoCo C's single-thread steps/s via tools/mujoco_bench.py, if the fetch-models venv exists.
pub(crate) fn mujoco_peer(model: &Path, disabled: &[String]) -> Result<Option<f64>> {
    let python = std::env::var_os("SINEW_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| sinew::models::models_dir().join(".venv/bin/python"));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/mujoco_bench.py");
    if !python.is_file() || !script.is_file() {
        eprintln!("bench: no MuJoCo peer ({} not found; run tools/fetch-models)", python.display());
        return Ok(None);
    }
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg(model)
        .args(["--steps", "2000", "--disable", &disabled.join(",")])
        .output()
        .map_err(|e| Error::io(&python, e))?;
    if !out.status.success() {
        eprintln!(
            "bench: MuJoCo peer failed: {}",
            String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("")
        );
        return Ok(None);
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| Error::Model(format!("bench: MuJoCo peer printed no JSON: {e}")))?;
    Ok(v["steps_per_s"].as_f64())
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn now_unix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The source tree's git commit, when run from a checkout.
pub(crate) fn commit() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}
