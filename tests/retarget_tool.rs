//! tools/retarget on a DeepMimic clip (tests/fixtures/deepmimic): it writes a motion both models
//! validate (ranges, unit quaternions), with the clip's frames and rate, and a quality report
//! whose figures hold what the library's README promises for walking (no penetration, no
//! range excess, landmarks within 5 cm). Needs the fetched models and their venv's Python
//! (mujoco, numpy) or `$SINEW_PYTHON`.

use std::path::{Path, PathBuf};
use std::process::Command;

use sinew::env::motion_library::MotionSet;

fn python() -> PathBuf {
    std::env::var_os("SINEW_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| sinew::models::models_dir().join(".venv/bin/python"))
}

#[test]
fn a_walk_retargets_onto_both_models() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = python();
    assert!(python.is_file(), "{} not found: run tools/fetch-models or set SINEW_PYTHON", python.display());
    let clip = root.join("tests/fixtures/deepmimic/humanoid3d_walk.txt");
    for model in ["myolegs_walk", "mm_fullbody"] {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("retarget-{model}"));
        let _ = std::fs::remove_dir_all(&out);
        let report = out.join("REPORT.md");
        let run = Command::new(&python)
            .arg(root.join("tools/retarget/retarget.py"))
            .args([
                "--clips".as_ref(),
                clip.as_os_str(),
                "--model".as_ref(),
                model.as_ref(),
                "--out".as_ref(),
            ])
            .arg(&out)
            .arg("--report")
            .arg(&report)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{model}: retarget.py failed:\n{}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        let m = sinew::mjcf::load_model(&sinew::models::resolve(model).unwrap()).unwrap();
        let set = MotionSet::read(&[out.join("walk.npz")], &m).unwrap();
        assert!(set.warnings.is_empty(), "{model}: {:?}", set.warnings);
        let walk = &set.motions[0];
        // the clip: 39 frames at 30 Hz
        assert_eq!((walk.name.as_str(), walk.motion.nframe), ("walk", 39), "{model}");
        assert!((walk.motion.fps - 30.0).abs() < 0.01, "{model}: {} fps", walk.motion.fps);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("REPORT.json")).unwrap()).unwrap();
        let r = &json["motions"]["walk"];
        assert_eq!(r["ground_penetration_m"].as_f64().unwrap(), 0.0, "{model}: {r}");
        assert!(r["joint_range_excess"].as_f64().unwrap() < 1e-3, "{model}: {r}");
        assert!(r["landmark_error_m"].as_f64().unwrap() < 0.05, "{model}: {r}");
        assert!(report.is_file());
    }
}
