//! What `sinew render` and `sinew view` draw: a run (directory or checkpoint), a trajectory npz
//! written by `sinew rollout`, or a model.

use std::path::{Path, PathBuf};

use sinew::model::Model;
use sinew::{Error, Result};

/// A drawable source, by what SOURCE names.
pub enum SourceKind {
    /// A run directory (it has config.toml) or a checkpoint inside one.
    Run(PathBuf),
    /// A trajectory npz (needs `--model`).
    Trajectory(PathBuf),
    /// A model file or short name.
    Model(String),
}

impl SourceKind {
    /// What `source` names; `--model` (`model_flag`) belongs to trajectories only.
    pub fn of(source: &str, model_flag: Option<&str>) -> Result<Self> {
        let p = Path::new(source);
        let kind = if p.join("config.toml").is_file()
            || (p.is_file()
                && p.parent().and_then(Path::parent).is_some_and(|r| r.join("config.toml").is_file()))
        {
            SourceKind::Run(p.to_path_buf())
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("npz")) {
            if model_flag.is_none() {
                return Err(Error::Config(format!(
                    "{source}: a trajectory needs --model MODEL (the model it was rolled out on)"
                )));
            }
            SourceKind::Trajectory(p.to_path_buf())
        } else {
            SourceKind::Model(source.to_string())
        };
        if model_flag.is_some() && !matches!(kind, SourceKind::Trajectory(_)) {
            return Err(Error::Config("--model names a trajectory's model; SOURCE is not an .npz".into()));
        }
        Ok(kind)
    }
}

/// A model file or short name, compiled.
pub fn load_model(name: &str) -> Result<Model> {
    sinew::mjcf::load_model(&sinew::models::resolve(name)?)
}

/// A trajectory of `m`: (nworld, qpos rows × nworld × nq, act rows × nworld × na if present),
/// its first `max_rows` rows at most.
pub fn load_trajectory(
    path: &Path,
    m: &Model,
    max_rows: Option<usize>,
) -> Result<(usize, Vec<f32>, Option<Vec<f32>>)> {
    let mut arrays = sinew::npio::load_npz(path, &["qpos", "act"])?.into_iter();
    let qpos = arrays
        .next()
        .flatten()
        .ok_or_else(|| Error::Config(format!("{}: no 'qpos' array", path.display())))?;
    let act = arrays.next().flatten();
    let [rows, nworld, nq] = qpos.shape[..] else {
        return Err(Error::Config(format!(
            "{}: qpos has shape {:?}, expected (steps, nworld, nq)",
            path.display(),
            qpos.shape
        )));
    };
    if nq != m.nq || nworld == 0 || rows == 0 {
        return Err(Error::Config(format!(
            "{}: qpos has shape {:?}; the model has nq {}",
            path.display(),
            qpos.shape,
            m.nq
        )));
    }
    let rows = max_rows.map_or(rows, |r| r.min(rows));
    let act = match act {
        Some(a) if a.shape.len() == 3 && a.shape[0] >= rows && a.shape[1] == nworld && a.shape[2] == m.na => {
            Some(a.data[..rows * nworld * m.na].to_vec())
        }
        Some(a) => {
            return Err(Error::Config(format!(
                "{}: act has shape {:?}, expected ({rows}, {nworld}, {})",
                path.display(),
                a.shape,
                m.na
            )));
        }
        None => None,
    };
    let mut q = qpos.data;
    q.truncate(rows * nworld * nq);
    Ok((nworld, q, act))
}
