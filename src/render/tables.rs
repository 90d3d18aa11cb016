//! The renderer's per-model tables on the GPU: the geoms' triangles and looks, the tendon
//! segments and sites that can be drawn, and the shown worlds.

use bytemuck::{Pod, Zeroable};

use super::geometry::{Geometry, Vertex, unit_sphere};
use super::renderer::RenderOptions;
use crate::gpu::GpuContext;
use crate::model::{Model, TrnType};

/// One drawn tendon segment (`Segment` in shaders/render/common.wgsl).
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub(super) struct Segment {
    tendon: u32,
    k: u32,
    first: u32,
    act: u32,
    width: f32,
    pad: [u32; 3],
}

/// Static geometry and per-model tables on the GPU.
pub(super) struct Tables {
    pub(super) vertices: wgpu::Buffer,
    pub(super) indices: wgpu::Buffer,
    pub(super) nindex: u32,
    pub(super) scenery_end: u32,
    pub(super) opaque_end: u32,
    pub(super) sphere_vertices: wgpu::Buffer,
    pub(super) sphere_indices: wgpu::Buffer,
    pub(super) nsphere: u32,
    pub(super) looks: wgpu::Buffer,
    pub(super) segments: wgpu::Buffer,
    pub(super) nsegment: u32,
    pub(super) tendon_look: wgpu::Buffer,
    pub(super) site_list: wgpu::Buffer,
    pub(super) nsite_drawn: u32,
    pub(super) site_look: wgpu::Buffer,
    pub(super) shown: wgpu::Buffer,
}

impl Tables {
    pub(super) fn build(ctx: &GpuContext, m: &Model, o: &RenderOptions) -> Self {
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
            ctx.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: &contents,
                usage: usage(u),
            })
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
