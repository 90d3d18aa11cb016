//! GPU rollouts against MuJoCo's own open-loop trajectories (constraints disabled, the fixture's
//! control sequence, from qpos0 at rest): f32 on the GPU against MuJoCo's f64.

mod common;

use common::{Fixture, Report};
use sinew::gpu::GpuContext;
use sinew::model::{Model, disable};
use sinew::sim::rollout::{InitState, rollout};

/// qpos (m, rad) after up to 50 steps: f32 round-off grows through the step; stated bound 1e-4.
const QPOS_TOL: f64 = 1e-4;
/// act (dimensionless, 0..1): 1e-4.
const ACT_TOL: f64 = 1e-4;

fn check(name: &str, mut m: Model, nworld: usize) {
    m.opt.disableflags |= disable::CONSTRAINT; // as the fixture was made
    let mut fx = Fixture::open(&common::root().join(format!("tests/fixtures/smooth/{name}.npz")));
    let ctrl = fx.f64("traj_ctrl");
    let tq = fx.f64("traj_qpos");
    let ta = fx.f64("traj_act");
    let steps = tq.len() / m.nq;
    let c = common::ctrl_per_world(&ctrl, steps, nworld, m.nu);
    let ctx = GpuContext::new().unwrap();
    let traj = rollout(&ctx, &m, nworld, steps, &InitState::rest(&m, nworld), &c).unwrap();
    let mut r = Report::default();
    let mut worst = 0.0f64;
    for t in 0..steps {
        for w in 0..nworld {
            let q = common::world_row(&traj.qpos, t, w, nworld, m.nq);
            let want = &tq[t * m.nq..(t + 1) * m.nq];
            worst = q.iter().zip(want).fold(worst, |a, (x, y)| a.max((x - y).abs()));
            r.close(&format!("step {t} world {w} qpos"), &q, want, 0.0, QPOS_TOL);
            let a = common::world_row(&traj.act, t, w, nworld, m.na);
            r.close(&format!("step {t} world {w} act"), &a, &ta[t * m.na..(t + 1) * m.na], 0.0, ACT_TOL);
        }
    }
    println!("{name}: {steps} steps, {nworld} worlds, max |qpos - MuJoCo| = {worst:.2e}");
    r.finish(name);
}

fn asset(name: &str) -> Model {
    sinew::mjcf::load_model(&common::root().join(format!("assets/{name}.xml"))).unwrap()
}

#[test]
fn assets_track_mujoco() {
    for name in ["free_tumble", "cylinder_wrap", "sphere_wrap", "muscle_range", "compiler_features"] {
        check(name, asset(name), 2);
    }
}

#[test]
fn real_models_track_mujoco() {
    for name in ["myolegs", "myotorso", "myoarms", "mm_fullbody"] {
        let m =
            sinew::mjcf::load_model(&sinew::models::resolve(name).unwrap_or_else(|e| panic!("{e}"))).unwrap();
        check(name, m, 2);
    }
}

#[test]
fn a_poisoned_world_is_flagged_and_the_others_run_on() {
    let mut m = sinew::mjcf::load_model(&common::root().join("assets/cylinder_wrap.xml")).unwrap();
    m.opt.disableflags |= disable::CONSTRAINT;
    common::assert_poisoned_world_is_isolated(&m, 0);
}
