//! The environment and Burn on one device: the env writing into Burn tensors and reading Burn's
//! actions (both directions, with the flush rule), and the host readback/submit counts of a
//! training iteration.

mod common;

use burn::tensor::{Tensor, TensorData};
use sinew::env::Env;
use sinew::gpu::GpuContext;
use sinew::rl::interop::{bind_tensor, flush};
use sinew::rl::rollout::EnvIo;
use sinew::rl::trainer::Trainer;

fn ctx() -> GpuContext {
    GpuContext::new().unwrap_or_else(|e| panic!("{e}"))
}

fn host<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

/// WGSL → Burn: observations the env kernels write into a bound Burn tensor equal those of an
/// env writing its own buffer. Burn → WGSL: actions computed by Burn from those observations
/// (right before each step, flushed) drive the simulator exactly as the same actions written
/// from the host do.
#[test]
fn env_and_burn_exchange_buffers_both_ways() {
    let ctx = ctx();
    let d = ctx.burn_device().unwrap();
    let cfg = common::quickstart(&[]);
    let nworld = 6;
    let mut bound_env = Env::new(&ctx, &cfg.env, nworld).unwrap();
    let io = EnvIo::bind(&ctx, &mut bound_env, &d).unwrap();
    let own_env = Env::new(&ctx, &cfg.env, nworld).unwrap();
    bound_env.reset(&ctx);
    own_env.reset(&ctx);
    let nu = own_env.model.nu;
    let w: Vec<f32> = (0..own_env.nobs * nu).map(|i| ((i * 37 % 11) as f32 - 5.0) * 0.05).collect();
    let wt = Tensor::<2>::from_data(TensorData::new(w.clone(), [own_env.nobs, nu]), &d);
    for step in 0..5 {
        let from_burn = host(io.obs.clone());
        let own = own_env.observations(&ctx).unwrap();
        if step == 0 {
            assert_eq!(from_burn, own, "after reset: observations read through Burn");
        }
        // later steps differ in the last bits: Burn's matmul and the host sum round differently
        for (x, y) in from_burn.iter().zip(&own) {
            assert!((x - y).abs() <= 1e-5 * (1.0 + y.abs()), "step {step}: observation {x} vs {y}");
        }
        // actions = tanh(obs · W): Burn on the device for one env, the host for the other
        let action = io.obs.clone().matmul(wt.clone()).tanh();
        let bound = bind_tensor(&action).unwrap();
        flush(&ctx, &d).unwrap();
        bound_env.step_with_actions(&ctx, &bound.slice).unwrap();
        drop(bound);
        let mut a = vec![0f32; nworld * nu];
        for r in 0..nworld {
            for j in 0..nu {
                let s: f32 = (0..own_env.nobs).map(|k| own[r * own_env.nobs + k] * w[k * nu + j]).sum();
                a[r * nu + j] = s.tanh();
            }
        }
        own_env.write_actions(&ctx, &a).unwrap();
        own_env.step(&ctx);
        let (q1, q2) = (
            bound_env.sim.data.state.download::<f32>(&ctx, &bound_env.sim.data.state.qpos).unwrap(),
            own_env.sim.data.state.download::<f32>(&ctx, &own_env.sim.data.state.qpos).unwrap(),
        );
        for (x, y) in q1.iter().zip(&q2) {
            assert!((x - y).abs() <= 1e-5 * (1.0 + y.abs()), "step {step}: qpos {x} vs {y}");
        }
        for (x, y) in host(io.reward.clone()).iter().zip(own_env.rewards(&ctx).unwrap()) {
            assert!((x - y).abs() <= 1e-4 * (1.0 + y.abs()), "step {step}: reward {x} vs {y}");
        }
    }
}

/// One iteration reads back twice (update statistics, episode counters) and submits once per
/// simulator step plus one Burn flush before each: nothing else crosses to the host.
#[test]
fn an_iteration_reads_back_twice() {
    let ctx = ctx();
    let cfg = common::quickstart(&["train.nworld=8", "train.horizon=4", "ppo.epochs=2", "ppo.minibatches=2"]);
    let mut t = Trainer::new(&ctx, cfg).unwrap();
    let m = t.iterate().unwrap();
    assert_eq!(m.readbacks, 2, "{m:?}");
    assert_eq!(m.submits, 2 * 4, "{m:?}");
    assert!(m.policy_loss.is_finite() && m.value_loss.is_finite() && m.approx_kl.is_finite(), "{m:?}");
}

/// Evaluation's imitation tracking errors: zero for worlds that sit exactly on the reference
/// (reset puts them there), and the root error is the displacement when one world is moved.
#[test]
fn tracking_errors_measure_distance_to_the_reference() {
    use sinew::env::{EnvConfig, EnvFile, TaskConfig};
    use sinew::rl::tracking::TrackingErrors;
    let ctx = ctx();
    let file = EnvFile { env: EnvConfig::default(), task: TaskConfig::by_name("imitation").unwrap() };
    let env = Env::new(&ctx, &file, 3).unwrap();
    env.reset(&ctx);
    let mut t = TrackingErrors::default();
    t.add(&ctx, &env, &[0, 0, 0]).unwrap();
    let e = t.means().unwrap();
    assert_eq!(e.samples, 3);
    assert!(e.joint_position_error < 1e-6 && e.root_position_error < 1e-6, "{e:?}");
    assert!(e.relative_site_error < 1e-5, "{e:?}");
    // world 1 moved up 0.1 m (its sites move with the pelvis: the relative error stays ~0)
    let nq = env.model.nq;
    let st = &env.sim.data.state;
    let mut q = st.download::<f32>(&ctx, &st.qpos).unwrap();
    q[nq + 2] += 0.1;
    st.upload(&ctx, &st.qpos, &q).unwrap();
    let mut t = TrackingErrors::default();
    t.add(&ctx, &env, &[1, 0, 1]).unwrap();
    let e = t.means().unwrap();
    assert_eq!(e.samples, 1, "ended worlds are skipped");
    assert!((e.root_position_error - 0.1).abs() < 1e-5, "{e:?}");
}
