//! The learner's pieces against host computations: GAE, PPO's loss, the observation
//! normaliser, Gaussian sampling and log-probabilities, Adam with global clipping, config
//! overrides, and the exported policy against Burn's actor. Runs Burn on the shared device
//! (lavapipe in CI).

mod common;

use burn::tensor::{Distribution, Tensor, TensorData};
use sinew::gpu::GpuContext;
use sinew::rl::adam::Adam;
use sinew::rl::config::{PolicyConfig, TrainFile, apply_override};
use sinew::rl::gae::{gae, gae_host};
use sinew::rl::normalizer::ObsNormalizer;
use sinew::rl::onnx::{Activation, PolicyExport, host_forward};
use sinew::rl::policy::{ActorCritic, entropy, log_prob};
use sinew::rl::ppo::ppo_loss;

fn ctx() -> GpuContext {
    GpuContext::new().unwrap_or_else(|e| panic!("{e}"))
}

fn t1(v: &[f32], d: &burn::tensor::Device) -> Tensor<1> {
    Tensor::from_data(TensorData::new(v.to_vec(), [v.len()]), d)
}

fn t2(v: &[f32], shape: [usize; 2], d: &burn::tensor::Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(v.to_vec(), shape), d)
}

fn host<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

/// A small deterministic pseudo-random sequence (no test depends on a library's RNG).
fn lcg(seed: u64, n: usize) -> Vec<f32> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

#[test]
fn gae_matches_the_host() {
    let ctx = ctx();
    let d = ctx.burn_device().unwrap();
    let (t_len, n) = (7, 5);
    let rewards = lcg(1, t_len * n);
    let values = lcg(2, t_len * n);
    // episode ends scattered over steps and worlds, including the last step
    let ended: Vec<f32> =
        (0..t_len * n).map(|i| if i % 6 == 3 || i >= (t_len - 1) * n + 3 { 1.0 } else { 0.0 }).collect();
    let last = lcg(3, n);
    let (gamma, lambda) = (0.97, 0.9);
    let (adv, ret) = gae(
        t2(&rewards, [t_len, n], &d),
        t2(&values, [t_len, n], &d),
        t2(&ended, [t_len, n], &d),
        t1(&last, &d),
        gamma,
        lambda,
    );
    let (ha, hr) = gae_host(&rewards, &values, &ended, &last, t_len, gamma, lambda);
    for (g, h) in host(adv).iter().zip(&ha).chain(host(ret).iter().zip(&hr)) {
        assert!((*g as f64 - h).abs() < 1e-5 * (1.0 + h.abs()), "{g} vs {h}");
    }
    // a hand-checked case: one world, two steps, no ends: A1 = r1 + γV' − V1, A0 = δ0 + γλ A1
    let (a, _) = gae(
        t2(&[1.0, 2.0], [2, 1], &d),
        t2(&[0.5, 0.25], [2, 1], &d),
        t2(&[0.0, 0.0], [2, 1], &d),
        t1(&[1.0], &d),
        0.5,
        0.5,
    );
    let a = host(a);
    let a1 = 2.0 + 0.5 * 1.0 - 0.25;
    let a0 = (1.0 + 0.5 * 0.25 - 0.5) + 0.25 * a1;
    assert!((a[1] - a1).abs() < 1e-6 && (a[0] - a0).abs() < 1e-6, "{a:?}");
}

#[test]
fn ppo_loss_pieces_match_hand_computed_values() {
    let ctx = ctx();
    let d = ctx.burn_device().unwrap();
    // ratios e^{ln 1.5} = 1.5 (clipped to 1.2), e^{ln 0.5} = 0.5 (clipped to 0.8), 1.0
    let logp_old = [0.0f32, 0.0, 0.0];
    let logp_new = [1.5f32.ln(), 0.5f32.ln(), 0.0];
    let adv = [2.0f32, -1.0, 3.0];
    let v_new = [1.0f32, 0.0, 2.0];
    let v_old = [0.0f32, 0.5, 2.0];
    let ret = [1.5f32, 0.0, 1.0];
    let p = ppo_loss(
        t1(&logp_new, &d),
        t1(&logp_old, &d),
        t1(&adv, &d),
        t1(&v_new, &d),
        t1(&v_old, &d),
        t1(&ret, &d),
        t1(&[0.7], &d),
        0.2,
        0.3,
    );
    // policy: −mean(min(1.5·2, 1.2·2), min(0.5·−1, 0.8·−1), 1·3) = −mean(2.4, −0.8, 3)
    let policy = -(2.4 - 0.8 + 3.0) / 3.0;
    // value: V clipped to V_old ± 0.3: (0.3, 0.2, 2.0); max of squared errors vs returns:
    // max(0.25, 1.44)=1.44, max(0, 0.04)=0.04, max(1, 1)=1
    let value = (1.44 + 0.04 + 1.0) / 3.0;
    let kl = ((0.5 - 1.5f64.ln()) + (-0.5 - 0.5f64.ln()) + 0.0) / 3.0;
    let clip_fraction = 2.0 / 3.0;
    let got = [
        host(p.policy)[0],
        host(p.value)[0],
        host(p.entropy)[0],
        host(p.approx_kl)[0],
        host(p.clip_fraction)[0],
    ];
    let want = [policy, value, 0.7, kl, clip_fraction];
    for (g, w) in got.iter().zip(want) {
        assert!((*g as f64 - w).abs() < 1e-5, "{got:?} vs {want:?}");
    }
}

#[test]
fn normaliser_matches_a_host_running_mean_and_variance() {
    let ctx = ctx();
    let d = ctx.burn_device().unwrap();
    let n = 4;
    let mut norm = ObsNormalizer::new(n, 5.0, &d);
    let mut all: Vec<f32> = Vec::new();
    for (k, rows) in [3usize, 10, 1, 7].into_iter().enumerate() {
        // features with different offsets and scales
        let batch: Vec<f32> = lcg(k as u64 + 10, rows * n)
            .iter()
            .enumerate()
            .map(|(i, x)| x * (1.0 + (i % n) as f32) + 3.0 * (i % n) as f32)
            .collect();
        norm.update(t2(&batch, [rows, n], &d));
        all.extend(&batch);
    }
    let rows = all.len() / n;
    let mean: Vec<f64> =
        (0..n).map(|j| (0..rows).map(|r| all[r * n + j] as f64).sum::<f64>() / rows as f64).collect();
    let var: Vec<f64> = (0..n)
        .map(|j| (0..rows).map(|r| (all[r * n + j] as f64 - mean[j]).powi(2)).sum::<f64>() / rows as f64)
        .collect();
    assert_eq!(norm.count, rows as f64);
    for (g, h) in host(norm.mean.clone()).iter().zip(&mean).chain(host(norm.var.clone()).iter().zip(&var)) {
        assert!((*g as f64 - h).abs() < 1e-5 * (1.0 + h.abs()), "{g} vs {h}");
    }
    // normalised and clipped
    let x = [100.0f32, mean[1] as f32, -100.0, mean[3] as f32 + var[3].sqrt() as f32];
    let y = host(norm.normalize(t2(&x, [1, n], &d)));
    let want = [5.0, 0.0, -5.0, 1.0];
    for (g, w) in y.iter().zip(want) {
        assert!((g - w).abs() < 1e-4, "{y:?}");
    }
}

#[test]
fn gaussian_sampling_and_log_probabilities() {
    let ctx = ctx();
    let d = ctx.burn_device().unwrap();
    d.seed(7);
    let (rows, nu) = (20000, 3);
    let mean = [0.5f32, -1.0, 0.0];
    let log_std = [0.2f32.ln(), 0.0, 1.5f32.ln()];
    let m = t2(&mean, [1, nu], &d).repeat_dim(0, rows);
    let ls = t2(&log_std, [1, nu], &d);
    // the rollout's draw: mean + N(0, 1)·std
    let noise = Tensor::<2>::random([rows, nu], Distribution::Normal(0.0, 1.0), &d);
    let a = m.clone() + noise * ls.clone().exp();
    let samples = host(a.clone());
    for j in 0..nu {
        let xs: Vec<f64> = (0..rows).map(|r| samples[r * nu + j] as f64).collect();
        let mu = xs.iter().sum::<f64>() / rows as f64;
        let sd = (xs.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / rows as f64).sqrt();
        let std = (log_std[j] as f64).exp();
        // 5 standard errors of the mean and of the standard deviation
        assert!((mu - mean[j] as f64).abs() < 5.0 * std / (rows as f64).sqrt(), "dim {j}: mean {mu}");
        assert!((sd - std).abs() < 5.0 * std / (2.0 * rows as f64).sqrt(), "dim {j}: std {sd}");
    }
    let lp = host(log_prob(a.slice([0..4, 0..nu]), m.slice([0..4, 0..nu]), ls.clone()));
    for (r, got) in lp.iter().enumerate() {
        let want: f64 = (0..nu)
            .map(|j| {
                let s = (log_std[j] as f64).exp();
                let z = (samples[r * nu + j] as f64 - mean[j] as f64) / s;
                -0.5 * z * z - s.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
            })
            .sum();
        assert!((*got as f64 - want).abs() < 1e-4, "row {r}: {got} vs {want}");
    }
    let h = host(entropy(ls))[0] as f64;
    let want: f64 = log_std
        .iter()
        .map(|l| *l as f64 + 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E).ln())
        .sum();
    assert!((h - want).abs() < 1e-5);
}

#[test]
fn adam_step_with_global_clipping_matches_the_host() {
    let ctx = ctx();
    let d = ctx.burn_device().unwrap();
    let p0 = [1.0f32, -2.0, 0.5, 0.0];
    let g = [3.0f32, 4.0, 0.0, 12.0]; // global norm 13
    let mut params = vec![t2(&p0[..2], [1, 2], &d), t2(&p0[2..], [2, 1], &d)];
    let mut adam = Adam::new(&params, [0.9, 0.999], 1e-8);
    let norm = adam.step(&mut params, vec![t2(&g[..2], [1, 2], &d), t2(&g[2..], [2, 1], &d)], 0.1, 1.0);
    assert!((host(norm)[0] - 13.0).abs() < 1e-4);
    // after clipping to norm 1 and one bias-corrected step, each element moves by lr·sign(g)
    // (m̂ = g', v̂ = g'², so m̂/√v̂ = ±1), zero gradients do not move
    let got: Vec<f32> = params.into_iter().flat_map(host).collect();
    let want: Vec<f32> =
        p0.iter().zip(g).map(|(p, g)| p - 0.1 * g.signum() * (g != 0.0) as i32 as f32).collect();
    for (a, b) in got.iter().zip(&want) {
        assert!((a - b).abs() < 1e-5, "{got:?} vs {want:?}");
    }
}

#[test]
fn exported_policy_gives_the_actors_actions() {
    let ctx = ctx();
    let d = ctx.burn_device().unwrap();
    // the last two end in a soft mixture-of-experts layer (3 experts, temperature 0.7)
    for (act, ln, soft) in [
        (Activation::Elu, false, 0),
        (Activation::Silu, true, 0),
        (Activation::Tanh, false, 0),
        (Activation::Elu, false, 3),
        (Activation::Silu, true, 3),
    ] {
        let cfg = PolicyConfig {
            actor_hidden: vec![16, 8],
            critic_hidden: vec![8],
            activation: act,
            layer_norm: ln,
            soft_moe_experts: soft,
            soft_moe_temperature: 0.7,
            ..Default::default()
        };
        let (nobs, nu) = (6, 3);
        let net = ActorCritic::new(nobs, nu, &cfg);
        let mut values = net.init_host(&cfg, 11);
        // non-trivial output layer and biases (init makes them tiny or zero)
        for (i, v) in values.iter_mut().enumerate() {
            let noise = lcg(100 + i as u64, v.len());
            v.iter_mut().zip(noise).for_each(|(x, e)| *x += 0.3 * e);
        }
        let params = net.to_tensors(&values, &d).unwrap();
        let mean = lcg(5, nobs);
        let std: Vec<f32> = lcg(6, nobs).iter().map(|x| 0.5 + x.abs()).collect();
        let obs = lcg(7, 4 * nobs).iter().map(|x| 4.0 * x).collect::<Vec<f32>>();
        let mut norm = ObsNormalizer::new(nobs, 2.0, &d);
        norm.mean = t2(&mean, [1, nobs], &d);
        norm.var = t2(&std.iter().map(|s| s * s).collect::<Vec<_>>(), [1, nobs], &d);
        let gpu = host(net.actor(&params, norm.normalize(t2(&obs, [4, nobs], &d))));
        let export = PolicyExport {
            obs_mean: mean,
            obs_std: host(norm.std()),
            obs_clip: 2.0,
            layers: net.actor_layers(&values),
            activation: act,
            head: net.actor_head(&values),
        };
        assert_eq!(export.head.is_some(), soft > 0);
        let cpu = host_forward(&export, &obs).unwrap();
        for (g, c) in gpu.iter().zip(&cpu) {
            assert!((g - c).abs() < 1e-4 * (1.0 + c.abs()), "{act:?} ln {ln}: {gpu:?} vs {cpu:?}");
        }
    }
}

#[test]
fn config_overrides_and_bad_configs() {
    let qs = common::root().join("configs/quickstart.toml");
    let f = TrainFile::load(
        &qs,
        &[
            "train.nworld=7".into(),
            "policy.actor_hidden=[5, 6]".into(),
            "policy.activation=tanh".into(),
            "pose.success_threshold=0.3".into(),
        ],
    )
    .unwrap();
    assert_eq!(f.train.nworld, 7);
    assert_eq!(f.policy.actor_hidden, vec![5, 6]);
    assert_eq!(f.policy.activation, Activation::Tanh);
    match &f.env.task {
        sinew::env::TaskConfig::Pose(p) => assert_eq!(p.success_threshold, 0.3),
        _ => panic!("quickstart is the pose task"),
    }
    // the resolved config reparses to the same settings
    let text = f.to_toml().unwrap();
    let g = TrainFile::from_table(text.parse().unwrap(), std::path::Path::new("/"), "resolved").unwrap();
    assert_eq!((g.train, g.ppo, g.policy), (f.train.clone(), f.ppo.clone(), f.policy.clone()));
    let err = |o: &str| TrainFile::load(&qs, &[o.to_string()]).unwrap_err().to_string();
    assert!(
        err("ppo.learnin_rate=1").contains("unknown field `learnin_rate`"),
        "{}",
        err("ppo.learnin_rate=1")
    );
    assert!(err("ppo.minibatches=0").contains("ppo.minibatches"));
    assert!(err("train.nworld=0").contains("train.nworld"));
    assert!(err("policy.activation=relu").contains("unknown variant `relu`"));
    assert!(err("nonsense").contains("expected key=value"));
    let mut t = toml::Table::new();
    apply_override(&mut t, "a.b.c=1.5").unwrap();
    assert_eq!(t["a"]["b"]["c"].as_float(), Some(1.5));
    apply_override(&mut t, "a.word=hello").unwrap();
    assert_eq!(t["a"]["word"].as_str(), Some("hello"));
    assert!(apply_override(&mut t, "a.b.c.d=1").unwrap_err().to_string().contains("'c' is not a table"));
}

/// The soft-MoE load-balancing loss: 0 for experts used alike, K − 1 for one expert taking every
/// sample, and K Σ p̄² − 1 in between.
#[test]
fn soft_moe_load_balance() {
    let ctx = ctx();
    let d = ctx.burn_device().unwrap();
    let k = 4;
    let value = |p: Vec<f32>, b: usize| host(sinew::rl::policy::load_balance(t2(&p, [b, k], &d)))[0];
    assert!(value(vec![0.25; 8 * k], 8).abs() < 1e-6);
    let one: Vec<f32> = (0..8 * k).map(|i| if i % k == 0 { 1.0 } else { 0.0 }).collect();
    assert!((value(one, 8) - 3.0).abs() < 1e-5);
    // rows (0.7, 0.1, 0.1, 0.1) and (0.1, 0.7, 0.1, 0.1): p̄ = (0.4, 0.4, 0.1, 0.1)
    let mixed = vec![0.7, 0.1, 0.1, 0.1, 0.1, 0.7, 0.1, 0.1];
    let want = 4.0 * (0.16 + 0.16 + 0.01 + 0.01) - 1.0;
    assert!((value(mixed, 2) - want).abs() < 1e-5);
}
