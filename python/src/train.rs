//! `sinew.train` and `sinew.evaluate`: the Rust trainer and evaluation, with the GIL released
//! while they run and an optional per-iteration callback (for live plots in notebooks).

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use sinew::rl::run::{IterationHook, RunOptions};
use sinew::rl::trainer::{CSV_COLUMNS, IterationMetrics};

use crate::{SinewError, context, err};

/// One iteration's metrics as a dict (the columns of metrics.csv).
fn metrics_dict<'py>(py: Python<'py>, m: &IterationMetrics) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in CSV_COLUMNS.iter().zip(m.row()) {
        d.set_item(*k, v)?;
    }
    Ok(d)
}

/// Train a policy with PPO on the GPU, as `sinew train` does: `config` a TOML file or a preset
/// name, `overrides` as on the command line (`"train.iterations=40"`), `run_dir` where the run
/// goes (default: a new folder under runs/), `resume` a run directory to continue. `callback`,
/// if given, is called with each iteration's metrics (a dict of metrics.csv's columns); an
/// exception it raises stops the run. Returns {"run_dir": str, "metrics": [dict, ...]}.
#[pyfunction]
#[pyo3(signature = (config=None, overrides=Vec::new(), run_dir=None, resume=None, callback=None, device=None, progress=false))]
#[allow(clippy::too_many_arguments)]
pub fn train<'py>(
    py: Python<'py>,
    config: Option<&str>,
    overrides: Vec<String>,
    run_dir: Option<PathBuf>,
    resume: Option<PathBuf>,
    callback: Option<Py<PyAny>>,
    device: Option<&str>,
    progress: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let config = match (config, &resume) {
        (Some(c), _) => Some(crate::presets::config_path(c)?),
        (None, Some(_)) => None,
        (None, None) => {
            return Err(SinewError::new_err(
                "train needs a config (a file or a preset name) or resume=RUN_DIR",
            ));
        }
    };
    let on_iteration = callback.map(|cb| {
        IterationHook(Arc::new(move |m: &IterationMetrics| {
            Python::attach(|py| {
                let d = metrics_dict(py, m)?;
                cb.call1(py, (d,)).map(|_| ())
            })
            .map_err(|e| sinew::Error::Config(format!("training callback: {e}")))
        }))
    });
    let opts =
        RunOptions { config, overrides, run_dir, resume, progress, on_iteration, ..Default::default() };
    let ctx = context(device)?;
    let summary = py.detach(|| sinew::rl::run::train(ctx, &opts)).map_err(err)?;
    let out = PyDict::new(py);
    out.set_item("run_dir", summary.run_dir.to_string_lossy().into_owned())?;
    let rows: Vec<Bound<'py, PyDict>> =
        summary.metrics.iter().map(|m| metrics_dict(py, m)).collect::<PyResult<_>>()?;
    out.set_item("metrics", rows)?;
    Ok(out)
}

/// Evaluate a checkpoint's deterministic policy (`run` a checkpoint or a run directory: its
/// latest) over `episodes` episodes in `nworld` worlds, as `sinew eval`. Returns its report as a
/// dict (checkpoint, episodes, mean_return, mean_episode_length, termination_rate, and
/// success_rate / tracking where the task has them).
#[pyfunction]
#[pyo3(signature = (run, episodes=100, nworld=64, device=None))]
pub fn evaluate<'py>(
    py: Python<'py>,
    run: PathBuf,
    episodes: usize,
    nworld: usize,
    device: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let ctx = context(device)?;
    let report = py.detach(|| sinew::rl::eval::evaluate(ctx, &run, episodes, nworld)).map_err(err)?;
    let json =
        serde_json::to_string(&report).map_err(|e| SinewError::new_err(format!("eval report: {e}")))?;
    py.import("json")?.call_method1("loads", (json,))
}
