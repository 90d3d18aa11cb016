//! Negative mining (KINESIS): run a policy on every motion of a set and keep the motions it fails
//! (early termination) as a new set, which the next expert trains on, starting from this one's
//! weights (`sinew train --init-from`).
//!
//! The mined set is one LocoMuJoCo-format npz (readable by the motion library and by LocoMuJoCo's
//! tools): `qpos` (N × nq float32, every joint of the model in its order, at the run's control
//! rate), `joint_names` (the model's joints), `frequency` (Hz), `split_points` (each motion's first
//! frame, then N), and `names` (one per motion, which the library uses as the motions' names).

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::motion_eval::{PerMotionOptions, evaluate_with_library};
use crate::env::motion_library::MotionLibrary;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::model::Model;
use crate::npio::{Array, NpzArray, save_npz_entries};

/// What `sinew mine` did (its JSON, also written beside the mined set as `<stem>.json`).
#[derive(Debug, Clone, Serialize)]
pub struct MineSummary {
    /// The checkpoint evaluated.
    pub checkpoint: PathBuf,
    /// The mined set written (absent when no motion failed).
    pub out: Option<PathBuf>,
    /// The termination rule (mean relative site deviation, m).
    pub site_deviation: f32,
    /// Motions evaluated.
    pub evaluated: usize,
    /// The motions that ended early, in the set's order.
    pub failed: Vec<String>,
    /// Their share.
    pub failure_rate: f64,
    /// Frames done over frames offered, over every motion (KINESIS' coverage).
    pub frame_coverage: f64,
}

/// Evaluate `run` on every motion (of the run's set, or `o.motions`) and write those it fails to
/// `out` (nothing when it fails none; a summary either way).
pub fn mine(ctx: &GpuContext, run: &Path, o: &PerMotionOptions, out: &Path) -> Result<MineSummary> {
    if out.extension().is_none_or(|e| e != "npz") {
        return Err(Error::Config(format!("mine --out {}: the mined set is an .npz file", out.display())));
    }
    // the folder first: a long evaluation must not end in an unwritable path
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let (report, lib, model) = evaluate_with_library(ctx, run, o)?;
    let failed: Vec<usize> =
        (0..report.motions.len()).filter(|&i| report.motions[i].early_termination).collect();
    let written = if failed.is_empty() {
        None
    } else {
        write_set(out, &model, &lib, &failed)?;
        Some(out.to_path_buf())
    };
    let summary = MineSummary {
        checkpoint: report.checkpoint.clone(),
        out: written,
        site_deviation: report.site_deviation,
        evaluated: report.motions.len(),
        failed: failed.iter().map(|&i| report.motions[i].name.clone()).collect(),
        failure_rate: failed.len() as f64 / report.motions.len().max(1) as f64,
        frame_coverage: report.aggregates["all"].frame_coverage,
    };
    let json =
        serde_json::to_string_pretty(&summary).map_err(|e| Error::Config(format!("mine summary: {e}")))?;
    crate::atomic_file::write_atomic(&out.with_extension("json"), json.as_bytes())?;
    Ok(summary)
}

/// Write motions `which` of `lib` as one LocoMuJoCo-format file.
fn write_set(out: &Path, m: &Model, lib: &MotionLibrary, which: &[usize]) -> Result<()> {
    let mut qpos = Vec::new();
    let mut splits = vec![0i64];
    let mut names = Vec::new();
    for &i in which {
        let e = &lib.motions[i];
        qpos.extend(lib.qpos[e.start * m.nq..(e.start + e.nframe) * m.nq].iter().map(|v| *v as f32));
        splits.push(splits.last().unwrap() + e.nframe as i64);
        names.push(e.name.clone());
    }
    let frames = *splits.last().unwrap() as usize;
    let qpos = Array { shape: vec![frames, m.nq], data: qpos };
    let frequency = Array { shape: vec![], data: vec![lib.fps as f32] };
    save_npz_entries(
        out,
        &[
            ("qpos", NpzArray::F32(&qpos)),
            ("joint_names", NpzArray::Strings(&m.jnt_name)),
            ("frequency", NpzArray::F32(&frequency)),
            ("split_points", NpzArray::I64(&splits)),
            ("names", NpzArray::Strings(&names)),
        ],
    )
}
