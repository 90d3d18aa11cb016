//! What a biomechanical report reads: per sample of one or more episodes, the configuration and,
//! where the source simulated them, the muscles' excitation, activation, length and velocity and
//! every body's contact wrench. Filled from a `sinew rollout --contact-forces` npz, from a
//! reference motion (kinematics only), or by playing a run's policy (`crate::rl::biomech_play`).

use std::path::Path;

use crate::error::{Error, Result};
use crate::model::Model;
use crate::npio;

/// One episode (one world's samples from its start until it ended).
#[derive(Debug, Clone, Default)]
pub struct Episode {
    /// (T × nq) configuration.
    pub qpos: Vec<f64>,
    /// (T × nu) controls (muscle excitations); empty without muscle data.
    pub ctrl: Vec<f64>,
    /// (T × na) activations; empty without muscle data.
    pub act: Vec<f64>,
    /// (T × nu) actuator lengths (m); empty without muscle data.
    pub actuator_length: Vec<f64>,
    /// (T × nu) actuator velocities (m/s); empty without muscle data.
    pub actuator_velocity: Vec<f64>,
    /// (T × nbody × 6) contact wrench on each body (torque, force), as `sinew rollout
    /// --contact-forces` writes it; empty without contact forces.
    pub cfrc_ext: Vec<f64>,
}

impl Episode {
    /// Samples in the episode.
    pub fn len(&self, m: &Model) -> usize {
        self.qpos.len() / m.nq.max(1)
    }

    /// Whether it holds no samples.
    pub fn is_empty(&self) -> bool {
        self.qpos.is_empty()
    }

    /// Whether it has muscle states: excitations, activations, lengths and velocities.
    pub fn has_muscles(&self) -> bool {
        !self.ctrl.is_empty()
            && !self.act.is_empty()
            && !self.actuator_length.is_empty()
            && !self.actuator_velocity.is_empty()
    }

    /// Whether it has contact wrenches.
    pub fn has_forces(&self) -> bool {
        !self.cfrc_ext.is_empty()
    }
}

/// Episodes sampled every `dt` seconds, and where they came from.
#[derive(Debug, Clone)]
pub struct Recording {
    /// Seconds between samples.
    pub dt: f64,
    /// The episodes.
    pub episodes: Vec<Episode>,
    /// What was recorded, in words (for the report).
    pub source: String,
}

impl Recording {
    /// A trajectory npz written by `sinew rollout` of `m` (each world one episode, sampled every
    /// physics step). Muscle data and contact wrenches are read where the file has them.
    pub fn from_rollout(path: &Path, m: &Model) -> Result<Recording> {
        let keys = ["qpos", "ctrl", "act", "actuator_length", "actuator_velocity", "cfrc_ext"];
        let arrays = npio::load_npz(path, &keys)?;
        let bad = |msg: String| Error::Config(format!("{}: {msg}", path.display()));
        let qpos = arrays[0].as_ref().ok_or_else(|| bad("no 'qpos' array".into()))?;
        let [steps, nworld, nq] = qpos.shape[..] else {
            return Err(bad(format!("qpos has shape {:?}, expected (steps, nworld, nq)", qpos.shape)));
        };
        if nq != m.nq || steps == 0 || nworld == 0 {
            return Err(bad(format!("qpos has shape {:?}; the model has nq {}", qpos.shape, m.nq)));
        }
        // each present array: (steps, nworld, n) with the model's n
        let per_world = |k: usize, n: usize| -> Result<Option<Vec<Vec<f64>>>> {
            let Some(a) = &arrays[k] else { return Ok(None) };
            let inner: usize = a.shape.iter().skip(2).product();
            if a.shape.len() < 3 || a.shape[0] != steps || a.shape[1] != nworld || inner != n {
                return Err(bad(format!(
                    "{} has shape {:?}, expected ({steps}, {nworld}, {}…) for this model",
                    keys[k], a.shape, n
                )));
            }
            Ok(Some(
                (0..nworld)
                    .map(|w| {
                        (0..steps)
                            .flat_map(|t| a.data[(t * nworld + w) * n..(t * nworld + w + 1) * n].iter())
                            .map(|v| *v as f64)
                            .collect()
                    })
                    .collect(),
            ))
        };
        let sizes = [m.nq, m.nu, m.na, m.nu, m.nu, 6 * m.nbody];
        let mut cols: Vec<Option<Vec<Vec<f64>>>> = Vec::new();
        for (k, n) in sizes.iter().enumerate() {
            cols.push(per_world(k, *n)?);
        }
        let mut take =
            |k: usize, w: usize| cols[k].as_mut().map(|c| std::mem::take(&mut c[w])).unwrap_or_default();
        let episodes = (0..nworld)
            .map(|w| Episode {
                qpos: take(0, w),
                ctrl: take(1, w),
                act: take(2, w),
                actuator_length: take(3, w),
                actuator_velocity: take(4, w),
                cfrc_ext: take(5, w),
            })
            .collect();
        Ok(Recording { dt: m.opt.timestep, episodes, source: format!("rollout {}", path.display()) })
    }

    /// A reference motion npz (qpos (T × nq) and fps, as the motion library reads them): one
    /// episode of kinematics only.
    pub fn from_motion(path: &Path, m: &Model) -> Result<Recording> {
        let arrays = npio::load_npz(path, &["qpos", "fps"])?;
        let bad = |msg: String| Error::Config(format!("{}: {msg}", path.display()));
        let qpos = arrays[0].as_ref().ok_or_else(|| bad("no 'qpos' array".into()))?;
        let fps =
            arrays[1].as_ref().and_then(|a| a.data.first().copied()).ok_or_else(|| bad("no 'fps'".into()))?;
        if qpos.shape.len() != 2 || qpos.shape[1] != m.nq || qpos.shape[0] == 0 {
            return Err(bad(format!("qpos has shape {:?}, expected (frames, {})", qpos.shape, m.nq)));
        }
        if !(fps > 0.0) {
            return Err(bad(format!("fps is {fps}")));
        }
        let episode = Episode { qpos: qpos.data.iter().map(|v| *v as f64).collect(), ..Episode::default() };
        Ok(Recording {
            dt: 1.0 / fps as f64,
            episodes: vec![episode],
            source: format!("reference motion {} (kinematics only)", path.display()),
        })
    }
}
