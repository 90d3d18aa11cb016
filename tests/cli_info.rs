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
