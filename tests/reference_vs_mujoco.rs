//! The f64 reference stages against MuJoCo 4.0.0 at random states (constraints disabled).
//! Fixtures: tests/fixtures/smooth/<name>.npz from tools/mujoco_smooth_fixtures.py.
//! Tolerance: 1e-9 relative + 1e-10 absolute (the same maths in a different order; the absolute
//! floor covers entries that are zero in exact arithmetic).

mod common;

use common::{Fixture, Report, flat};
use sinew::model::Model;
use sinew::reference::{crb, kinematics, tendon, transmission};

const REL: f64 = 1e-9;
const ABS: f64 = 1e-10;

fn check(name: &str, m: &Model) {
    let mut fx = Fixture::open(&common::root().join(format!("tests/fixtures/smooth/{name}.npz")));
    let qpos = fx.f64("state_qpos");
    let nstate = qpos.len() / m.nq;
    let (xpos, xquat, site_xpos) = (fx.f64("xpos"), fx.f64("xquat"), fx.f64("site_xpos"));
    let (ten_length, ten_j) = (fx.f64("ten_length"), fx.f64("ten_J"));
    let (act_len, moment, qm) = (fx.f64("actuator_length"), fx.f64("actuator_moment"), fx.f64("qM"));
    let mut r = Report::default();
    for s in 0..nstate {
        let q = &qpos[s * m.nq..(s + 1) * m.nq];
        let f = kinematics::kinematics(m, q);
        let sl = |v: &[f64], n: usize| v[s * n..(s + 1) * n].to_vec();
        r.close(&format!("state {s} xpos"), &flat(&f.xpos), &sl(&xpos, 3 * m.nbody), REL, ABS);
        r.close(&format!("state {s} xquat"), &flat(&f.xquat), &sl(&xquat, 4 * m.nbody), REL, ABS);
        r.close(&format!("state {s} site_xpos"), &flat(&f.site_xpos), &sl(&site_xpos, 3 * m.nsite), REL, ABS);
        let tendons: Vec<(f64, Vec<f64>)> = (0..m.ntendon).map(|t| tendon::tendon(m, t, q, &f)).collect();
        let len: Vec<f64> = tendons.iter().map(|t| t.0).collect();
        let jac: Vec<f64> = tendons.iter().flat_map(|t| t.1.clone()).collect();
        r.close(&format!("state {s} ten_length"), &len, &sl(&ten_length, m.ntendon), REL, ABS);
        r.close(&format!("state {s} ten_J"), &jac, &sl(&ten_j, m.ntendon * m.nv), REL, ABS);
        let (al, mom) = transmission::transmission(m, q);
        r.close(&format!("state {s} actuator_length"), &al, &sl(&act_len, m.nu), REL, ABS);
        r.close(&format!("state {s} actuator_moment"), &mom, &sl(&moment, m.nu * m.nv), REL, ABS);
        r.close(&format!("state {s} qM"), &crb::mass_matrix(m, &f), &sl(&qm, m.nv * m.nv), REL, ABS);
    }
    r.finish(name);
}

fn asset(name: &str) {
    let m = sinew::mjcf::load_model(&common::root().join(format!("assets/{name}.xml"))).unwrap();
    check(name, &m);
}

fn fetched(name: &str) {
    let path = sinew::models::resolve(name).unwrap_or_else(|e| panic!("{e}"));
    check(name, &sinew::mjcf::load_model(&path).unwrap());
}

#[test]
fn cylinder_wrap() {
    asset("cylinder_wrap");
}
#[test]
fn sphere_wrap() {
    asset("sphere_wrap");
}
#[test]
fn muscle_range() {
    asset("muscle_range");
}
#[test]
fn free_tumble() {
    asset("free_tumble");
}
#[test]
fn compiler_features() {
    asset("compiler_features");
}
#[test]
fn myolegs() {
    fetched("myolegs");
}
#[test]
fn myotorso() {
    fetched("myotorso");
}
#[test]
fn myoarms() {
    fetched("myoarms");
}
#[test]
fn mm_fullbody() {
    fetched("mm_fullbody");
}
