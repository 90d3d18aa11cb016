//! Videos of a trained policy: its deterministic action (as `sinew eval` runs it) acting in fresh
//! worlds of the run's task, drawn after every control step by the renderer on the same device.
//! `sinew render RUN`, `sinew eval RUN --video N` and training's `train.video_every` use it.

use std::path::{Path, PathBuf};

use super::checkpoint::Checkpoint;
use super::config::TrainFile;
use super::eval::{check_fits, load_run};
use super::mixture::{Deployed, deployed_of};
use crate::env::Env;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::model::Model;
use crate::render::video::{VideoSummary, VideoWriter};
use crate::render::{GhostStyle, Image, RenderOptions, Renderer};
use crate::sim::{Sim, SimOptions};

/// A run's policy ready to act in a fresh environment of its task.
pub struct PolicyScene {
    /// The checkpoint loaded.
    pub checkpoint: PathBuf,
    /// The run's config.
    pub config: TrainFile,
    policy: Deployed,
    env: Env,
    renderer: Renderer,
    ghost: Option<Ghost>,
}

/// Imitation's reference motion, posed in a kinematics-only simulator each frame.
struct Ghost {
    sim: Sim,
}

impl Ghost {
    /// The reference pose each world's motion has now (the frame the task compares the state
    /// with), set in the ghost's worlds and carried through kinematics. Reads back the worlds'
    /// motion bookkeeping (a few words per world), not their physics state.
    fn pose(&self, ctx: &GpuContext, env: &Env) -> Result<()> {
        let Some(lib) = &env.motion else { return Ok(()) };
        let nq = env.model.nq;
        let mut qpos = Vec::with_capacity(env.nworld * nq);
        for w in env.worlds(ctx)? {
            let m = lib
                .motions
                .get(w.motion as usize)
                .ok_or_else(|| Error::Motion(format!("world on motion {}", w.motion)))?;
            let f = m.start + ((w.frame0 + w.step) as usize).min(m.nframe.saturating_sub(1));
            qpos.extend(lib.qpos[f * nq..(f + 1) * nq].iter().map(|v| *v as f32));
        }
        let st = self.sim.state();
        st.upload(ctx, &st.qpos, &qpos)?;
        let f = self.sim.step.forward_stages();
        crate::sim::stages::run(ctx, &[f[0], f[1]]);
        Ok(())
    }
}

impl PolicyScene {
    /// Load `path` (a checkpoint or a run directory: its latest) and set up `nworld` worlds of its
    /// task with a renderer of the options `opts` gives for the task's model and pelvis body.
    pub fn load(
        ctx: &GpuContext,
        path: &Path,
        nworld: usize,
        opts: impl FnOnce(&Model, usize) -> Result<RenderOptions>,
    ) -> Result<Self> {
        let (ckpt_path, ckpt, cfg) = load_run(path)?;
        Self::from_checkpoint(ctx, ckpt_path, &ckpt, cfg, nworld, opts)
    }

    /// As [`PolicyScene::load`], from a checkpoint already in memory (training's own).
    pub fn from_checkpoint(
        ctx: &GpuContext,
        checkpoint: PathBuf,
        ckpt: &Checkpoint,
        config: TrainFile,
        nworld: usize,
        opts: impl FnOnce(&Model, usize) -> Result<RenderOptions>,
    ) -> Result<Self> {
        // contact forces on, for the renderer's force arrows (one small dispatch a physics step)
        let env = Env::with_contact_forces(ctx, &config.env, nworld)?;
        check_fits(&checkpoint, ckpt, &env)?;
        let policy = deployed_of(ckpt)?;
        let opts = opts(&env.model, env.pelvis)?;
        let mut renderer = Renderer::new(ctx, &env.model, &env.sim, opts.clone())?;
        let ghost = match (&env.motion, opts.ghost) {
            (Some(_), true) => {
                let sim = Sim::new(ctx, &env.model, nworld, SimOptions::default())?;
                // beside the body, to the camera's right
                let az = opts.camera.azimuth_deg.to_radians();
                let style = GhostStyle { shift: [az.sin(), -az.cos(), 0.0], ..GhostStyle::default() };
                renderer.add_ghost(ctx, &env.model, &sim, style)?;
                Some(Ghost { sim })
            }
            _ => None,
        };
        Ok(PolicyScene { checkpoint, config, policy, env, renderer, ghost })
    }

    /// Reset every world (new episodes).
    pub fn reset(&self, ctx: &GpuContext) {
        self.env.reset(ctx);
    }

    /// One control step of every world with the policy's deterministic action.
    pub fn step(&self, ctx: &GpuContext) -> Result<()> {
        let obs = self.env.observations(ctx)?;
        self.env.write_actions(ctx, &self.policy.forward(&obs)?)?;
        self.env.step(ctx);
        Ok(())
    }

    /// The renderer (camera, shown worlds).
    pub fn renderer(&mut self) -> &mut Renderer {
        &mut self.renderer
    }

    /// Locomotion: turn world `w`'s commanded velocity by `angle` (rad, counter-clockwise seen
    /// from above) and scale its speed by `factor`; returns the new command (m/s, world frame),
    /// or `None` for tasks without one. Holds until the world's episode ends.
    pub fn steer(&self, ctx: &GpuContext, w: usize, angle: f32, factor: f32) -> Result<Option<[f32; 2]>> {
        if self.env.task() != "locomotion" || w >= self.env.nworld {
            return Ok(None);
        }
        let mut goal = self.env.worlds(ctx)?[w].goal;
        let (s, c) = angle.sin_cos();
        let (x, y) = (goal[0], goal[1]);
        goal[0] = factor * (c * x - s * y);
        goal[1] = factor * (s * x + c * y);
        goal[3] *= factor;
        let at = w * std::mem::size_of::<crate::env::layout::WorldEnv>()
            + std::mem::offset_of!(crate::env::layout::WorldEnv, goal);
        ctx.queue.write_buffer(&self.env.world, at as u64, bytemuck::cast_slice(&goal));
        Ok(Some([goal[0], goal[1]]))
    }

    /// Act with `ckpt`'s policy from now on (same task and sizes).
    pub fn set_policy(&mut self, ckpt: &Checkpoint) -> Result<()> {
        check_fits(&self.checkpoint, ckpt, &self.env)?;
        self.policy = deployed_of(ckpt)?;
        Ok(())
    }

    /// Draw the shown worlds as they are now (posing the ghost first).
    fn frame(&self, ctx: &GpuContext) -> Result<Image> {
        self.pose_ghost(ctx)?;
        self.renderer.frame(ctx)
    }

    /// Pose the reference ghost (if any) for the worlds' current frames; drawing into a window
    /// calls this before [`Renderer::encode`].
    pub fn pose_ghost(&self, ctx: &GpuContext) -> Result<()> {
        match &self.ghost {
            Some(g) => g.pose(ctx, &self.env),
            None => Ok(()),
        }
    }

    /// Control steps per second.
    pub fn control_rate(&self) -> f64 {
        1.0 / self.env.ctrl_dt
    }

    /// The environment.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// Reset every world, then run `steps` control steps, drawing the reset state and then every
    /// `every`-th step; stop early (after drawing it) at the step where the first shown world's
    /// episode ends when `one_episode`. Returns the frames drawn.
    pub fn run(
        &self,
        ctx: &GpuContext,
        steps: usize,
        every: usize,
        one_episode: bool,
        mut sink: impl FnMut(Image) -> Result<()>,
    ) -> Result<usize> {
        let env = &self.env;
        env.reset(ctx);
        let shown = self.renderer.options().worlds[0];
        sink(self.frame(ctx)?)?;
        let mut frames = 1;
        for t in 0..steps {
            let obs = env.observations(ctx)?;
            env.write_actions(ctx, &self.policy.forward(&obs)?)?;
            env.step(ctx);
            let ended = one_episode && env.dones(ctx)?[shown] != 0;
            // an ended world has already been reset: the frame after its last step is lost,
            // which a video of whole episodes does not miss
            if ended {
                break;
            }
            if (t + 1) % every.max(1) == 0 {
                sink(self.frame(ctx)?)?;
                frames += 1;
            }
        }
        Ok(frames)
    }

    /// Reset every world and draw each alone, every control step, until its episode ends or
    /// the task's `max_steps` pass: `sink(k, Some(frame))` for world k's frames (its reset state
    /// first), then `sink(k, None)` once when it ends. Worlds that ended keep stepping unseen.
    pub fn run_each(
        &mut self,
        ctx: &GpuContext,
        mut sink: impl FnMut(usize, Option<Image>) -> Result<()>,
    ) -> Result<()> {
        let n = self.env.nworld;
        let max_steps = self.config.env.env.max_steps as usize;
        self.env.reset(ctx);
        let mut active = vec![true; n];
        for k in 0..n {
            self.renderer.set_worlds(ctx, &[k])?;
            sink(k, Some(self.frame(ctx)?))?;
        }
        for _ in 0..max_steps {
            let obs = self.env.observations(ctx)?;
            self.env.write_actions(ctx, &self.policy.forward(&obs)?)?;
            self.env.step(ctx);
            let dones = self.env.dones(ctx)?;
            for k in 0..n {
                if !active[k] {
                    continue;
                }
                if dones[k] != 0 {
                    // the world has already been reset: its episode's last state is not drawn
                    active[k] = false;
                    sink(k, None)?;
                    continue;
                }
                self.renderer.set_worlds(ctx, &[k])?;
                sink(k, Some(self.frame(ctx)?))?;
            }
            if !active.iter().any(|a| *a) {
                return Ok(());
            }
        }
        for k in (0..n).filter(|k| active[*k]) {
            sink(k, None)?;
        }
        Ok(())
    }
}

/// Write `episodes` videos of `path`'s policy as `dir/episode_<k>.mp4`: `episodes` worlds
/// run side by side in one environment (each from its own initial state), each drawn alone into
/// its own video from its reset until its episode ends (or `max_steps` control steps), at the
/// control rate.
pub fn write_episodes(
    ctx: &GpuContext,
    path: &Path,
    episodes: usize,
    dir: &Path,
    opts: impl FnOnce(&Model, usize) -> Result<RenderOptions>,
) -> Result<Vec<(PathBuf, VideoSummary)>> {
    if episodes == 0 {
        return Err(Error::Config("--video needs at least 1 episode".into()));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::Config(format!("cannot create {}: {e}", dir.display())))?;
    let mut scene = PolicyScene::load(ctx, path, episodes, |m, pelvis| {
        Ok(RenderOptions { worlds: vec![0], ..opts(m, pelvis)? })
    })?;
    let (width, height) = (scene.renderer.options().width, scene.renderer.options().height);
    let files: Vec<PathBuf> = (0..episodes).map(|k| dir.join(format!("episode_{k}.mp4"))).collect();
    let mut videos = Vec::with_capacity(episodes);
    for f in &files {
        videos.push(Some(VideoWriter::create(f, width, height, scene.control_rate())?));
    }
    let mut done = vec![None; episodes];
    scene.run_each(ctx, |k, frame| match frame {
        Some(img) => videos[k].as_mut().map_or(Ok(()), |v| v.push(&img)),
        None => {
            if let Some(v) = videos[k].take() {
                done[k] = Some(v.finish()?);
            }
            Ok(())
        }
    })?;
    files.into_iter().zip(done).map(|(f, s)| Ok((f, s.expect("every world's video is finished")))).collect()
}

/// Most frames a training GIF keeps (longer episodes keep every k-th frame): TensorBoard loads
/// the whole image per step.
const GIF_MAX_FRAMES: usize = 150;

/// Training's videos (`train.video_every`): one episode of the current deterministic policy in
/// one fresh world, as `videos/iteration_<n>.mp4` in the run and an animated GIF at half size in
/// TensorBoard (tag `video/episode`). The environment and renderer are built once and kept.
#[derive(Default)]
pub struct TrainingVideo {
    scene: Option<PolicyScene>,
}

impl TrainingVideo {
    /// Record one episode of `trainer`'s policy now; returns the MP4 written.
    pub fn record(
        &mut self,
        ctx: &GpuContext,
        trainer: &super::trainer::Trainer,
        run_dir: &Path,
        tb: &mut super::tensorboard::EventWriter,
    ) -> Result<PathBuf> {
        let ckpt = trainer.policy_checkpoint()?;
        let label = run_dir.join(format!("iteration {}", trainer.iteration));
        match &mut self.scene {
            Some(s) => s.set_policy(&ckpt)?,
            None => {
                let opts = |_: &Model, pelvis: usize| {
                    let mut o = RenderOptions::default();
                    o.camera.mode = crate::render::CameraMode::Track { body: pelvis };
                    Ok(o)
                };
                self.scene =
                    Some(PolicyScene::from_checkpoint(ctx, label, &ckpt, trainer.cfg.clone(), 1, opts)?);
            }
        }
        let scene = self.scene.as_ref().expect("set above");
        let dir = run_dir.join("videos");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let path = dir.join(format!("iteration_{}.mp4", trainer.iteration));
        let (w, h) = (scene.renderer.options().width, scene.renderer.options().height);
        let max_steps = scene.config.env.env.max_steps as usize;
        let keep = (max_steps + 1).div_ceil(GIF_MAX_FRAMES).max(1);
        let mut video = VideoWriter::create(&path, w, h, scene.control_rate())?;
        let mut gif = crate::render::gif::GifWriter::new(w, h, keep as f64 / scene.control_rate(), 2)?;
        let mut k = 0;
        scene.run(ctx, max_steps, 1, true, |img| {
            video.push(&img)?;
            if k % keep == 0 {
                gif.push(&img)?;
            }
            k += 1;
            Ok(())
        })?;
        video.finish()?;
        let (gw, gh) = gif.size();
        tb.image("video/episode", trainer.env_steps as i64, gw, gh, gif.finish()?)?;
        Ok(path)
    }
}
