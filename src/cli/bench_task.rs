//! `sinew bench MODEL --task TASK|CONFIG.toml`: control steps/s of a training environment (the
//! whole step: actions, frame-skip physics, forward, rewards, auto-reset, observations), the
//! physics alone on the same worlds, the task layer's share, memory per world, and MuJoCo C's
//! single-thread physics steps/s on this machine as reference.

use std::path::Path;
use std::time::Instant;

use sinew::env::{Env, EnvFile, TaskConfig};
use sinew::gpu::GpuContext;
use sinew::{Error, Result};

use super::bench::{BenchArgs, commit, mujoco_peer, now_unix};

#[derive(serde::Serialize)]
struct Row {
    model: String,
    task: String,
    nworld: usize,
    frame_skip: u32,
    control_steps: usize,
    env_steps_per_s: f64,
    physics_steps_per_s: f64,
    physics_only_steps_per_s: f64,
    task_layer_share: f64,
    task_layer_share_from_stages: Option<f64>,
    bytes_per_world: u64,
    adapter: String,
    backend: String,
    driver: String,
    device_type: String,
    mujoco_steps_per_s: Option<f64>,
    ratio_physics_vs_mujoco_1thread: Option<f64>,
    stage_ms: Vec<(String, f64)>,
    commit: String,
    date_unix: u64,
}

/// Measure and print.
pub fn run(args: &BenchArgs) -> Result<()> {
    let spec = args.task.as_deref().unwrap_or("imitation");
    let mut file = if spec.ends_with(".toml") {
        EnvFile::load(Path::new(spec))?
    } else {
        EnvFile { env: Default::default(), task: TaskConfig::by_name(spec)? }
    };
    file.env.model = args.model.clone();
    let path = sinew::models::resolve(&args.model)?;
    let ctx = GpuContext::new()?;
    let a = ctx.summary();
    let peer = if args.no_peer { None } else { mujoco_peer(&path, &[])? };
    let steps = args.steps.max(1);
    let mut rows = Vec::new();
    for &nworld in &args.nworld {
        if nworld == 0 {
            return Err(Error::Model("--nworld: world counts must be positive".into()));
        }
        let env = Env::new(&ctx, &file, nworld)?;
        let nu = env.model.nu;
        // a fixed mid-range excitation pattern, varied across muscles
        let actions: Vec<f32> = (0..nworld * nu).map(|i| ((i * 37) % 100) as f32 / 100.0 - 0.5).collect();
        env.write_actions(&ctx, &actions)?;
        env.reset(&ctx);
        env.step(&ctx);
        ctx.wait()?;
        let start = Instant::now();
        for _ in 0..steps {
            env.step(&ctx);
        }
        ctx.wait()?;
        let env_secs = start.elapsed().as_secs_f64();
        let fs = file.env.frame_skip as usize;
        let start = Instant::now();
        for _ in 0..steps {
            env.physics.run(&ctx, fs);
        }
        ctx.wait()?;
        let phys_secs = start.elapsed().as_secs_f64();
        let mut stage_ms = Vec::new();
        if args.stages {
            for (name, stage) in env.task_stages() {
                let start = Instant::now();
                for _ in 0..steps {
                    sinew::sim::stages::run(&ctx, &[stage]);
                }
                ctx.wait()?;
                stage_ms.push((name.to_string(), start.elapsed().as_secs_f64() * 1e3 / steps as f64));
            }
        }
        let env_sps = (nworld * steps) as f64 / env_secs;
        // the task layer's share from its stages timed alone (the whole-minus-physics difference
        // is within timing noise when the layer is a few per cent)
        let task_ms: f64 = stage_ms.iter().map(|(_, ms)| ms).sum();
        let phys_ms = phys_secs * 1e3 / steps as f64;
        let share_from_stages = (!stage_ms.is_empty()).then(|| task_ms / (task_ms + phys_ms));
        rows.push(Row {
            model: args.model.clone(),
            task: env.task().to_string(),
            nworld,
            frame_skip: file.env.frame_skip,
            control_steps: steps,
            env_steps_per_s: env_sps,
            physics_steps_per_s: env_sps * fs as f64,
            physics_only_steps_per_s: (nworld * steps * fs) as f64 / phys_secs,
            task_layer_share: ((env_secs - phys_secs) / env_secs).max(0.0),
            task_layer_share_from_stages: share_from_stages,
            bytes_per_world: env.bytes_per_world(),
            adapter: a.name.clone(),
            backend: a.backend.clone(),
            driver: format!("{} {}", a.driver, a.driver_info),
            device_type: a.device_type.clone(),
            mujoco_steps_per_s: peer,
            ratio_physics_vs_mujoco_1thread: peer.map(|p| env_sps * fs as f64 / p),
            stage_ms,
            commit: commit(),
            date_unix: now_unix(),
        });
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows).expect("plain rows serialise"));
        return Ok(());
    }
    println!(
        "model {} task {} (frame skip {}) on {} ({}, {})",
        args.model,
        file.task.name(),
        file.env.frame_skip,
        a.name,
        a.backend,
        a.device_type
    );
    match peer {
        Some(p) => println!("MuJoCo C (pip mujoco, 1 thread, same machine): {p:.0} physics steps/s"),
        None => println!("MuJoCo C peer: not measured"),
    }
    println!(
        "{:>8} {:>14} {:>16} {:>16} {:>11} {:>12}",
        "nworld", "env steps/s", "physics steps/s", "physics alone", "task share", "bytes/world"
    );
    for r in &rows {
        println!(
            "{:>8} {:>14.0} {:>16.0} {:>16.0} {:>10.1}% {:>12}",
            r.nworld,
            r.env_steps_per_s,
            r.physics_steps_per_s,
            r.physics_only_steps_per_s,
            100.0 * r.task_layer_share,
            r.bytes_per_world
        );
    }
    for r in rows.iter().filter(|r| !r.stage_ms.is_empty()) {
        println!(
            "task-layer stages at {} worlds (each alone, ms per control step; {:.1} % of the control step):",
            r.nworld,
            100.0 * r.task_layer_share_from_stages.unwrap_or(0.0)
        );
        for (name, ms) in &r.stage_ms {
            println!("  {name:<10} {ms:>9.3} ms");
        }
    }
    Ok(())
}
