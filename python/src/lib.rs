//! `sinew._sinew`: the Rust core of the `sinew` Python package (PyO3, stable ABI from Python
//! 3.9). The Python side (`python/sinew/`) wraps it in Gymnasium's vector-environment API.
//! Every call that works on the GPU releases the GIL while it does.

use std::sync::OnceLock;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

use sinew::gpu::GpuContext;

mod env;
mod model;
mod presets;
mod train;

create_exception!(_sinew, SinewError, PyException, "An error from sinew, carrying its message.");

/// A sinew error as the Python exception [`SinewError`].
pub(crate) fn err(e: sinew::Error) -> PyErr {
    SinewError::new_err(e.to_string())
}

/// The process's GPU context: made on first use on the adapter `device` names (an index or part
/// of a name, as `SINEW_ADAPTER`), or the default one; a later call asking for another adapter
/// is an error (one device per process, as Burn's).
pub(crate) fn context(device: Option<&str>) -> PyResult<&'static GpuContext> {
    static CONTEXT: OnceLock<(Option<String>, GpuContext)> = OnceLock::new();
    if let Some((chosen, ctx)) = CONTEXT.get() {
        return match device {
            Some(d) if chosen.as_deref() != Some(d) => Err(SinewError::new_err(format!(
                "device={d:?}: this process already uses the adapter {:?} (one device per process)",
                ctx.summary().name
            ))),
            _ => Ok(ctx),
        };
    }
    let ctx = match device {
        Some(d) => {
            // the adapter choice reads SINEW_ADAPTER; set it before the first context exists
            // (under the GIL, before any sinew thread runs)
            unsafe { std::env::set_var("SINEW_ADAPTER", d) };
            GpuContext::new()
        }
        None => GpuContext::new(),
    }
    .map_err(err)?;
    Ok(&CONTEXT.get_or_init(|| (device.map(str::to_string), ctx)).1)
}

/// The names of the adapters sinew can use, in selection order.
#[pyfunction]
fn adapters() -> Vec<String> {
    GpuContext::adapters().into_iter().map(|a| format!("{} ({})", a.name, a.backend)).collect()
}

#[pymodule]
fn _sinew(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("SinewError", m.py().get_type::<SinewError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(adapters, m)?)?;
    m.add_class::<model::Model>()?;
    m.add_function(wrap_pyfunction!(model::rollout, m)?)?;
    m.add_class::<env::CoreEnv>()?;
    m.add_function(wrap_pyfunction!(train::train, m)?)?;
    m.add_function(wrap_pyfunction!(train::evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(presets::preset_path, m)?)?;
    m.add_function(wrap_pyfunction!(presets::preset_names, m)?)?;
    Ok(())
}
