//! `sinew._sinew.CoreEnv`: a batch of a task's worlds on the GPU, stepped from NumPy actions,
//! with Gymnasium's same-step autoreset semantics kept on the GPU (each ended world's final
//! observation is written before it is reset) and one readback per step. `sinew.VectorEnv`
//! (python/sinew/vector.py) wraps it in Gymnasium's API.

use numpy::{PyArray1, PyArray2, PyArray3, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use sinew::env::readback::{StepOutputs, StepReadback};
use sinew::env::{DONE_TERMINATED, Env, seed_stream};
use sinew::render::{CameraMode, RenderOptions, Renderer};
use sinew::rl::config::TrainFile;

use crate::{SinewError, context, err};

/// `num_envs` worlds of a task config (a file, or a preset name: `sinew.presets()`), with
/// `overrides` as `sinew train` takes them (`env.max_steps=200`, ...).
#[pyclass(module = "sinew", unsendable)]
pub struct CoreEnv {
    env: Env,
    readback: StepReadback,
    out: StepOutputs,
    renderer: Option<Renderer>,
    seed: u32,
}

#[pymethods]
impl CoreEnv {
    #[new]
    #[pyo3(signature = (config, num_envs, overrides=Vec::new(), device=None))]
    fn new(
        py: Python<'_>,
        config: &str,
        num_envs: usize,
        overrides: Vec<String>,
        device: Option<&str>,
    ) -> PyResult<Self> {
        if num_envs == 0 {
            return Err(SinewError::new_err("num_envs must be at least 1"));
        }
        let path = crate::presets::config_path(config)?;
        let cfg = TrainFile::load(&path, &overrides).map_err(err)?;
        let ctx = context(device)?;
        let mut env = py.detach(|| Env::new(ctx, &cfg.env, num_envs)).map_err(err)?;
        env.keep_final_observations(ctx).map_err(err)?;
        let readback = StepReadback::new(ctx, &env);
        let seed = cfg.env.env.seed;
        Ok(CoreEnv { env, readback, out: StepOutputs::default(), renderer: None, seed })
    }

    /// Worlds.
    #[getter]
    fn num_envs(&self) -> usize {
        self.env.nworld
    }
    /// Observation size per world.
    #[getter]
    fn nobs(&self) -> usize {
        self.env.nobs
    }
    /// Action size per world (the model's actuators).
    #[getter]
    fn nu(&self) -> usize {
        self.env.model.nu
    }
    /// The task's name.
    #[getter]
    fn task(&self) -> &'static str {
        self.env.task()
    }
    /// Control step (s).
    #[getter]
    fn ctrl_dt(&self) -> f64 {
        self.env.ctrl_dt
    }
    /// Control steps after which an episode is truncated.
    #[getter]
    fn max_steps(&self) -> u32 {
        self.env.config.env.max_steps
    }
    /// The actions' meaning ("linear": [-1, 1] → excitation [0, 1], ...).
    #[getter]
    fn action_map(&self) -> String {
        format!("{:?}", self.env.config.env.action_map).to_lowercase()
    }

    /// Reset every world (reseeding each world's stream from `seed` when given); returns the
    /// observations, float32 (num_envs, nobs).
    #[pyo3(signature = (seed=None))]
    fn reset<'py>(&mut self, py: Python<'py>, seed: Option<u32>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let ctx = context(None)?;
        if let Some(s) = seed {
            self.seed = s;
            let mut worlds = self.env.worlds(ctx).map_err(err)?;
            for (w, world) in worlds.iter_mut().enumerate() {
                world.rng = seed_stream(s, w as u32);
            }
            ctx.queue.write_buffer(&self.env.world, 0, bytemuck::cast_slice(&worlds));
        }
        let (env, readback, out) = (&self.env, &self.readback, &mut self.out);
        py.detach(|| {
            env.reset(ctx);
            readback.read(ctx, env, out)
        })
        .map_err(err)?;
        Ok(PyArray1::from_slice(py, &self.out.obs).reshape([self.env.nworld, self.env.nobs])?)
    }

    /// One control step of every world from `actions`, float32 (num_envs, nu). Returns
    /// (obs, reward, terminated, truncated, final_obs, ended, episode_return, episode_length):
    /// obs after the reset of ended worlds, final_obs their observation before it (rows of
    /// worlds that did not end are meaningless), `ended` the mask, and each world's last
    /// finished episode's return and length.
    fn step<'py>(
        &mut self,
        py: Python<'py>,
        actions: PyReadonlyArray2<'py, f32>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let (n, nu, nobs) = (self.env.nworld, self.env.model.nu, self.env.nobs);
        if actions.shape() != [n, nu] {
            return Err(SinewError::new_err(format!(
                "actions: shape {:?}, expected ({n}, {nu})",
                actions.shape()
            )));
        }
        let a: Vec<f32> = actions.as_array().iter().copied().collect();
        if a.iter().any(|v| !v.is_finite()) {
            return Err(SinewError::new_err("actions: not finite"));
        }
        let ctx = context(None)?;
        let (env, readback, out) = (&self.env, &self.readback, &mut self.out);
        py.detach(|| -> sinew::Result<()> {
            env.write_actions(ctx, &a)?;
            env.step(ctx);
            readback.read(ctx, env, out)
        })
        .map_err(err)?;
        let o = &self.out;
        let terminated: Vec<bool> = o.done.iter().map(|d| *d & DONE_TERMINATED != 0).collect();
        let ended: Vec<bool> = o.done.iter().map(|d| *d != 0).collect();
        let truncated: Vec<bool> = terminated.iter().zip(&ended).map(|(t, e)| *e && !*t).collect();
        let ret: Vec<f32> = o.world.iter().map(|w| w.last_return).collect();
        let len: Vec<u32> = o.world.iter().map(|w| w.last_length).collect();
        let obs = PyArray1::from_slice(py, &o.obs).reshape([n, nobs])?;
        let final_obs = PyArray1::from_slice(py, &o.final_obs).reshape([n, nobs])?;
        PyTuple::new(
            py,
            [
                obs.into_any(),
                PyArray1::from_slice(py, &o.reward).into_any(),
                PyArray1::from_vec(py, terminated).into_any(),
                PyArray1::from_vec(py, truncated).into_any(),
                final_obs.into_any(),
                PyArray1::from_vec(py, ended).into_any(),
                PyArray1::from_vec(py, ret).into_any(),
                PyArray1::from_vec(py, len).into_any(),
            ],
        )
    }

    /// RGB frames (uint8, (height, width, 3) each) of `worlds` as they are now, drawn on the GPU
    /// that simulates them (a camera following the task's pelvis).
    #[pyo3(signature = (worlds=vec![0], width=640, height=480))]
    fn render<'py>(
        &mut self,
        py: Python<'py>,
        worlds: Vec<usize>,
        width: u32,
        height: u32,
    ) -> PyResult<Vec<Bound<'py, PyArray3<u8>>>> {
        let ctx = context(None)?;
        if let Some(w) = worlds.iter().find(|w| **w >= self.env.nworld) {
            return Err(SinewError::new_err(format!("render: world {w} of {}", self.env.nworld)));
        }
        let fits = self
            .renderer
            .as_ref()
            .is_some_and(|r| r.options().width == width && r.options().height == height);
        if !fits {
            let mut opts = RenderOptions { width, height, ..Default::default() };
            opts.camera.mode = CameraMode::Track { body: self.env.pelvis };
            self.renderer = Some(Renderer::new(ctx, &self.env.model, &self.env.sim, opts).map_err(err)?);
        }
        let r = self.renderer.as_mut().expect("made above");
        let mut frames = Vec::with_capacity(worlds.len());
        for w in worlds {
            r.set_worlds(ctx, &[w]).map_err(err)?;
            let img = py.detach(|| r.frame(ctx)).map_err(err)?;
            frames.push(PyArray1::from_vec(py, img.rgb).reshape([height as usize, width as usize, 3])?);
        }
        Ok(frames)
    }
}
