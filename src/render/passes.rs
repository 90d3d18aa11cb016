//! The renderer's pipelines (camera pass, shadow pass, sky, geoms, tendons, sites, contacts and
//! their force arrows) and
//! its offscreen targets.

use super::geometry::Vertex;
use crate::error::Result;
use crate::gpu::GpuContext;

/// Samples per pixel of the scene pass (resolved into the frame).
pub(super) const SAMPLES: u32 = 4;
/// The shadow map's side (texels).
pub(super) const SHADOW_SIZE: u32 = 2048;
/// Depth format of the scene and the shadow map.
pub(super) const DEPTH: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;

/// The renderer's pipelines, built once per renderer for its target format.
pub(super) struct Pipelines {
    pub(super) group0: wgpu::BindGroupLayout,
    pub(super) camera: wgpu::ComputePipeline,
    pub(super) shadow: wgpu::RenderPipeline,
    pub(super) sky: wgpu::RenderPipeline,
    pub(super) geom: wgpu::RenderPipeline,
    pub(super) geom_blend: wgpu::RenderPipeline,
    pub(super) tendon: wgpu::RenderPipeline,
    pub(super) site: wgpu::RenderPipeline,
    pub(super) contact: wgpu::RenderPipeline,
    pub(super) force: wgpu::RenderPipeline,
}

/// Offscreen targets: multisampled colour and depth, the resolved frame, and its readback.
pub(super) struct Targets {
    pub(super) colour: wgpu::TextureView,
    pub(super) depth: wgpu::TextureView,
    pub(super) resolved: wgpu::Texture,
    pub(super) resolved_view: wgpu::TextureView,
    pub(super) readback: wgpu::Buffer,
    pub(super) row_bytes: u32,
}

impl Pipelines {
    pub(super) fn build(ctx: &GpuContext, format: wgpu::TextureFormat) -> Result<Self> {
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
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        }];
        entries0.extend((1..16).map(|b| storage(b, true, all)));
        let group0 = dev.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("render.group0"),
            entries: &entries0,
        });
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
            let targets =
                [Some(wgpu::ColorTargetState { format, blend, write_mask: wgpu::ColorWrites::ALL })];
            dev.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(label),
                layout: Some(layout),
                vertex: wgpu::VertexState {
                    module: &scene,
                    entry_point: Some(vs),
                    compilation_options: Default::default(),
                    buffers,
                },
                primitive: wgpu::PrimitiveState { cull_mode: None, ..Default::default() },
                depth_stencil: Some(wgpu::DepthStencilState {
                    format: DEPTH,
                    depth_write_enabled: Some(depth_write),
                    // contact points are an overlay: drawn over the bodies they lie under
                    depth_compare: Some(if label == "render.contact" || label == "render.force" {
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
            shadow: pipeline(
                "render.shadow", &shadow_layout, "shadow_vs", None, &geom_buffers, None, true, 1,
            ),
            sky: pipeline("render.sky", &draw_layout, "sky_vs", Some("sky_fs"), &[], None, false, SAMPLES),
            geom: pipeline(
                "render.geom",
                &draw_layout,
                "geom_vs",
                Some("geom_fs"),
                &geom_buffers,
                None,
                true,
                SAMPLES,
            ),
            geom_blend: pipeline(
                "render.geom_blend",
                &draw_layout,
                "geom_vs",
                Some("geom_fs"),
                &geom_buffers,
                blend,
                false,
                SAMPLES,
            ),
            tendon: pipeline(
                "render.tendon",
                &draw_layout,
                "tendon_vs",
                Some("tendon_fs"),
                &[],
                blend,
                true,
                SAMPLES,
            ),
            site: pipeline(
                "render.site",
                &draw_layout,
                "site_vs",
                Some("site_fs"),
                &sphere_buffers,
                blend,
                true,
                SAMPLES,
            ),
            contact: pipeline(
                "render.contact",
                &draw_layout,
                "contact_vs",
                Some("site_fs"),
                &sphere_buffers,
                None,
                false,
                SAMPLES,
            ),
            force: pipeline(
                "render.force",
                &draw_layout,
                "force_vs",
                Some("force_fs"),
                &[],
                None,
                false,
                SAMPLES,
            ),
            group0,
        })
    }
}

impl Targets {
    pub(super) fn new(ctx: &GpuContext, width: u32, height: u32, format: wgpu::TextureFormat) -> Self {
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
