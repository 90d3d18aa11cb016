//! Contact wrenches on bodies (cfrc_ext) against MuJoCo 4.0.0 and against statics.
//!
//! * At the states of the real models' contacts-on trajectories (tests/fixtures/contact, written
//!   by tools/mujoco_contact_fixtures.py), one step from the same state gives the contact part of
//!   MuJoCo's cfrc_ext after mj_forward + mj_rnePostConstraint: same bodies, frame (subtree com,
//!   world axes) and order (torque, force). (MuJoCo 4.0's cfrc_ext also holds the pull of
//!   actuated spatial tendons, which is no contact force; the fixture tool checks that without
//!   actuation cfrc_ext is exactly the contact part it records.)
//! * Along the whole 200-step trajectories the wrenches stay with MuJoCo's.
//! * A body standing still on two feet: the feet's vertical forces sum to its weight.

mod common;

use common::Fixture;
use sinew::gpu::GpuContext;
use sinew::model::Model;
use sinew::sim::rollout::{InitState, Record, Trajectory, rollout_recording};

fn with_forces(ctx: &GpuContext, m: &Model, nworld: usize, init: &InitState, ctrl: &[f32]) -> Trajectory {
    let steps = ctrl.len() / (nworld * m.nu).max(1);
    rollout_recording(ctx, m, nworld, steps, init, ctrl, Record { contact_forces: true }).unwrap()
}

/// Largest |a − b| over a wrench array, and the largest |b| (the scale it is judged against).
fn worst(a: &[f64], b: &[f64]) -> (f64, f64) {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).fold((0.0, 0.0), |(e, s), (x, y)| (e.max((x - y).abs()), s.max(y.abs())))
}

#[test]
fn contact_wrenches_match_mujoco_at_trajectory_states() {
    let ctx = GpuContext::new().unwrap();
    for name in ["myolegs", "myoarms", "mm_fullbody"] {
        let m = sinew::mjcf::load_model(&sinew::models::resolve(name).unwrap()).unwrap();
        let mut fx = Fixture::open(&common::root().join(format!("tests/fixtures/contact/{name}.npz")));
        let f32s = |v: Vec<f64>| v.into_iter().map(|x| x as f32).collect::<Vec<_>>();
        let qpos = f32s(fx.f64("state_qpos"));
        let nworld = qpos.len() / m.nq;
        let mut init = InitState::rest(&m, nworld);
        init.set(&m, nworld, "qpos", &[nworld, m.nq], &qpos).unwrap();
        init.set(&m, nworld, "qvel", &[nworld, m.nv], &f32s(fx.f64("state_qvel"))).unwrap();
        init.set(&m, nworld, "act", &[nworld, m.na], &f32s(fx.f64("state_act"))).unwrap();
        let ctrl = f32s(fx.f64("state_ctrl"));
        let t = with_forces(&ctx, &m, nworld, &init, &ctrl);
        let want = fx.f64("state_cfrc_contact");
        assert_eq!(t.cfrc_ext.len(), nworld * m.nbody * 6);
        let mut touching = 0;
        for w in 0..nworld {
            let n = m.nbody * 6;
            let ours: Vec<f64> = t.cfrc_ext[w * n..(w + 1) * n].iter().map(|x| *x as f64).collect();
            let (err, scale) = worst(&ours, &want[w * n..(w + 1) * n]);
            println!("{name} state {w}: worst |cfrc_ext - MuJoCo| {err:.2e} of max {scale:.3e}");
            touching += usize::from(scale > 1.0);
            // an f32 solve to the model's tolerance against MuJoCo's converged f64 one: measured
            // within 1.2e-5 of the largest wrench on every state
            assert!(err <= 1e-4 * scale, "{name} state {w}: cfrc_ext off by {err:.3e} (of {scale:.3e})");
            // body 0 (the world) keeps none
            assert!(ours[..6].iter().all(|x| *x == 0.0), "{name} state {w}: the world body has a wrench");
        }
        assert!(touching >= nworld - 1, "{name}: only {touching} of {nworld} states have contact forces");
    }
}

#[test]
fn contact_wrenches_follow_mujoco_along_trajectories() {
    let ctx = GpuContext::new().unwrap();
    for name in ["myolegs", "mm_fullbody"] {
        let m = sinew::mjcf::load_model(&sinew::models::resolve(name).unwrap()).unwrap();
        let mut fx = Fixture::open(&common::root().join(format!("tests/fixtures/contact/{name}.npz")));
        let want = fx.f32("traj_cfrc_contact");
        let ctrl = fx.f64("traj_ctrl");
        let steps = ctrl.len() / m.nu;
        let c = common::ctrl_per_world(&ctrl, steps, 1, m.nu);
        let t = with_forces(&ctx, &m, 1, &InitState::rest(&m, 1), &c);
        assert_eq!(t.cfrc_ext.len(), want.len());
        let n = m.nbody * 6;
        // every step within 2e-3 of the step's largest wrench while qpos stays within 1e-3 of
        // MuJoCo's (gpu_contact.rs); measured at worst 4.6e-5 with f64 solves, 7.8e-4 in f32
        // (SINEW_F64=off), where the states drift further apart
        let (mut err, mut scale) = (0.0, 0.0);
        let mut worst_step: f64 = 0.0;
        for s in 0..steps {
            let ours: Vec<f64> = t.cfrc_ext[s * n..(s + 1) * n].iter().map(|x| *x as f64).collect();
            let (e, sc) = worst(&ours, &want[s * n..(s + 1) * n]);
            err += e;
            scale += sc;
            worst_step = worst_step.max(e / sc.max(1.0));
            assert!(e <= 2e-3 * sc.max(1.0), "{name} step {s}: cfrc_ext off by {e:.3e} (of {sc:.3e})");
        }
        println!(
            "{name}: {steps} steps, mean worst |cfrc_ext - MuJoCo| {:.2e} of mean max {:.3e}; worst step {worst_step:.2e}",
            err / steps as f64,
            scale / steps as f64
        );
    }
}

/// A stool: a free seat on two feet (jointless child bodies, so each foot is its own body), on a
/// plane.
const STOOL: &str = r#"<mujoco model="stool">
  <option timestep="0.002"/>
  <worldbody>
    <geom name="floor" type="plane" size="5 5 0.1"/>
    <body name="seat" pos="0 0 0.32">
      <freejoint/>
      <geom type="box" size="0.2 0.1 0.03" mass="7"/>
      <body name="left_foot" pos="0 0.08 -0.25">
        <geom type="box" size="0.12 0.03 0.05" pos="0 0 0" mass="1.5"/>
      </body>
      <body name="right_foot" pos="0 -0.08 -0.25">
        <geom type="box" size="0.12 0.03 0.05" pos="0 0 0" mass="2.5"/>
      </body>
    </body>
  </worldbody>
</mujoco>
"#;

#[test]
fn standing_feet_carry_the_body_weight() {
    let dir = std::env::temp_dir().join(format!("sinew_stool_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("stool.xml");
    std::fs::write(&path, STOOL).unwrap();
    let m = sinew::mjcf::load_model(&path).unwrap();
    let ctx = GpuContext::new().unwrap();
    // 1.5 s: settled from a 2 cm drop
    let steps = 750;
    let t =
        rollout_recording(&ctx, &m, 1, steps, &InitState::rest(&m, 1), &[], Record { contact_forces: true })
            .unwrap();
    let n = m.nbody * 6;
    let last = &t.cfrc_ext[(steps - 1) * n..steps * n];
    let body = |name: &str| m.body_name.iter().position(|b| b == name).unwrap();
    let fz = |b: usize| last[b * 6 + 5] as f64;
    let weight = m.body_mass.iter().sum::<f64>() * -m.opt.gravity[2];
    let (left, right, seat) = (fz(body("left_foot")), fz(body("right_foot")), fz(body("seat")));
    println!("stool: weight {weight:.4} N; feet carry {left:.4} + {right:.4} N; seat {seat:.2e} N");
    assert_eq!(seat, 0.0, "the seat touches nothing");
    assert!(left > 0.2 * weight && right > 0.2 * weight, "both feet carry load: {left}, {right}");
    // at rest the contact forces balance gravity exactly; what is left is the solver's
    // tolerance and the last millimetres per second of settling
    assert!(((left + right) - weight).abs() <= 1e-3 * weight, "feet carry {} N of {weight} N", left + right);
    // horizontal forces vanish at rest
    for b in [body("left_foot"), body("right_foot")] {
        assert!(
            (last[b * 6 + 3].abs() as f64) < 1e-3 * weight && (last[b * 6 + 4].abs() as f64) < 1e-3 * weight
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// An environment built with contact forces computes them in every control step (its step
/// records the stage too): myolegs standing in the locomotion task, zero actions, lands on its
/// feet, and their vertical forces come back positive; without the option they stay zero.
#[test]
fn environments_with_contact_forces_compute_them() {
    let ctx = GpuContext::new().unwrap();
    let file =
        sinew::env::config::EnvFile::load(&common::root().join("configs/myolegs_locomotion.toml")).unwrap();
    let feet_force = |contact_forces: bool| -> f64 {
        let env = if contact_forces {
            sinew::env::Env::with_contact_forces(&ctx, &file, 2)
        } else {
            sinew::env::Env::new(&ctx, &file, 2)
        }
        .unwrap();
        assert_eq!(
            env.step_stages().iter().any(|(n, _)| *n == "contact_force"),
            contact_forces,
            "the control step records the stage exactly when asked"
        );
        env.reset(&ctx);
        let zero = vec![0.0; 2 * env.model.nu];
        for _ in 0..10 {
            env.write_actions(&ctx, &zero).unwrap();
            env.step(&ctx);
        }
        let st = env.sim.state();
        let w = st.download::<[f32; 4]>(&ctx, &st.cfrc_ext).unwrap();
        let m = &env.model;
        let foot = |n: &str| m.body_name.iter().position(|b| b == n).unwrap();
        ["calcn_r", "calcn_l", "toes_r", "toes_l"].iter().map(|b| w[2 * foot(b) + 1][2] as f64).sum()
    };
    let (with, without) = (feet_force(true), feet_force(false));
    println!(
        "myolegs locomotion env, world 0: feet carry {with:.1} N with contact forces, {without} N without"
    );
    assert!(with > 100.0, "feet carry {with} N");
    assert_eq!(without, 0.0);
}
