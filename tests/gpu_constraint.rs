//! GPU rollouts with constraints on (joint equalities, joint and tendon limits; contacts off)
//! against MuJoCo 4.0.0's 200-step open-loop trajectories (tests/fixtures/constraint, MuJoCo's
//! solver run to convergence): f32 state, f64 Newton solve on the GPU (f32 without shader f64).

mod common;

use common::{Fixture, Report};
use sinew::gpu::GpuContext;
use sinew::model::{Model, disable};
use sinew::sim::rollout::{InitState, rollout};

/// qpos (m, rad) over 200 steps: the bound.
const QPOS_TOL: f64 = 1e-3;

fn check(name: &str, mut m: Model, nworld: usize) -> f64 {
    m.opt.disableflags |= disable::CONTACT; // as the fixture was made
    let mut fx = Fixture::open(&common::root().join(format!("tests/fixtures/constraint/{name}.npz")));
    let ctrl = fx.f64("traj_ctrl");
    let tq = fx.f64("traj_qpos");
    let steps = tq.len() / m.nq;
    let c = common::ctrl_per_world(&ctrl, steps, nworld, m.nu);
    let ctx = GpuContext::new().unwrap();
    let traj = rollout(&ctx, &m, nworld, steps, &InitState::rest(&m, nworld), &c).unwrap();
    assert_eq!(traj.nonfinite, vec![false; nworld], "{name}: a world went non-finite");
    let mut r = Report::default();
    let mut worst = 0.0f64;
    for t in 0..steps {
        for w in 0..nworld {
            let q = common::world_row(&traj.qpos, t, w, nworld, m.nq);
            let want = &tq[t * m.nq..(t + 1) * m.nq];
            worst = q.iter().zip(want).fold(worst, |a, (x, y)| a.max((x - y).abs()));
            r.close(&format!("step {t} world {w} qpos"), &q, want, 0.0, QPOS_TOL);
        }
    }
    println!("{name}: {steps} steps, {nworld} worlds, max |qpos - MuJoCo| = {worst:.2e}");
    r.finish(name);
    worst
}

#[test]
fn compiler_features_tracks_mujoco_with_limits_and_equalities() {
    let m = sinew::mjcf::load_model(&common::root().join("assets/compiler_features.xml")).unwrap();
    check("compiler_features", m, 2);
}

#[test]
fn real_models_track_mujoco_with_limits_and_equalities() {
    for name in ["myolegs", "myotorso", "myoarms", "mm_fullbody"] {
        let m =
            sinew::mjcf::load_model(&sinew::models::resolve(name).unwrap_or_else(|e| panic!("{e}"))).unwrap();
        check(name, m, 2);
    }
}

#[test]
fn a_poisoned_world_is_flagged_and_the_others_solve_on() {
    // The constraint rows and the Newton solve are per world: a NaN in one world must not reach
    // the others (myolegs: knee couplings and joint limits active).
    let mut m = sinew::mjcf::load_model(&sinew::models::resolve("myolegs").unwrap()).unwrap();
    m.opt.disableflags |= disable::CONTACT;
    common::assert_poisoned_world_is_isolated(&m, 3);
}

/// World `w`'s qpos and qvel over a rollout of `nworld` worlds.
fn world_states(
    traj: &sinew::sim::rollout::Trajectory,
    m: &Model,
    steps: usize,
    nworld: usize,
    w: usize,
) -> Vec<f32> {
    (0..steps)
        .flat_map(|t| {
            let q = &traj.qpos[(t * nworld + w) * m.nq..(t * nworld + w + 1) * m.nq];
            let v = &traj.qvel[(t * nworld + w) * m.nv..(t * nworld + w + 1) * m.nv];
            q.iter().chain(v).copied().collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn a_stiff_world_iterates_alone_and_the_others_are_unchanged() {
    // Worlds that have converged leave the Newton dispatches (pending.wgsl); one that needs many
    // more iterations must neither hold nor change the others. myolegs with contacts: world 1
    // starts fast (every dof at 20 units/s), deep into limits and the floor.
    let mut m = sinew::mjcf::load_model(&sinew::models::resolve("myolegs").unwrap()).unwrap();
    let (nworld, steps) = (3, 8);
    let ctrl = vec![0.3f32; steps * nworld * m.nu];
    let ctx = GpuContext::new().unwrap();
    let mut stiff = InitState::rest(&m, nworld);
    stiff.qvel[m.nv..2 * m.nv].fill(20.0);
    let run = |m: &Model, init: &InitState| rollout(&ctx, m, nworld, steps, init, &ctrl).unwrap();
    let calm = run(&m, &InitState::rest(&m, nworld));
    let mixed = run(&m, &stiff);
    assert_eq!(mixed.nonfinite, vec![false; nworld]);
    for w in [0, 2] {
        assert!(
            world_states(&mixed, &m, steps, nworld, w) == world_states(&calm, &m, steps, nworld, w),
            "world {w} changed"
        );
    }
    // The test is only worth something if world 1 does need more iterations than the calm
    // worlds: with a budget of CALM_ITERATIONS the calm worlds are bitwise as before (they
    // converge within it) and world 1 is not.
    const CALM_ITERATIONS: usize = 3;
    m.opt.iterations = CALM_ITERATIONS;
    let capped = run(&m, &stiff);
    for w in [0, 2] {
        assert!(
            world_states(&capped, &m, steps, nworld, w) == world_states(&mixed, &m, steps, nworld, w),
            "calm world {w} needs more than {CALM_ITERATIONS} iterations"
        );
    }
    assert!(
        world_states(&capped, &m, steps, nworld, 1) != world_states(&mixed, &m, steps, nworld, 1),
        "world 1 converged within {CALM_ITERATIONS} iterations: not a stiff world"
    );
}
