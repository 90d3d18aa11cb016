//! `sinew info NAME --json` prints exactly the keys the issue names, with MuJoCo's values, for
//! every short name (fetched models) and for a project asset.

mod common;

use std::process::Command;

use common::Fixture;

const KEYS: [&str; 14] = [
    "nq", "nv", "nu", "na", "nbody", "njnt", "ngeom", "nsite", "ntendon", "nwrap", "neq", "npair", "nmesh",
    "mass",
];

fn check(arg: &str, fixture: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_sinew")).args(["info", arg, "--json"]).output().unwrap();
    assert!(out.status.success(), "{arg}: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let v: serde_json::Value =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{arg}: {e}: {stdout}"));
    let obj = v.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    let mut want = KEYS.to_vec();
    want.sort();
    assert_eq!(keys, want, "{arg}: keys");
    let mut fx = Fixture::open(&common::root().join(format!("tests/fixtures/compiler/{fixture}.npz")));
    for k in &KEYS[..13] {
        assert_eq!(obj[*k].as_u64().unwrap() as usize, fx.count(k), "{arg}: {k}");
    }
    let mass = fx.f64("total_mass")[0];
    let got = obj["mass"].as_f64().unwrap();
    assert!((got - mass).abs() <= 1e-9 * mass, "{arg}: mass {got} vs MuJoCo {mass}");
}

#[test]
fn asset_by_path() {
    let p = common::root().join("assets/compiler_features.xml");
    check(p.to_str().unwrap(), "compiler_features");
}

#[test]
fn all_short_names() {
    for name in
        ["myolegs", "myolegs_abdomen", "myolegs_back", "myotorso", "myoarms", "mm_fullbody", "mm_bimanual"]
    {
        check(name, name);
    }
}

/// `--gpu` says how worlds are laid out and bound, and what a step dispatches, as the library
/// builds it.
#[test]
fn gpu_line_names_the_layout_the_chunks_and_the_dispatches() {
    let out = Command::new(env!("CARGO_BIN_EXE_sinew")).args(["info", "myolegs", "--gpu"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let line = stdout.lines().find(|l| l.starts_with("worlds")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains(&format!("tiles of {} worlds", sinew::sim::tiles::world_tile())), "{line}");
    assert!(line.contains("worlds per chunk"), "{line}");
    let ctx = sinew::gpu::GpuContext::new().unwrap();
    let m = sinew::mjcf::load_model(&sinew::models::resolve("myolegs").unwrap()).unwrap();
    let sim = sinew::sim::Sim::new(&ctx, &m, 1, sinew::sim::SimOptions::default()).unwrap();
    assert!(line.contains(&format!("; {} dispatches per physics step", sim.step.dispatches())), "{line}");
    let fp = sinew::sim::Sim::footprint(&ctx, &m, sinew::sim::contact::DEFAULT_CONTACT_CAPACITY).unwrap();
    assert!(line.contains(&format!("at most {} worlds fit", fp.max_nworld(&ctx.memory_limits()))), "{line}");
}
