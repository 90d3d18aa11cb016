//! `sinew bench --suite`: the standard matrix in one run — the bare step of four models with
//! contacts on and off, the imitation environment, one PPO iteration at two presets — with the
//! peers installed on this machine measured in the same run, written as one JSON record
//! `<adapter>-<date>.json`. A part that fails is recorded in `errors` and the run goes on.

use std::path::{Path, PathBuf};
use std::time::Instant;

use sinew::gpu::GpuContext;
use sinew::solver_budget::SolverBudget;
use sinew::{Error, Result};

use super::peers::{self, PeerPhysics, PeerRun};
use super::record::{AdapterRecord, MachineRecord, iso_utc, now_unix};
use super::task::TaskFigures;
use super::train::TrainFigures;
use super::{BenchArgs, load_model, ratio, step::StepFigures};

/// The models of the bare-step matrix.
pub const MODELS: [&str; 4] = ["myolegs", "myolegs_back", "myoarms", "mm_fullbody"];
/// The environment's model.
pub const ENV_MODEL: &str = "myolegs_walk";
/// The environment's config (under sinew's root).
pub const ENV_CONFIG: &str = "configs/myolegs_imitation.toml";
/// The PPO presets (under sinew's root).
pub const TRAIN_CONFIGS: [&str; 2] = ["configs/quickstart.toml", "configs/myolegs_imitation.toml"];
/// World counts at which the batched GPU peers (MJX, MuJoCo Warp) are measured, besides the
/// largest sinew measured: each costs them a compilation.
pub const PEER_COUNTS: [usize; 5] = [1, 64, 1024, 4096, 16384];
/// The record's schema name; bump it when a field changes meaning.
pub const SCHEMA: &str = "sinew-bench-suite/1";

/// The whole record.
#[derive(Debug, serde::Serialize)]
pub struct SuiteRecord {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// sinew's version.
    pub sinew_version: &'static str,
    /// The commit it was built from.
    pub commit: String,
    /// When the run started, UTC.
    pub date: String,
    /// The same, Unix seconds.
    pub date_unix: u64,
    /// Wall seconds of the whole suite.
    pub wall_s: f64,
    /// The machine.
    pub machine: MachineRecord,
    /// The adapter, its features and limits.
    pub adapter: AdapterRecord,
    /// How the suite was run.
    pub settings: Settings,
    /// Bare physics step rows.
    pub step: Vec<StepRow>,
    /// Environment rows.
    pub env: Vec<EnvRow>,
    /// PPO iteration rows.
    pub train: Vec<TrainFigures>,
    /// Rendering rows (one world at 640 × 480).
    pub render: Vec<super::render::RenderFigures>,
    /// Every peer run (measured, absent or failed), with its output.
    pub peers: Vec<PeerEntry>,
    /// Parts that failed, with the error.
    pub errors: Vec<PartError>,
    /// What a reader must know to compare the figures.
    pub notes: Vec<String>,
}

/// The suite's settings.
#[derive(Debug, serde::Serialize)]
pub struct Settings {
    /// Seconds of timed work per world count.
    pub seconds: f64,
    /// `auto` or the list.
    pub nworld: String,
    /// Whether stages were timed.
    pub stages: bool,
    /// Models of the step matrix.
    pub models: Vec<String>,
    /// The environment's model.
    pub env_model: String,
    /// `train.nworld` forced for the PPO rows, if it was.
    pub train_nworld: Option<usize>,
    /// Parts left out.
    pub skip: Vec<String>,
    /// World counts given for the batched peers, if any.
    pub peer_nworld: Vec<usize>,
    /// The solver's budget given with --option (`iterations=4,...`; empty: the models' own).
    pub option: String,
}

/// One bare-step row with its peers at the same world count.
#[derive(Debug, serde::Serialize)]
pub struct StepRow {
    /// Short name or path.
    pub model: String,
    /// Contacts on or off (MuJoCo's `contact` disable flag).
    pub contacts: bool,
    /// sinew's figures.
    #[serde(flatten)]
    pub figures: StepFigures,
    /// MuJoCo C on one thread.
    pub mujoco_1thread_steps_per_s: Option<f64>,
    /// sinew ÷ that.
    pub ratio_vs_mujoco_1thread: Option<f64>,
    /// MuJoCo C, one process per core, summed.
    pub mujoco_all_cores_steps_per_s: Option<f64>,
    /// sinew ÷ that.
    pub ratio_vs_mujoco_all_cores: Option<f64>,
    /// MJX at this world count.
    pub mjx_steps_per_s: Option<f64>,
    /// sinew ÷ that.
    pub ratio_vs_mjx: Option<f64>,
    /// MuJoCo Warp at this world count.
    pub mjwarp_steps_per_s: Option<f64>,
    /// sinew ÷ that.
    pub ratio_vs_mjwarp: Option<f64>,
}

/// One environment row.
#[derive(Debug, serde::Serialize)]
pub struct EnvRow {
    /// The model.
    pub model: String,
    /// The task.
    pub task: String,
    /// sinew's figures.
    #[serde(flatten)]
    pub figures: TaskFigures,
    /// MuJoCo C's bare physics on one thread (reference).
    pub mujoco_1thread_steps_per_s: Option<f64>,
    /// sinew's physics steps/s inside the environment ÷ that.
    pub ratio_physics_vs_mujoco_1thread: Option<f64>,
}

/// One peer run.
#[derive(Debug, serde::Serialize)]
pub struct PeerEntry {
    /// The model.
    pub model: String,
    /// Contacts on or off.
    pub contacts: bool,
    /// `mujoco_1thread`, `mujoco_all_cores`, `mjx` or `mjwarp`.
    pub peer: String,
    /// Its outcome.
    #[serde(flatten)]
    pub run: PeerRun,
}

/// A part that failed.
#[derive(Debug, serde::Serialize)]
pub struct PartError {
    /// `step`, `env` or `train`.
    pub part: String,
    /// The model or config.
    pub what: String,
    /// The error.
    pub error: String,
}

/// Run the suite, write the record, print the table; the record's path is the last line.
pub fn run(args: &BenchArgs) -> Result<()> {
    for part in &args.skip {
        if !["step", "env", "train", "peers", "render"].contains(&part.as_str()) {
            return Err(Error::Model(format!(
                "--skip {part}: unknown part (step, env, train, peers, render)"
            )));
        }
    }
    let started = Instant::now();
    let date_unix = now_unix();
    let ctx = GpuContext::new()?;
    let models: Vec<String> = if args.models.is_empty() {
        MODELS.iter().map(|s| s.to_string()).collect()
    } else {
        args.models.clone()
    };
    let env_model = args.env_model.clone().unwrap_or_else(|| ENV_MODEL.into());
    let skip = |p: &str| args.skip.iter().any(|s| s == p);
    let mut rec = SuiteRecord {
        schema: SCHEMA,
        sinew_version: env!("CARGO_PKG_VERSION"),
        commit: sinew::install::commit(),
        date: iso_utc(date_unix),
        date_unix,
        wall_s: 0.0,
        machine: MachineRecord::here(),
        adapter: AdapterRecord::of(&ctx),
        settings: Settings {
            seconds: args.seconds,
            nworld: args.nworld.to_string(),
            stages: args.stages,
            models: models.clone(),
            env_model: env_model.clone(),
            train_nworld: args.train_nworld,
            skip: args.skip.clone(),
            peer_nworld: args.peer_nworld.clone(),
            option: args.option.join(","),
        },
        step: Vec::new(),
        env: Vec::new(),
        train: Vec::new(),
        render: Vec::new(),
        peers: Vec::new(),
        errors: Vec::new(),
        notes: vec![
            "steps/s count world-steps: physics steps of one world, summed over worlds".into(),
            "MJX implements MuJoCo 3.x, which differs from MuJoCo 4.0 (sinew's oracle) on tendon side \
             sites: it is a throughput peer, not an oracle"
                .into(),
            "every world starts at qpos0 at rest with every control at 0.05, in sinew and in the peers"
                .into(),
        ],
    };
    // the record is rewritten after every part, so a run cut short keeps what it measured
    let path = record_path(&args.out.clone().unwrap_or_else(|| PathBuf::from(".")), &rec)?;
    let save = |rec: &mut SuiteRecord| {
        rec.wall_s = started.elapsed().as_secs_f64();
        save_record(&path, rec)
    };
    save(&mut rec)?;
    if !skip("step") {
        for model in &models {
            for contacts in [true, false] {
                if let Err(e) = step_part(&ctx, args, model, contacts, &mut rec) {
                    rec.errors.push(PartError {
                        part: "step".into(),
                        what: format!("{model} (contacts {})", if contacts { "on" } else { "off" }),
                        error: e.to_string(),
                    });
                }
                save(&mut rec)?;
            }
        }
    }
    if !skip("env") {
        if let Err(e) = env_part(&ctx, args, &env_model, &mut rec) {
            rec.errors.push(PartError { part: "env".into(), what: env_model.clone(), error: e.to_string() });
        }
        save(&mut rec)?;
    }
    if !skip("train") {
        for config in TRAIN_CONFIGS {
            match train_part(&ctx, args, config, &rec) {
                Ok(f) => rec.train.push(f),
                Err(e) => rec.errors.push(PartError {
                    part: "train".into(),
                    what: config.into(),
                    error: e.to_string(),
                }),
            }
            save(&mut rec)?;
        }
    }
    if !skip("render") {
        for model in &models {
            let bar = super::timing::progress_bar();
            match super::render::measure(&ctx, model, 640, 480, args.seconds, &bar) {
                Ok(f) => rec.render.push(f),
                Err(e) => rec.errors.push(PartError {
                    part: "render".into(),
                    what: model.clone(),
                    error: e.to_string(),
                }),
            }
            bar.finish_and_clear();
            save(&mut rec)?;
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rec).expect("plain record serialises"));
    } else {
        print_table(&rec);
    }
    println!("{}", path.display());
    Ok(())
}

fn step_part(
    ctx: &GpuContext,
    args: &BenchArgs,
    model: &str,
    contacts: bool,
    rec: &mut SuiteRecord,
) -> Result<()> {
    let physics = PeerPhysics {
        disabled: if contacts { vec![] } else { vec!["contact".into()] },
        option: SolverBudget::parse(&args.option)?,
    };
    let path = sinew::models::resolve(model)?;
    let m = load_model(&path, &physics)?;
    let figures = super::sweep_step(ctx, model, &m, args)?;
    let measured: Vec<usize> = figures.iter().map(|f| f.nworld).collect();
    let mut entry = |peer: &str, run: PeerRun| {
        rec.peers.push(PeerEntry { model: model.into(), contacts, peer: peer.into(), run });
        rec.peers.last().map(|e| e.run.clone()).expect("just pushed")
    };
    let (mj1, mjn, mjx, mjw) = if args.skip.iter().any(|s| s == "peers") {
        (None, None, None, None)
    } else {
        let counts = if args.peer_nworld.is_empty() {
            peer_counts(&measured)
        } else {
            args.peer_nworld.iter().copied().filter(|n| measured.contains(n)).collect()
        };
        let mj1 = entry("mujoco_1thread", peers::mujoco(&path, &physics, args.seconds, "1"));
        let mjn = entry("mujoco_all_cores", peers::mujoco(&path, &physics, args.seconds, "all"));
        let mjx = entry("mjx", peers::sweep("mjx_bench.py", &path, &physics, &counts, args.seconds));
        let mjw = entry("mjwarp", peers::sweep("mjwarp_bench.py", &path, &physics, &counts, args.seconds));
        (Some(mj1), Some(mjn), Some(mjx), Some(mjw))
    };
    for f in figures {
        let sps = f.physics_steps_per_s;
        let one = mj1.as_ref().and_then(PeerRun::steps_per_s);
        let all = mjn.as_ref().and_then(PeerRun::steps_per_s);
        let x = mjx.as_ref().and_then(|p| p.steps_per_s_at(f.nworld));
        let w = mjw.as_ref().and_then(|p| p.steps_per_s_at(f.nworld));
        rec.step.push(StepRow {
            model: model.into(),
            contacts,
            mujoco_1thread_steps_per_s: one,
            ratio_vs_mujoco_1thread: ratio(sps, one),
            mujoco_all_cores_steps_per_s: all,
            ratio_vs_mujoco_all_cores: ratio(sps, all),
            mjx_steps_per_s: x,
            ratio_vs_mjx: ratio(sps, x),
            mjwarp_steps_per_s: w,
            ratio_vs_mjwarp: ratio(sps, w),
            figures: f,
        });
    }
    Ok(())
}

/// The world counts the batched peers run: those of [`PEER_COUNTS`] sinew measured, and the
/// largest it measured.
pub fn peer_counts(measured: &[usize]) -> Vec<usize> {
    let mut v: Vec<usize> = measured.iter().copied().filter(|n| PEER_COUNTS.contains(n)).collect();
    if let Some(&max) = measured.iter().max() {
        if !v.contains(&max) {
            v.push(max);
        }
    }
    v
}

fn env_part(ctx: &GpuContext, args: &BenchArgs, model: &str, rec: &mut SuiteRecord) -> Result<()> {
    let config = data_path(ENV_CONFIG)?;
    let mut file = super::env_file(&config.display().to_string(), model)?;
    super::option_over_config(&mut file, args)?;
    let figures = super::sweep_task(ctx, &file, args)?;
    let mj = if args.skip.iter().any(|s| s == "peers") {
        None
    } else {
        let path = sinew::models::resolve(model)?;
        let physics = PeerPhysics { disabled: vec![], option: file.env.option.clone() };
        let run = peers::mujoco(&path, &physics, args.seconds, "1");
        rec.peers.push(PeerEntry {
            model: model.into(),
            contacts: true,
            peer: "mujoco_1thread".into(),
            run: run.clone(),
        });
        run.steps_per_s()
    };
    for f in figures {
        rec.env.push(EnvRow {
            model: model.into(),
            task: file.task.name().into(),
            mujoco_1thread_steps_per_s: mj,
            ratio_physics_vs_mujoco_1thread: ratio(f.physics_steps_per_s, mj),
            figures: f,
        });
    }
    Ok(())
}

/// A preset PPO iteration, at the preset's world count unless `--train-nworld` says otherwise
/// or [`reduced_nworld`] finds it too slow here.
fn train_part(ctx: &GpuContext, args: &BenchArgs, config: &str, rec: &SuiteRecord) -> Result<TrainFigures> {
    let path = data_path(config)?;
    if let Some(n) = args.train_nworld {
        return super::train::measure(ctx, &path, config, Some(n), "--train-nworld");
    }
    let preset = sinew::rl::config::TrainFile::load(&path, &[])?;
    let reduced = reduced_nworld(&preset, rec, args.seconds);
    super::train::measure(ctx, &path, config, reduced, "reduced")
}

/// When the preset's rollout would take more than 20 time boxes at the best environment
/// throughput measured above on the same model, the largest power-of-two fraction of its world
/// count that fits (recorded: `nworld_source` = `reduced`), so the suite stays minutes long on a
/// CPU adapter and runs presets as written on a GPU. `None`: run the preset as written.
fn reduced_nworld(preset: &sinew::rl::config::TrainFile, rec: &SuiteRecord, seconds: f64) -> Option<usize> {
    if preset.env.env.model != rec.settings.env_model {
        return None;
    }
    let sps = rec.env.iter().map(|r| r.figures.env_steps_per_s).fold(0.0, f64::max);
    let budget = 20.0 * seconds.max(0.5);
    let horizon = preset.train.horizon as f64;
    let fits = |n: usize| n as f64 * horizon / sps <= budget;
    if sps <= 0.0 || fits(preset.train.nworld) {
        return None;
    }
    let mut n = preset.train.nworld;
    while n > 1 && !fits(n) {
        n /= 2;
    }
    Some(n)
}

fn data_path(relative: &str) -> Result<PathBuf> {
    sinew::install::data_file(relative).ok_or_else(|| {
        Error::Model(format!("{relative} not found beside this binary (bundle) or in its source tree"))
    })
}

/// A new file `<adapter>-<date>.json` in `dir` (`-2`, `-3`, ... when taken).
pub fn record_path(dir: &Path, rec: &SuiteRecord) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let stem = format!("{}-{}", rec.adapter.file_stem(), &rec.date[..10]);
    let mut path = dir.join(format!("{stem}.json"));
    let mut k = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{k}.json"));
        k += 1;
    }
    Ok(path)
}

/// Write `rec` to `path` atomically.
pub fn save_record(path: &Path, rec: &SuiteRecord) -> Result<()> {
    let text = serde_json::to_string_pretty(rec).expect("plain record serialises");
    sinew::atomic_file::write_atomic(path, text.as_bytes())
}

fn fmt_opt(x: Option<f64>, f: impl Fn(f64) -> String) -> String {
    x.map_or_else(|| "-".into(), f)
}

fn print_table(rec: &SuiteRecord) {
    let a = &rec.adapter;
    println!(
        "sinew {} ({}) on {} ({}, {}, driver {} {}); {} s per world count; suite wall time {:.0} s",
        rec.sinew_version,
        rec.commit,
        a.summary.name,
        a.summary.backend,
        a.summary.device_type,
        a.summary.driver,
        a.summary.driver_info,
        rec.settings.seconds,
        rec.wall_s
    );
    println!(
        "{:<14} {:>8} {:>7} {:>12} {:>10} {:>10} {:>10} {:>10}",
        "model", "contacts", "nworld", "steps/s", "vs MJ 1t", "vs MJ all", "vs MJX", "vs MJWarp"
    );
    let r = |x: Option<f64>| fmt_opt(x, |v| format!("{v:.2}×"));
    for s in &rec.step {
        println!(
            "{:<14} {:>8} {:>7} {:>12.0} {:>10} {:>10} {:>10} {:>10}",
            s.model,
            if s.contacts { "on" } else { "off" },
            s.figures.nworld,
            s.figures.physics_steps_per_s,
            r(s.ratio_vs_mujoco_1thread),
            r(s.ratio_vs_mujoco_all_cores),
            r(s.ratio_vs_mjx),
            r(s.ratio_vs_mjwarp)
        );
    }
    if !rec.env.is_empty() {
        println!(
            "{:<14} {:>9} {:>7} {:>12} {:>16} {:>11} {:>10}",
            "env", "task", "nworld", "env steps/s", "physics steps/s", "task share", "vs MJ 1t"
        );
        for e in &rec.env {
            println!(
                "{:<14} {:>9} {:>7} {:>12.0} {:>16.0} {:>10.1}% {:>10}",
                e.model,
                e.task,
                e.figures.nworld,
                e.figures.env_steps_per_s,
                e.figures.physics_steps_per_s,
                100.0 * e.figures.task_layer_share,
                r(e.ratio_physics_vs_mujoco_1thread)
            );
        }
    }
    if !rec.train.is_empty() {
        println!(
            "{:<34} {:>7} {:>9} {:>10} {:>10} {:>12}",
            "PPO iteration", "nworld", "env steps", "rollout s", "update s", "env steps/s"
        );
        for t in &rec.train {
            let nworld =
                if t.nworld_source == "preset" { t.nworld.to_string() } else { format!("{}*", t.nworld) };
            println!(
                "{:<34} {:>7} {:>9} {:>10.2} {:>10.2} {:>12.0}",
                t.config, nworld, t.env_steps, t.rollout_s, t.update_s, t.env_steps_per_s
            );
        }
        for t in rec.train.iter().filter(|t| t.nworld_source != "preset") {
            println!(
                "  * {}: {} worlds instead of the preset's {} ({})",
                t.config,
                t.nworld,
                t.preset_nworld,
                if t.nworld_source == "reduced" {
                    "its rollout would take over 20 time boxes at the environment throughput measured here"
                } else {
                    "--train-nworld"
                }
            );
        }
    }
    if !rec.render.is_empty() {
        super::render::print(&rec.render, &a.summary.name);
    }
    // each peer that did not measure, once per distinct reason
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for p in rec.peers.iter().filter(|p| p.run.status != "measured") {
        let reason = p.run.reason.as_deref().unwrap_or("");
        if !seen.contains(&(p.peer.as_str(), reason)) {
            seen.push((p.peer.as_str(), reason));
            let contacts = if p.contacts { "on" } else { "off" };
            println!("peer {} {} (first: {}, contacts {contacts}): {reason}", p.peer, p.run.status, p.model);
        }
    }
    for e in &rec.errors {
        println!("error in {} {}: {}", e.part, e.what, e.error);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn peer_counts_are_the_standard_ones_and_the_largest() {
        assert_eq!(super::peer_counts(&[1, 2, 4, 64, 128]), vec![1, 64, 128]);
        assert_eq!(super::peer_counts(&[]), Vec::<usize>::new());
    }
}
