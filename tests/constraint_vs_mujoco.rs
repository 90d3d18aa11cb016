//! The f64 constraint rows (joint equalities, joint and tendon limits) against MuJoCo 4.0.0's
//! efc arrays at random states with contacts disabled and joints sampled past their ranges.
//! Fixtures: tests/fixtures/constraint/<name>.npz (tools/mujoco_constraint_fixtures.py).
//! Tolerance: 1e-9 relative + 1e-12 absolute (the same maths).

mod common;

use common::{Fixture, Report};
use sinew::model::{Model, disable};
use sinew::reference::{constraint, forward, kinematics, solver, tendon};

fn check(name: &str, mut m: Model) {
    m.opt.disableflags |= disable::CONTACT; // as the fixture was made
    let mut fx = Fixture::open(&common::root().join(format!("tests/fixtures/constraint/{name}.npz")));
    let (qpos, qvel) = (fx.f64("state_qpos"), fx.f64("state_qvel"));
    let (types, ids) = (fx.i64("efc_type"), fx.i64("efc_id"));
    let jac = fx.f64("efc_J");
    let keys = ["efc_pos", "efc_margin", "efc_vel", "efc_aref", "efc_D"];
    let (qacc, qacc_smooth) = (fx.f64("qacc"), fx.f64("qacc_smooth"));
    let want: Vec<Vec<f64>> = keys.iter().map(|k| fx.f64(k)).collect();
    let nstate = qpos.len() / m.nq;
    let nmax = types.len() / nstate;
    let mut r = Report::default();
    for s in 0..nstate {
        let q = &qpos[s * m.nq..(s + 1) * m.nq];
        let v = &qvel[s * m.nv..(s + 1) * m.nv];
        let f = kinematics::kinematics(&m, q);
        let ten: Vec<(f64, Vec<f64>)> = (0..m.ntendon).map(|t| tendon::tendon(&m, t, q, &f)).collect();
        let rows = constraint::make_constraint(&m, q, v, &ten);
        let n = types[s * nmax..(s + 1) * nmax].iter().filter(|t| **t >= 0).count();
        r.equal(&format!("state {s} nefc"), &[rows.len() as i64], &[n as i64]);
        if rows.len() != n {
            continue;
        }
        let sl = |a: &[i64]| a[s * nmax..s * nmax + n].to_vec();
        r.equal(
            &format!("state {s} efc_type"),
            &rows.iter().map(|x| x.kind).collect::<Vec<_>>(),
            &sl(&types),
        );
        r.equal(
            &format!("state {s} efc_id"),
            &rows.iter().map(|x| x.id as i64).collect::<Vec<_>>(),
            &sl(&ids),
        );
        let j: Vec<f64> = rows.iter().flat_map(|x| x.j.clone()).collect();
        r.close(&format!("state {s} efc_J"), &j, &jac[s * nmax * m.nv..(s * nmax + n) * m.nv], 1e-9, 1e-12);
        let ours: [Vec<f64>; 5] = [
            rows.iter().map(|x| x.pos).collect(),
            rows.iter().map(|x| x.margin).collect(),
            rows.iter().map(|x| x.vel).collect(),
            rows.iter().map(|x| x.aref).collect(),
            rows.iter().map(|x| x.d).collect(),
        ];
        for ((k, o), w) in keys.iter().zip(&ours).zip(&want) {
            r.close(&format!("state {s} {k}"), o, &w[s * nmax..s * nmax + n], 1e-9, 1e-12);
        }
        // The constrained acceleration: unique minimiser of MuJoCo's convex problem. MuJoCo stops
        // at a 1e-8 relative cost improvement; compare to 1e-6 of the largest |qacc|.
        let fw = forward::forward(&m, q, v, &vec![0.0; m.na], &vec![0.0; m.nu]).unwrap();
        let win = s * m.nv..(s + 1) * m.nv;
        r.close(&format!("state {s} qacc_smooth"), &fw.qacc, &qacc_smooth[win.clone()], 1e-9, 1e-9);
        let a = solver::solve(&fw.qm, &fw.qacc, &rows, 100, 1e-12).unwrap();
        let scale = qacc[win.clone()].iter().fold(0.0f64, |x, y| x.max(y.abs()));
        r.close(&format!("state {s} qacc"), &a, &qacc[win], 0.0, 1e-6 * scale);
    }
    r.finish(name);
}

/// 200 open-loop steps from qpos0 with equalities and limits on (contacts off) against MuJoCo.
fn check_trajectory(name: &str, mut m: Model) -> f64 {
    m.opt.disableflags |= disable::CONTACT;
    let mut fx = Fixture::open(&common::root().join(format!("tests/fixtures/constraint/{name}.npz")));
    let (ctrl, tq) = (fx.f64("traj_ctrl"), fx.f64("traj_qpos"));
    let steps = tq.len() / m.nq;
    let (mut q, mut v, mut a) = (m.qpos0.clone(), vec![0.0; m.nv], vec![0.0; m.na]);
    let mut worst = 0.0f64;
    let mut r = Report::default();
    for t in 0..steps {
        forward::step_constrained(&m, &mut q, &mut v, &mut a, &ctrl[t * m.nu..(t + 1) * m.nu]).unwrap();
        let want = &tq[t * m.nq..(t + 1) * m.nq];
        worst = q.iter().zip(want).fold(worst, |w, (x, y)| w.max((x - y).abs()));
        r.close(&format!("step {t} qpos"), &q, want, 0.0, TRAJ_TOL);
    }
    r.finish(name);
    worst
}

/// qpos (m, rad) after 200 constrained steps against MuJoCo run to convergence (the fixture sets
/// its solver tolerance to 1e-15): the same maths, so round-off only; 1e-10.
const TRAJ_TOL: f64 = 1e-10;

#[test]
fn trajectories_with_equalities_and_limits() {
    let a = check_trajectory(
        "compiler_features",
        sinew::mjcf::load_model(&common::root().join("assets/compiler_features.xml")).unwrap(),
    );
    println!("compiler_features: max |qpos - MuJoCo| over 200 steps = {a:.2e}");
    for name in ["myolegs", "myotorso", "myoarms", "mm_fullbody"] {
        let m =
            sinew::mjcf::load_model(&sinew::models::resolve(name).unwrap_or_else(|e| panic!("{e}"))).unwrap();
        let w = check_trajectory(name, m);
        println!("{name}: max |qpos - MuJoCo| over 200 steps = {w:.2e}");
    }
}

#[test]
fn compiler_features() {
    check(
        "compiler_features",
        sinew::mjcf::load_model(&common::root().join("assets/compiler_features.xml")).unwrap(),
    );
}

#[test]
fn real_models() {
    for name in ["myolegs", "myotorso", "myoarms", "mm_fullbody"] {
        check(
            name,
            sinew::mjcf::load_model(&sinew::models::resolve(name).unwrap_or_else(|e| panic!("{e}"))).unwrap(),
        );
    }
}
