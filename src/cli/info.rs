//! `sinew info MODEL [--json]`: counts, mass, and the features sinew simulates.

use clap::Args;
use sinew::model::{GeomType, Model};

/// Arguments of `sinew info`.
#[derive(Args)]
pub struct InfoArgs {
    /// MJCF file or short name of a fetched model (myolegs, mm_fullbody, ...).
    pub model: String,
    /// Print one JSON object with the counts and total mass.
    #[arg(long)]
    pub json: bool,
    /// Also upload the model to the GPU (adapter from SINEW_ADAPTER / WGPU_BACKEND) and report it.
    #[arg(long, conflicts_with = "json")]
    pub gpu: bool,
}

/// The JSON object `--json` prints: exactly these keys, values equal to MuJoCo's.
#[derive(serde::Serialize)]
struct InfoJson {
    nq: usize,
    nv: usize,
    nu: usize,
    na: usize,
    nbody: usize,
    njnt: usize,
    ngeom: usize,
    nsite: usize,
    ntendon: usize,
    nwrap: usize,
    neq: usize,
    npair: usize,
    nmesh: usize,
    mass: f64,
}

/// Load the model and print its summary.
pub fn run(args: &InfoArgs) -> sinew::Result<()> {
    let path = sinew::models::resolve(&args.model)?;
    let m = sinew::mjcf::load_model(&path)?;
    let info = InfoJson {
        nq: m.nq,
        nv: m.nv,
        nu: m.nu,
        na: m.na,
        nbody: m.nbody,
        njnt: m.njnt,
        ngeom: m.ngeom,
        nsite: m.nsite,
        ntendon: m.ntendon,
        nwrap: m.nwrap,
        neq: m.neq,
        npair: m.npair,
        nmesh: m.nmesh,
        mass: m.total_mass(),
    };
    if args.json {
        println!("{}", serde_json::to_string(&info).expect("plain struct serialises"));
        return Ok(());
    }
    println!("model      {} ({})", if m.name.is_empty() { "<unnamed>" } else { &m.name }, path.display());
    println!("sizes      nq {}  nv {}  nu {}  na {}", m.nq, m.nv, m.nu, m.na);
    println!(
        "           nbody {}  njnt {}  ngeom {}  nsite {}  nmesh {}",
        m.nbody, m.njnt, m.ngeom, m.nsite, m.nmesh
    );
    println!(
        "           ntendon {}  nwrap {}  neq {}  npair {}  nexclude {}",
        m.ntendon, m.nwrap, m.neq, m.npair, m.nexclude
    );
    println!("mass       {:.4} kg", info.mass);
    println!(
        "options    timestep {} s, {:?}, {:?} solver ({} iterations, {} line search), {:?} cone",
        m.opt.timestep, m.opt.integrator, m.opt.solver, m.opt.iterations, m.opt.ls_iterations, m.opt.cone
    );
    println!("features");
    for (feature, status) in features(&m) {
        println!("  {feature:<44} {status}");
    }
    if args.gpu {
        let ctx = sinew::gpu::GpuContext::new()?;
        let a = ctx.summary();
        let gm = sinew::gpu::GpuModel::upload(&ctx, &m);
        ctx.wait()?;
        println!(
            "gpu        {} ({}, {}, driver {}): model uploaded, {} bytes; solver in {}",
            a.name,
            a.backend,
            a.device_type,
            a.driver,
            gm.bytes(),
            if ctx.has_f64() { "f64" } else { "f32 (no shader f64, or SINEW_F64=off)" }
        );
        // the solver's layout, where sinew can build it (the features above say what it cannot)
        let table = sinew::sim::contact::ContactTable::new(&m, sinew::sim::contact::DEFAULT_CONTACT_CAPACITY)
            .and_then(|contacts| sinew::sim::efc::EfcTable::new(&m, &contacts));
        match table {
            Ok(mut efc) => {
                efc.fit_adapter(&ctx, m.nv, sinew::gpu::model_buffers::ModelMirror::nm(&m));
                let plan = efc.hot;
                let part = |hot: bool, len: usize| {
                    if hot { format!("{len} reals in workgroup memory") } else { "in global memory".into() }
                };
                println!(
                    "solver     {}; factor {}; vectors {}",
                    efc.describe(m.nv),
                    part(plan.factor, efc.factor_len()),
                    part(plan.vectors, efc.vectors_len())
                );
            }
            Err(e) => println!("solver     not built: {e}"),
        }
        match worlds_line(&ctx, &m) {
            Ok(line) => println!("worlds     {line}"),
            Err(e) => println!("worlds     not built: {e}"),
        }
    }
    Ok(())
}

/// How worlds are laid out and bound on this adapter, and what one physics step dispatches.
fn worlds_line(ctx: &sinew::gpu::GpuContext, m: &Model) -> sinew::Result<String> {
    use sinew::sim::contact::DEFAULT_CONTACT_CAPACITY;
    let limits = ctx.memory_limits();
    let fp = sinew::sim::Sim::footprint(ctx, m, DEFAULT_CONTACT_CAPACITY)?;
    let per_world: Vec<(&str, u64)> =
        fp.buffers.iter().filter(|b| b.chunked).map(|b| (b.label.as_str(), b.per_world)).collect();
    // the chunk a very large world count is bound in
    let chunk = sinew::gpu::WorldChunks::fit_adapter(ctx, usize::MAX / 2, &per_world)
        .map(|c| format!("{} worlds per chunk", c.chunk))
        .unwrap_or_else(|e| format!("no chunk binds ({e})"));
    let sim = sinew::sim::Sim::new(ctx, m, 1, sinew::sim::SimOptions::default())?;
    Ok(format!(
        "state in tiles of {} worlds; bound in chunks ({chunk} within the adapter's {} MiB bindings); \
         at most {} worlds fit; {} dispatches per physics step",
        sinew::sim::tiles::world_tile(),
        limits.max_storage_buffer_binding_size >> 20,
        fp.max_nworld(&limits),
        sim.step.dispatches()
    ))
}

/// What the model uses, and whether sinew simulates it yet.
fn features(m: &Model) -> Vec<(String, &'static str)> {
    const GPU: &str = "simulated (GPU step)";
    const PLANNED: &str = "compiled; not simulated on the GPU yet";
    let mut out = Vec::new();
    let count = |t: GeomType| m.geom_type.iter().filter(|g| **g == t).count();
    out.push((format!("{} joints ({} dofs)", m.njnt, m.nv), GPU));
    let limited =
        m.jnt_limited.iter().filter(|l| **l).count() + m.tendon_limited.iter().filter(|l| **l).count();
    out.push((format!("{limited} joint/tendon limits"), GPU));
    let colliding = (0..m.ngeom).filter(|&g| m.geom_collides(g)).count();
    // contacts are simulated unless a candidate pair has geometry sinew cannot collide yet
    let pairs = format!("{} colliding geoms, {} pairs", colliding, m.npair);
    match sinew::sim::contact::candidates(m) {
        Ok(c) => out.push((format!("{pairs}, {} candidates", c.len()), GPU)),
        Err(_) => out.push((pairs, PLANNED)),
    }
    out.push((format!("{} mesh geoms (inertia only)", count(GeomType::Mesh)), "compiled"));
    let wraps = m
        .wrap_type
        .iter()
        .filter(|w| matches!(w, sinew::model::WrapType::Sphere | sinew::model::WrapType::Cylinder))
        .count();
    out.push((format!("{} tendons, {} wrap geoms", m.ntendon, wraps), GPU));
    let muscles = m.actuator_gaintype.iter().filter(|g| **g == sinew::model::GainType::Muscle).count();
    out.push((format!("{} muscles, {} other actuators", muscles, m.nu - muscles), GPU));
    out.push((format!("{} joint equalities", m.neq), GPU));
    out.push((format!("{} sensors", m.nsensor), "compiled"));
    out
}
