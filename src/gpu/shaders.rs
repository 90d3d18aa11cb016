//! The WGSL sources sinew ships, how a stage's module is assembled, and naga validation.
//!
//! WGSL has no `#include`: a stage module is `shaders/common/*.wgsl` (in [`COMMON`] order)
//! followed by the stage's own file. Sources are embedded at build time.

use crate::error::{Error, Result};

/// Shared declarations prepended to every stage, in order: (path under `shaders/`, source).
pub const COMMON: &[(&str, &str)] = &[
    ("common/model.wgsl", include_str!("../../shaders/common/model.wgsl")),
    ("common/math.wgsl", include_str!("../../shaders/common/math.wgsl")),
    ("common/wrap.wgsl", include_str!("../../shaders/common/wrap.wgsl")),
];

/// Stage shaders: (path under `shaders/`, source).
pub const STAGES: &[(&str, &str)] = &[
    ("model_probe.wgsl", include_str!("../../shaders/model_probe.wgsl")),
    ("kinematics.wgsl", include_str!("../../shaders/kinematics.wgsl")),
    ("com.wgsl", include_str!("../../shaders/com.wgsl")),
    ("tendon.wgsl", include_str!("../../shaders/tendon.wgsl")),
];

/// The full module source of a stage: the common prelude and the stage file.
pub fn module_source(stage: &str) -> Result<String> {
    let (_, src) = STAGES
        .iter()
        .find(|(name, _)| *name == stage)
        .ok_or_else(|| Error::Gpu(format!("unknown shader '{stage}'")))?;
    let mut out = String::new();
    for (name, c) in COMMON {
        out.push_str(&format!("// ---- {name} ----\n{c}\n"));
    }
    out.push_str(&format!("// ---- {stage} ----\n{src}"));
    Ok(out)
}

/// Parse and validate WGSL with naga; returns the module (for layout checks) or a readable error.
pub fn validate(name: &str, source: &str) -> Result<naga::Module> {
    let module = naga::front::wgsl::parse_str(source)
        .map_err(|e| Error::Gpu(format!("{name}: {}", e.emit_to_string(source))))?;
    naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::all())
        .validate(&module)
        .map_err(|e| Error::Gpu(format!("{name}: {}", e.emit_to_string(source))))?;
    Ok(module)
}

impl super::GpuContext {
    /// Build the compute pipeline of `stage` with entry point `entry` (layout inferred).
    pub fn compute_pipeline(&self, stage: &str, entry: &str) -> Result<wgpu::ComputePipeline> {
        let src = module_source(stage)?;
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(stage),
            source: wgpu::ShaderSource::Wgsl(src.into()),
        });
        let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(stage),
            layout: None,
            module: &module,
            entry_point: Some(entry),
            compilation_options: Default::default(),
            cache: None,
        });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(Error::Gpu(format!("{stage}: {e}")));
        }
        Ok(pipeline)
    }
}
