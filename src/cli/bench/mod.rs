//! `sinew bench`: time-boxed throughput of the physics step (`MODEL`), of a training environment
//! (`MODEL --task`), or the standard matrix with peers (`--suite`), on the GPU sinew runs on.

pub mod peers;
pub mod record;
pub mod render;
pub mod stages;
pub mod step;
pub mod suite;
pub mod task;
pub mod timing;
pub mod train;

use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::ProgressBar;
use sinew::env::{EnvFile, TaskConfig};
use sinew::gpu::GpuContext;
use sinew::model::{Model, disable};
use sinew::sim::footprint::Footprint;
use sinew::solver_budget::SolverBudget;
use sinew::{Error, Result};

use peers::PeerPhysics;
use step::Budget;
use timing::{WorldCounts, progress_bar};

/// Arguments of `sinew bench`.
#[derive(Args)]
pub struct BenchArgs {
    /// MJCF file or short name of a fetched model (not with --suite).
    pub model: Option<String>,
    /// World counts: comma separated, or `auto` (powers of two from 1 while they fit the adapter,
    /// up to 16384, stopping once one step takes over half of --seconds).
    #[arg(long, default_value = "auto", value_parser = WorldCounts::parse)]
    pub nworld: WorldCounts,
    /// Seconds of timed work per world count (after a warm-up of a quarter of that).
    #[arg(long, default_value_t = 2.0)]
    pub seconds: f64,
    /// Physics to disable in sinew and the peers, by MuJoCo's flag names (e.g. contact).
    #[arg(long, value_delimiter = ',')]
    pub disable: Vec<String>,
    /// The solver's budget in sinew and the peers, overriding the model's `<option>`, e.g.
    /// `iterations=4,ls_iterations=8` (also `tolerance=1e-6`); with --task, over the config's.
    #[arg(long, value_delimiter = ',')]
    pub option: Vec<String>,
    /// Skip the MuJoCo C peer.
    #[arg(long)]
    pub no_peer: bool,
    /// Print JSON (an array of rows; the suite's record with --suite) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Time a training environment instead of the bare physics step: a task name (imitation,
    /// locomotion, reaching, pose; defaults) or an environment TOML (configs/*.toml).
    #[arg(long)]
    pub task: Option<String>,
    /// Also time every stage: GPU timestamps inside the recorded step where the adapter has them,
    /// else each stage dispatched alone.
    #[arg(long)]
    pub stages: bool,
    /// Measure the renderer instead of the step: frames/s drawing one world of MODEL at
    /// --width × --height, alone, with readback, and with H.264 encoding.
    #[arg(long, conflicts_with_all = ["task", "stages"])]
    pub render: bool,
    /// Render: frame width.
    #[arg(long, default_value_t = 640)]
    pub width: u32,
    /// Render: frame height.
    #[arg(long, default_value_t = 480)]
    pub height: u32,
    /// The standard matrix in one run, with peers, written as one JSON file
    /// `<adapter>-<date>.json` (see README: Speed).
    #[arg(long)]
    pub suite: bool,
    /// Folder for the suite's JSON file (default: the current folder).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Suite: these models instead of myolegs, myolegs_back, myoarms, mm_fullbody.
    #[arg(long, value_delimiter = ',')]
    pub models: Vec<String>,
    /// Suite: the environment's model instead of myolegs_walk.
    #[arg(long)]
    pub env_model: Option<String>,
    /// Suite: train.nworld for the PPO iterations instead of each preset's own.
    #[arg(long)]
    pub train_nworld: Option<usize>,
    /// Suite: parts to leave out (step, env, train, peers).
    #[arg(long, value_delimiter = ',')]
    pub skip: Vec<String>,
    /// Suite: world counts at which MJX and MuJoCo Warp run (each costs them a compilation),
    /// instead of 1, 64, 1024, 4096, 16384 and the largest sinew measured; only counts sinew
    /// measured are kept.
    #[arg(long, value_delimiter = ',')]
    pub peer_nworld: Vec<usize>,
}

impl BenchArgs {
    fn budget(&self) -> Budget {
        Budget { seconds: self.seconds, stages: self.stages }
    }
}

/// Measure and print.
pub fn run(args: &BenchArgs) -> Result<()> {
    if !(args.seconds.is_finite() && args.seconds >= 0.0) {
        return Err(Error::Model(format!("--seconds {}: must be a non-negative number", args.seconds)));
    }
    if args.suite {
        return suite::run(args);
    }
    let Some(model) = args.model.as_deref() else {
        return Err(Error::Model(
            "sinew bench: name a MODEL, or run the standard matrix with --suite".into(),
        ));
    };
    if args.render {
        let ctx = GpuContext::new()?;
        let bar = progress_bar();
        let result = render::measure(&ctx, model, args.width, args.height, args.seconds, &bar);
        bar.finish_and_clear();
        ctx.quiesce();
        let row = result?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&row).expect("plain figures serialise"));
        } else {
            render::print(&[row], &ctx.summary().name);
        }
        return Ok(());
    }
    match &args.task {
        Some(task) => run_task(args, model, task),
        None => run_step(args, model),
    }
}

/// `a / b`, when there is a positive `b`.
pub fn ratio(a: f64, b: Option<f64>) -> Option<f64> {
    b.filter(|b| *b > 0.0).map(|b| a / b)
}

/// MuJoCo C's single-thread steps/s on `path` (unless `--no-peer`); why not, on stderr.
fn mujoco_1thread(args: &BenchArgs, path: &Path, physics: &PeerPhysics) -> Option<f64> {
    if args.no_peer {
        return None;
    }
    let peer = peers::mujoco(path, physics, args.seconds, "1");
    if peer.status != "measured" {
        eprintln!("bench: MuJoCo peer {}: {}", peer.status, peer.reason.as_deref().unwrap_or(""));
    }
    peer.steps_per_s()
}

/// A model with `physics`' disable flags and solver budget set.
pub fn load_model(path: &Path, physics: &PeerPhysics) -> Result<Model> {
    let mut m = sinew::mjcf::load_model(path)?;
    m.opt.disableflags |=
        disable::bits(&physics.disabled).map_err(|e| Error::Model(format!("--disable {e}")))?;
    physics.option.apply(&mut m.opt);
    Ok(m)
}

/// What every row of `sinew bench MODEL [--task]` carries besides its figures.
#[derive(Clone, serde::Serialize)]
struct RowContext {
    adapter: String,
    backend: String,
    mujoco_1thread_steps_per_s: Option<f64>,
    commit: String,
    date_unix: u64,
}

impl RowContext {
    fn new(ctx: &GpuContext, mujoco: Option<f64>) -> Self {
        let a = ctx.summary();
        RowContext {
            adapter: a.name,
            backend: a.backend,
            mujoco_1thread_steps_per_s: mujoco,
            commit: sinew::install::commit(),
            date_unix: record::now_unix(),
        }
    }
}

/// One row of `sinew bench MODEL`.
#[derive(serde::Serialize)]
struct StepRow {
    model: String,
    disabled: Vec<String>,
    /// The solver's budget over the model's (`iterations=4,...`; empty: the model's own).
    option: String,
    #[serde(flatten)]
    figures: step::StepFigures,
    ratio_vs_mujoco_1thread: Option<f64>,
    #[serde(flatten)]
    context: RowContext,
}

/// Measure each world count `--nworld` asks for, after checking every one against the adapter
/// (named `model` in errors); an `auto` sweep stops once a step takes over half the time box.
/// `measure(n, bar)` gives a count's figures and its seconds per step.
fn sweep<T>(
    ctx: &GpuContext,
    model: &str,
    fp: &Footprint,
    args: &BenchArgs,
    measure: impl Fn(usize, &ProgressBar) -> Result<(T, f64)>,
) -> Result<Vec<T>> {
    let counts = args.nworld.candidates(fp.max_nworld(&ctx.memory_limits()));
    if counts.is_empty() {
        fp.check(ctx, model, 1)?;
    }
    for &n in &counts {
        fp.check(ctx, model, n)?;
    }
    let bar = progress_bar();
    let mut out = Vec::new();
    for (i, &n) in counts.iter().enumerate() {
        bar.set_prefix(format!("{model} {n} worlds ({}/{})", i + 1, counts.len()));
        let (figures, per_step) = measure(n, &bar)?;
        out.push(figures);
        if args.nworld.stop_after(per_step, args.seconds) {
            break;
        }
    }
    bar.finish_and_clear();
    Ok(out)
}

/// [`sweep`] over one model's bare step (its disable flags as set).
pub fn sweep_step(
    ctx: &GpuContext,
    name: &str,
    m: &Model,
    args: &BenchArgs,
) -> Result<Vec<step::StepFigures>> {
    let fp = step::footprint(ctx, m)?;
    sweep(ctx, name, &fp, args, |n, bar| {
        let f = step::measure(ctx, m, n, args.budget(), bar)?;
        let per_step = f.seconds / f.steps.max(1) as f64;
        Ok((f, per_step))
    })
}

fn run_step(args: &BenchArgs, model: &str) -> Result<()> {
    let path = sinew::models::resolve(model)?;
    let physics = PeerPhysics { disabled: args.disable.clone(), option: SolverBudget::parse(&args.option)? };
    let m = load_model(&path, &physics)?;
    let ctx = GpuContext::new()?;
    let a = ctx.summary();
    let figures = sweep_step(&ctx, model, &m, args)?;
    let mj = mujoco_1thread(args, &path, &physics);
    let context = RowContext::new(&ctx, mj);
    let rows: Vec<StepRow> = figures
        .into_iter()
        .map(|f| StepRow {
            model: model.to_string(),
            disabled: args.disable.clone(),
            option: physics.option.to_arg(),
            ratio_vs_mujoco_1thread: ratio(f.physics_steps_per_s, mj),
            figures: f,
            context: context.clone(),
        })
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows).expect("plain rows serialise"));
        return Ok(());
    }
    println!(
        "model {model} on {} ({}, {}); disabled: {}; solver: {}; {} s per world count",
        a.name,
        a.backend,
        a.device_type,
        if args.disable.is_empty() { "none".into() } else { args.disable.join(",") },
        if args.option.is_empty() { "the model's".into() } else { physics.option.to_arg() },
        args.seconds
    );
    match mj {
        Some(p) => println!("MuJoCo C (1 thread, same machine): {p:.0} steps/s"),
        None => println!("MuJoCo C peer: not measured"),
    }
    println!("{:>8} {:>8} {:>14} {:>11} {:>12}", "nworld", "steps", "steps/s", "vs MuJoCo", "bytes/world");
    for r in &rows {
        let ratio = r.ratio_vs_mujoco_1thread.map_or("-".to_string(), |x| format!("{x:.2}×"));
        let f = &r.figures;
        println!(
            "{:>8} {:>8} {:>14.0} {:>11} {:>12}",
            f.nworld, f.steps, f.physics_steps_per_s, ratio, f.bytes_per_world
        );
    }
    if let Some(r) = rows.last() {
        println!(
            "dispatches per physics step: {}; state in tiles of {} worlds",
            r.figures.dispatches_per_step, r.figures.world_tile
        );
    }
    for r in rows.iter().filter(|r| !r.figures.stage_ms.is_empty()) {
        print_stages(r.figures.nworld, r.figures.stage_timing, &r.figures.stage_ms, "per step");
        if let Some(it) = r.figures.newton_iterations {
            println!(
                "  Newton iterations per world in the last step (first {} worlds, gradient checks \
                 included): mean {:.2}, most {}",
                it.worlds, it.mean, it.max
            );
        }
    }
    Ok(())
}

/// Print a stage table.
pub fn print_stages(nworld: usize, how: Option<stages::StageTiming>, stage_ms: &[(String, f64)], per: &str) {
    let total: f64 = stage_ms.iter().map(|(_, ms)| ms).sum();
    println!("stages at {nworld} worlds (ms {per}; {}):", how.map_or("", |h| h.describe()));
    for (name, ms) in stage_ms {
        println!("  {name:<20} {ms:>10.3} ms {:>5.1} %", 100.0 * ms / total.max(1e-30));
    }
}

/// The environment file of `--task` (a task name or a TOML) on `model`.
pub fn env_file(task: &str, model: &str) -> Result<EnvFile> {
    let mut file = if task.ends_with(".toml") {
        EnvFile::load(Path::new(task))?
    } else {
        EnvFile { env: Default::default(), task: TaskConfig::by_name(task)? }
    };
    file.env.model = model.to_string();
    Ok(file)
}

/// `--option` over the config's `[env.option]`, field by field.
pub fn option_over_config(file: &mut EnvFile, args: &BenchArgs) -> Result<()> {
    file.env.option = SolverBudget::parse(&args.option)?.over(&file.env.option);
    Ok(())
}

/// [`sweep`] over an environment's control step.
pub fn sweep_task(ctx: &GpuContext, file: &EnvFile, args: &BenchArgs) -> Result<Vec<task::TaskFigures>> {
    let mut m = sinew::mjcf::load_model(&sinew::models::resolve(&file.env.model)?)?;
    // as the environment will set it: the solver's budget sizes some of its buffers
    file.env.option.apply(&mut m.opt);
    let fp = sinew::sim::Sim::footprint(ctx, &m, file.env.contact_capacity)?;
    sweep(ctx, &file.env.model, &fp, args, |n, bar| {
        let f = task::measure(ctx, &m, file, n, args.budget(), bar)?;
        let per_step = f.seconds / f.control_steps.max(1) as f64;
        Ok((f, per_step))
    })
}

/// One row of `sinew bench MODEL --task`.
#[derive(serde::Serialize)]
struct TaskRow {
    model: String,
    task: String,
    #[serde(flatten)]
    figures: task::TaskFigures,
    ratio_physics_vs_mujoco_1thread: Option<f64>,
    #[serde(flatten)]
    context: RowContext,
}

fn run_task(args: &BenchArgs, model: &str, spec: &str) -> Result<()> {
    let mut file = env_file(spec, model)?;
    option_over_config(&mut file, args)?;
    let path = sinew::models::resolve(model)?;
    let ctx = GpuContext::new()?;
    let a = ctx.summary();
    let figures = sweep_task(&ctx, &file, args)?;
    let mj = mujoco_1thread(args, &path, &PeerPhysics { disabled: vec![], option: file.env.option.clone() });
    let context = RowContext::new(&ctx, mj);
    let rows: Vec<TaskRow> = figures
        .into_iter()
        .map(|f| TaskRow {
            model: model.to_string(),
            task: file.task.name().to_string(),
            ratio_physics_vs_mujoco_1thread: ratio(f.physics_steps_per_s, mj),
            figures: f,
            context: context.clone(),
        })
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows).expect("plain rows serialise"));
        return Ok(());
    }
    println!(
        "model {model} task {} (frame skip {}) on {} ({}, {}); {} s per world count",
        file.task.name(),
        file.env.frame_skip,
        a.name,
        a.backend,
        a.device_type,
        args.seconds
    );
    match mj {
        Some(p) => println!("MuJoCo C (1 thread, same machine): {p:.0} physics steps/s"),
        None => println!("MuJoCo C peer: not measured"),
    }
    println!(
        "{:>8} {:>14} {:>16} {:>16} {:>11} {:>11} {:>12}",
        "nworld", "env steps/s", "physics steps/s", "physics alone", "task share", "vs MuJoCo", "bytes/world"
    );
    for r in &rows {
        let f = &r.figures;
        let ratio = r.ratio_physics_vs_mujoco_1thread.map_or("-".to_string(), |x| format!("{x:.2}×"));
        println!(
            "{:>8} {:>14.0} {:>16.0} {:>16.0} {:>10.1}% {:>11} {:>12}",
            f.nworld,
            f.env_steps_per_s,
            f.physics_steps_per_s,
            f.physics_only_steps_per_s,
            100.0 * f.task_layer_share,
            ratio,
            f.bytes_per_world
        );
    }
    if let Some(r) = rows.last() {
        println!("dispatches per control step: {}", r.figures.dispatches_per_control_step);
        if r.figures.motions > 0 {
            println!(
                "motion library: {} motions, {} bytes on the GPU (shared by every world)",
                r.figures.motions, r.figures.motion_library_bytes
            );
        }
    }
    for r in rows.iter().filter(|r| !r.figures.stage_ms.is_empty()) {
        print_stages(r.figures.nworld, r.figures.stage_timing, &r.figures.stage_ms, "per control step");
    }
    Ok(())
}
