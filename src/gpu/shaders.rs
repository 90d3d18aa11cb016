//! The WGSL sources sinew ships, how a stage's module is assembled, and naga validation.
//!
//! WGSL has no `#include`: a stage module is `shaders/common/*.wgsl` (in [`COMMON`] order)
//! followed by the stage's own file. Sources are embedded at build time.

use crate::error::{Error, Result};

/// Shared declarations prepended to every stage, in order: (path under `shaders/`, source).
pub const COMMON: &[(&str, &str)] = &[
    ("common/model.wgsl", include_str!("../../shaders/common/model.wgsl")),
    ("common/dispatch.wgsl", include_str!("../../shaders/common/dispatch.wgsl")),
    ("common/worlds.wgsl", include_str!("../../shaders/common/worlds.wgsl")),
    ("common/math.wgsl", include_str!("../../shaders/common/math.wgsl")),
    ("common/wrap.wgsl", include_str!("../../shaders/common/wrap.wgsl")),
    ("common/soft.wgsl", include_str!("../../shaders/common/soft.wgsl")),
];

/// Libraries only some stages include (path under `shaders/`, source).
pub const PARTS: &[(&str, &str)] = &[
    ("collision/primitive.wgsl", include_str!("../../shaders/collision/primitive.wgsl")),
    ("collision/ellipsoid.wgsl", include_str!("../../shaders/collision/ellipsoid.wgsl")),
    ("collision/capsule_cylinder.wgsl", include_str!("../../shaders/collision/capsule_cylinder.wgsl")),
    ("env/params.wgsl", include_str!("../../shaders/env/params.wgsl")),
    ("env/common.wgsl", include_str!("../../shaders/env/common.wgsl")),
    ("solver/exact.wgsl", include_str!("../../shaders/solver/exact.wgsl")),
    // per-world stage bodies the fused stages below call (`<name>_world(w)`)
    ("kinematics.wgsl", include_str!("../../shaders/kinematics.wgsl")),
    ("com.wgsl", include_str!("../../shaders/com.wgsl")),
    ("crb.wgsl", include_str!("../../shaders/crb.wgsl")),
    ("rne.wgsl", include_str!("../../shaders/rne.wgsl")),
    ("constraint.wgsl", include_str!("../../shaders/constraint.wgsl")),
    ("contact.wgsl", include_str!("../../shaders/contact.wgsl")),
];

/// Which [`PARTS`] a stage includes (after the common prelude, in this order).
pub const STAGE_PARTS: &[(&str, &[&str])] = &[
    (
        "collision.wgsl",
        &["collision/primitive.wgsl", "collision/ellipsoid.wgsl", "collision/capsule_cylinder.wgsl"],
    ),
    ("env/action.wgsl", &["env/params.wgsl"]),
    ("env/imitation.wgsl", &["env/params.wgsl", "env/common.wgsl"]),
    ("env/locomotion.wgsl", &["env/params.wgsl", "env/common.wgsl"]),
    ("env/reaching.wgsl", &["env/params.wgsl", "env/common.wgsl"]),
    ("env/pose.wgsl", &["env/params.wgsl", "env/common.wgsl"]),
    ("solve.wgsl", &["solver/exact.wgsl"]),
    ("position.wgsl", &["kinematics.wgsl", "com.wgsl"]),
    ("mass_bias.wgsl", &["crb.wgsl", "rne.wgsl"]),
    ("rows.wgsl", &["constraint.wgsl", "contact.wgsl"]),
];

/// Stage shaders: (path under `shaders/`, source).
pub const STAGES: &[(&str, &str)] = &[
    ("model_probe.wgsl", include_str!("../../shaders/model_probe.wgsl")),
    ("position.wgsl", include_str!("../../shaders/position.wgsl")),
    ("tendon.wgsl", include_str!("../../shaders/tendon.wgsl")),
    ("actuation.wgsl", include_str!("../../shaders/actuation.wgsl")),
    ("mass_bias.wgsl", include_str!("../../shaders/mass_bias.wgsl")),
    ("passive.wgsl", include_str!("../../shaders/passive.wgsl")),
    ("solve.wgsl", include_str!("../../shaders/solve.wgsl")),
    ("collision.wgsl", include_str!("../../shaders/collision.wgsl")),
    ("rows.wgsl", include_str!("../../shaders/rows.wgsl")),
    ("newton.wgsl", include_str!("../../shaders/newton.wgsl")),
    ("contact_force.wgsl", include_str!("../../shaders/contact_force.wgsl")),
    ("pending.wgsl", include_str!("../../shaders/pending.wgsl")),
    ("integrate.wgsl", include_str!("../../shaders/integrate.wgsl")),
    ("env/action.wgsl", include_str!("../../shaders/env/action.wgsl")),
    ("env/imitation.wgsl", include_str!("../../shaders/env/imitation.wgsl")),
    ("env/locomotion.wgsl", include_str!("../../shaders/env/locomotion.wgsl")),
    ("env/reaching.wgsl", include_str!("../../shaders/env/reaching.wgsl")),
    ("env/pose.wgsl", include_str!("../../shaders/env/pose.wgsl")),
    ("rl/spd.wgsl", include_str!("../../shaders/rl/spd.wgsl")),
];

/// Stages written over a `real` scalar type (f64 where the device has it, else f32).
pub const REAL_STAGES: &[&str] = &["solve.wgsl", "newton.wgsl", "pending.wgsl"];

/// The full module source of a stage with `real` bound to `real` (f32 or f64) where the stage
/// uses it, and `REAL_IS_F64` saying which.
pub fn module_source_real(stage: &str, real: &str) -> Result<String> {
    let src = module_source(stage)?;
    Ok(if REAL_STAGES.contains(&stage) {
        format!("alias real = {real};\nconst REAL_IS_F64: bool = {};\n{src}", real == "f64")
    } else {
        src
    })
}

/// The renderer's modules (src/render): each is the host constants, the world layout and the
/// quaternion math, `render/common.wgsl`, then the module's own file.
pub const RENDER: &[(&str, &str)] = &[
    ("render/common.wgsl", include_str!("../../shaders/render/common.wgsl")),
    ("render/camera.wgsl", include_str!("../../shaders/render/camera.wgsl")),
    ("render/scene.wgsl", include_str!("../../shaders/render/scene.wgsl")),
];

/// The full source of renderer module `name` ("render/camera.wgsl" or "render/scene.wgsl").
pub fn render_module_source(name: &str) -> Result<String> {
    let find = |n: &str| -> Result<&str> {
        RENDER
            .iter()
            .chain(COMMON)
            .find(|(k, _)| *k == n)
            .map(|(_, s)| *s)
            .ok_or_else(|| Error::Gpu(format!("unknown shader '{n}'")))
    };
    let mut out = host_constants();
    for part in ["common/worlds.wgsl", "common/math.wgsl", "render/common.wgsl", name] {
        out.push_str(&format!("// ---- {part} ----\n{}\n", find(part)?));
    }
    Ok(out)
}

/// Constants the host sets for every module, before the common prelude: the per-world state
/// layout's tile, chosen in one place (`crate::sim::tiles::world_tile`).
pub fn host_constants() -> String {
    format!("const WORLD_TILE: u32 = {}u;\n", crate::sim::tiles::world_tile())
}

/// The full module source of a stage: the common prelude, the stage's parts and the stage file.
pub fn module_source(stage: &str) -> Result<String> {
    let (_, src) = STAGES
        .iter()
        .find(|(name, _)| *name == stage)
        .ok_or_else(|| Error::Gpu(format!("unknown shader '{stage}'")))?;
    let mut out = host_constants();
    for (name, c) in COMMON {
        out.push_str(&format!("// ---- {name} ----\n{c}\n"));
    }
    for (_, parts) in STAGE_PARTS.iter().filter(|(name, _)| *name == stage) {
        for part in *parts {
            let (_, p) = PARTS
                .iter()
                .find(|(name, _)| name == part)
                .ok_or_else(|| Error::Gpu(format!("unknown shader part '{part}'")))?;
            out.push_str(&format!("// ---- {part} ----\n{p}\n"));
        }
    }
    out.push_str(&format!("// ---- {stage} ----\n{src}"));
    merge_bindings(&out)
}

/// One binding per name in a module assembled from several files (a fused stage and its parts):
/// a name declared twice keeps its first declaration (read_write if any declaration writes it;
/// the types must agree), and a declaration whose binding number an earlier one took gets the
/// next free number. Kernels bind by name ([`binding_names`]), so the numbers are arbitrary.
fn merge_bindings(src: &str) -> Result<String> {
    struct Decl {
        line: usize,
        space: String,
        ty: String,
    }
    let mut lines: Vec<String> = src.lines().map(str::to_string).collect();
    let mut seen: std::collections::HashMap<String, Decl> = Default::default();
    let mut used = std::collections::BTreeSet::new();
    let mut drop = Vec::new();
    let mut renumber = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix("@group(0) @binding(") else { continue };
        let (number, rest) =
            rest.split_once(')').ok_or_else(|| Error::Gpu(format!("bad binding: {line}")))?;
        let number: u32 = number.trim().parse().map_err(|_| Error::Gpu(format!("bad binding: {line}")))?;
        let decl = rest.split(';').next().unwrap_or("").trim();
        let (head, ty) = decl.split_once(':').ok_or_else(|| Error::Gpu(format!("bad binding: {line}")))?;
        let name = head.rsplit(|c: char| c.is_whitespace() || c == '>').next().unwrap_or("").to_string();
        let space = head.trim_start_matches("var").trim().trim_end_matches(&name).trim().to_string();
        let ty = ty.trim().to_string();
        if let Some(first) = seen.get_mut(&name) {
            let kind = |s: &str| s.split(',').next().unwrap_or("").to_string();
            if first.ty != ty || kind(&first.space) != kind(&space) {
                return Err(Error::Gpu(format!(
                    "`{name}` is declared as {} {} and as {space} {ty}",
                    first.space, first.ty
                )));
            }
            if space.contains("read_write") {
                first.space = space;
            }
            drop.push(i);
        } else {
            if !used.insert(number) {
                renumber.push(i);
            }
            seen.insert(name, Decl { line: i, space, ty });
        }
    }
    // read_write where a later file writes what an earlier one only read
    for decl in seen.values() {
        let line = &mut lines[decl.line];
        if decl.space.contains("read_write") && line.contains("var<storage, read>") {
            *line = line.replacen("var<storage, read>", "var<storage, read_write>", 1);
        }
    }
    for i in renumber {
        let next = used.iter().next_back().map_or(0, |n| n + 1);
        used.insert(next);
        let line = &lines[i];
        let start = line.find("@binding(").unwrap_or(0) + "@binding(".len();
        let end = start + line[start..].find(')').unwrap_or(0);
        lines[i] = format!("{}{next}{}", &line[..start], &line[end..]);
    }
    for i in drop {
        lines[i] = format!("// (declared above) {}", lines[i].trim());
    }
    Ok(lines.join("\n"))
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

/// Every resource the module declares in group 0, as (binding, WGSL global name) in binding
/// order: what a kernel's [`crate::gpu::bindings::Bindings`] must offer by name.
pub fn binding_names(module: &naga::Module) -> Vec<(u32, String)> {
    let mut names: Vec<(u32, String)> = module
        .global_variables
        .iter()
        .filter_map(|(_, var)| Some((var.binding.as_ref()?.binding, var.name.clone()?)))
        .collect();
    names.sort();
    names
}

/// A compute pipeline and the names its bindings are resolved by.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// The pipeline (bind group 0 holds every binding the module declares).
    pub pipeline: wgpu::ComputePipeline,
    /// (binding, WGSL global name) of each, in binding order ([`binding_names`]).
    pub bindings: std::sync::Arc<[(u32, String)]>,
}

/// Bind group 0 layout entries for every resource the module declares (all compute-visible), so
/// every entry point of a module shares one layout and one bind group.
fn layout_entries(module: &naga::Module) -> Result<Vec<wgpu::BindGroupLayoutEntry>> {
    let mut entries = Vec::new();
    for (_, var) in module.global_variables.iter() {
        let Some(binding) = &var.binding else { continue };
        if binding.group != 0 {
            return Err(Error::Gpu(format!(
                "binding group {} is not supported (group 0 only)",
                binding.group
            )));
        }
        let ty = match var.space {
            naga::AddressSpace::Uniform => wgpu::BufferBindingType::Uniform,
            naga::AddressSpace::Storage { access } => {
                wgpu::BufferBindingType::Storage { read_only: !access.contains(naga::StorageAccess::STORE) }
            }
            other => {
                return Err(Error::Gpu(format!(
                    "binding {}: address space {other:?} is not supported",
                    binding.binding
                )));
            }
        };
        entries.push(wgpu::BindGroupLayoutEntry {
            binding: binding.binding,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer { ty, has_dynamic_offset: false, min_binding_size: None },
            count: None,
        });
    }
    entries.sort_by_key(|e| e.binding);
    Ok(entries)
}

impl super::GpuContext {
    /// Build the compute pipeline of `stage` with entry point `entry`; its bind group 0 layout
    /// holds every binding the module declares, in binding order.
    pub fn compute_pipeline(&self, stage: &str, entry: &str) -> Result<Pipeline> {
        self.compute_pipeline_with(stage, entry, &[])
    }

    /// [`GpuContext::compute_pipeline`] with values for the stage's `override` constants.
    pub fn compute_pipeline_with(
        &self,
        stage: &str,
        entry: &str,
        constants: &[(&str, f64)],
    ) -> Result<Pipeline> {
        let real = if self.has_f64() { "f64" } else { "f32" };
        let key = format!("{stage}:{entry}:{real}:{constants:?}");
        let cache = || self.pipelines.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = cache().get(&key) {
            return Ok(p.clone());
        }
        let pipeline = self.build_pipeline(stage, entry, real, constants)?;
        cache().insert(key, pipeline.clone());
        Ok(pipeline)
    }

    fn build_pipeline(
        &self,
        stage: &str,
        entry: &str,
        real: &str,
        constants: &[(&str, f64)],
    ) -> Result<Pipeline> {
        let src = module_source_real(stage, real)?;
        let module = validate(stage, &src)?;
        let entries = layout_entries(&module)?;
        let bindings = binding_names(&module).into();
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let bgl = self.device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some(stage),
            entries: &entries,
        });
        let layout = self.device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(stage),
            bind_group_layouts: &[Some(&bgl)],
            immediate_size: 0,
        });
        let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(stage),
            source: wgpu::ShaderSource::Wgsl(src.into()),
        });
        let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(stage),
            layout: Some(&layout),
            module: &module,
            entry_point: Some(entry),
            compilation_options: wgpu::PipelineCompilationOptions { constants, ..Default::default() },
            cache: None,
        });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(Error::Gpu(format!("{stage}: {e}")));
        }
        Ok(Pipeline { pipeline, bindings })
    }
}

#[cfg(test)]
mod tests {
    use super::merge_bindings;

    #[test]
    fn merged_bindings_keep_one_declaration_per_name() {
        let src = "@group(0) @binding(0) var<uniform> sizes: ModelSizes;\n\
                   @group(0) @binding(1) var<storage, read> xpos: array<vec4<f32>>;\n\
                   @group(0) @binding(0) var<uniform> sizes: ModelSizes;\n\
                   @group(0) @binding(1) var<storage, read_write> xpos: array<vec4<f32>>;  // written\n\
                   @group(0) @binding(1) var<storage, read> cdof: array<vec4<f32>>;";
        let out = merge_bindings(src).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        // the first xpos now writes; the second sizes and xpos are gone; cdof got binding 2
        assert_eq!(lines[1], "@group(0) @binding(1) var<storage, read_write> xpos: array<vec4<f32>>;");
        assert!(lines[2].starts_with("// (declared above)") && lines[3].starts_with("// (declared above)"));
        assert_eq!(lines[4], "@group(0) @binding(2) var<storage, read> cdof: array<vec4<f32>>;");
        // one name, two types: an error naming it
        let clash = "@group(0) @binding(0) var<storage, read> q: array<f32>;\n\
                     @group(0) @binding(1) var<storage, read> q: array<u32>;";
        let e = merge_bindings(clash).unwrap_err().to_string();
        assert!(e.contains("`q`"), "{e}");
    }
}
