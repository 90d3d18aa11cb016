//! `sinew render SOURCE --out FILE.mp4`: draw worlds on the GPU that simulates them and encode
//! an H.264 MP4 in-process (and/or PNG frames). SOURCE is a model (open-loop: `--ctrl` or zero
//! excitation), a trajectory npz from `sinew rollout` (replayed; `--model` names its model), or
//! a run directory / checkpoint (its deterministic policy acting in its task).

use std::path::{Path, PathBuf};

use clap::Args;
use sinew::gpu::GpuContext;
use sinew::npio;
use sinew::render::drive::{self, stride};
use sinew::render::video::VideoWriter;
use sinew::render::{Image, RenderOptions};
use sinew::sim::rollout::InitState;
use sinew::{Error, Result};

use super::sources::{SourceKind, load_model, load_trajectory};
use super::view_args::DrawArgs;

/// Arguments of `sinew render`.
#[derive(Args)]
pub struct RenderArgs {
    /// A model (MJCF file or short name), a trajectory .npz written by `sinew rollout`, or a run
    /// directory / checkpoint.
    pub source: String,
    /// Output MP4 (H.264, yuv420p, fast start).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also (or only) write every frame as DIR/frame_<k>.png.
    #[arg(long)]
    pub frames_dir: Option<PathBuf>,
    /// Steps to run (physics steps for a model, control steps for a run; default: all rows of
    /// --ctrl or of the trajectory, 200 physics steps of zero excitation, or one episode).
    #[arg(long)]
    pub steps: Option<usize>,
    /// Video frame rate; frames are drawn every round(rate / fps) steps so the video plays in
    /// real time (default: the physics rate for models and trajectories, the control rate for
    /// runs: every step).
    #[arg(long)]
    pub fps: Option<f64>,
    /// The trajectory's model (SOURCE .npz only).
    #[arg(long)]
    pub model: Option<String>,
    /// Model source: controls, float32 .npy (steps, nu) or (nworld, steps, nu); default zero.
    #[arg(long)]
    pub ctrl: Option<PathBuf>,
    /// Model source: initial state .npz (qpos, qvel, act), as `sinew rollout --init`.
    #[arg(long)]
    pub init: Option<PathBuf>,
    #[command(flatten)]
    pub draw: DrawArgs,
}

/// Where frames go: an MP4 being encoded and/or a folder of PNGs.
struct Output {
    video: Option<VideoWriter>,
    frames_dir: Option<PathBuf>,
    count: usize,
}

impl Output {
    fn new(args: &RenderArgs, opts: &RenderOptions, fps: f64) -> Result<Self> {
        if args.out.is_none() && args.frames_dir.is_none() {
            return Err(Error::Config("render needs --out FILE.mp4 or --frames-dir DIR (or both)".into()));
        }
        let video = match &args.out {
            Some(p) => Some(VideoWriter::create(p, opts.width, opts.height, fps)?),
            None => None,
        };
        if let Some(d) = &args.frames_dir {
            std::fs::create_dir_all(d)
                .map_err(|e| Error::Config(format!("--frames-dir {}: {e}", d.display())))?;
        }
        Ok(Output { video, frames_dir: args.frames_dir.clone(), count: 0 })
    }

    fn push(&mut self, img: Image) -> Result<()> {
        if let Some(v) = &mut self.video {
            v.push(&img)?;
        }
        if let Some(d) = &self.frames_dir {
            img.save_png(&d.join(format!("frame_{:05}.png", self.count)))?;
        }
        self.count += 1;
        Ok(())
    }

    fn finish(self, what: &str, secs: f64) -> Result<()> {
        if self.count == 0 {
            return Err(Error::Config(format!(
                "{what}: no frame was drawn (too few steps for the frame rate)"
            )));
        }
        let rate = self.count as f64 / secs.max(1e-9);
        if let Some(v) = self.video {
            let path = v.path().to_path_buf();
            let s = v.finish()?;
            eprintln!(
                "render: {} frames of {what} -> {} ({} kB), {rate:.1} frames/s",
                s.frames,
                path.display(),
                s.bytes / 1024
            );
        }
        if let Some(d) = &self.frames_dir {
            eprintln!("render: {} PNG frames -> {}", self.count, d.display());
        }
        Ok(())
    }
}

/// Steps per frame: `--fps` as [`stride`] makes it, else every step, or as few as keep the
/// video at most 1000 frames/s (the file's rate is `rate / stride`).
fn video_stride(rate: f64, fps: Option<f64>) -> usize {
    match fps {
        Some(_) => stride(rate, fps),
        None => (rate / 1000.0).ceil().max(1.0) as usize,
    }
}

/// Run `sinew render`.
pub fn run(args: &RenderArgs) -> Result<()> {
    let ctx = GpuContext::new()?;
    let result = render(&ctx, args);
    ctx.quiesce();
    result
}

fn render(ctx: &GpuContext, args: &RenderArgs) -> Result<()> {
    if let Some(f) = args.fps
        && !(f.is_finite() && f > 0.0)
    {
        return Err(Error::Config(format!("--fps {f}: the frame rate must be above 0")));
    }
    let start = std::time::Instant::now();
    let kind = SourceKind::of(&args.source, args.model.as_deref())?;
    if !matches!(kind, SourceKind::Model(_)) && (args.ctrl.is_some() || args.init.is_some()) {
        return Err(Error::Config(
            "--ctrl and --init are for a model source, not a trajectory or a run".into(),
        ));
    }
    match kind {
        SourceKind::Run(path) => render_run(ctx, args, &path, start),
        SourceKind::Trajectory(path) => render_trajectory(ctx, args, &path, start),
        SourceKind::Model(name) => render_model(ctx, args, &name, start),
    }
}

fn render_model(ctx: &GpuContext, args: &RenderArgs, name: &str, start: std::time::Instant) -> Result<()> {
    let m = load_model(name)?;
    let opts = args.draw.options(&m, 1)?;
    let want_nworld = opts.worlds.iter().max().map(|w| w + 1);
    let (nworld, steps, ctrl) = match &args.ctrl {
        Some(p) => {
            let c = npio::load_npy(p)?;
            let (n, s, c) = super::rollout::controls(&m, &c, p, None, args.steps, |_| Ok(()))?;
            if want_nworld.is_some_and(|w| w > n) {
                return Err(Error::Config(format!("--world {:?}: --ctrl has {n} worlds", opts.worlds)));
            }
            (n, s, c)
        }
        None => {
            let n = want_nworld.unwrap_or(1);
            let s = args.steps.unwrap_or(200);
            (n, s, vec![0.0; s * n * m.nu])
        }
    };
    let init = match &args.init {
        Some(p) => super::rollout::initial_state(&m, p, nworld)?,
        None => InitState::rest(&m, nworld),
    };
    let rate = 1.0 / m.opt.timestep;
    let every = video_stride(rate, args.fps);
    let mut out = Output::new(args, &opts, rate / every as f64)?;
    drive::open_loop(ctx, &m, nworld, steps, &init, &ctrl, every, opts, |img| out.push(img))?;
    out.finish(&format!("{steps} steps of {name}"), start.elapsed().as_secs_f64())
}

fn render_trajectory(
    ctx: &GpuContext,
    args: &RenderArgs,
    path: &Path,
    start: std::time::Instant,
) -> Result<()> {
    let m = load_model(args.model.as_deref().expect("SourceKind checked --model"))?;
    let opts = args.draw.options(&m, 1)?;
    let (nworld, qpos, act) = load_trajectory(path, &m, args.steps)?;
    let rows = qpos.len() / (nworld * m.nq);
    let rate = 1.0 / m.opt.timestep;
    let every = video_stride(rate, args.fps);
    let mut out = Output::new(args, &opts, rate / every as f64)?;
    drive::replay(ctx, &m, nworld, &qpos, act.as_deref(), every, opts, |img| out.push(img))?;
    out.finish(&format!("{rows} rows of {}", path.display()), start.elapsed().as_secs_f64())
}

fn render_run(ctx: &GpuContext, args: &RenderArgs, path: &Path, start: std::time::Instant) -> Result<()> {
    let nworld = args.draw.worlds.iter().max().map_or(1, |w| w + 1);
    let scene =
        sinew::rl::video::PolicyScene::load(ctx, path, nworld, |m, pelvis| args.draw.options(m, pelvis))?;
    let rate = scene.control_rate();
    let every = video_stride(rate, args.fps);
    let steps = args.steps.unwrap_or(scene.config.env.env.max_steps as usize);
    let opts = args.draw.options(&scene.env().model, scene.env().pelvis)?;
    let mut out = Output::new(args, &opts, rate / every as f64)?;
    scene.run(ctx, steps, every, args.steps.is_none(), |img| out.push(img))?;
    out.finish(&format!("{} ({})", path.display(), scene.checkpoint.display()), start.elapsed().as_secs_f64())
}
