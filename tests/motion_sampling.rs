//! How an imitation environment picks its worlds' motions, on lavapipe: adaptive sampling's
//! episode counts and update against the host twin (and through a checkpoint), the rule's
//! behaviour and bad settings, and fixed motions for per-motion evaluation (each world on its
//! motion's first frame, no noise). Needs the fetched models (myolegs_walk).

use std::path::Path;

use sinew::env::layout::MotionRow;
use sinew::env::sampling::AdaptiveSampling;
use sinew::env::{DONE_TERMINATED, Env, EnvFile, TaskConfig};
use sinew::gpu::GpuContext;

/// Five motions of different lengths and rates (as in tests/env_tasks.rs), drawn adaptively with
/// non-default settings, and a tight site rule so that many episodes end early.
const ADAPTIVE: &str = "task = \"imitation\"\n[env]\nseed = 5\n[imitation]\nmotion = [\
    \"../tests/fixtures/motions/walk_a.npz\", \"../tests/fixtures/motions/walk_c_50fps.npz\", \
    \"../tests/fixtures/motions/locomujoco_200hz.npz\", \"../assets/motions/myolegs_walk.npz\"]\n\
    sampling = \"adaptive\"\nterminate_site_deviation = 0.04\n\
    [imitation.adaptive]\nbeta = 0.3\nalpha = 1.5\nfloor = 0.2\n";

fn env_file(text: &str) -> sinew::Result<EnvFile> {
    EnvFile::parse(text, Path::new(env!("CARGO_MANIFEST_DIR")).join("configs").as_path(), "test")
}

fn adaptive_settings(env: &Env) -> AdaptiveSampling {
    match &env.config.task {
        TaskConfig::Imitation(c) => c.adaptive,
        _ => unreachable!("an imitation environment"),
    }
}

fn assert_rows_close(what: &str, gpu: &[MotionRow], host: &[MotionRow]) {
    assert_eq!(gpu.len(), host.len());
    for (i, (g, h)) in gpu.iter().zip(host).enumerate() {
        assert_eq!(
            (g.start, g.nframe, g.ended, g.early),
            (h.start, h.nframe, h.ended, h.early),
            "{what} motion {i}"
        );
        // the same f32 operations (the GPU may fuse a multiply-add) ...
        for (name, a, b) in [("ema_ended", g.ema_ended, h.ema_ended), ("ema_early", g.ema_early, h.ema_early)]
        {
            assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{what} motion {i} {name}: GPU {a}, host {b}");
        }
        // ... but sums in another order (a tree and a scan on the GPU, a loop here) and pow
        for (name, a, b) in [("prob", g.prob, h.prob), ("cdf", g.cdf, h.cdf)] {
            assert!((a - b).abs() <= 2e-6, "{what} motion {i} {name}: GPU {a}, host {b}");
        }
    }
}

#[test]
fn adaptive_sampling_counts_episodes_and_updates_like_its_host_twin() {
    let ctx = GpuContext::new().unwrap();
    let nworld = 32;
    let env = Env::new(&ctx, &env_file(ADAPTIVE).unwrap(), nworld).unwrap();
    let settings = adaptive_settings(&env);
    let nmotion = env.motion.as_ref().unwrap().motions.len();
    assert_eq!(nmotion, 5);
    env.reset(&ctx);
    // equal priors: the first draws are uniform
    let first = env.motion_rows(&ctx).unwrap();
    for (i, r) in first.iter().enumerate() {
        assert!((r.prob - 0.2).abs() < 1e-6, "motion {i} starts at probability {}", r.prob);
        assert_eq!((r.ema_ended, r.ema_early, r.ended, r.early), (10.0, 5.0, 0, 0));
    }
    assert_eq!(first[nmotion - 1].cdf, 1.0);
    // count on the host which motion each ended episode was on (the world's motion before the step)
    let (mut ended, mut early) = (vec![0u32; nmotion], vec![0u32; nmotion]);
    let mut before = env.worlds(&ctx).unwrap();
    for step in 0..12 {
        let actions: Vec<f32> =
            (0..nworld * env.model.nu).map(|i| ((i * 7 + step * 3) % 13) as f32 / 6.0 - 1.0).collect();
        env.write_actions(&ctx, &actions).unwrap();
        env.step(&ctx);
        let done = env.dones(&ctx).unwrap();
        for w in (0..nworld).filter(|&w| done[w] != 0) {
            ended[before[w].motion as usize] += 1;
            early[before[w].motion as usize] += (done[w] & DONE_TERMINATED != 0) as u32;
        }
        before = env.worlds(&ctx).unwrap();
    }
    let counted = env.motion_rows(&ctx).unwrap();
    let gpu_counts: Vec<(u32, u32)> = counted.iter().map(|r| (r.ended, r.early)).collect();
    let host_counts: Vec<(u32, u32)> = ended.iter().copied().zip(early.iter().copied()).collect();
    assert_eq!(gpu_counts, host_counts, "episodes counted per motion (ended, early)");
    let motions_ended = ended.iter().filter(|&&n| n > 0).count();
    assert!(motions_ended >= 3, "episodes ended on only {motions_ended} motions: {host_counts:?}");
    assert!(early.iter().sum::<u32>() > 0, "no episode ended early: {host_counts:?}");

    env.adapt_sampling(&ctx);
    let adapted = env.motion_rows(&ctx).unwrap();
    let mut twin = counted.clone();
    settings.adapt(&mut twin);
    assert_rows_close("after adapting", &adapted, &twin);
    let spread = adapted.iter().map(|r| r.prob).fold(0.0f32, f32::max)
        - adapted.iter().map(|r| r.prob).fold(1.0f32, f32::min);
    assert!(spread > 1e-3, "the probabilities did not move: {adapted:?}");
    for r in &adapted {
        assert!(r.prob >= settings.floor / nmotion as f32 - 1e-7, "a probability under the floor: {r:?}");
    }

    // a checkpoint carries the table; another environment of the same library restores it
    let saved = env.snapshot(&ctx).unwrap();
    let other = Env::new(&ctx, &env_file(ADAPTIVE).unwrap(), nworld).unwrap();
    other.restore(&ctx, |n| Ok(saved.iter().find(|(k, _)| k == n).unwrap().1.clone())).unwrap();
    assert_eq!(other.motion_rows(&ctx).unwrap(), adapted);
    // one without the table (written before it was saved) keeps fresh priors
    other.reset(&ctx);
    let fresh = Env::new(&ctx, &env_file(ADAPTIVE).unwrap(), nworld).unwrap();
    let get = |n: &str| match n {
        "imitation.motions" => Err(sinew::Error::Config("no such blob".into())),
        _ => Ok(saved.iter().find(|(k, _)| k == n).unwrap().1.clone()),
    };
    fresh.restore(&ctx, get).unwrap();
    assert_eq!(fresh.motion_rows(&ctx).unwrap(), first);
}

#[test]
fn the_adaptive_rule_favours_motions_that_end_early_and_keeps_a_floor() {
    let a = AdaptiveSampling::default();
    assert_eq!((a.beta, a.prior_ended, a.prior_early, a.alpha, a.floor), (0.2, 10.0, 5.0, 1.0, 0.1));
    let row =
        |ended, early| MotionRow { ema_ended: 10.0, ema_early: 5.0, ended, early, ..Default::default() };
    // motion 0 always fails, 1 half the time, 2 never, 3 had no episode
    let mut rows = vec![row(10, 10), row(10, 5), row(10, 0), row(0, 0)];
    a.adapt(&mut rows);
    assert!(rows[0].prob > rows[1].prob && rows[1].prob > rows[2].prob, "{rows:?}");
    // no episode: no evidence, the moving averages stay at the priors
    assert_eq!((rows[3].ema_ended, rows[3].ema_early), (10.0, 5.0));
    assert!((rows[3].prob - rows[1].prob).abs() < 1e-7, "same ratio, same weight: {rows:?}");
    assert!((rows.iter().map(|r| r.prob).sum::<f32>() - 1.0).abs() < 1e-6);
    assert_eq!(rows[3].cdf, 1.0);
    // the moving averages (beta 0.2 from priors 10 and 5) give early / ended ratios 0.6, 0.5,
    // 0.4, 0.5; probabilities (1 - floor) · w / Σw + floor / 4 with w = ratio + 1e-6
    let w = [0.6f32, 0.5, 0.4, 0.5].map(|r| r + 1e-6);
    let total: f32 = w.iter().sum();
    for (i, r) in rows.iter().enumerate() {
        assert!((r.prob - (0.9 * w[i] / total + 0.025)).abs() < 1e-6, "motion {i}: {rows:?}");
    }
    // alpha 0 and floor 1 are both uniform
    for s in [AdaptiveSampling { alpha: 0.0, ..a }, AdaptiveSampling { floor: 1.0, ..a }] {
        let mut r = vec![row(10, 10), row(10, 0)];
        s.adapt(&mut r);
        assert!((r[0].prob - 0.5).abs() < 1e-6 && (r[1].prob - 0.5).abs() < 1e-6, "{s:?}: {r:?}");
    }
}

#[test]
fn bad_adaptive_settings_are_refused_by_name() {
    for (setting, key) in [
        ("beta = 0.0", "imitation.adaptive.beta"),
        ("beta = 1.5", "imitation.adaptive.beta"),
        ("prior_ended = 0.0", "imitation.adaptive.prior_ended"),
        ("prior_early = 20.0", "imitation.adaptive.prior_early"),
        ("alpha = -1.0", "imitation.adaptive.alpha"),
        ("floor = 1.5", "imitation.adaptive.floor"),
    ] {
        let text = format!(
            "task = \"imitation\"\n[imitation]\nsampling = \"adaptive\"\n[imitation.adaptive]\n{setting}\n"
        );
        let e = env_file(&text).unwrap_err().to_string();
        assert!(e.contains(key), "{setting}: {e}");
    }
    let e = env_file("task = \"imitation\"\n[imitation]\nsampling = \"hardest\"\n").unwrap_err().to_string();
    assert!(e.contains("adaptive") && e.contains("hardest"), "{e}");
}

#[test]
fn fixed_motions_start_every_world_on_its_motions_first_frame_without_noise() {
    let ctx = GpuContext::new().unwrap();
    let nworld = 8;
    let text = ADAPTIVE.replacen(
        "seed = 5\n",
        "seed = 5\n[env.randomize]\nqpos_noise = 0.05\nqvel_noise = 0.1\n",
        1,
    );
    let env = Env::new(&ctx, &env_file(&text).unwrap(), nworld).unwrap();
    let m = &env.model;
    let lib = env.motion.clone().unwrap();
    let motions: Vec<u32> = (0..nworld as u32).map(|w| (w * 3) % 5).collect();
    env.fix_motions(&ctx, Some((&motions, 0.5))).unwrap();
    env.reset(&ctx);
    let worlds = env.worlds(&ctx).unwrap();
    let s = &env.sim.data.state;
    let qpos: Vec<f32> = s.download(&ctx, &s.qpos).unwrap();
    let qvel: Vec<f32> = s.download(&ctx, &s.qvel).unwrap();
    for w in 0..nworld {
        assert_eq!((worlds[w].motion, worlds[w].frame0), (motions[w], 0), "world {w}");
        let f = lib.motions[motions[w] as usize].start;
        let want: Vec<f32> = lib.qpos[f * m.nq..][..m.nq].iter().map(|x| *x as f32).collect();
        assert_eq!(&qpos[w * m.nq..][..m.nq], &want[..], "world {w} qpos is not its motion's first frame");
        let want: Vec<f32> = lib.qvel[f * m.nv..][..m.nv].iter().map(|x| *x as f32).collect();
        assert_eq!(&qvel[w * m.nv..][..m.nv], &want[..], "world {w} qvel is not its motion's first frame");
    }
    // bad requests are refused
    assert!(
        env.fix_motions(&ctx, Some((&motions[..3], 0.5)))
            .unwrap_err()
            .to_string()
            .contains("3 motions for 8")
    );
    let e = env.fix_motions(&ctx, Some((&[7; 8], 0.5))).unwrap_err().to_string();
    assert!(e.contains("no motion 7"), "{e}");
    // back to the configured draws: noise again, start frames drawn
    env.fix_motions(&ctx, None).unwrap();
    env.reset(&ctx);
    let worlds = env.worlds(&ctx).unwrap();
    let qpos: Vec<f32> = s.download(&ctx, &s.qpos).unwrap();
    assert!(worlds.iter().any(|e| e.frame0 > 0), "start frames not drawn after unfixing");
    let off = (0..nworld).any(|w| {
        let f = lib.motions[worlds[w].motion as usize].start + worlds[w].frame0 as usize;
        (0..m.nq).any(|i| qpos[w * m.nq + i] != lib.qpos[f * m.nq + i] as f32)
    });
    assert!(off, "no noise after unfixing");
}
