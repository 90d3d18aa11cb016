//! A run directory and the training loop around [`Trainer`]: `config.toml` (the resolved
//! config), `metrics.csv`, TensorBoard events under `tb/`, `checkpoints/iter_NNNNNN.ckpt`,
//! `metrics.png` and `policy.onnx` at the end; [`super::run_dir`] keeps one process per directory
//! and the logs in step with the checkpoint a resume continues from.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::checkpoint::{self, Checkpoint};
use super::config::{TrainFile, new_run_dir};
use super::ranks::Ranks;
use super::run_dir::{self, RunLock};
use super::tensorboard::EventWriter;
use super::trainer::{CSV_COLUMNS, IterationMetrics, Trainer};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;

/// How to start or continue a run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The config file (a new run).
    pub config: Option<PathBuf>,
    /// `key=value` overrides.
    pub overrides: Vec<String>,
    /// Where the run goes (default: a new folder under `runs/`).
    pub run_dir: Option<PathBuf>,
    /// Continue this run directory from its latest checkpoint.
    pub resume: Option<PathBuf>,
    /// A new run starting from this checkpoint's (or run directory's latest) policy and
    /// observation normaliser, with a fresh optimiser.
    pub init_from: Option<PathBuf>,
    /// Print each iteration's submit/readback counts and timings.
    pub verbose: bool,
    /// Show a progress bar.
    pub progress: bool,
    /// The processes the run spans (data-parallel over MPI; one by default). Rank 0 alone writes
    /// the run directory.
    pub ranks: Arc<Ranks>,
    /// Called on rank 0 with each iteration's metrics once they are logged (notebooks plot live
    /// from it); an error it returns stops the run with that error.
    pub on_iteration: Option<IterationHook>,
}

/// A callback given every iteration's metrics ([`RunOptions::on_iteration`]).
#[derive(Clone)]
pub struct IterationHook(pub Arc<dyn Fn(&IterationMetrics) -> Result<()> + Send + Sync>);

impl std::fmt::Debug for IterationHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IterationHook")
    }
}

/// What a finished run reports.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The run directory.
    pub run_dir: PathBuf,
    /// Every iteration's metrics (this invocation's).
    pub metrics: Vec<IterationMetrics>,
}

/// Train as `opts` says; returns when the configured iterations are done.
pub fn train(ctx: &GpuContext, opts: &RunOptions) -> Result<RunSummary> {
    let (cfg, run_dir) = match (&opts.resume, &opts.config) {
        (Some(dir), _) => {
            let config = dir.join("config.toml");
            if !config.is_file() {
                return Err(Error::Config(format!(
                    "{}: not a run directory (no config.toml); start a run with --config FILE",
                    dir.display()
                )));
            }
            (TrainFile::load(&config, &opts.overrides)?, dir.clone())
        }
        (None, Some(config)) => {
            let cfg = TrainFile::load(config, &opts.overrides)?;
            (cfg, opts.run_dir.clone().unwrap_or_else(|| new_run_dir(config)))
        }
        (None, None) => return Err(Error::Config("train needs --config FILE or --resume RUN_DIR".into())),
    };
    if opts.init_from.is_some() && opts.resume.is_some() {
        return Err(Error::Config(
            "--init-from starts a new run and --resume continues one: give one of them".into(),
        ));
    }
    // Rank 0 alone writes the run directory; the others read its config and checkpoints.
    let root = opts.ranks.is_root();
    // One process per run directory, from here until the policy is exported.
    let _lock = if root { Some(RunLock::acquire(&run_dir)?) } else { None };
    let resume_from = match opts.resume {
        Some(_) => {
            let newest = run_dir::newest_valid_checkpoint(&run_dir)?;
            if newest.is_none() {
                eprintln!(
                    "note: {} holds no checkpoint; the run starts again from iteration 0",
                    run_dir.display()
                );
            }
            newest
        }
        None if root && !run_dir::checkpoints(&run_dir).is_empty() => {
            return Err(Error::Config(format!(
                "{} already holds a run; continue it with --resume {0} or pick another --run-dir",
                run_dir.display()
            )));
        }
        None => None,
    };
    let mut trainer = Trainer::with_ranks(ctx, cfg, opts.ranks.clone())?;
    if !root {
        return follow(&mut trainer, &resume_from, opts, &run_dir);
    }
    // The logs continue from the checkpoint: what came after it will be written again.
    match &resume_from {
        Some((_, c)) => run_dir::truncate_logs(&run_dir, c.meta.iteration, c.meta.env_steps)?,
        None => run_dir::clear_logs(&run_dir)?,
    }
    std::fs::create_dir_all(run_dir.join("checkpoints")).map_err(|e| Error::io(&run_dir, e))?;
    if opts.ranks.size > 1 {
        let n = trainer.cfg.train.nworld;
        println!("training on {} ranks × {n} worlds = {} worlds", opts.ranks.size, opts.ranks.size * n);
    }
    if let Some((source, iteration)) = start(&mut trainer, &resume_from, opts, &run_dir)? {
        let record = serde_json::json!({ "checkpoint": source, "iteration": iteration });
        write_file(&run_dir.join(INIT_FROM), record.to_string().as_bytes())?;
    }
    write_file(&run_dir.join("config.toml"), trainer.cfg.to_toml()?.as_bytes())?;
    let csv_path = run_dir.join("metrics.csv");
    let mut csv = open_csv(&csv_path, resume_from.is_some())?;
    let mut tb = EventWriter::create(&run_dir.join("tb"))?;
    let total = trainer.cfg.train.iterations;
    let bar = opts.progress.then(|| {
        let b = indicatif::ProgressBar::new(total as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} it  {msg}  [{elapsed} < {eta}]")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b.set_position(trainer.iteration as u64);
        b
    });
    let every = trainer.cfg.train.checkpoint_every;
    let mut metrics = Vec::new();
    let mut video = super::video::TrainingVideo::default();
    let mut reduced_before = opts.ranks.reductions();
    while trainer.iteration < total {
        let m = trainer.iterate()?;
        let row: Vec<String> = m.row().iter().map(|v| format!("{v}")).collect();
        writeln!(csv, "{}", row.join(",")).map_err(|e| Error::io(&csv_path, e))?;
        csv.flush().map_err(|e| Error::io(&csv_path, e))?;
        for (name, v) in CSV_COLUMNS.iter().zip(m.row()).skip(2) {
            tb.scalar(name, m.env_steps as i64, v as f32)?;
        }
        if trainer.env.adapts_sampling() {
            super::sampling_log::log_sampling(ctx, &trainer.env, &run_dir, &mut tb, m.env_steps as i64)?;
        }
        let msg = format!(
            "{:.0} env-steps/s  return {:.2}  length {:.1}  success {:.2}",
            m.env_steps_per_s, m.mean_return, m.mean_episode_length, m.success_rate
        );
        match &bar {
            Some(b) => {
                b.set_message(msg.clone());
                b.inc(1);
            }
            None if !opts.verbose => println!("iteration {}/{total}: {msg}", m.iteration),
            None => {}
        }
        if opts.verbose {
            let mut line = format!(
                "iteration {}: {} submits, {} host readbacks; rollout {:.3} s, update {:.3} s; {msg}",
                m.iteration, m.submits, m.readbacks, m.rollout_s, m.update_s
            );
            if opts.ranks.size > 1 {
                // gradient averaging over the ranks this iteration (part of the update)
                let (s, bytes) = opts.ranks.reductions();
                let (s0, b0) = reduced_before;
                line += &format!("; all-reduce {:.3} s of {:.2} MB", s - s0, (bytes - b0) as f64 / 1e6);
                reduced_before = (s, bytes);
            }
            match &bar {
                Some(b) => b.println(line),
                None => println!("{line}"),
            }
        }
        if checkpoint_due(m.iteration, every, total) {
            trainer.checkpoint()?.save(&checkpoint::path_for(&run_dir, m.iteration))?;
        }
        let video_every = trainer.cfg.train.video_every;
        if video_every > 0 && m.iteration % video_every == 0 {
            let t = std::time::Instant::now();
            let path = video.record(ctx, &trainer, &run_dir, &mut tb)?;
            tb.flush()?;
            if opts.verbose {
                println!(
                    "iteration {}: video {} in {:.1} s",
                    m.iteration,
                    path.display(),
                    t.elapsed().as_secs_f64()
                );
            }
        }
        if let Some(hook) = &opts.on_iteration {
            (hook.0)(&m)?;
        }
        metrics.push(m);
    }
    tb.flush()?;
    if let Some(b) = &bar {
        b.finish();
    }
    super::plot::plot_metrics(&csv_path, &run_dir.join("metrics.png"))?;
    let ckpt = Checkpoint::load(&checkpoint::latest(&run_dir)?)?;
    super::mixture::deployed_of(&ckpt)?.write_onnx(
        &run_dir.join("policy.onnx"),
        &format!("sinew {} ({}, {})", env!("CARGO_PKG_VERSION"), ckpt.meta.model, ckpt.meta.task),
    )?;
    Ok(RunSummary { run_dir, metrics })
}

/// A rank other than 0: the same start (the checkpoint resumed, or the policy fine-tuned) and
/// the same iterations, taking part in every collective (the updates' reductions, the
/// checkpoints' gathering of worlds), writing nothing.
fn follow(
    trainer: &mut Trainer,
    resume_from: &Option<(PathBuf, Checkpoint)>,
    opts: &RunOptions,
    run_dir: &Path,
) -> Result<RunSummary> {
    start(trainer, resume_from, opts, run_dir)?;
    let (total, every) = (trainer.cfg.train.iterations, trainer.cfg.train.checkpoint_every);
    let mut metrics = Vec::new();
    while trainer.iteration < total {
        let m = trainer.iterate()?;
        if checkpoint_due(m.iteration, every, total) {
            // rank 0 saves it; this rank sends its worlds
            trainer.checkpoint()?;
        }
        metrics.push(m);
    }
    Ok(RunSummary { run_dir: run_dir.to_path_buf(), metrics })
}

/// Where every rank's trainer starts: the checkpoint resumed, or for a new run (or a fine-tuning
/// run killed before its first checkpoint) the policy fine-tuned from, whose (path, iteration)
/// is returned for rank 0's record; then the ranks check they agree.
fn start(
    trainer: &mut Trainer,
    resume_from: &Option<(PathBuf, Checkpoint)>,
    opts: &RunOptions,
    run_dir: &Path,
) -> Result<Option<(PathBuf, usize)>> {
    let source = match resume_from {
        Some((_, c)) => {
            trainer.restore(c)?;
            None
        }
        None => match init_source(opts, run_dir)? {
            Some(source) => {
                let c = Checkpoint::load(&source)?;
                trainer.init_from(&c).map_err(|e| Error::Config(format!("{}: {e}", source.display())))?;
                Some((source, c.meta.iteration))
            }
            None => None,
        },
    };
    agree_on_start(trainer)?;
    Ok(source)
}

/// Whether iteration `iteration` of `total` writes a checkpoint (every `every`, 0: only the last).
fn checkpoint_due(iteration: usize, every: usize, total: usize) -> bool {
    (every > 0 && iteration.is_multiple_of(every)) || iteration == total
}

/// Every rank starts from the same point (iteration, environment steps, iterations and
/// checkpoint interval: each read the run directory itself, and a stale listing on a network
/// filesystem could hand one rank an older checkpoint), else an error on every rank instead of
/// ranks meeting different collectives. Nothing to check for one process.
fn agree_on_start(trainer: &Trainer) -> Result<()> {
    if trainer.ranks.size == 1 {
        return Ok(());
    }
    let t = &trainer.cfg.train;
    let start =
        [trainer.iteration as f64, trainer.env_steps as f64, t.iterations as f64, t.checkpoint_every as f64];
    match trainer.ranks.disagreement(&start) {
        None => Ok(()),
        Some(all) => Err(Error::Config(format!(
            "the ranks disagree on where the run starts (iteration, env steps, iterations, checkpoint_every): \
             {all:?}, rank by rank; every rank must see the same run directory"
        ))),
    }
}

/// Where a fine-tuning run's first policy came from (`{"checkpoint", "iteration"}`).
const INIT_FROM: &str = "init_from.json";

/// The checkpoint a run starts from: `--init-from` (a checkpoint, or a run directory's latest),
/// else the one a fine-tuning run being resumed before its first checkpoint recorded.
fn init_source(opts: &RunOptions, run_dir: &Path) -> Result<Option<PathBuf>> {
    if let Some(p) = &opts.init_from {
        return checkpoint::latest(p).map(Some);
    }
    let record = run_dir.join(INIT_FROM);
    if opts.resume.is_none() || !record.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&record).map_err(|e| Error::io(&record, e))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Error::Config(format!("{}: {e}", record.display())))?;
    match v["checkpoint"].as_str() {
        Some(p) => Ok(Some(PathBuf::from(p))),
        None => Err(Error::Config(format!("{}: no \"checkpoint\" path", record.display()))),
    }
}

fn open_csv(path: &Path, append: bool) -> Result<std::fs::File> {
    let exists = path.is_file();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(append)
        .write(true)
        .truncate(!append)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    if !(append && exists) {
        writeln!(f, "{}", CSV_COLUMNS.join(",")).map_err(|e| Error::io(path, e))?;
    }
    Ok(f)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::atomic_file::write_atomic(path, bytes)
}
