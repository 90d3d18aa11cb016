//! `sinew render`, `sinew eval --video` and training's `train.video_every` end to end on sinew's
//! own elbow model (no download): the files they write parse back, a rollout replayed draws the
//! frames the live render drew, and bad input is a clear error with exit code 2.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sinew::npio::{self, Array};

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sinew-render-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn sinew(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sinew")).args(args).current_dir(common::root()).output().unwrap()
}

fn ok(out: &Output) {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// (frames, width, height) of an MP4, read with the mp4 crate.
fn mp4_info(path: &Path) -> (u64, u16, u16) {
    let bytes = std::fs::read(path).unwrap();
    let size = bytes.len() as u64;
    let reader = mp4::Mp4Reader::read_header(std::io::Cursor::new(bytes), size).unwrap();
    let t = reader.tracks().values().next().unwrap();
    (t.sample_count() as u64, t.width(), t.height())
}

fn pngs(dir: &Path) -> Vec<Vec<u8>> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    names.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

#[test]
fn replaying_a_rollout_draws_the_frames_of_the_live_render() {
    let model = "assets/elbow_pose.xml";
    let steps = 30;
    let ctrl: Vec<f32> =
        (0..steps).flat_map(|t| if t < 15 { [1.0, 1.0, 0.0, 0.0] } else { [0.0, 0.0, 1.0, 1.0] }).collect();
    let ctrl_path = tmp("ctrl.npy");
    npio::save_npy(&ctrl_path, &Array { shape: vec![steps, 4], data: ctrl }).unwrap();
    let ctrl_arg = ctrl_path.to_str().unwrap();
    let traj = tmp("traj.npz");
    ok(&sinew(&["rollout", model, "--ctrl", ctrl_arg, "--out", traj.to_str().unwrap()]));
    let (live, replay) = (tmp("live"), tmp("replay"));
    let draw = ["--width", "96", "--height", "64", "--distance", "1.2", "--fps", "40"];
    let mp4 = tmp("live.mp4");
    let mut args = vec![
        "render",
        model,
        "--ctrl",
        ctrl_arg,
        "--out",
        mp4.to_str().unwrap(),
        "--frames-dir",
        live.to_str().unwrap(),
    ];
    args.extend(draw);
    ok(&sinew(&args));
    let mut args =
        vec!["render", traj.to_str().unwrap(), "--model", model, "--frames-dir", replay.to_str().unwrap()];
    args.extend(draw);
    ok(&sinew(&args));
    let (a, b) = (pngs(&live), pngs(&replay));
    // 200 Hz physics at 40 frames/s: every 5th step
    assert_eq!(a.len(), steps / 5);
    assert!(a == b, "replayed frames differ from the live render's");
    assert_eq!(mp4_info(&mp4), ((steps / 5) as u64, 96, 64));
}

#[test]
fn training_and_evaluation_write_videos() {
    let run = tmp("run");
    let out = sinew(&[
        "train",
        "--config",
        "configs/quickstart.toml",
        "--run-dir",
        run.to_str().unwrap(),
        "--no-progress",
        "train.iterations=2",
        "train.nworld=32",
        "train.video_every=2",
    ]);
    ok(&out);
    // 50-step episodes: the reset state and the steps before the last (the last resets)
    let (frames, w, h) = mp4_info(&run.join("videos/iteration_2.mp4"));
    assert!((2..=51).contains(&frames), "{frames} frames");
    assert_eq!((w, h), (640, 480));
    let tb = std::fs::read_dir(run.join("tb")).unwrap().next().unwrap().unwrap().path();
    let images = sinew::rl::tensorboard::read_images(&tb).unwrap();
    assert_eq!(images.len(), 1, "one GIF per video");
    let (tag, _, gw, gh, gif) = &images[0];
    assert_eq!((tag.as_str(), *gw, *gh), ("video/episode", 320, 240));
    let mut decoder = gif::DecodeOptions::new().read_info(std::io::Cursor::new(gif)).unwrap();
    let mut gif_frames = 0;
    while decoder.read_next_frame().unwrap().is_some() {
        gif_frames += 1;
    }
    assert_eq!(gif_frames as u64, frames, "the GIF holds the episode's frames");

    let out = sinew(&[
        "eval",
        run.to_str().unwrap(),
        "--episodes",
        "2",
        "--nworld",
        "2",
        "--video",
        "2",
        "--width",
        "160",
        "--height",
        "120",
        "--biomech",
    ]);
    ok(&out);
    for k in 0..2 {
        let (frames, w, h) = mp4_info(&run.join(format!("videos/episode_{k}.mp4")));
        assert!(frames >= 2, "episode {k}: {frames} frames");
        assert_eq!((w, h), (160, 120));
    }
    // --biomech: the policy's episodes played with contact forces on, reported in RUN/biomech.
    // The quick start's arm has no feet and no free root: no cycles and no travel, said so; its
    // four muscles' synergies are computed over the episodes.
    let text = std::fs::read_to_string(run.join("biomech/biomech.json")).unwrap();
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(r["episodes"], 4);
    assert!(r["samples"].as_u64().unwrap() >= 4 * 40, "{}", r["samples"]);
    assert!(r["cycles"]["unavailable"].as_str().unwrap().contains("no feet"), "{}", r["cycles"]);
    assert!(r["cost_of_transport"]["unavailable"].as_str().unwrap().contains("travelled"));
    assert!(r["cost_of_transport"]["metabolic_energy_j"].as_f64().unwrap() > 0.0);
    assert!(r["synergies"]["vaf"].as_array().unwrap().len() >= 1);
    assert!(run.join("biomech/summary.md").is_file());
}

#[test]
fn bad_render_input_is_a_clear_error() {
    let model = "assets/elbow_pose.xml";
    let mp4 = tmp("bad.mp4");
    let mp4 = mp4.to_str().unwrap();
    for (args, expect) in [
        (vec!["render", model, "--out", mp4, "--width", "101"], "even width and height"),
        (vec!["render", model, "--out", mp4, "--track", "nosuchbody"], "no body of that name"),
        (vec!["render", model], "--out FILE.mp4 or --frames-dir"),
        (vec!["render", model, "--out", mp4, "--fps", "0"], "frame rate"),
        (vec!["render", "missing.npz", "--out", mp4], "needs --model"),
        (vec!["render", model, "--out", mp4, "--groups", "7"], "visual groups are 0 to 5"),
    ] {
        let out = sinew(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: expected '{expect}' in: {err}");
    }
}
