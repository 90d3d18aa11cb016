//! Imitation training with adaptive sampling and per-motion evaluation, end to end on lavapipe: a
//! one-iteration run writes its sampling weights; `eval --per-motion` scores every motion from its
//! first frame (the same motion in two formats scores the same), counts steps and coverage as
//! documented, aggregates splits, ends episodes by its site rule, and names bad split entries;
//! `mine` writes exactly the motions that ended early.
//! Needs the fetched models (myolegs_walk).

use std::path::{Path, PathBuf};

use sinew::gpu::GpuContext;
use sinew::rl::motion_eval::{MotionScore, PerMotionOptions, evaluate_per_motion};
use sinew::rl::run::{RunOptions, train};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A one-iteration imitation run on four motions (walk_a, the LocoMuJoCo file's two
/// trajectories, the first being walk_a at 200 Hz, and a 20-frame one), adaptive sampling.
fn trained_run(ctx: &GpuContext, dir: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    let overrides = [
        "train.nworld=8",
        "train.horizon=4",
        "train.iterations=1",
        "ppo.minibatches=2",
        "policy.actor_hidden=[16]",
        "policy.critic_hidden=[16]",
        "imitation.motion=[\"../tests/fixtures/motions/walk_a.npz\", \"../tests/fixtures/motions/locomujoco_200hz.npz\", \
         \"../tests/fixtures/motions/locomujoco_missing.npz\"]",
        "imitation.sampling=\"adaptive\"",
    ];
    let opts = RunOptions {
        config: Some(root().join("configs/myolegs_imitation.toml")),
        overrides: overrides.iter().map(|s| s.to_string()).collect(),
        run_dir: Some(dir.to_path_buf()),
        ..Default::default()
    };
    train(ctx, &opts).unwrap().run_dir
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn per_motion_evaluation_scores_every_motion_and_aggregates_splits() {
    let ctx = GpuContext::new().unwrap();
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("eval_per_motion");
    let run = trained_run(&ctx, &tmp.join("run"));

    // the trainer adapted and logged the sampling weights
    let weights: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("sampling.json")).unwrap()).unwrap();
    let probs: Vec<f64> =
        weights.as_array().unwrap().iter().map(|w| w["probability"].as_f64().unwrap()).collect();
    assert_eq!(probs.len(), 4);
    assert!((probs.iter().sum::<f64>() - 1.0).abs() < 1e-5, "{probs:?}");
    // ... and TensorBoard has the hardest motions' probabilities, the largest one and the
    // effective number of motions (between 1 and 4)
    let events = std::fs::read_dir(run.join("tb")).unwrap().next().unwrap().unwrap().path();
    let scalars = sinew::rl::tensorboard::read_scalars(&events).unwrap();
    let tag = |t: &str| scalars.iter().find(|(name, _, _)| name == t).map(|(_, _, v)| *v);
    let largest = probs.iter().cloned().fold(0.0, f64::max);
    assert!((tag("sampling/max_probability").unwrap() as f64 - largest).abs() < 1e-6, "{scalars:?}");
    let effective = tag("sampling/effective_motions").unwrap();
    assert!((1.0..=4.0 + 1e-4).contains(&effective), "{effective}");
    let names: Vec<&str> = weights.as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap()).collect();
    let logged = names.iter().filter(|n| tag(&format!("sampling/{n}")).is_some()).count();
    assert_eq!(logged, 4, "every motion is among the five hardest of four: {scalars:?}");

    let split = tmp.join("test_split.txt");
    std::fs::write(&split, "# held out\nlocomujoco_200hz[1]\n\nlocomujoco_missing  # the short one\n")
        .unwrap();
    let opts = PerMotionOptions {
        motions: Vec::new(),
        splits: vec![("test".into(), split.clone())],
        nworld: 3, // two batches, the second with two spare worlds
        site_deviation: 0.5,
    };
    let r = evaluate_per_motion(&ctx, &run, &opts).unwrap();
    let names: Vec<&str> = r.motions.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["walk_a", "locomujoco_200hz[0]", "locomujoco_200hz[1]", "locomujoco_missing"]);
    let max_look = 5; // the config's look-ahead [1, 5]
    for m in &r.motions {
        let offered = m.frames - max_look - 1;
        if m.early_termination {
            assert!(
                m.episode_length < offered && close(m.coverage, m.episode_length as f64 / offered as f64),
                "{m:?}"
            );
        } else {
            assert_eq!((m.episode_length, m.coverage), (offered, 1.0), "{m:?}");
        }
        // every step but the last (whose state the reset replaced) is measured
        assert_eq!(m.samples, m.episode_length - 1, "{m:?}");
        let e = &m.errors;
        for v in [
            e.joint_pos_rmse, e.joint_vel_rmse, e.root_pos_rmse, e.relative_site_error, e.absolute_site_error,
        ] {
            assert!(v.is_finite() && v > 0.0, "{m:?}");
        }
    }
    // walk_a and the LocoMuJoCo file's first trajectory are the same motion: the same episode
    let (a, b) = (&r.motions[0], &r.motions[1]);
    assert_eq!((a.frames, a.episode_length), (b.frames, b.episode_length));
    assert!(a.errors.values().iter().zip(b.errors.values()).all(|(x, y)| close(*x, y)), "{a:?}\n{b:?}");
    // the split aggregates its own motions
    let test = &r.aggregates["test"];
    assert_eq!((test.motions, r.aggregates["all"].motions), (2, 4));
    let members = [&r.motions[2], &r.motions[3]];
    let mean = |f: fn(&MotionScore) -> f64| members.iter().map(|m| f(m)).sum::<f64>() / 2.0;
    assert!(close(test.errors.relative_site_error, mean(|m| m.errors.relative_site_error)));
    assert!(close(test.errors.joint_pos_rmse, mean(|m| m.errors.joint_pos_rmse)));
    assert!(close(test.mean_episode_length, mean(|m| m.episode_length as f64)));

    // a tight rule ends episodes early, with coverage the share of steps done
    let tight = PerMotionOptions { site_deviation: 0.01, splits: Vec::new(), ..opts.clone() };
    let r = evaluate_per_motion(&ctx, &run, &tight).unwrap();
    assert!(r.motions.iter().all(|m| m.early_termination && m.coverage < 1.0), "{:?}", r.motions);
    let all = &r.aggregates["all"];
    assert_eq!(all.early_termination_rate, 1.0);
    let offered: usize = r.motions.iter().map(|m| m.frames - max_look - 1).sum();
    let done: usize = r.motions.iter().map(|m| m.episode_length).sum();
    assert!(close(all.frame_coverage, done as f64 / offered as f64), "{all:?}");

    // negative mining writes exactly the motions that ended early under its rule, frames and
    // names intact, as a set the library reads
    for deviation in [0.2, 0.5] {
        let rule = PerMotionOptions { site_deviation: deviation, splits: Vec::new(), ..opts.clone() };
        let out = tmp.join(format!("mined_{deviation}.npz"));
        let mined = sinew::rl::mine::mine(&ctx, &run, &rule, &out).unwrap();
        let (report, lib, _) = sinew::rl::motion_eval::evaluate_with_library(&ctx, &run, &rule).unwrap();
        let early: Vec<&str> =
            report.motions.iter().filter(|m| m.early_termination).map(|m| m.name.as_str()).collect();
        assert_eq!(mined.failed, early, "site deviation {deviation}");
        assert!(out.with_extension("json").is_file());
        if early.is_empty() {
            assert!(mined.out.is_none() && !out.exists());
            continue;
        }
        let m = sinew::mjcf::load_model(&sinew::models::resolve("myolegs_walk").unwrap()).unwrap();
        let set = sinew::env::motion_library::MotionSet::read(&[out.clone()], &m).unwrap();
        assert!(set.warnings.is_empty(), "{:?}", set.warnings);
        let names: Vec<&str> = set.motions.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, early);
        for s in &set.motions {
            let e = lib.motions.iter().find(|e| e.name == s.name).unwrap();
            assert_eq!((s.motion.fps, s.motion.nframe), (lib.fps, e.nframe), "{}", s.name);
            // f32 on disk; the reader renormalises the root quaternion, which may move its last bit
            let want = &lib.qpos[e.start * m.nq..(e.start + e.nframe) * m.nq];
            let worst = s.motion.qpos.iter().zip(want).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
            assert!(worst < 1e-6, "{}: the mined frames differ by {worst}", s.name);
        }
    }
    let e = sinew::rl::mine::mine(&ctx, &run, &opts, &tmp.join("failed.txt")).unwrap_err().to_string();
    assert!(e.contains(".npz"), "{e}");

    // a split naming a motion the set lacks
    std::fs::write(&split, "walk_a\nwalk_z\n").unwrap();
    let e = evaluate_per_motion(&ctx, &run, &opts).unwrap_err().to_string();
    assert!(e.contains("line 2") && e.contains("walk_z"), "{e}");
}
