//! One module per physics stage (same names as `crate::reference`): each builds its pipeline and
//! bind group once and records its dispatches into a compute pass.

pub mod actuation;
pub mod collision;
pub mod contact_force;
pub mod integrate;
pub mod mass_bias;
pub mod newton;
pub mod passive;
pub mod position;
pub mod rows;
pub mod solve;
pub mod tendon;

use crate::error::Result;
use crate::gpu::shaders::Pipeline;
use crate::gpu::{Bindings, GpuContext};

/// A stage that records its dispatches into a compute pass.
pub trait Stage {
    /// Record this stage's dispatches.
    fn record(&self, pass: &mut wgpu::ComputePass);

    /// Dispatches one record makes (indirect ones counted whether or not they launch work).
    fn dispatches(&self) -> usize;
}

/// Record `stages` in order into one compute pass and submit it.
pub fn run(ctx: &GpuContext, stages: &[&dyn Stage]) {
    let mut enc =
        ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("stages") });
    {
        let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("stages"),
            timestamp_writes: None,
        });
        for s in stages {
            s.record(&mut pass);
        }
    }
    ctx.submit(enc.finish());
}

/// How many invocations (or, per workgroup, workgroups) a kernel runs in each chunk of worlds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// `k` per world of the chunk (1: one per world; nu: one per actuator of every world).
    PerWorld(usize),
    /// This many, whatever the chunk's size (e.g. one workgroup compacting its pending list).
    Fixed(usize),
}

impl Work {
    /// Items over a chunk of `worlds` worlds: per-world items cover whole tiles of worlds
    /// (kernels over tiled (world, element) items number them tile by tile), except one
    /// workgroup per world (`per_workgroup`), which needs no more than the worlds.
    fn items(self, worlds: usize, per_workgroup: bool) -> usize {
        match self {
            Work::PerWorld(k) if per_workgroup => k * worlds,
            Work::PerWorld(k) => k * crate::sim::tiles::padded(worlds),
            Work::Fixed(n) => n,
        }
    }
}

/// One compute entry point bound to its buffers by name, once per chunk of worlds, dispatched
/// over each chunk's items (64 invocations per workgroup, or one workgroup per item). Most
/// stages are one or two of these.
pub struct Kernel {
    pipeline: Pipeline,
    label: String,
    /// Per chunk: its bind group and its item count.
    groups: Vec<(wgpu::BindGroup, usize)>,
    work: Work,
    /// Dispatch one workgroup per item instead of one invocation per item.
    per_workgroup: bool,
}

impl Kernel {
    /// Build `shader`'s entry point `entry`, its bindings resolved by name from `bindings`.
    pub fn new(ctx: &GpuContext, shader: &str, entry: &str, bindings: &Bindings, work: Work) -> Result<Self> {
        Self::with_constants(ctx, shader, entry, bindings, work, &[])
    }

    /// [`Kernel::new`] with the shader's `override` constants set.
    pub fn with_constants(
        ctx: &GpuContext,
        shader: &str,
        entry: &str,
        bindings: &Bindings,
        work: Work,
        constants: &[(&str, f64)],
    ) -> Result<Self> {
        let pipeline = ctx.compute_pipeline_with(shader, entry, constants)?;
        let label = format!("{shader}:{entry}");
        let groups = bind(ctx, &pipeline, &label, bindings, work, false)?;
        Ok(Kernel { pipeline, label, groups, work, per_workgroup: false })
    }

    /// Like [`Kernel::with_constants`], but one workgroup per item (in rows of 65,535 as (x, y));
    /// the shader finds its item as `workgroup_id.x + 65535 · workgroup_id.y`.
    pub fn per_workgroup(
        ctx: &GpuContext,
        shader: &str,
        entry: &str,
        bindings: &Bindings,
        work: Work,
        constants: &[(&str, f64)],
    ) -> Result<Self> {
        let pipeline = ctx.compute_pipeline_with(shader, entry, constants)?;
        let label = format!("{shader}:{entry}");
        let groups = bind(ctx, &pipeline, &label, bindings, work, true)?;
        Ok(Kernel { pipeline, label, groups, work, per_workgroup: true })
    }

    /// The same entry point over the same items bound to `bindings` instead (cheap: the pipeline
    /// is shared, only bind groups are made); `why` goes into the label.
    pub fn rebind(&self, ctx: &GpuContext, why: &str, bindings: &Bindings) -> Result<Self> {
        let label = format!("{}({why})", self.label);
        let groups = bind(ctx, &self.pipeline, &label, bindings, self.work, self.per_workgroup)?;
        Ok(Kernel { pipeline: self.pipeline.clone(), label, groups, ..*self })
    }

    /// Record the first chunk's dispatch only: for a kernel over shared buffers (nothing bound
    /// per world), which must run once whatever the chunking.
    pub fn record_once(&self, pass: &mut wgpu::ComputePass) {
        if let Some((group, items)) = self.groups.first() {
            pass.set_pipeline(&self.pipeline.pipeline);
            pass.set_bind_group(0, group, &[]);
            let g = if self.per_workgroup { *items as u32 } else { groups64(*items) };
            pass.dispatch_workgroups(g.min(65535), g.div_ceil(65535), 1);
        }
    }

    /// Record one dispatch per chunk with its workgroup counts read from that chunk's `args`
    /// (x, y, z u32, written on the GPU), one buffer per chunk in order.
    pub fn record_indirect(&self, pass: &mut wgpu::ComputePass, args: &[wgpu::Buffer]) {
        pass.set_pipeline(&self.pipeline.pipeline);
        for ((group, _), args) in self.groups.iter().zip(args) {
            pass.set_bind_group(0, group, &[]);
            pass.dispatch_workgroups_indirect(args, 0);
        }
    }

    /// Dispatches one indirect record makes (one per chunk).
    pub fn indirect_dispatches(&self) -> usize {
        self.groups.len()
    }
}

/// One bind group per chunk of `bindings` for `pipeline`, with the chunk's item count.
fn bind(
    ctx: &GpuContext,
    pipeline: &Pipeline,
    label: &str,
    bindings: &Bindings,
    work: Work,
    per_workgroup: bool,
) -> Result<Vec<(wgpu::BindGroup, usize)>> {
    let layout = pipeline.pipeline.get_bind_group_layout(0);
    let mut groups = Vec::with_capacity(bindings.chunks().len());
    for (k, chunk) in bindings.chunks().iter().enumerate() {
        let entries = bindings.entries(label, &pipeline.bindings, k)?;
        let scope = ctx.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(label),
            layout: &layout,
            entries: &entries,
        });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(crate::error::Error::Gpu(format!("{label}: {e}")));
        }
        groups.push((group, work.items(chunk.worlds.len(), per_workgroup)));
    }
    Ok(groups)
}

impl Stage for Kernel {
    fn record(&self, pass: &mut wgpu::ComputePass) {
        pass.set_pipeline(&self.pipeline.pipeline);
        for (group, items) in &self.groups {
            if *items == 0 {
                continue;
            }
            pass.set_bind_group(0, group, &[]);
            // more than 65,535 workgroups go in rows (shaders index with common/dispatch.wgsl)
            let g = if self.per_workgroup { *items as u32 } else { groups64(*items) };
            pass.dispatch_workgroups(g.min(65535), g.div_ceil(65535), 1);
        }
    }

    fn dispatches(&self) -> usize {
        self.groups.iter().filter(|(_, n)| *n > 0).count()
    }
}

/// Several kernels recorded in order (a stage with more than one entry point).
pub struct Kernels(pub Vec<Kernel>);

impl Stage for Kernels {
    fn record(&self, pass: &mut wgpu::ComputePass) {
        for k in &self.0 {
            k.record(pass);
        }
    }

    fn dispatches(&self) -> usize {
        self.0.iter().map(Stage::dispatches).sum()
    }
}

/// Workgroups of 64 covering `n` invocations.
pub fn groups64(n: usize) -> u32 {
    (n as u32).div_ceil(64).max(1)
}
