//! KINESIS' mixture of experts on the quick start: a gate trained with PPO over two frozen
//! experts (a trained one and a barely trained one). The checkpoint carries the experts, every
//! update moves the gate and its entropy falls, the deployed mixture acts exactly as the expert
//! it picks, and fine-tuning keeps the checkpoint's experts; bad mixtures are refused by name.
//! MuscleMimic's soft mixture-of-experts output layer trains, exports, evaluates and serves as an
//! expert of a mixture.
//! Its own test binary: Burn's random seed is process-wide.

mod common;

use std::path::PathBuf;

use burn::tensor::{Tensor, TensorData};
use sinew::gpu::GpuContext;
use sinew::rl::checkpoint::{self, Checkpoint};
use sinew::rl::export::policy_of;
use sinew::rl::mixture::{Deployed, Experts, deployed_of, experts_of};
use sinew::rl::onnx::host_forward;
use sinew::rl::run::{RunOptions, train};

fn options(run_dir: &std::path::Path, overrides: &[String]) -> RunOptions {
    RunOptions {
        config: Some(common::root().join("configs/quickstart.toml")),
        overrides: overrides.to_vec(),
        run_dir: Some(run_dir.to_path_buf()),
        ..Default::default()
    }
}

#[test]
fn a_mixture_trains_its_gate_over_frozen_experts() {
    let ctx = GpuContext::new().unwrap();
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rl_mixture");
    let _ = std::fs::remove_dir_all(&tmp);
    let (good, weak, mix) = (tmp.join("good"), tmp.join("weak"), tmp.join("mixture"));
    train(&ctx, &options(&good, &["train.iterations=25".into()])).unwrap();
    train(&ctx, &options(&weak, &["train.iterations=1".into()])).unwrap();
    let pair = format!("policy.experts=[\"{}\", \"{}\"]", good.display(), weak.display());
    // one step's choice of expert moves the return little: the gate takes larger steps than
    // the experts did (at their 1e-3 its entropy fell from 0.69 to 0.49 in 30 iterations)
    let moe = [
        "policy.kind=\"moe\"".to_string(),
        pair.clone(),
        "train.iterations=15".into(),
        "ppo.learning_rate=1e-2".into(),
    ];
    let s = train(&ctx, &options(&mix, &moe)).unwrap();

    // the gate is trained: every update moves it, and its entropy (ln 2 at the start) falls
    assert!(s.metrics.iter().all(|m| m.approx_kl > 0.0), "an update left the gate unchanged");
    let (first, last) = (s.metrics[0].entropy, s.metrics.last().unwrap().entropy);
    assert!((first - 2f64.ln()).abs() < 0.02, "a fresh gate is near uniform: entropy {first}");
    assert!(last < first - 0.1, "the gate's entropy did not fall: {first} → {last}");
    // ... and the deployed mixture does at least as well as the better expert
    let (m_eval, g_eval) = (
        sinew::rl::eval::evaluate(&ctx, &mix, 64, 32).unwrap(),
        sinew::rl::eval::evaluate(&ctx, &good, 64, 32).unwrap(),
    );
    assert!(
        m_eval.success_rate.unwrap() >= g_eval.success_rate.unwrap(),
        "mixture success {:?}, better expert {:?} (returns {} and {})",
        m_eval.success_rate,
        g_eval.success_rate,
        m_eval.mean_return,
        g_eval.mean_return
    );

    // the checkpoint holds the experts, exactly as their own checkpoints deploy them
    let c = Checkpoint::load(&checkpoint::latest(&mix).unwrap()).unwrap();
    let held = experts_of(&c).unwrap();
    for (k, dir) in [&good, &weak].into_iter().enumerate() {
        let own = policy_of(&Checkpoint::load(&checkpoint::latest(dir).unwrap()).unwrap()).unwrap();
        assert_eq!(held[k], own, "expert {k}");
    }
    // the deployed mixture acts as the expert its gate scores highest
    let Deployed::Mixture { gate, experts } = deployed_of(&c).unwrap() else {
        panic!("a mixture deploys a mixture")
    };
    let nobs = gate.nobs();
    let obs: Vec<f32> = (0..32 * nobs).map(|i| ((i * 7919 % 97) as f32 / 97.0 - 0.5) * 4.0).collect();
    let scores = host_forward(&gate, &obs).unwrap();
    let mixture = Deployed::Mixture { gate, experts: experts.clone() };
    let acts = mixture.forward(&obs).unwrap();
    let nu = experts[0].nu();
    for (row, s) in scores.chunks(2).enumerate() {
        let pick = if s[1] > s[0] { 1 } else { 0 };
        let want = host_forward(&experts[pick], &obs[row * nobs..(row + 1) * nobs]).unwrap();
        assert_eq!(&acts[row * nu..(row + 1) * nu], &want[..], "row {row}");
    }
    assert!(mix.join("policy.onnx").is_file());

    // a mixture fine-tuned from this one keeps its experts even if the config names others
    let tuned = tmp.join("tuned");
    let other = format!("policy.experts=[\"{}\", \"{}\"]", weak.display(), weak.display());
    let opts = RunOptions {
        init_from: Some(mix.clone()),
        ..options(&tuned, &["policy.kind=\"moe\"".into(), other, "train.iterations=1".into()])
    };
    train(&ctx, &opts).unwrap();
    let t = Checkpoint::load(&checkpoint::latest(&tuned).unwrap()).unwrap();
    assert_eq!(experts_of(&t).unwrap(), held);

    // MuscleMimic's soft MoE output layer trains, exports and evaluates like any policy, and
    // serves as a mixture's expert: the device computes its actions as the host does
    let soft = tmp.join("soft");
    let s = train(&ctx, &options(&soft, &["train.iterations=2".into(), "policy.soft_moe_experts=3".into()]))
        .unwrap();
    assert!(s.metrics.iter().all(|m| m.policy_loss.is_finite() && m.grad_norm > 0.0));
    let p = policy_of(&Checkpoint::load(&checkpoint::latest(&soft).unwrap()).unwrap()).unwrap();
    assert_eq!(p.head.as_ref().map(|h| h.experts), Some(3));
    assert!(soft.join("policy.onnx").is_file());
    sinew::rl::eval::evaluate(&ctx, &soft, 8, 8).unwrap();
    let device = ctx.burn_device().unwrap();
    let on_device = Experts::new(vec![held[0].clone(), p.clone()], &device).unwrap();
    let x = Tensor::<2>::from_data(TensorData::new(obs.clone(), [32, nobs]), &device);
    for (k, (policy, got)) in [&held[0], &p].into_iter().zip(on_device.actions(x)).enumerate() {
        let got = sinew::rl::trainer::read(&ctx, got).unwrap();
        let want = host_forward(policy, &obs).unwrap();
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-4 * (1.0 + w.abs()), "expert {k}: device {g} vs host {w}");
        }
    }
    // ... and a mixture over it saves the head with the experts
    let with_soft = format!("policy.experts=[\"{}\", \"{}\"]", good.display(), soft.display());
    let mixed = tmp.join("mixed_soft");
    train(&ctx, &options(&mixed, &["policy.kind=\"moe\"".into(), with_soft, "train.iterations=1".into()]))
        .unwrap();
    let m = Checkpoint::load(&checkpoint::latest(&mixed).unwrap()).unwrap();
    assert_eq!(experts_of(&m).unwrap()[1], p);

    // refused: one expert; an expert of other sizes; Lattice with a mixture; experts for an MLP
    let one = format!("policy.experts=[\"{}\"]", good.display());
    let e = common::try_quickstart(&["policy.kind=\"moe\"", &one]).unwrap_err().to_string();
    assert!(e.contains("two experts"), "{e}");
    let e = common::try_quickstart(&["policy.kind=\"moe\"", &pair, "policy.exploration=\"lattice\""])
        .unwrap_err()
        .to_string();
    assert!(e.contains("lattice"), "{e}");
    let e = common::try_quickstart(&[&pair]).unwrap_err().to_string();
    assert!(e.contains("kind = \"moe\""), "{e}");
    let legs = sinew::rl::config::TrainFile::load(
        &common::root().join("configs/myolegs_imitation.toml"),
        &["train.nworld=4".into(), "policy.kind=\"moe\"".into(), pair.clone()],
    )
    .unwrap();
    let e = match sinew::rl::trainer::Trainer::new(&ctx, legs) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("quick-start experts accepted for myolegs"),
    };
    assert!(e.contains("policy.experts") && e.contains("observations"), "{e}");
}
