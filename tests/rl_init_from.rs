//! `sinew train --init-from`: a new run starts from a trained policy (weights and observation
//! normaliser, fresh optimiser). Before any update it is the source policy: the same exported
//! arrays and the same evaluation; a run records where it started; mismatched sizes or networks,
//! and --init-from with --resume, are refused with both sides named.

mod common;

use std::path::PathBuf;

use sinew::gpu::GpuContext;
use sinew::rl::checkpoint::{self, Checkpoint};
use sinew::rl::eval::evaluate;
use sinew::rl::export::policy_of;
use sinew::rl::run::{RunOptions, train};
use sinew::rl::trainer::Trainer;

const SMALL: [&str; 4] = ["train.nworld=8", "train.horizon=8", "train.iterations=2", "ppo.minibatches=2"];

fn options(run_dir: &std::path::Path, extra: &[&str]) -> RunOptions {
    RunOptions {
        config: Some(common::root().join("configs/quickstart.toml")),
        overrides: SMALL.iter().chain(extra).map(|s| s.to_string()).collect(),
        run_dir: Some(run_dir.to_path_buf()),
        ..Default::default()
    }
}

#[test]
fn a_run_started_from_a_policy_is_that_policy_before_any_update() {
    let ctx = GpuContext::new().unwrap();
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rl_init_from");
    let _ = std::fs::remove_dir_all(&tmp);
    let source = tmp.join("source");
    train(&ctx, &options(&source, &[])).unwrap();
    let source_ckpt = Checkpoint::load(&checkpoint::latest(&source).unwrap()).unwrap();

    // a trainer started from it holds the source's policy and normaliser, at iteration 0 with a
    // fresh optimiser
    let cfg = common::quickstart(&SMALL);
    let mut t = Trainer::new(&ctx, cfg.clone()).unwrap();
    t.init_from(&source_ckpt).unwrap();
    let c = t.checkpoint().unwrap();
    assert_eq!((c.meta.iteration, c.meta.adam_step), (0, 0));
    assert_eq!(c.meta.norm_count, source_ckpt.meta.norm_count);
    let (a, b) = (policy_of(&c).unwrap(), policy_of(&source_ckpt).unwrap());
    assert_eq!(a, b, "the exported policies differ");
    // ... so its evaluation is the source's, exactly
    let copy = tmp.join("copy");
    std::fs::create_dir_all(copy.join("checkpoints")).unwrap();
    std::fs::copy(source.join("config.toml"), copy.join("config.toml")).unwrap();
    c.save(&copy.join("checkpoints/iter_000000.ckpt")).unwrap();
    let (e0, e1) = (evaluate(&ctx, &source, 16, 8).unwrap(), evaluate(&ctx, &copy, 16, 8).unwrap());
    assert_eq!(
        (e0.mean_return, e0.mean_episode_length, e0.success_rate),
        (e1.mean_return, e1.mean_episode_length, e1.success_rate)
    );

    // from the CLI's entry: a new run directory, which records its source
    let tuned = tmp.join("tuned");
    let opts = RunOptions { init_from: Some(source.clone()), ..options(&tuned, &["train.iterations=1"]) };
    let s = train(&ctx, &opts).unwrap();
    assert_eq!(s.metrics.len(), 1);
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tuned.join("init_from.json")).unwrap()).unwrap();
    assert_eq!(
        record["checkpoint"].as_str().unwrap(),
        checkpoint::latest(&source).unwrap().to_str().unwrap()
    );
    assert_eq!(record["iteration"], 2);

    // refused: --resume with --init-from; another network; other observation and action sizes
    let both = RunOptions { resume: Some(tuned.clone()), ..opts.clone() };
    let e = train(&ctx, &both).unwrap_err().to_string();
    assert!(e.contains("--init-from") && e.contains("--resume"), "{e}");
    let mut other =
        Trainer::new(&ctx, common::quickstart(&[SMALL[0], SMALL[1], "policy.actor_hidden=[8]"])).unwrap();
    let e = other.init_from(&source_ckpt).unwrap_err().to_string();
    assert!(e.contains("network") && e.contains("[8]"), "{e}");
    let mut imitation = sinew::rl::config::TrainFile::load(
        &common::root().join("configs/myolegs_imitation.toml"),
        &[
            "train.nworld=4".to_string(),
            "policy.actor_hidden=[64,64]".to_string(),
            "policy.critic_hidden=[64,64]".to_string(),
        ],
    )
    .unwrap();
    imitation.policy = cfg.policy.clone();
    let mut legs = Trainer::new(&ctx, imitation).unwrap();
    let e = legs.init_from(&source_ckpt).unwrap_err().to_string();
    let (nobs, nu) = (source_ckpt.meta.nobs, source_ckpt.meta.nu);
    assert!(
        e.contains(&format!("takes {nobs} observations and gives {nu} actions"))
            && e.contains(&format!("{} observations and 80 actions", legs.env.nobs)),
        "{e}"
    );
}
