//! [`Renderer`]: draws worlds of a simulator on the simulator's own wgpu device, reading the
//! GPU state (geom poses, tendon paths, activations, sites) where the stages left it. Nothing of
//! the world state comes back to the host: a camera pass on the GPU places the camera (tracking
//! a body), then a shadow pass, the sky, geoms, sites and tendons are drawn into a 4× multisampled
//! target. Only finished frames are read back ([`Renderer::frame`]).

use bytemuck::{Pod, Zeroable};

use super::camera::{CameraMode, CameraSpec};
use super::image::Image;
use super::passes::{DEPTH, Pipelines, SHADOW_SIZE, Targets};
use super::tables::Tables;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::model::Model;
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
    /// Draw active contact points (small spheres) and, where the simulation computes contact
    /// forces (`SimOptions::contact_forces`), an arrow along each contact's force (a metre per
    /// body weight).
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

/// Bytes of the camera pass's output (`Camera`: two mat4 and two vec4).
const CAMERA_BYTES: u64 = 2 * 64 + 2 * 16;
/// The offscreen frame's format (sRGB: the shaders work in linear light).
pub const FRAME_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;

/// One state drawn: its view settings and group-0 bind group.
struct Layer {
    view: wgpu::Buffer,
    group: wgpu::BindGroup,
    uniform: ViewUniform,
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
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(&shadow_view),
                },
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
        let layer = r.layer(ctx, sim, uniform)?;
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
        let layer = self.layer(ctx, sim, uniform)?;
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
            l.uniform.frustum[2] = far_plane(camera.distance);
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
            return Err(Error::Config(format!(
                "frame size {width}×{height}: width and height must be 1 to 8192"
            )));
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
        if worlds.is_empty()
            || worlds.len() > self.opts.worlds.len()
            || worlds.iter().any(|w| *w >= self.nworld)
        {
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
            frustum: [o.width as f32 / o.height as f32, 0.02, far_plane(o.camera.distance), g.alpha],
            // metres of force arrow per newton: a metre per body weight
            light: [
                light[0],
                light[1],
                light[2],
                (1.0 / (m.total_mass() * crate::math::norm3(m.opt.gravity)).max(1e-9)) as f32,
            ],
            shift: [g.shift[0], g.shift[1], g.shift[2], g.tint_mix],
            tint: [g.tint[0], g.tint[1], g.tint[2], 0.0],
        }
    }

    fn layer(&self, ctx: &GpuContext, sim: &Sim, uniform: ViewUniform) -> Result<Layer> {
        let view = ctx.uniform_from("render.view", &uniform);
        let t = &self.tables;
        let st = sim.state();
        let buffers: [&wgpu::Buffer; 16] = [
            &view, &t.shown, &t.looks, &st.xpos, &st.geom_xpos, &st.geom_xquat, &st.wrap_xpos,
            &st.ten_wrapnum, &st.act, &t.segments, &t.tendon_look, &st.site_xpos, &t.site_list, &t.site_look,
            &sim.data.contacts.con, &sim.data.contacts.force,
        ];
        // the renderer binds whole state arrays: past the adapter's binding limit (the simulator
        // then splits the worlds into chunks) it cannot draw them
        let limit = ctx.memory_limits().max_bound_buffer();
        if let Some(b) = buffers.iter().skip(1).find(|b| b.size() > limit) {
            return Err(Error::Gpu(format!(
                "cannot draw this many worlds: a state array of {} bytes is over the adapter's binding limit of {limit} \
                 (simulate fewer worlds to draw them)",
                b.size()
            )));
        }
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
        Ok(Layer { view, group, uniform })
    }

    /// Record one frame into `target` (a view of `size`, this renderer's format): the camera
    /// pass, the shadow map and the scene. Frames read the state as it is when the commands run.
    pub fn encode(&self, enc: &mut wgpu::CommandEncoder, target: &wgpu::TextureView) {
        let t = &self.tables;
        let primary = &self.layers[0];
        let nshown = self.opts.worlds.len() as u32;
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("render.camera"),
                timestamp_writes: None,
            });
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
                    depth_ops: Some(wgpu::Operations {
                        load: wgpu::LoadOp::Clear(1.0),
                        store: wgpu::StoreOp::Store,
                    }),
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
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                    store: wgpu::StoreOp::Discard,
                },
            })],
            depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                view: &self.targets.depth,
                depth_ops: Some(wgpu::Operations {
                    load: wgpu::LoadOp::Clear(1.0),
                    store: wgpu::StoreOp::Discard,
                }),
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
                pass.draw_indexed(t.scenery_end..t.nindex, 0, 0..nshown);
                continue;
            }
            if t.opaque_end > 0 {
                pass.set_pipeline(&self.pipes.geom);
                // scenery once (instance 0), the moving bodies once per shown world
                pass.draw_indexed(0..t.scenery_end, 0, 0..1);
                pass.draw_indexed(t.scenery_end..t.opaque_end, 0, 0..nshown);
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
                // their forces, where the simulation computes them (zero otherwise: nothing drawn)
                pass.set_pipeline(&self.pipes.force);
                pass.draw(0..9, 0..nshown * nslot);
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
        let mut enc =
            ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("render.draw") });
        for _ in 0..n {
            self.encode(&mut enc, &self.targets.resolved_view);
        }
        ctx.submit(enc.finish());
        ctx.wait()
    }

    /// Draw a frame of the state as it is now and read it back (blocks until it is drawn).
    pub fn frame(&self, ctx: &GpuContext) -> Result<Image> {
        if self.format != FRAME_FORMAT {
            return Err(Error::Gpu(
                "this renderer draws into a window; frames need an offscreen renderer".into(),
            ));
        }
        let mut enc = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("render.frame") });
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
        return bad(format!(
            "camera distance {} m, field of view {}°: need distance > 0 and 1° < fovy < 179°",
            c.distance, c.fovy_deg
        ));
    }
    if !(o.spacing.is_finite() && o.spacing >= 0.0) {
        return bad(format!("world spacing {}: must be ≥ 0", o.spacing));
    }
    Ok(())
}

/// The far clipping distance: the scene around the target stays in view however far the camera.
fn far_plane(distance: f32) -> f32 {
    200.0 + 2.0 * distance
}

fn grid_cols(n: usize) -> u32 {
    (n as f64).sqrt().ceil().max(1.0) as u32
}

fn camera_words(c: &CameraSpec) -> (u32, [f32; 3], [f32; 4]) {
    let (mode, lookat) = match c.mode {
        CameraMode::Track { .. } => (0, [0.0; 3]),
        CameraMode::Fixed { lookat } => (1, lookat),
    };
    (
        mode,
        lookat,
        [c.distance, c.azimuth_deg.to_radians(), c.elevation_deg.to_radians(), c.fovy_deg.to_radians()],
    )
}

fn normalize3(v: [f32; 3]) -> [f32; 3] {
    let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    [v[0] / n, v[1] / n, v[2] / n]
}
