//! The f64 reference stages against MuJoCo 4.0.0 at random states (constraints disabled).
//! Fixtures: tests/fixtures/smooth/<name>.npz from tools/mujoco_smooth_fixtures.py.
//! Tolerance: 1e-9 relative + 1e-10 absolute (the same maths in a different order; the absolute
//! floor covers entries that are zero in exact arithmetic).

mod common;

use common::{Fixture, Report, flat};
use sinew::model::Model;
use sinew::reference::forward;

const REL: f64 = 1e-9;
const ABS: f64 = 1e-10;

fn check(name: &str, m: &Model) {
    let mut fx = Fixture::open(&common::root().join(format!("tests/fixtures/smooth/{name}.npz")));
    let st = |fx: &mut Fixture, k: &str| fx.f64(k);
    let (qpos, qvel, act, ctrl) = (
        st(&mut fx, "state_qpos"),
        st(&mut fx, "state_qvel"),
        st(&mut fx, "state_act"),
        st(&mut fx, "state_ctrl"),
    );
    let nstate = qpos.len() / m.nq;
    let keys = [
        "xpos", "xquat", "site_xpos", "subtree_com", "cdof", "ten_length", "ten_J", "ten_velocity",
        "actuator_length", "actuator_moment", "actuator_velocity", "qM", "qfrc_bias", "qfrc_passive",
        "act_dot", "actuator_force", "qfrc_actuator", "qacc",
    ];
    let want: Vec<Vec<f64>> = keys.iter().map(|k| fx.f64(k)).collect();
    let (wrap_xpos, wrapnum) = (fx.f64("wrap_xpos"), fx.i64("ten_wrapnum"));
    let mut r = Report::default();
    for s in 0..nstate {
        fn sl(v: &[f64], s: usize, n: usize) -> &[f64] {
            &v[s * n..(s + 1) * n]
        }
        let fw = forward::forward(
            m,
            sl(&qpos, s, m.nq),
            sl(&qvel, s, m.nv),
            sl(&act, s, m.na),
            sl(&ctrl, s, m.nu),
        )
        .unwrap();
        let ours: [Vec<f64>; 18] = [
            flat(&fw.frames.xpos),
            flat(&fw.frames.xquat),
            flat(&fw.frames.site_xpos),
            flat(&fw.com.subtree_com),
            flat(&fw.com.cdof),
            fw.ten_length.clone(),
            fw.ten_j.concat(),
            fw.ten_velocity.clone(),
            fw.actuator_length.clone(),
            fw.actuator_moment.clone(),
            fw.actuator_velocity.clone(),
            fw.qm.clone(),
            fw.qfrc_bias.clone(),
            fw.qfrc_passive.clone(),
            fw.actuation.act_dot.clone(),
            fw.actuation.actuator_force.clone(),
            fw.actuation.qfrc_actuator.clone(),
            fw.qacc.clone(),
        ];
        for (k, (o, w)) in keys.iter().zip(ours.iter().zip(&want)) {
            let n = o.len();
            r.close(&format!("state {s} {k}"), o, sl(w, s, n), REL, ABS);
        }
        // Path points (MuJoCo's wrap_xpos, packed per tendon by ten_wrapnum).
        let mut ours_pts = Vec::new();
        let mut ours_num = Vec::new();
        for t in 0..m.ntendon {
            let (_, _, pts) = sinew::reference::tendon::tendon_path(m, t, sl(&qpos, s, m.nq), &fw.frames);
            ours_num.push(pts.len() as i64);
            ours_pts.extend(pts.iter().flatten().copied());
        }
        r.equal(&format!("state {s} ten_wrapnum"), &ours_num, &wrapnum[s * m.ntendon..(s + 1) * m.ntendon]);
        let total = 3 * ours_num.iter().sum::<i64>() as usize;
        let all = sl(&wrap_xpos, s, 6 * m.nwrap);
        r.close(&format!("state {s} wrap_xpos"), &ours_pts, &all[..total.min(all.len())], REL, ABS);
    }
    r.finish(name);
}

/// The f64 step reproduces MuJoCo's open-loop trajectory (constraints disabled). Same maths, so
/// the only difference is round-off carried through the steps; stated bound: 1e-8 relative.
fn check_trajectory(name: &str, m: &Model) {
    let mut fx = Fixture::open(&common::root().join(format!("tests/fixtures/smooth/{name}.npz")));
    let ctrl = fx.f64("traj_ctrl");
    let (tq, tv, ta) = (fx.f64("traj_qpos"), fx.f64("traj_qvel"), fx.f64("traj_act"));
    let nstep = if m.nu > 0 { ctrl.len() / m.nu } else { tq.len() / m.nq };
    let (mut qpos, mut qvel, mut act) = (m.qpos0.clone(), vec![0.0; m.nv], vec![0.0; m.na]);
    let mut r = Report::default();
    for t in 0..nstep {
        forward::step(m, &mut qpos, &mut qvel, &mut act, &ctrl[t * m.nu..(t + 1) * m.nu]).unwrap();
        r.close(&format!("step {t} qpos"), &qpos, &tq[t * m.nq..(t + 1) * m.nq], 1e-8, 1e-10);
        r.close(&format!("step {t} qvel"), &qvel, &tv[t * m.nv..(t + 1) * m.nv], 1e-8, 1e-8);
        r.close(&format!("step {t} act"), &act, &ta[t * m.na..(t + 1) * m.na], 1e-8, 1e-10);
    }
    r.finish(name);
}

fn asset(name: &str) {
    let m = sinew::mjcf::load_model(&common::root().join(format!("assets/{name}.xml"))).unwrap();
    check(name, &m);
    check_trajectory(name, &m);
}

fn fetched(name: &str) {
    let path = sinew::models::resolve(name).unwrap_or_else(|e| panic!("{e}"));
    let m = sinew::mjcf::load_model(&path).unwrap();
    check(name, &m);
    check_trajectory(name, &m);
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
