//! One module per physics stage (same names as `crate::reference`): each builds its pipeline and
//! bind group once and records its dispatches into a compute pass.

pub mod actuation;
pub mod collision;
pub mod com;
pub mod constraint;
pub mod contact;
pub mod crb;
pub mod integrate;
pub mod kinematics;
pub mod newton;
pub mod passive;
pub mod rne;
pub mod solve;
pub mod tendon;
pub mod velocity;

use crate::error::Result;
use crate::gpu::GpuContext;

/// A stage that records its dispatches into a compute pass.
pub trait Stage {
    /// Record this stage's dispatches.
    fn record(&self, pass: &mut wgpu::ComputePass);
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

/// Bind `buffers` to bindings 0.. of group 0 of `pipeline`, in order.
pub fn bind(
    ctx: &GpuContext,
    pipeline: &wgpu::ComputePipeline,
    label: &str,
    buffers: &[&wgpu::Buffer],
) -> Result<wgpu::BindGroup> {
    let ranges: Vec<wgpu::BufferBinding> = buffers.iter().map(|b| b.as_entire_buffer_binding()).collect();
    bind_ranges(ctx, pipeline, label, &ranges)
}

/// Like [`bind`], with buffer ranges (e.g. a Burn tensor inside a pooled buffer).
pub fn bind_ranges(
    ctx: &GpuContext,
    pipeline: &wgpu::ComputePipeline,
    label: &str,
    ranges: &[wgpu::BufferBinding],
) -> Result<wgpu::BindGroup> {
    let layout = pipeline.get_bind_group_layout(0);
    let entries: Vec<wgpu::BindGroupEntry> = ranges
        .iter()
        .enumerate()
        .map(|(i, b)| wgpu::BindGroupEntry {
            binding: i as u32,
            resource: wgpu::BindingResource::Buffer(b.clone()),
        })
        .collect();
    let scope = ctx.device.push_error_scope(wgpu::ErrorFilter::Validation);
    let group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some(label),
        layout: &layout,
        entries: &entries,
    });
    if let Some(e) = pollster::block_on(scope.pop()) {
        return Err(crate::error::Error::Gpu(format!("{label}: {e}")));
    }
    Ok(group)
}

/// One compute entry point with its bind group, dispatched over `invocations` threads (64 per
/// workgroup). Most stages are one or two of these.
pub struct Kernel {
    pipeline: wgpu::ComputePipeline,
    group: wgpu::BindGroup,
    invocations: usize,
    /// Dispatch one workgroup per item (`invocations` items) instead of one invocation per item.
    per_workgroup: bool,
}

impl Kernel {
    /// Build `shader`'s entry point `entry` with `buffers` bound to bindings 0.. in order.
    pub fn new(
        ctx: &GpuContext,
        shader: &str,
        entry: &str,
        buffers: &[&wgpu::Buffer],
        invocations: usize,
    ) -> Result<Self> {
        Self::with_constants(ctx, shader, entry, buffers, invocations, &[])
    }

    /// [`Kernel::new`] with the shader's `override` constants set.
    pub fn with_constants(
        ctx: &GpuContext,
        shader: &str,
        entry: &str,
        buffers: &[&wgpu::Buffer],
        invocations: usize,
        constants: &[(&str, f64)],
    ) -> Result<Self> {
        let pipeline = ctx.compute_pipeline_with(shader, entry, constants)?;
        let group = bind(ctx, &pipeline, &format!("{shader}:{entry}"), buffers)?;
        Ok(Kernel { pipeline, group, invocations, per_workgroup: false })
    }

    /// The same entry point over the same invocations with other buffer ranges bound (cheap: the
    /// pipeline is shared, only a bind group is made).
    pub fn rebind(&self, ctx: &GpuContext, label: &str, ranges: &[wgpu::BufferBinding]) -> Result<Self> {
        let group = bind_ranges(ctx, &self.pipeline, label, ranges)?;
        Ok(Kernel { pipeline: self.pipeline.clone(), group, ..*self })
    }

    /// Like [`Kernel::new`], but one workgroup per item (`items` of them, in rows of 65,535 as
    /// (x, y)); the shader finds its item as `workgroup_id.x + 65535 · workgroup_id.y`.
    /// `constants` set the shader's `override` constants.
    pub fn per_workgroup(
        ctx: &GpuContext,
        shader: &str,
        entry: &str,
        buffers: &[&wgpu::Buffer],
        items: usize,
        constants: &[(&str, f64)],
    ) -> Result<Self> {
        let kernel = Self::with_constants(ctx, shader, entry, buffers, items, constants)?;
        Ok(Kernel { per_workgroup: true, ..kernel })
    }
}

impl Kernel {
    /// Record one dispatch with its workgroup counts read from `args` (x, y, z u32) on the GPU.
    pub fn record_indirect(&self, pass: &mut wgpu::ComputePass, args: &wgpu::Buffer) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &self.group, &[]);
        pass.dispatch_workgroups_indirect(args, 0);
    }
}

impl Stage for Kernel {
    fn record(&self, pass: &mut wgpu::ComputePass) {
        if self.invocations == 0 {
            return;
        }
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &self.group, &[]);
        if self.per_workgroup {
            let n = self.invocations as u32;
            pass.dispatch_workgroups(n.min(65535), n.div_ceil(65535), 1);
        } else {
            // more than 65,535 workgroups go in rows (shaders index gid.x + 65535·64·gid.y)
            let g = groups64(self.invocations);
            pass.dispatch_workgroups(g.min(65535), g.div_ceil(65535), 1);
        }
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
}

/// Workgroups of 64 covering `n` invocations.
pub fn groups64(n: usize) -> u32 {
    (n as u32).div_ceil(64).max(1)
}
