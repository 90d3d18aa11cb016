//! `sinew render SOURCE --out FILE.mp4`: draw worlds on the GPU that simulates them and encode
//! an H.264 MP4 in-process (and/or PNG frames). SOURCE is a model (open-loop: `--ctrl` or zero
//! excitation), a trajectory npz from `sinew rollout` (replayed; `--model` names its model), or
//! a run directory / checkpoint (its deterministic policy acting in its task).

use std::path::{Path, PathBuf};

use clap::Args;
use sinew::gpu::GpuContext;
use sinew::model::Model;
use sinew::npio;
use sinew::render::drive::{self, stride};
use sinew::render::video::VideoWriter;
use sinew::render::{Image, RenderOptions};
use sinew::sim::rollout::InitState;
use sinew::{Error, Result};

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
            std::fs::create_dir_all(d).map_err(|e| Error::Config(format!("--frames-dir {}: {e}", d.display())))?;
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
            return Err(Error::Config(format!("{what}: no frame was drawn (too few steps for the frame rate)")));
        }
        let rate = self.count as f64 / secs.max(1e-9);
        if let Some(v) = self.video {
            let path = v.path().to_path_buf();
            let s = v.finish()?;
            eprintln!("render: {} frames of {what} -> {} ({} kB), {rate:.1} frames/s", s.frames, path.display(), s.bytes / 1024);
        }
        if let Some(d) = &self.frames_dir {
            eprintln!("render: {} PNG frames -> {}", self.count, d.display());
        }
        Ok(())
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
    let source = Path::new(&args.source);
    let start = std::time::Instant::now();
    if is_run(source) {
        return render_run(ctx, args, source, start);
    }
    if source.extension().is_some_and(|e| e.eq_ignore_ascii_case("npz")) {
        return render_trajectory(ctx, args, source, start);
    }
    if args.model.is_some() {
        return Err(Error::Config("--model names a trajectory's model; SOURCE is not an .npz".into()));
    }
    render_model(ctx, args, start)
}

/// A run directory (it has config.toml) or a checkpoint file inside one.
fn is_run(p: &Path) -> bool {
    p.join("config.toml").is_file()
        || (p.is_file() && p.parent().and_then(Path::parent).is_some_and(|r| r.join("config.toml").is_file()))
}

fn load_model(name: &str) -> Result<Model> {
    sinew::mjcf::load_model(&sinew::models::resolve(name)?)
}

fn render_model(ctx: &GpuContext, args: &RenderArgs, start: std::time::Instant) -> Result<()> {
    let m = load_model(&args.source)?;
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
    let every = stride(rate, args.fps);
    let mut out = Output::new(args, &opts, args.fps.unwrap_or(rate))?;
    drive::open_loop(ctx, &m, nworld, steps, &init, &ctrl, every, opts, |img| out.push(img))?;
    out.finish(&format!("{steps} steps of {}", args.source), start.elapsed().as_secs_f64())
}

fn render_trajectory(ctx: &GpuContext, args: &RenderArgs, path: &Path, start: std::time::Instant) -> Result<()> {
    let Some(model) = &args.model else {
        return Err(Error::Config(format!("{}: a trajectory needs --model MODEL (the model it was rolled out on)", path.display())));
    };
    let m = load_model(model)?;
    let opts = args.draw.options(&m, 1)?;
    let arrays = npio::load_npz(path, &["qpos", "act"])?;
    let mut arrays = arrays.into_iter();
    let qpos = arrays.next().flatten().ok_or_else(|| Error::Config(format!("{}: no 'qpos' array", path.display())))?;
    let act = arrays.next().flatten();
    let [rows, nworld, nq] = qpos.shape[..] else {
        return Err(Error::Config(format!("{}: qpos has shape {:?}, expected (steps, nworld, nq)", path.display(), qpos.shape)));
    };
    if nq != m.nq {
        return Err(Error::Config(format!("{}: qpos has {nq} columns; {model} has nq {}", path.display(), m.nq)));
    }
    let rows = args.steps.map_or(rows, |s| s.min(rows));
    let qpos = &qpos.data[..rows * nworld * nq];
    let act = match &act {
        Some(a) if a.shape.len() == 3 && a.shape[0] >= rows && a.shape[1] == nworld && a.shape[2] == m.na => {
            Some(&a.data[..rows * nworld * m.na])
        }
        Some(a) => {
            return Err(Error::Config(format!(
                "{}: act has shape {:?}, expected ({rows}, {nworld}, {})",
                path.display(),
                a.shape,
                m.na
            )));
        }
        None => None,
    };
    let rate = 1.0 / m.opt.timestep;
    let every = stride(rate, args.fps);
    let mut out = Output::new(args, &opts, args.fps.unwrap_or(rate))?;
    drive::replay(ctx, &m, nworld, qpos, act, every, opts, |img| out.push(img))?;
    out.finish(&format!("{rows} rows of {}", path.display()), start.elapsed().as_secs_f64())
}

fn render_run(ctx: &GpuContext, args: &RenderArgs, path: &Path, start: std::time::Instant) -> Result<()> {
    if args.ctrl.is_some() || args.init.is_some() || args.model.is_some() {
        return Err(Error::Config("--ctrl, --init and --model are for models and trajectories, not runs".into()));
    }
    let nworld = args.draw.worlds.iter().max().map_or(1, |w| w + 1);
    let scene = sinew::rl::video::PolicyScene::load(ctx, path, nworld, |m, pelvis| args.draw.options(m, pelvis))?;
    let rate = scene.control_rate();
    let every = stride(rate, args.fps);
    let steps = args.steps.unwrap_or(scene.config.env.env.max_steps as usize);
    let opts = args.draw.options(&scene.env().model, scene.env().pelvis)?;
    let mut out = Output::new(args, &opts, args.fps.unwrap_or(rate))?;
    scene.run(ctx, steps, every, args.steps.is_none(), |img| out.push(img))?;
    out.finish(&format!("{} ({})", path.display(), scene.checkpoint.display()), start.elapsed().as_secs_f64())
}
