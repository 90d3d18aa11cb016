//! Peers measured in the same run on the same machine, through the Python scripts in `tools/`:
//! MuJoCo C (`mujoco_bench.py`: one thread, or one process per core), MJX (`mjx_bench.py`, JAX
//! on its default device) and MuJoCo Warp (`mjwarp_bench.py`). A peer whose Python packages are
//! not importable is reported absent with the reason, never estimated.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sinew::solver_budget::SolverBudget;

/// One peer's outcome.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PeerRun {
    /// `measured`, `absent` (not installed / cannot load the model) or `failed` (it ran and broke).
    pub status: String,
    /// Why it is absent or failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The script's JSON output (versions, device, figures) when measured.
    #[serde(skip_serializing_if = "Value::is_null")]
    pub output: Value,
}

impl PeerRun {
    fn absent(reason: String) -> Self {
        PeerRun { status: "absent".into(), reason: Some(reason), output: Value::Null }
    }

    /// Steps/s of a single measurement (MuJoCo C).
    pub fn steps_per_s(&self) -> Option<f64> {
        (self.status == "measured").then(|| self.output["steps_per_s"].as_f64()).flatten()
    }

    /// Steps/s at `nworld` of a sweep (MJX, MuJoCo Warp).
    pub fn steps_per_s_at(&self, nworld: usize) -> Option<f64> {
        if self.status != "measured" {
            return None;
        }
        self.output["rows"].as_array()?.iter().find(|r| r["nworld"].as_u64() == Some(nworld as u64))?["steps_per_s"]
            .as_f64()
    }
}

/// The Python interpreters tried, in order: `$SINEW_PYTHON`, the venv of `tools/fetch-models`,
/// then `python3` on the PATH.
pub fn pythons() -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(p) = std::env::var_os("SINEW_PYTHON") {
        v.push(PathBuf::from(p));
    }
    let venv = sinew::models::models_dir().join(".venv/bin/python");
    if venv.is_file() {
        v.push(venv);
    }
    v.push(PathBuf::from("python3"));
    v
}

/// Run `tools/<script>` with `args` under each interpreter of [`pythons`] until one measures;
/// `limit` bounds each attempt's wall time.
pub fn run_script(script: &str, args: &[String], limit: Duration) -> PeerRun {
    let Some(path) = sinew::install::data_file(&format!("tools/{script}")) else {
        return PeerRun::absent(format!("tools/{script} not found beside this binary or in its source tree"));
    };
    let mut reasons = Vec::new();
    let mut failed = false;
    for python in pythons() {
        match run_once(&python, &path, args, limit) {
            Ok(v) if v["status"] == "measured" => {
                // a sweep whose every world count broke measured nothing
                let rows = v["rows"].as_array();
                if let Some(err) = rows
                    .filter(|r| r.iter().all(|r| r["steps_per_s"].is_null()))
                    .map(|r| r.iter().filter_map(|r| r["error"].as_str()).collect::<Vec<_>>().join("; "))
                {
                    return PeerRun { status: "failed".into(), reason: Some(err), output: v };
                }
                return PeerRun { status: "measured".into(), reason: None, output: v };
            }
            Ok(v) => {
                reasons.push(format!("{}: {}", python.display(), v["reason"].as_str().unwrap_or("absent")))
            }
            Err(e) => {
                failed |= e.ran;
                reasons.push(format!("{}: {}", python.display(), e.reason));
            }
        }
    }
    PeerRun {
        status: if failed { "failed" } else { "absent" }.into(),
        reason: Some(reasons.join("; ")),
        output: Value::Null,
    }
}

/// Why an attempt gave no JSON: `ran` when the interpreter started and the script broke (timed
/// out, exited non-zero, printed no JSON) — a failed peer — rather than no interpreter at all.
struct AttemptError {
    ran: bool,
    reason: String,
}

fn run_once(python: &Path, script: &Path, args: &[String], limit: Duration) -> Result<Value, AttemptError> {
    let broke = |reason: String| AttemptError { ran: true, reason };
    let mut child = Command::new(python)
        .arg(script)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| AttemptError { ran: false, reason: format!("cannot start: {e}") })?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(broke(format!("timed out after {} s", limit.as_secs())));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(broke(format!("wait failed: {e}"))),
        }
    }
    let out = child.wait_with_output().map_err(|e| broke(format!("reading its output: {e}")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(broke(format!("exited with {}: {}", out.status, err.lines().last().unwrap_or(""))));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().rev().find(|l| l.trim_start().starts_with('{')).unwrap_or("");
    serde_json::from_str(last).map_err(|e| broke(format!("printed no JSON ({e})")))
}

/// What a peer sets on its model so that it simulates what sinew does.
#[derive(Debug, Clone, Default)]
pub struct PeerPhysics {
    /// MuJoCo disable flags by name (e.g. `contact`).
    pub disabled: Vec<String>,
    /// The solver's budget, where it overrides the model's.
    pub option: SolverBudget,
}

impl PeerPhysics {
    /// The scripts' `--disable` and `--option` arguments.
    fn args(&self) -> [String; 4] {
        ["--disable".into(), self.disabled.join(","), "--option".into(), self.option.to_arg()]
    }
}

/// MuJoCo C on `processes` processes (`1`, or `all`: one per core) for `seconds`.
pub fn mujoco(model: &Path, physics: &PeerPhysics, seconds: f64, processes: &str) -> PeerRun {
    let mut args = vec![
        model.display().to_string(),
        "--seconds".into(),
        format!("{seconds}"),
        "--processes".into(),
        processes.into(),
    ];
    args.extend(physics.args());
    run_script("mujoco_bench.py", &args, Duration::from_secs_f64(120.0 + 3.0 * seconds))
}

/// A batched GPU peer (`mjx_bench.py` or `mjwarp_bench.py`) over `nworld`.
pub fn sweep(script: &str, model: &Path, physics: &PeerPhysics, nworld: &[usize], seconds: f64) -> PeerRun {
    let counts = nworld.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(",");
    let mut args = vec![
        model.display().to_string(),
        "--nworld".into(),
        counts,
        "--seconds".into(),
        format!("{seconds}"),
    ];
    args.extend(physics.args());
    // compilation dominates: allow a minute per count beyond the timed seconds
    let limit = 120.0 + nworld.len() as f64 * (60.0 + 2.0 * seconds);
    run_script(script, &args, Duration::from_secs_f64(limit))
}
