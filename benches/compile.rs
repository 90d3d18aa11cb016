//! How long it takes to load and compile MJCF models (XML, meshes, inertias, acc0), and to upload
//! one to the GPU. Real models are included when fetched (tools/fetch-models).
//!
//! cargo bench --bench compile

use criterion::{Criterion, criterion_group, criterion_main};

fn compile(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut models = vec![("compiler_features".to_string(), root.join("assets/compiler_features.xml"))];
    for name in ["myolegs", "mm_fullbody"] {
        if let Ok(p) = sinew::models::resolve(name) {
            models.push((name.to_string(), p));
        }
    }
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    for (name, path) in &models {
        group.bench_function(name.as_str(), |b| b.iter(|| sinew::mjcf::load_model(path).unwrap()));
    }
    group.finish();

    if let Ok(ctx) = sinew::gpu::GpuContext::new() {
        let m = sinew::mjcf::load_model(&models.last().unwrap().1).unwrap();
        let mut group = c.benchmark_group("upload");
        group.sample_size(10);
        group.bench_function(models.last().unwrap().0.as_str(), |b| {
            b.iter(|| {
                let gm = sinew::gpu::GpuModel::upload(&ctx, &m);
                ctx.wait().unwrap();
                gm
            })
        });
        group.finish();
    }
}

criterion_group!(benches, compile);
criterion_main!(benches);
