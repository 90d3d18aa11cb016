//! `sinew.Model` (a compiled model and its counts) and `sinew.rollout` (open-loop rollouts on the
//! GPU, the arrays `sinew rollout` writes, as NumPy).

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArrayDyn, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use sinew::model::disable;
use sinew::sim::rollout::{ControlLayout, InitState};

use crate::{SinewError, context, err};

/// A MuJoCo MJCF model compiled by sinew: `Model("myolegs")` (a fetched model's short name) or
/// `Model("path/to/model.xml")`.
#[pyclass(module = "sinew", frozen)]
pub struct Model {
    pub(crate) m: sinew::Model,
    path: String,
}

#[pymethods]
impl Model {
    #[new]
    fn new(path_or_name: &str) -> PyResult<Self> {
        let path = sinew::models::resolve(path_or_name).map_err(err)?;
        let m = sinew::mjcf::load_model(&path).map_err(err)?;
        Ok(Model { m, path: path.to_string_lossy().into_owned() })
    }

    /// The counts `sinew info` prints (MuJoCo's names) and the total mass, as a dict.
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let m = &self.m;
        let d = PyDict::new(py);
        d.set_item("name", &m.name)?;
        d.set_item("path", &self.path)?;
        for (k, v) in [
            ("nq", m.nq),
            ("nv", m.nv),
            ("nu", m.nu),
            ("na", m.na),
            ("nbody", m.nbody),
            ("njnt", m.njnt),
            ("ngeom", m.ngeom),
            ("nsite", m.nsite),
            ("ntendon", m.ntendon),
            ("nwrap", m.nwrap),
            ("neq", m.neq),
            ("npair", m.npair),
            ("nmesh", m.nmesh),
            ("nkey", m.nkey),
        ] {
            d.set_item(k, v)?;
        }
        d.set_item("mass", m.total_mass())?;
        d.set_item("timestep", m.opt.timestep)?;
        Ok(d)
    }

    /// Generalised positions.
    #[getter]
    fn nq(&self) -> usize {
        self.m.nq
    }
    /// Degrees of freedom.
    #[getter]
    fn nv(&self) -> usize {
        self.m.nv
    }
    /// Actuators.
    #[getter]
    fn nu(&self) -> usize {
        self.m.nu
    }
    /// Activation states.
    #[getter]
    fn na(&self) -> usize {
        self.m.na
    }
    /// The model's name.
    #[getter]
    fn name(&self) -> &str {
        &self.m.name
    }
    /// Physics step (s).
    #[getter]
    fn timestep(&self) -> f64 {
        self.m.opt.timestep
    }

    fn __repr__(&self) -> String {
        format!("sinew.Model({:?}: nq {} nv {} nu {})", self.path, self.m.nq, self.m.nv, self.m.nu)
    }
}

/// A model argument: a `Model`, or a name or path to compile.
fn model_of(model: &Bound<'_, PyAny>) -> PyResult<sinew::Model> {
    if let Ok(m) = model.cast::<Model>() {
        return Ok(m.get().m.clone());
    }
    let name: String =
        model.extract().map_err(|_| SinewError::new_err("model: a sinew.Model, a short name or a path"))?;
    Ok(Model::new(&name)?.m)
}

/// A float32 array's (shape, values), C order.
fn f32_array(a: &PyReadonlyArrayDyn<'_, f32>, what: &str) -> PyResult<(Vec<usize>, Vec<f32>)> {
    let data = a.as_array().iter().copied().collect();
    if a.shape().is_empty() {
        return Err(SinewError::new_err(format!("{what}: a scalar, expected an array")));
    }
    Ok((a.shape().to_vec(), data))
}

/// Run an open-loop rollout on the GPU: `ctrl` float32 (steps, nu) for every world or
/// (nworld, steps, nu); `init` a dict of `qpos`, `qvel`, `act` arrays shaped (n) or (nworld, n)
/// (default: qpos0 at rest); `disable` MuJoCo's flag names (e.g. ("contact",)). Returns the
/// arrays `sinew rollout` writes — qpos, qvel, act, actuator_force, ten_length, qacc,
/// actuator_length, actuator_velocity as float32 (steps, nworld, n), row t what MuJoCo's mjData
/// holds after its t-th step; with `contact_forces`, cfrc_ext (steps, nworld, nbody, 6), each
/// body's contact wrench (torque, force) as `sinew rollout --contact-forces` — and `nonfinite`
/// (nworld,) bool.
#[pyfunction]
#[pyo3(signature = (model, ctrl, nworld=None, init=None, disable=Vec::new(), device=None, contact_forces=false))]
pub fn rollout<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyAny>,
    ctrl: PyReadonlyArrayDyn<'py, f32>,
    nworld: Option<usize>,
    init: Option<&Bound<'py, PyDict>>,
    disable: Vec<String>,
    device: Option<&str>,
    contact_forces: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let mut m = model_of(model)?;
    m.opt.disableflags |=
        disable::bits(&disable).map_err(|e| SinewError::new_err(format!("disable: {e}")))?;
    let (shape, data) = f32_array(&ctrl, "ctrl")?;
    let layout =
        ControlLayout::of(&m, &shape, nworld, None).map_err(|e| SinewError::new_err(format!("ctrl: {e}")))?;
    let ctrl = layout.expand(&m, &data);
    let mut state = InitState::rest(&m, layout.nworld);
    if let Some(init) = init {
        for (k, v) in init.iter() {
            let name: String = k.extract()?;
            let a: PyReadonlyArrayDyn<'_, f32> =
                v.extract().map_err(|_| SinewError::new_err(format!("init['{name}']: a float32 array")))?;
            let (shape, data) = f32_array(&a, &format!("init['{name}']"))?;
            state
                .set(&m, layout.nworld, &name, &shape, &data)
                .map_err(|e| SinewError::new_err(format!("init: {e}")))?;
        }
    }
    let ctx = context(device)?;
    let (nw, steps) = (layout.nworld, layout.steps);
    let record = sinew::sim::rollout::Record { contact_forces };
    let t = py
        .detach(|| sinew::sim::rollout::rollout_recording(ctx, &m, nw, steps, &state, &ctrl, record))
        .map_err(err)?;
    let out = PyDict::new(py);
    for (name, data, n) in [
        ("qpos", t.qpos, m.nq),
        ("qvel", t.qvel, m.nv),
        ("act", t.act, m.na),
        ("actuator_force", t.actuator_force, m.nu),
        ("ten_length", t.ten_length, m.ntendon),
        ("qacc", t.qacc, m.nv),
        ("actuator_length", t.actuator_length, m.nu),
        ("actuator_velocity", t.actuator_velocity, m.nu),
    ] {
        out.set_item(name, PyArray1::from_vec(py, data).reshape([steps, nw, n])?)?;
    }
    if contact_forces {
        out.set_item("cfrc_ext", PyArray1::from_vec(py, t.cfrc_ext).reshape([steps, nw, m.nbody, 6])?)?;
    }
    out.set_item("nonfinite", PyArray1::from_vec(py, t.nonfinite))?;
    Ok(out)
}
