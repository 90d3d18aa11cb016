//! `sinew view SOURCE`: a window (winit) showing the live simulation on the GPU that steps it,
//! drawn by the same renderer as `sinew render` straight into the window's surface. SOURCE is a
//! model (zero excitation, or --ctrl looped), a trajectory npz (replayed, looping) or a run
//! (its deterministic policy). `--screenshot FILE --frames N` draws N frames (each advancing a
//! fixed 1/60 s of simulated time), saves the last from the window and exits.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use sinew::gpu::GpuContext;
use sinew::model::Model;
use sinew::render::drive::{OpenLoop, Replay};
use sinew::render::{CameraMode, Image, Renderer};
use sinew::rl::video::PolicyScene;
use sinew::sim::rollout::InitState;
use sinew::{Error, Result};
use winit::application::ApplicationHandler;
use winit::dpi::PhysicalSize;
use winit::event::{ElementState, MouseButton, MouseScrollDelta, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop};
use winit::keyboard::{Key, NamedKey};
use winit::window::{Window, WindowId};

use super::sources::{SourceKind, load_model, load_trajectory};
use super::view_args::DrawArgs;

/// Arguments of `sinew view`.
#[derive(Args, Clone)]
pub struct ViewArgs {
    /// A model (MJCF file or short name), a trajectory .npz from `sinew rollout` (with --model),
    /// or a run directory / checkpoint.
    pub source: String,
    /// The trajectory's model (SOURCE .npz only).
    #[arg(long)]
    pub model: Option<String>,
    /// Model source: controls, float32 .npy (steps, nu) or (nworld, steps, nu), looped; default
    /// zero.
    #[arg(long)]
    pub ctrl: Option<PathBuf>,
    /// Worlds simulated (default: enough for --world).
    #[arg(long)]
    pub nworld: Option<usize>,
    /// Draw N frames, save the last to this PNG and exit.
    #[arg(long, requires = "frames")]
    pub screenshot: Option<PathBuf>,
    /// Frames to draw before --screenshot (each 1/60 s of simulated time).
    #[arg(long)]
    pub frames: Option<usize>,
    #[command(flatten)]
    pub draw: DrawArgs,
}

const KEYS: &str = "mouse: left-drag orbit, right-drag pan (fixed camera), wheel zoom\n\
keys: space pause, . step (paused), r reset, +/- speed, t tendons, s sites, c contacts,\n\
      [ ] previous/next world, f follow/fixed camera, arrows: steer (locomotion runs), q/Esc quit";

/// What moves the worlds.
enum Source {
    Model(OpenLoop),
    Trajectory(Replay, usize),
    Run(Box<PolicyScene>),
}

impl Source {
    fn renderer(&mut self) -> &mut Renderer {
        match self {
            Source::Model(s) => s.renderer(),
            Source::Trajectory(s, _) => s.renderer(),
            Source::Run(s) => s.renderer(),
        }
    }

    fn advance(&mut self, ctx: &GpuContext, n: usize) -> Result<()> {
        match self {
            Source::Model(s) => s.step(ctx, n),
            Source::Trajectory(s, row) => {
                *row = (*row + n) % s.rows();
                s.show(ctx, *row)
            }
            Source::Run(s) => {
                for _ in 0..n {
                    s.step(ctx)?;
                }
                Ok(())
            }
        }
    }

    fn reset(&mut self, ctx: &GpuContext) -> Result<()> {
        match self {
            Source::Model(s) => s.reset(ctx),
            Source::Trajectory(s, row) => {
                *row = 0;
                s.show(ctx, 0)
            }
            Source::Run(s) => {
                s.reset(ctx);
                Ok(())
            }
        }
    }

    fn before_draw(&self, ctx: &GpuContext) -> Result<()> {
        match self {
            Source::Run(s) => s.pose_ghost(ctx),
            _ => Ok(()),
        }
    }
}

/// Run `sinew view`.
pub fn run(args: &ViewArgs) -> Result<()> {
    if args.screenshot.is_some() && args.frames == Some(0) {
        return Err(Error::Config("--frames must be at least 1".into()));
    }
    let ctx = GpuContext::new()?;
    let event_loop =
        EventLoop::new().map_err(|e| Error::Config(format!("cannot open a window (no display?): {e}")))?;
    event_loop.set_control_flow(ControlFlow::Poll);
    let mut app = App::new(ctx, args);
    if args.screenshot.is_none() {
        eprintln!("{KEYS}");
    }
    let run = event_loop.run_app(&mut app).map_err(|e| Error::Config(format!("window: {e}")));
    app.ctx.quiesce();
    run?;
    app.error.map_or(Ok(()), Err)
}

/// The source drawing into surfaces of `format`, its rate (steps per simulated second) and its
/// world count.
fn open(ctx: &GpuContext, args: &ViewArgs, format: wgpu::TextureFormat) -> Result<(Source, f64, usize)> {
    let options = |m: &Model, body: usize| -> Result<sinew::render::RenderOptions> {
        Ok(sinew::render::RenderOptions { surface_format: Some(format), ..args.draw.options(m, body)? })
    };
    let want = args.nworld.unwrap_or(0).max(args.draw.worlds.iter().max().map_or(1, |w| w + 1));
    match SourceKind::of(&args.source, args.model.as_deref())? {
        SourceKind::Run(path) => {
            let scene = PolicyScene::load(ctx, &path, want, options)?;
            scene.reset(ctx);
            let rate = scene.control_rate();
            Ok((Source::Run(Box::new(scene)), rate, want))
        }
        SourceKind::Trajectory(path) => {
            let m = load_model(args.model.as_deref().expect("SourceKind checked --model"))?;
            let (nworld, qpos, act) = load_trajectory(&path, &m, None)?;
            let mut replay = Replay::new(ctx, &m, nworld, qpos, act, options(&m, 1)?)?;
            replay.show(ctx, 0)?;
            Ok((Source::Trajectory(replay, 0), 1.0 / m.opt.timestep, nworld))
        }
        SourceKind::Model(name) => {
            let m = load_model(&name)?;
            let (nworld, ctrl) = match &args.ctrl {
                Some(p) => {
                    let c = sinew::npio::load_npy(p)?;
                    let (n, _, c) = super::rollout::controls(&m, &c, p, args.nworld, None, |_| Ok(()))?;
                    if n < want {
                        return Err(Error::Config(format!(
                            "--world {:?}: --ctrl has {n} worlds",
                            args.draw.worlds
                        )));
                    }
                    (n, c)
                }
                None => (want, vec![0.0; want * m.nu]),
            };
            let live = OpenLoop::new(ctx, &m, nworld, InitState::rest(&m, nworld), ctrl, options(&m, 1)?)?;
            Ok((Source::Model(live), 1.0 / m.opt.timestep, nworld))
        }
    }
}

/// The source (opened with the window, before any event that uses it).
fn src(source: &mut Option<Source>) -> &mut Source {
    source.as_mut().expect("the source opens with the window")
}

struct Gfx {
    window: Arc<Window>,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
}

struct App {
    ctx: GpuContext,
    args: ViewArgs,
    /// Opened with the window (the renderer draws in the window's format).
    source: Option<Source>,
    /// Steps per simulated second.
    rate: f64,
    nworld: usize,
    gfx: Option<Gfx>,
    size: (u32, u32),
    paused: bool,
    speed: f64,
    owed: f64,
    last: Instant,
    parts: (bool, bool, bool),
    world: usize,
    drag: Option<MouseButton>,
    cursor: (f64, f64),
    frames_left: Option<usize>,
    screenshot: Option<PathBuf>,
    error: Option<Error>,
}

impl App {
    fn new(ctx: GpuContext, args: &ViewArgs) -> Self {
        let d = &args.draw;
        App {
            ctx,
            args: args.clone(),
            source: None,
            rate: 1.0,
            nworld: 1,
            gfx: None,
            size: (d.width, d.height),
            paused: false,
            speed: 1.0,
            owed: 0.0,
            last: Instant::now(),
            parts: (!d.no_tendons, d.sites, d.contacts),
            world: d.worlds.first().copied().unwrap_or(0),
            drag: None,
            cursor: (0.0, 0.0),
            frames_left: args.screenshot.as_ref().and(args.frames),
            screenshot: args.screenshot.clone(),
            error: None,
        }
    }

    fn fail(&mut self, el: &ActiveEventLoop, e: Error) {
        self.error.get_or_insert(e);
        el.exit();
    }

    fn open_window(&mut self, el: &ActiveEventLoop) -> Result<()> {
        let attrs = Window::default_attributes()
            .with_title("sinew")
            .with_inner_size(PhysicalSize::new(self.size.0, self.size.1));
        let window = Arc::new(
            el.create_window(attrs).map_err(|e| Error::Config(format!("cannot open a window: {e}")))?,
        );
        let surface = self
            .ctx
            .instance
            .create_surface(window.clone())
            .map_err(|e| Error::Gpu(format!("cannot draw into the window: {e}")))?;
        let caps = surface.get_capabilities(&self.ctx.adapter);
        let format = caps
            .formats
            .iter()
            .copied()
            // an sRGB surface: the shaders write linear light (a UNORM-only surface, which no
            // adapter sinew has met offers alone, would show it too dark)
            .find(|f| matches!(f, wgpu::TextureFormat::Bgra8UnormSrgb | wgpu::TextureFormat::Rgba8UnormSrgb))
            .or_else(|| caps.formats.first().copied())
            .ok_or_else(|| {
                Error::Gpu(format!(
                    "the adapter '{}' cannot present to this window",
                    self.ctx.adapter.get_info().name
                ))
            })?;
        let size = window.inner_size();
        let (w, h) = (size.width.max(1), size.height.max(1));
        let mut usage = wgpu::TextureUsages::RENDER_ATTACHMENT;
        if self.screenshot.is_some() {
            if !caps.usages.contains(wgpu::TextureUsages::COPY_SRC) {
                return Err(Error::Gpu("--screenshot: this window's surface cannot be read back".into()));
            }
            usage |= wgpu::TextureUsages::COPY_SRC;
        }
        let config = wgpu::SurfaceConfiguration {
            usage,
            format,
            color_space: Default::default(),
            width: w,
            height: h,
            present_mode: wgpu::PresentMode::AutoVsync,
            desired_maximum_frame_latency: 2,
            alpha_mode: caps.alpha_modes[0],
            view_formats: vec![],
        };
        surface.configure(&self.ctx.device, &config);
        let (mut source, rate, nworld) = open(&self.ctx, &self.args, format)?;
        source.renderer().resize(&self.ctx, w, h)?;
        (self.source, self.rate, self.nworld) = (Some(source), rate, nworld);
        self.last = Instant::now();
        self.size = (w, h);
        self.gfx = Some(Gfx { window, surface, config });
        Ok(())
    }

    /// Advance the simulation by the time passed (or one fixed tick when taking a screenshot).
    fn tick(&mut self) -> Result<()> {
        let now = Instant::now();
        let dt = now.duration_since(self.last).as_secs_f64().min(0.1);
        self.last = now;
        if self.frames_left.is_some() {
            return src(&mut self.source).advance(&self.ctx, (self.rate / 60.0).round().max(1.0) as usize);
        }
        if self.paused {
            return Ok(());
        }
        self.owed += dt * self.rate * self.speed;
        // at most 1/10 s of simulation per frame: a slow machine plays in slow motion
        let n = (self.owed.floor() as usize).min((self.rate * 0.1).ceil() as usize);
        self.owed -= n as f64;
        self.owed = self.owed.min(self.rate);
        if n > 0 { src(&mut self.source).advance(&self.ctx, n) } else { Ok(()) }
    }

    fn redraw(&mut self, el: &ActiveEventLoop) -> Result<()> {
        self.tick()?;
        src(&mut self.source).before_draw(&self.ctx)?;
        let Some(gfx) = &self.gfx else { return Ok(()) };
        let frame = match gfx.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(f) | wgpu::CurrentSurfaceTexture::Suboptimal(f) => f,
            wgpu::CurrentSurfaceTexture::Outdated | wgpu::CurrentSurfaceTexture::Lost => {
                gfx.surface.configure(&self.ctx.device, &gfx.config);
                return Ok(());
            }
            _ => return Ok(()),
        };
        let view = frame.texture.create_view(&Default::default());
        let mut enc =
            self.ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("view") });
        src(&mut self.source).renderer().encode(&mut enc, &view);
        let last = self.frames_left.is_some_and(|n| n <= 1);
        let shot = if last { Some(copy_out(&self.ctx, &mut enc, &frame.texture)) } else { None };
        self.ctx.submit(enc.finish());
        if let Some((buf, row_bytes)) = shot {
            let img = read_shot(
                &self.ctx,
                &buf,
                row_bytes,
                frame.texture.width(),
                frame.texture.height(),
                frame.texture.format(),
            )?;
            if let Some(path) = &self.screenshot {
                img.save_png(path)?;
                eprintln!("view: screenshot {} ({}×{})", path.display(), img.width, img.height);
            }
        }
        self.ctx.queue.present(frame);
        if let Some(n) = &mut self.frames_left {
            *n = n.saturating_sub(1);
            if *n == 0 {
                el.exit();
            }
        }
        Ok(())
    }

    fn key(&mut self, key: &Key, el: &ActiveEventLoop) -> Result<()> {
        let ctx = &self.ctx;
        match key {
            Key::Named(NamedKey::Escape) => el.exit(),
            Key::Named(NamedKey::Space) => self.paused = !self.paused,
            Key::Named(
                NamedKey::ArrowLeft | NamedKey::ArrowRight | NamedKey::ArrowUp | NamedKey::ArrowDown,
            ) => {
                if let Some(Source::Run(s)) = &self.source {
                    let (angle, factor) = match key {
                        Key::Named(NamedKey::ArrowLeft) => (15f32.to_radians(), 1.0),
                        Key::Named(NamedKey::ArrowRight) => (-15f32.to_radians(), 1.0),
                        Key::Named(NamedKey::ArrowUp) => (0.0, 1.2),
                        _ => (0.0, 1.0 / 1.2),
                    };
                    if let Some(v) = s.steer(ctx, self.world, angle, factor)? {
                        eprintln!(
                            "view: world {} commanded velocity ({:.2}, {:.2}) m/s",
                            self.world, v[0], v[1]
                        );
                    }
                }
            }
            Key::Character(c) => match c.as_str() {
                "q" => el.exit(),
                "." if self.paused => src(&mut self.source).advance(ctx, 1)?,
                "r" => src(&mut self.source).reset(ctx)?,
                "+" | "=" => self.speed = (self.speed * 2.0).min(64.0),
                "-" => self.speed = (self.speed / 2.0).max(1.0 / 64.0),
                "t" | "s" | "c" => {
                    let p = &mut self.parts;
                    match c.as_str() {
                        "t" => p.0 = !p.0,
                        "s" => p.1 = !p.1,
                        _ => p.2 = !p.2,
                    }
                    let (t, s, k) = self.parts;
                    src(&mut self.source).renderer().set_parts(t, s, k);
                }
                "[" | "]" => {
                    let n = self.nworld;
                    self.world = if c == "]" { (self.world + 1) % n } else { (self.world + n - 1) % n };
                    let w = self.world;
                    src(&mut self.source).renderer().set_worlds(ctx, &[w])?;
                    eprintln!("view: world {w}");
                }
                "f" => {
                    let r = src(&mut self.source).renderer();
                    let mut cam = r.options().camera;
                    cam.mode = match cam.mode {
                        CameraMode::Track { .. } => CameraMode::Fixed { lookat: r.camera_target(ctx)? },
                        CameraMode::Fixed { .. } => CameraMode::Track { body: r.tracked_body() },
                    };
                    r.set_camera(ctx, cam);
                }
                _ => {}
            },
            _ => {}
        }
        Ok(())
    }

    fn mouse_moved(&mut self, x: f64, y: f64) {
        let (dx, dy) = ((x - self.cursor.0) as f32, (y - self.cursor.1) as f32);
        self.cursor = (x, y);
        let Some(button) = self.drag else { return };
        let ctx = &self.ctx;
        let r = src(&mut self.source).renderer();
        let mut cam = r.options().camera;
        match button {
            MouseButton::Left => {
                cam.azimuth_deg -= 0.3 * dx;
                cam.elevation_deg = (cam.elevation_deg + 0.3 * dy).clamp(-89.0, 89.0);
            }
            MouseButton::Right => {
                if let CameraMode::Fixed { lookat } = &mut cam.mode {
                    // along the view's right and up, scaled by the distance
                    let (az, el) = (cam.azimuth_deg.to_radians(), cam.elevation_deg.to_radians());
                    let right = [az.sin(), -az.cos(), 0.0];
                    let up = [-el.sin() * az.cos(), -el.sin() * az.sin(), el.cos()];
                    let k = 0.002 * cam.distance;
                    for i in 0..3 {
                        lookat[i] += k * (-dx * right[i] + dy * up[i]);
                    }
                }
            }
            _ => return,
        }
        r.set_camera(ctx, cam);
    }
}

impl ApplicationHandler for App {
    fn resumed(&mut self, el: &ActiveEventLoop) {
        if self.gfx.is_none()
            && let Err(e) = self.open_window(el)
        {
            self.fail(el, e);
        }
    }

    fn window_event(&mut self, el: &ActiveEventLoop, _: WindowId, event: WindowEvent) {
        let result = match event {
            WindowEvent::CloseRequested => {
                el.exit();
                Ok(())
            }
            WindowEvent::Resized(size) if size.width > 0 && size.height > 0 => match &mut self.gfx {
                Some(g) => {
                    // the renderer's targets stop at 8192 pixels a side
                    let (w, h) = (size.width.min(8192), size.height.min(8192));
                    g.config.width = w;
                    g.config.height = h;
                    g.surface.configure(&self.ctx.device, &g.config);
                    self.size = (w, h);
                    src(&mut self.source).renderer().resize(&self.ctx, w, h)
                }
                None => Ok(()),
            },
            WindowEvent::RedrawRequested => self.redraw(el),
            WindowEvent::KeyboardInput { event, .. } if event.state == ElementState::Pressed => {
                self.key(&event.logical_key, el)
            }
            WindowEvent::MouseInput { state, button, .. } => {
                self.drag = (state == ElementState::Pressed).then_some(button);
                Ok(())
            }
            WindowEvent::CursorMoved { position, .. } => {
                self.mouse_moved(position.x, position.y);
                Ok(())
            }
            WindowEvent::MouseWheel { delta, .. } => {
                let lines = match delta {
                    MouseScrollDelta::LineDelta(_, y) => y,
                    MouseScrollDelta::PixelDelta(p) => (p.y / 40.0) as f32,
                };
                let r = src(&mut self.source).renderer();
                let mut cam = r.options().camera;
                cam.distance = (cam.distance * 0.9f32.powf(lines)).clamp(0.05, 500.0);
                r.set_camera(&self.ctx, cam);
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.fail(el, e);
        }
    }

    fn about_to_wait(&mut self, _: &ActiveEventLoop) {
        if let Some(g) = &self.gfx {
            g.window.request_redraw();
        }
    }
}

/// Record a copy of the window's frame into a readable buffer: (buffer, padded row bytes).
fn copy_out(ctx: &GpuContext, enc: &mut wgpu::CommandEncoder, tex: &wgpu::Texture) -> (wgpu::Buffer, u32) {
    let row_bytes = (tex.width() * 4).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
    let buf = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("view.screenshot"),
        size: row_bytes as u64 * tex.height() as u64,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    enc.copy_texture_to_buffer(
        wgpu::TexelCopyTextureInfo {
            texture: tex,
            mip_level: 0,
            origin: wgpu::Origin3d::ZERO,
            aspect: wgpu::TextureAspect::All,
        },
        wgpu::TexelCopyBufferInfo {
            buffer: &buf,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(row_bytes),
                rows_per_image: Some(tex.height()),
            },
        },
        wgpu::Extent3d { width: tex.width(), height: tex.height(), depth_or_array_layers: 1 },
    );
    (buf, row_bytes)
}

/// The window's frame as an RGB image (8-bit RGBA or BGRA surfaces).
fn read_shot(
    ctx: &GpuContext,
    buf: &wgpu::Buffer,
    row_bytes: u32,
    w: u32,
    h: u32,
    format: wgpu::TextureFormat,
) -> Result<Image> {
    use wgpu::TextureFormat as F;
    let bgra = match format {
        F::Bgra8Unorm | F::Bgra8UnormSrgb => true,
        F::Rgba8Unorm | F::Rgba8UnormSrgb => false,
        other => return Err(Error::Gpu(format!("--screenshot: cannot read a {other:?} window surface"))),
    };
    let raw = ctx.read_mapped::<u8>(buf, row_bytes as u64 * h as u64)?;
    let mut rgb = Vec::with_capacity((w * h * 3) as usize);
    for row in raw.chunks(row_bytes as usize).take(h as usize) {
        for px in row[..(w * 4) as usize].chunks(4) {
            if bgra {
                rgb.extend_from_slice(&[px[2], px[1], px[0]]);
            } else {
                rgb.extend_from_slice(&px[..3]);
            }
        }
    }
    Ok(Image { width: w, height: h, rgb })
}
