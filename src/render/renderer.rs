//! [`Renderer`]: draws worlds of a simulator on the simulator's own wgpu device, reading the
//! GPU state (geom poses, tendon paths, activations, sites) where the stages left it. Nothing of
//! the world state comes back to the host: a camera pass on the GPU places the camera (tracking
//! a body), then a shadow pass, the sky, geoms, sites and tendons are drawn into a 4× multisampled
//! target. Only finished frames are read back ([`Renderer::frame`]).

use bytemuck::{Pod, Zeroable};

use super::camera::{CameraMode, CameraSpec};
use super::geometry::{Geometry, Vertex, unit_sphere};
use super::image::Image;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::model::{Model, TrnType};
use crate::sim::Sim;

/// What to draw and how.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// The camera.
    pub camera: CameraSpec,
    /// Worlds drawn, side by side on a grid (the first is where a tracking camera looks).
    pub worlds: Vec<usize>,
    /// Distance between neighbouring worlds on the grid (m).
    pub spacing: f32,
    /// Geom, site and tendon groups shown (MuJoCo shows 0–2).
    pub groups: [bool; 6],
    /// Draw spatial tendons.
    pub tendons: bool,
    /// Colour muscle tendons by their activation (blue-grey at 0 to red at 1) instead of the
    /// model's tendon colour.
    pub activation_colours: bool,
    /// Draw sites (spheres of the site's first size).
    pub sites: bool,
    /// Draw active contact points (small spheres).
    pub contacts: bool,
    /// Where the source has a reference motion (imitation), draw it as a translucent ghost
    /// beside the body.
    pub ghost: bool,
    /// Draw into a window's surface of this format instead of offscreen frames.
    pub surface_format: Option<wgpu::TextureFormat>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            width: 640,
            height: 480,
            camera: CameraSpec::default(),
            worlds: vec![0],
            spacing: 1.5,
            groups: [true, true, true, false, false, false],
            tendons: true,
            activation_colours: true,
            sites: false,
            contacts: false,
            ghost: true,
            surface_format: None,
        }
    }
}

/// A second state drawn translucent beside the first (e.g. the reference motion of imitation).
#[derive(Debug, Clone, Copy)]
pub struct GhostStyle {
    /// Offset from the body (m).
    pub shift: [f32; 3],
    /// Colour it is tinted towards.
    pub tint: [f32; 3],
    /// How much of the tint (0 = the model's colours).
    pub tint_mix: f32,
    /// Opacity multiplier.
    pub alpha: f32,
}

impl Default for GhostStyle {
    fn default() -> Self {
        GhostStyle { shift: [0.0, 0.0, 0.0], tint: [0.35, 0.65, 1.0], tint_mix: 0.6, alpha: 0.4 }
    }
}

/// The view settings the shaders read (`View` in shaders/render/common.wgsl).
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
struct ViewUniform {
    mode: [u32; 4],
    counts: [u32; 4],
    counts2: [u32; 4],
    lookat: [f32; 4],
    orbit: [f32; 4],
    frustum: [f32; 4],
    light: [f32; 4],
    shift: [f32; 4],
    tint: [f32; 4],
}

/// One drawn tendon segment (`Segment` in shaders/render/common.wgsl).
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
struct Segment {
    tendon: u32,
    k: u32,
    first: u32,
    act: u32,
    width: f32,
    pad: [u32; 3],
}

/// Bytes of the camera pass's output (`Camera`: two mat4 and two vec4).
const CAMERA_BYTES: u64 = 2 * 64 + 2 * 16;
const SAMPLES: u32 = 4;
const SHADOW_SIZE: u32 = 2048;
const DEPTH: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;
/// The offscreen frame's format (sRGB: the shaders work in linear light).
pub const FRAME_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;

/// One state drawn: its view settings and group-0 bind group.
struct Layer {
    view: wgpu::Buffer,
    group: wgpu::BindGroup,
    uniform: ViewUniform,
}

/// Static geometry and per-model tables on the GPU.
struct Tables {
    vertices: wgpu::Buffer,
    indices: wgpu::Buffer,
    nindex: u32,
    scenery_end: u32,
    opaque_end: u32,
    sphere_vertices: wgpu::Buffer,
    sphere_indices: wgpu::Buffer,
    nsphere: u32,
    looks: wgpu::Buffer,
    segments: wgpu::Buffer,
    nsegment: u32,
    tendon_look: wgpu::Buffer,
    site_list: wgpu::Buffer,
    nsite_drawn: u32,
    site_look: wgpu::Buffer,
    shown: wgpu::Buffer,
}

struct Pipelines {
    group0: wgpu::BindGroupLayout,
    camera: wgpu::ComputePipeline,
    shadow: wgpu::RenderPipeline,
    sky: wgpu::RenderPipeline,
    geom: wgpu::RenderPipeline,
    geom_blend: wgpu::RenderPipeline,
    tendon: wgpu::RenderPipeline,
    site: wgpu::RenderPipeline,
    contact: wgpu::RenderPipeline,
}

/// Offscreen targets: multisampled colour and depth, the resolved frame, and its readback.
struct Targets {
    colour: wgpu::TextureView,
    depth: wgpu::TextureView,
    resolved: wgpu::Texture,
    resolved_view: wgpu::TextureView,
    readback: wgpu::Buffer,
    row_bytes: u32,
}

/// Draws one simulator state (and optionally a ghost) into frames.
pub struct Renderer {
    opts: RenderOptions,
    tables: Tables,
    pipes: Pipelines,
    /// The camera pass's output (the bind groups below read and write it).
    camera: wgpu::Buffer,
    /// The body a tracking camera follows (kept while the camera is fixed, to return to).
    tracked: usize,
    camera_group: wgpu::BindGroup,
    shadow_group: wgpu::BindGroup,
    draw_group: wgpu::BindGroup,
    shadow_view: wgpu::TextureView,
    layers: Vec<Layer>,
    targets: Targets,
    nworld: usize,
    format: wgpu::TextureFormat,
}

impl Renderer {
    /// A renderer of `state` (worlds of `m`) into offscreen frames of `opts`' size, or into a
    /// window's surface where `opts.surface_format` is set.
    pub fn new(ctx: &GpuContext, m: &Model, sim: &Sim, opts: RenderOptions) -> Result<Self> {
        check_options(m, sim.nworld(), &opts)?;
        let format = opts.surface_format.unwrap_or(FRAME_FORMAT);
        let tables = Tables::build(ctx, m, &opts);
        let pipes = Pipelines::build(ctx, format)?;
        let camera = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("render.camera"),
            size: CAMERA_BYTES,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let shadow_view = ctx
            .device
            .create_texture(&wgpu::TextureDescriptor {
                label: Some("render.shadow"),
                size: wgpu::Extent3d { width: SHADOW_SIZE, height: SHADOW_SIZE, depth_or_array_layers: 1 },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: DEPTH,
                usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
                view_formats: &[],
            })
            .create_view(&Default::default());
        let sampler = ctx.device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("render.shadow_sampler"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            compare: Some(wgpu::CompareFunction::LessEqual),
            ..Default::default()
        });
        let camera_group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("render.camera_out"),
            layout: &pipes.camera.get_bind_group_layout(1),
            entries: &[wgpu::BindGroupEntry { binding: 0, resource: camera.as_entire_binding() }],
        });
        let shadow_group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("render.camera_shadow"),
            layout: &pipes.shadow.get_bind_group_layout(1),
            entries: &[wgpu::BindGroupEntry { binding: 0, resource: camera.as_entire_binding() }],
        });
        let draw_group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("render.camera_draw"),
            layout: &pipes.geom.get_bind_group_layout(1),
            entries: &[
                wgpu::BindGroupEntry { binding: 0, resource: camera.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 1, resource: wgpu::BindingResource::TextureView(&shadow_view) },
                wgpu::BindGroupEntry { binding: 2, resource: wgpu::BindingResource::Sampler(&sampler) },
            ],
        });
        let targets = Targets::new(ctx, opts.width, opts.height, format);
        let mut r = Renderer {
            tables,
            pipes,
            camera,
            tracked: match opts.camera.mode {
                CameraMode::Track { body } => body,
                CameraMode::Fixed { .. } => 1.min(m.nbody - 1),
            },
            camera_group,
            shadow_group,
            draw_group,
            shadow_view,
            layers: Vec::new(),
            targets,
            nworld: sim.nworld(),
            format,
            opts,
        };
        let uniform = r.view_uniform(m, sim.data.contacts.slots(), None);
        let layer = r.layer(ctx, sim, uniform);
        r.layers.push(layer);
        Ok(r)
    }

    /// Also draw `state` (same model) translucent, styled by `style`, in every frame: its world
    /// `world` beside each shown world.
    pub fn add_ghost(&mut self, ctx: &GpuContext, m: &Model, sim: &Sim, style: GhostStyle) -> Result<()> {
        if self.opts.worlds.iter().any(|w| *w >= sim.nworld()) {
            return Err(Error::Config(format!(
                "the ghost state has {} worlds; the shown worlds {:?} need more",
                sim.nworld(),
                self.opts.worlds
            )));
        }
        let uniform = self.view_uniform(m, sim.data.contacts.slots(), Some(style));
        let layer = self.layer(ctx, sim, uniform);
        self.layers.push(layer);
        Ok(())
    }

    /// The options the renderer was built with.
    pub fn options(&self) -> &RenderOptions {
        &self.opts
    }

    /// Where the camera looked in the last frame drawn (a small readback, for interaction).
    pub fn camera_target(&self, ctx: &GpuContext) -> Result<[f32; 3]> {
        let v = ctx.download_at::<f32>(&self.camera, 2 * 64 + 16, 3)?;
        Ok([v[0], v[1], v[2]])
    }

    /// The body a tracking camera follows (or last followed).
    pub fn tracked_body(&self) -> usize {
        self.tracked
    }

    /// Point the camera elsewhere (takes effect from the next frame).
    pub fn set_camera(&mut self, ctx: &GpuContext, camera: CameraSpec) {
        self.opts.camera = camera;
        if let CameraMode::Track { body } = camera.mode {
            self.tracked = body;
        }
        for l in &mut self.layers {
            let (mode, lookat, orbit) = camera_words(&camera);
            l.uniform.mode[0] = mode;
            l.uniform.counts[0] = match camera.mode {
                CameraMode::Track { body } => body as u32,
                CameraMode::Fixed { .. } => 0,
            };
            l.uniform.lookat = [lookat[0], lookat[1], lookat[2], l.uniform.lookat[3]];
            l.uniform.orbit = orbit;
            ctx.queue.write_buffer(&l.view, 0, bytemuck::bytes_of(&l.uniform));
        }
    }

    /// Draw tendons, sites and contact points, or not (from the next frame).
    pub fn set_parts(&mut self, tendons: bool, sites: bool, contacts: bool) {
        self.opts.tendons = tendons;
        self.opts.sites = sites;
        self.opts.contacts = contacts;
    }

    /// Draw at a new size (a window was resized); frames and the aspect ratio follow.
    pub fn resize(&mut self, ctx: &GpuContext, width: u32, height: u32) -> Result<()> {
        if width == 0 || height == 0 || width > 8192 || height > 8192 {
            return Err(Error::Config(format!("frame size {width}×{height}: width and height must be 1 to 8192")));
        }
        self.opts.width = width;
        self.opts.height = height;
        self.targets = Targets::new(ctx, width, height, self.format);
        for l in &mut self.layers {
            l.uniform.frustum[0] = width as f32 / height as f32;
            ctx.queue.write_buffer(&l.view, 0, bytemuck::bytes_of(&l.uniform));
        }
        Ok(())
    }

    /// Show other worlds of the same state (as many as were shown before, or fewer).
    pub fn set_worlds(&mut self, ctx: &GpuContext, worlds: &[usize]) -> Result<()> {
        if worlds.is_empty() || worlds.len() > self.opts.worlds.len() || worlds.iter().any(|w| *w >= self.nworld) {
            return Err(Error::Config(format!(
                "worlds {worlds:?}: between 1 and {} worlds below {}",
                self.opts.worlds.len(),
                self.nworld
            )));
        }
        self.opts.worlds = worlds.to_vec();
        let ids: Vec<u32> = worlds.iter().map(|w| *w as u32).collect();
        ctx.queue.write_buffer(&self.tables.shown, 0, bytemuck::cast_slice(&ids));
        for l in &mut self.layers {
            l.uniform.mode[2] = worlds.len() as u32;
            l.uniform.mode[3] = grid_cols(worlds.len());
            ctx.queue.write_buffer(&l.view, 0, bytemuck::bytes_of(&l.uniform));
        }
        Ok(())
    }

    fn view_uniform(&self, m: &Model, nslot: usize, ghost: Option<GhostStyle>) -> ViewUniform {
        let o = &self.opts;
        let (mode, lookat, orbit) = camera_words(&o.camera);
        let body = match o.camera.mode {
            CameraMode::Track { body } => body as u32,
            CameraMode::Fixed { .. } => 0,
        };
        let g = ghost.unwrap_or(GhostStyle { shift: [0.0; 3], tint: [0.0; 3], tint_mix: 0.0, alpha: 1.0 });
        let light = normalize3([0.35, -0.45, 1.0]);
        ViewUniform {
            mode: [mode, m.ngeom as u32, o.worlds.len() as u32, grid_cols(o.worlds.len())],
            counts: [body, m.nbody as u32, m.ntendon as u32, m.nwrap as u32],
            counts2: [m.nsite as u32, m.na as u32, o.activation_colours as u32, nslot as u32],
            lookat: [lookat[0], lookat[1], lookat[2], o.spacing],
            orbit,
            frustum: [o.width as f32 / o.height as f32, 0.02, 200.0, g.alpha],
            light: [light[0], light[1], light[2], 0.0],
            shift: [g.shift[0], g.shift[1], g.shift[2], g.tint_mix],
            tint: [g.tint[0], g.tint[1], g.tint[2], 0.0],
        }
    }

    fn layer(&self, ctx: &GpuContext, sim: &Sim, uniform: ViewUniform) -> Layer {
        let view = ctx.uniform_from("render.view", &uniform);
        let t = &self.tables;
        let st = sim.state();
        let buffers: [&wgpu::Buffer; 15] = [
            &view,
            &t.shown,
            &t.looks,
            &st.xpos,
            &st.geom_xpos,
            &st.geom_xquat,
            &st.wrap_xpos,
            &st.ten_wrapnum,
            &st.act,
            &t.segments,
            &t.tendon_look,
            &st.site_xpos,
            &t.site_list,
            &t.site_look,
            &sim.data.contacts.con,
        ];
        let entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry { binding: i as u32, resource: b.as_entire_binding() })
            .collect();
        let group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("render.state"),
            layout: &self.pipes.group0,
            entries: &entries,
        });
        Layer { view, group, uniform }
    }

    /// Record one frame into `target` (a view of `size`, this renderer's format): the camera
    /// pass, the shadow map and the scene. Frames read the state as it is when the commands run.
    pub fn encode(&self, enc: &mut wgpu::CommandEncoder, target: &wgpu::TextureView) {
        let t = &self.tables;
        let primary = &self.layers[0];
        let nshown = self.opts.worlds.len() as u32;
        {
            let mut pass =
                enc.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("render.camera"), timestamp_writes: None });
            pass.set_pipeline(&self.pipes.camera);
            pass.set_bind_group(0, &primary.group, &[]);
            pass.set_bind_group(1, &self.camera_group, &[]);
            pass.dispatch_workgroups(1, 1, 1);
        }
        {
            let mut pass = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("render.shadow"),
                color_attachments: &[],
                depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                    view: &self.shadow_view,
                    depth_ops: Some(wgpu::Operations { load: wgpu::LoadOp::Clear(1.0), store: wgpu::StoreOp::Store }),
                    stencil_ops: None,
                }),
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            if t.opaque_end > t.scenery_end {
                pass.set_pipeline(&self.pipes.shadow);
                pass.set_bind_group(0, &primary.group, &[]);
                pass.set_bind_group(1, &self.shadow_group, &[]);
                pass.set_vertex_buffer(0, t.vertices.slice(..));
                pass.set_index_buffer(t.indices.slice(..), wgpu::IndexFormat::Uint32);
                pass.draw_indexed(t.scenery_end..t.opaque_end, 0, 0..nshown);
            }
        }
        let mut pass = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("render.scene"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &self.targets.colour,
                depth_slice: None,
                resolve_target: Some(target),
                ops: wgpu::Operations { load: wgpu::LoadOp::Clear(wgpu::Color::BLACK), store: wgpu::StoreOp::Discard },
            })],
            depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                view: &self.targets.depth,
                depth_ops: Some(wgpu::Operations { load: wgpu::LoadOp::Clear(1.0), store: wgpu::StoreOp::Discard }),
                stencil_ops: None,
            }),
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        pass.set_bind_group(1, &self.draw_group, &[]);
        pass.set_bind_group(0, &primary.group, &[]);
        pass.set_pipeline(&self.pipes.sky);
        pass.draw(0..3, 0..1);
        for (i, layer) in self.layers.iter().enumerate() {
            let ghost = i > 0;
            pass.set_bind_group(0, &layer.group, &[]);
            pass.set_vertex_buffer(0, t.vertices.slice(..));
            pass.set_index_buffer(t.indices.slice(..), wgpu::IndexFormat::Uint32);
            if ghost {
                pass.set_pipeline(&self.pipes.geom_blend);
                pass.draw_indexed(0..t.nindex, 0, 0..nshown);
                continue;
            }
            if t.opaque_end > 0 {
                pass.set_pipeline(&self.pipes.geom);
                pass.draw_indexed(0..t.opaque_end, 0, 0..nshown);
            }
            if t.nsite_drawn > 0 && self.opts.sites {
                pass.set_pipeline(&self.pipes.site);
                pass.set_vertex_buffer(0, t.sphere_vertices.slice(..));
                pass.set_index_buffer(t.sphere_indices.slice(..), wgpu::IndexFormat::Uint32);
                pass.draw_indexed(0..t.nsphere, 0, 0..nshown * t.nsite_drawn);
            }
            if t.nsegment > 0 && self.opts.tendons {
                pass.set_pipeline(&self.pipes.tendon);
                pass.draw(0..6 * t.nsegment, 0..nshown);
            }
            if t.nindex > t.opaque_end {
                pass.set_pipeline(&self.pipes.geom_blend);
                pass.set_vertex_buffer(0, t.vertices.slice(..));
                pass.set_index_buffer(t.indices.slice(..), wgpu::IndexFormat::Uint32);
                pass.draw_indexed(t.opaque_end..t.nindex, 0, 0..nshown);
            }
            let nslot = layer.uniform.counts2[3];
            if self.opts.contacts && nslot > 0 {
                pass.set_pipeline(&self.pipes.contact);
                pass.set_vertex_buffer(0, t.sphere_vertices.slice(..));
                pass.set_index_buffer(t.sphere_indices.slice(..), wgpu::IndexFormat::Uint32);
                pass.draw_indexed(0..t.nsphere, 0, 0..nshown * nslot);
            }
        }
    }

    /// Triangles drawn per world (geoms; tendons, sites and contacts not counted).
    pub fn triangles(&self) -> usize {
        self.tables.nindex as usize / 3
    }

    /// Draw `n` frames into the offscreen target in one submission and wait, reading nothing
    /// back: what drawing alone costs (benchmarks).
    pub fn draw(&self, ctx: &GpuContext, n: usize) -> Result<()> {
        let mut enc = ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("render.draw") });
        for _ in 0..n {
            self.encode(&mut enc, &self.targets.resolved_view);
        }
        ctx.submit(enc.finish());
        ctx.wait()
    }

    /// Draw a frame of the state as it is now and read it back (blocks until it is drawn).
    pub fn frame(&self, ctx: &GpuContext) -> Result<Image> {
        if self.format != FRAME_FORMAT {
            return Err(Error::Gpu("this renderer draws into a window; frames need an offscreen renderer".into()));
        }
        let mut enc = ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("render.frame") });
        self.encode(&mut enc, &self.targets.resolved_view);
        let (w, h) = (self.opts.width, self.opts.height);
        enc.copy_texture_to_buffer(
            wgpu::TexelCopyTextureInfo {
                texture: &self.targets.resolved,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            wgpu::TexelCopyBufferInfo {
                buffer: &self.targets.readback,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(self.targets.row_bytes),
                    rows_per_image: Some(h),
                },
            },
            wgpu::Extent3d { width: w, height: h, depth_or_array_layers: 1 },
        );
        ctx.submit(enc.finish());
        ctx.counters.readback();
        let raw = ctx.read_mapped::<u8>(&self.targets.readback, self.targets.row_bytes as u64 * h as u64)?;
        let mut rgb = Vec::with_capacity((w * h * 3) as usize);
        for row in raw.chunks(self.targets.row_bytes as usize).take(h as usize) {
            for px in row[..(w * 4) as usize].chunks(4) {
                rgb.extend_from_slice(&px[..3]);
            }
        }
        Ok(Image { width: w, height: h, rgb })
    }
}

/// Refuse options that cannot be drawn, naming what is wrong.
fn check_options(m: &Model, nworld: usize, o: &RenderOptions) -> Result<()> {
    let bad = |msg: String| Err(Error::Config(msg));
    if o.width == 0 || o.height == 0 || o.width > 8192 || o.height > 8192 {
        return bad(format!("frame size {}×{}: width and height must be 1 to 8192", o.width, o.height));
    }
    if o.worlds.is_empty() {
        return bad("no world to draw".into());
    }
    if let Some(w) = o.worlds.iter().find(|w| **w >= nworld) {
        return bad(format!("world {w} does not exist: the simulation has {nworld}"));
    }
    if let CameraMode::Track { body } = o.camera.mode
        && body >= m.nbody
    {
        return bad(format!("the camera tracks body {body}; the model has {}", m.nbody));
    }
    let c = &o.camera;
    if !(c.distance > 0.0 && c.distance.is_finite()) || !(c.fovy_deg > 1.0 && c.fovy_deg < 179.0) {
        return bad(format!("camera distance {} m, field of view {}°: need distance > 0 and 1° < fovy < 179°", c.distance, c.fovy_deg));
    }
    if !(o.spacing.is_finite() && o.spacing >= 0.0) {
        return bad(format!("world spacing {}: must be ≥ 0", o.spacing));
    }
    Ok(())
}

fn grid_cols(n: usize) -> u32 {
    (n as f64).sqrt().ceil().max(1.0) as u32
}

fn camera_words(c: &CameraSpec) -> (u32, [f32; 3], [f32; 4]) {
    let (mode, lookat) = match c.mode {
        CameraMode::Track { .. } => (0, [0.0; 3]),
        CameraMode::Fixed { lookat } => (1, lookat),
    };
    (mode, lookat, [c.distance, c.azimuth_deg.to_radians(), c.elevation_deg.to_radians(), c.fovy_deg.to_radians()])
}

fn normalize3(v: [f32; 3]) -> [f32; 3] {
    let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    [v[0] / n, v[1] / n, v[2] / n]
}

impl Tables {
    fn build(ctx: &GpuContext, m: &Model, o: &RenderOptions) -> Self {
        let geo = Geometry::build(m, &o.groups);
        let (sphere, sphere_idx) = unit_sphere();
        let shown_group = |g: i32| (0..6).contains(&g) && o.groups[g as usize];
        // the activation that colours each tendon: the first muscle pulling on it
        let mut tendon_act = vec![u32::MAX; m.ntendon];
        for u in 0..m.nu {
            if m.actuator_trntype[u] == TrnType::Tendon
                && let Some(a) = m.actuator_actadr[u]
                && tendon_act[m.actuator_trnid[u]] == u32::MAX
            {
                tendon_act[m.actuator_trnid[u]] = a as u32;
            }
        }
        // tendons and sites are listed whether or not they are drawn now (the viewer toggles them)
        let mut segments = Vec::new();
        {
            for t in 0..m.ntendon {
                let spatial = m.tendon_num[t] > 0
                    && !matches!(m.wrap_type[m.tendon_adr[t]], crate::model::WrapType::Joint);
                if !spatial || !shown_group(m.tendon_group[t]) || m.tendon_rgba[t][3] <= 0.0 {
                    continue;
                }
                // a path of n elements has at most 2n points
                for k in 0..(2 * m.tendon_num[t]).saturating_sub(1) {
                    segments.push(Segment {
                        tendon: t as u32,
                        k: k as u32,
                        first: 2 * m.tendon_adr[t] as u32,
                        act: tendon_act[t],
                        width: m.tendon_width[t] as f32,
                        pad: [0; 3],
                    });
                }
            }
        }
        let mut site_list: Vec<[f32; 4]> = Vec::new();
        {
            for s in 0..m.nsite {
                if shown_group(m.site_group[s]) && m.site_rgba[s][3] > 0.0 {
                    site_list.push([f32::from_bits(s as u32), m.site_size[s][0] as f32, 0.0, 0.0]);
                }
            }
        }
        let shown: Vec<u32> = o.worlds.iter().map(|w| *w as u32).collect();
        let usage = |u| u | wgpu::BufferUsages::COPY_DST;
        let init = |label: &str, bytes: &[u8], u: wgpu::BufferUsages| {
            use wgpu::util::DeviceExt;
            let contents: Vec<u8> = if bytes.is_empty() { vec![0; 32] } else { bytes.to_vec() };
            ctx.device.create_buffer_init(&wgpu::util::BufferInitDescriptor { label: Some(label), contents: &contents, usage: usage(u) })
        };
        let v = wgpu::BufferUsages::VERTEX;
        let i = wgpu::BufferUsages::INDEX;
        let s = wgpu::BufferUsages::STORAGE;
        Tables {
            vertices: init("render.vertices", bytemuck::cast_slice::<Vertex, u8>(&geo.vertices), v),
            indices: init("render.indices", bytemuck::cast_slice(&geo.indices), i),
            nindex: geo.indices.len() as u32,
            scenery_end: geo.scenery_end,
            opaque_end: geo.opaque_end,
            sphere_vertices: init("render.sphere", bytemuck::cast_slice(&sphere), v),
            sphere_indices: init("render.sphere_indices", bytemuck::cast_slice(&sphere_idx), i),
            nsphere: sphere_idx.len() as u32,
            looks: init("render.geom_look", bytemuck::cast_slice(&geo.looks), s),
            nsegment: segments.len() as u32,
            segments: init("render.segments", bytemuck::cast_slice(&segments), s),
            tendon_look: init("render.tendon_look", bytemuck::cast_slice(&m.tendon_rgba), s),
            nsite_drawn: site_list.len() as u32,
            site_list: init("render.site_list", bytemuck::cast_slice(&site_list), s),
            site_look: init("render.site_look", bytemuck::cast_slice(&m.site_rgba), s),
            shown: init("render.shown", bytemuck::cast_slice(&shown), s),
        }
    }
}

impl Pipelines {
    fn build(ctx: &GpuContext, format: wgpu::TextureFormat) -> Result<Self> {
        let dev = &ctx.device;
        let all = wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT | wgpu::ShaderStages::COMPUTE;
        let storage = |binding: u32, read_only: bool, visibility| wgpu::BindGroupLayoutEntry {
            binding,
            visibility,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Storage { read_only },
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        };
        let mut entries0 = vec![wgpu::BindGroupLayoutEntry {
            binding: 0,
            visibility: all,
            ty: wgpu::BindingType::Buffer { ty: wgpu::BufferBindingType::Uniform, has_dynamic_offset: false, min_binding_size: None },
            count: None,
        }];
        entries0.extend((1..15).map(|b| storage(b, true, all)));
        let group0 = dev.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor { label: Some("render.group0"), entries: &entries0 });
        let draw_stages = wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT;
        let camera_out = dev.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("render.camera_out"),
            entries: &[storage(0, false, wgpu::ShaderStages::COMPUTE)],
        });
        let camera_shadow = dev.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("render.camera_shadow"),
            entries: &[storage(0, true, draw_stages)],
        });
        let camera_draw = dev.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("render.camera_draw"),
            entries: &[
                storage(0, true, draw_stages),
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Depth,
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 2,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Comparison),
                    count: None,
                },
            ],
        });
        let layout = |label, g1: &wgpu::BindGroupLayout| {
            dev.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(label),
                bind_group_layouts: &[Some(&group0), Some(g1)],
                immediate_size: 0,
            })
        };
        let module = |name: &str| -> Result<wgpu::ShaderModule> {
            let src = crate::gpu::shaders::render_module_source(name)?;
            crate::gpu::shaders::validate(name, &src)?;
            Ok(dev.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(name),
                source: wgpu::ShaderSource::Wgsl(src.into()),
            }))
        };
        let camera_module = module("render/camera.wgsl")?;
        let scene = module("render/scene.wgsl")?;
        let camera = dev.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("render.camera"),
            layout: Some(&layout("render.camera", &camera_out)),
            module: &camera_module,
            entry_point: Some("camera_main"),
            compilation_options: Default::default(),
            cache: None,
        });
        let draw_layout = layout("render.draw", &camera_draw);
        let shadow_layout = layout("render.shadow", &camera_shadow);
        let geom_buffers = [Some(wgpu::VertexBufferLayout {
            array_stride: std::mem::size_of::<Vertex>() as u64,
            step_mode: wgpu::VertexStepMode::Vertex,
            attributes: &wgpu::vertex_attr_array![0 => Float32x3, 1 => Float32x3, 2 => Uint32],
        })];
        let sphere_buffers = [Some(wgpu::VertexBufferLayout {
            array_stride: 12,
            step_mode: wgpu::VertexStepMode::Vertex,
            attributes: &wgpu::vertex_attr_array![0 => Float32x3],
        })];
        let blend = Some(wgpu::BlendState::ALPHA_BLENDING);
        let pipeline = |label: &str,
                        layout: &wgpu::PipelineLayout,
                        vs: &str,
                        fs: Option<&str>,
                        buffers: &[Option<wgpu::VertexBufferLayout>],
                        blend: Option<wgpu::BlendState>,
                        depth_write: bool,
                        samples: u32| {
            let targets = [Some(wgpu::ColorTargetState { format, blend, write_mask: wgpu::ColorWrites::ALL })];
            dev.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(label),
                layout: Some(layout),
                vertex: wgpu::VertexState { module: &scene, entry_point: Some(vs), compilation_options: Default::default(), buffers },
                primitive: wgpu::PrimitiveState { cull_mode: None, ..Default::default() },
                depth_stencil: Some(wgpu::DepthStencilState {
                    format: DEPTH,
                    depth_write_enabled: Some(depth_write),
                    // contact points are an overlay: drawn over the bodies they lie under
                    depth_compare: Some(if label == "render.contact" {
                        wgpu::CompareFunction::Always
                    } else {
                        wgpu::CompareFunction::LessEqual
                    }),
                    stencil: Default::default(),
                    bias: if fs.is_none() {
                        wgpu::DepthBiasState { constant: 2, slope_scale: 2.0, clamp: 0.0 }
                    } else {
                        Default::default()
                    },
                }),
                multisample: wgpu::MultisampleState { count: samples, ..Default::default() },
                fragment: fs.map(|fs| wgpu::FragmentState {
                    module: &scene,
                    entry_point: Some(fs),
                    compilation_options: Default::default(),
                    targets: &targets,
                }),
                multiview_mask: None,
                cache: None,
            })
        };
        Ok(Pipelines {
            camera,
            shadow: pipeline("render.shadow", &shadow_layout, "shadow_vs", None, &geom_buffers, None, true, 1),
            sky: pipeline("render.sky", &draw_layout, "sky_vs", Some("sky_fs"), &[], None, false, SAMPLES),
            geom: pipeline("render.geom", &draw_layout, "geom_vs", Some("geom_fs"), &geom_buffers, None, true, SAMPLES),
            geom_blend: pipeline("render.geom_blend", &draw_layout, "geom_vs", Some("geom_fs"), &geom_buffers, blend, false, SAMPLES),
            tendon: pipeline("render.tendon", &draw_layout, "tendon_vs", Some("tendon_fs"), &[], blend, true, SAMPLES),
            site: pipeline("render.site", &draw_layout, "site_vs", Some("site_fs"), &sphere_buffers, blend, true, SAMPLES),
            contact: pipeline("render.contact", &draw_layout, "contact_vs", Some("site_fs"), &sphere_buffers, None, false, SAMPLES),
            group0,
        })
    }
}

impl Targets {
    fn new(ctx: &GpuContext, width: u32, height: u32, format: wgpu::TextureFormat) -> Self {
        let size = wgpu::Extent3d { width, height, depth_or_array_layers: 1 };
        let texture = |label, format, samples, usage| {
            ctx.device.create_texture(&wgpu::TextureDescriptor {
                label: Some(label),
                size,
                mip_level_count: 1,
                sample_count: samples,
                dimension: wgpu::TextureDimension::D2,
                format,
                usage,
                view_formats: &[],
            })
        };
        let attach = wgpu::TextureUsages::RENDER_ATTACHMENT;
        let colour = texture("render.colour", format, SAMPLES, attach).create_view(&Default::default());
        let depth = texture("render.depth", DEPTH, SAMPLES, attach).create_view(&Default::default());
        let resolved = texture("render.frame", format, 1, attach | wgpu::TextureUsages::COPY_SRC);
        let resolved_view = resolved.create_view(&Default::default());
        let row_bytes = (width * 4).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
        let readback = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("render.readback"),
            size: row_bytes as u64 * height as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Targets { colour, depth, resolved, resolved_view, readback, row_bytes }
    }
}
