//! Every WGSL file validates with naga, and the host mirrors match the WGSL struct layouts.
//! Needs no GPU.

use sinew::gpu::{layout, shaders};

#[test]
fn every_shader_validates() {
    // Each common file on top of the ones before it (that is how stages see them).
    let mut prelude = shaders::host_constants();
    for (name, src) in shaders::COMMON {
        prelude.push_str(src);
        shaders::validate(name, &prelude).unwrap_or_else(|e| panic!("{e}"));
    }
    for (name, _) in shaders::STAGES {
        for real in ["f32", "f64"] {
            let src = shaders::module_source_real(name, real).unwrap();
            shaders::validate(name, &src).unwrap_or_else(|e| panic!("{real}: {e}"));
        }
    }
    for name in ["render/camera.wgsl", "render/scene.wgsl"] {
        let src = shaders::render_module_source(name).unwrap();
        shaders::validate(name, &src).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn every_wgsl_file_is_registered() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut found = Vec::new();
    for entry in walk(&dir) {
        let rel = entry.strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/");
        found.push(rel);
    }
    let registered: Vec<String> = shaders::COMMON
        .iter()
        .chain(shaders::STAGES)
        .chain(shaders::PARTS)
        .chain(shaders::RENDER)
        .map(|(n, _)| n.to_string())
        .collect();
    for f in &found {
        assert!(registered.contains(f), "shaders/{f} is not in gpu::shaders (so it is never validated)");
    }
    assert!(!found.is_empty());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "wgsl") {
            out.push(p);
        }
    }
    out
}

#[test]
fn host_mirrors_match_wgsl_layouts() {
    let (name, src) = shaders::COMMON[0];
    check_mirrors(name, src, layout::mirrors());
    let (name, src) = shaders::PARTS.iter().find(|(n, _)| *n == "env/params.wgsl").unwrap();
    check_mirrors(name, src, sinew::env::layout::mirrors());
}

fn check_mirrors(name: &str, src: &str, mirrors: Vec<(&'static str, usize, Vec<usize>)>) {
    let module = shaders::validate(name, src).unwrap();
    let mut layouter = naga::proc::Layouter::default();
    layouter.update(module.to_ctx()).unwrap();
    for (struct_name, size, offsets) in &mirrors {
        let (handle, ty) = module
            .types
            .iter()
            .find(|(_, t)| t.name.as_deref() == Some(struct_name))
            .unwrap_or_else(|| panic!("struct {struct_name} not in {name}"));
        let naga::TypeInner::Struct { members, span } = &ty.inner else {
            panic!("{struct_name} is not a struct")
        };
        assert_eq!(*span as usize, *size, "{struct_name}: WGSL size {span} vs Rust {size}");
        assert_eq!(layouter[handle].size as usize, *size);
        let wgsl: Vec<usize> = members.iter().map(|m| m.offset as usize).collect();
        assert_eq!(&wgsl, offsets, "{struct_name}: member offsets WGSL vs Rust");
    }
    let structs =
        module.types.iter().filter(|(_, t)| matches!(t.inner, naga::TypeInner::Struct { .. })).count();
    assert_eq!(structs, mirrors.len(), "every WGSL struct in {name} needs a host mirror");
}
