//! The task presets a wheel carries without a checkout: the repository's configs and the small
//! assets they name (sinew's elbow model, the myolegs gait), embedded at build time and written
//! once to `~/.cache/sinew/python-<version>/` so their relative paths resolve as in the
//! repository. Models named by short name (myolegs_walk, ...) come from `tools/fetch-models`.

use std::path::PathBuf;

use pyo3::prelude::*;

use crate::SinewError;

/// (preset name, path under the cache folder, contents).
const FILES: &[(&str, &str, &[u8])] = &[
    ("quickstart", "configs/quickstart.toml", include_bytes!("../../configs/quickstart.toml")),
    (
        "myolegs_imitation",
        "configs/myolegs_imitation.toml",
        include_bytes!("../../configs/myolegs_imitation.toml"),
    ),
    (
        "myolegs_locomotion",
        "configs/myolegs_locomotion.toml",
        include_bytes!("../../configs/myolegs_locomotion.toml"),
    ),
    (
        "myolegs_reaching",
        "configs/myolegs_reaching.toml",
        include_bytes!("../../configs/myolegs_reaching.toml"),
    ),
    ("", "assets/elbow_pose.xml", include_bytes!("../../assets/elbow_pose.xml")),
    ("", "assets/motions/myolegs_walk.npz", include_bytes!("../../assets/motions/myolegs_walk.npz")),
];

/// The folder the presets are written to.
fn root() -> PyResult<PathBuf> {
    let base = dirs::cache_dir()
        .ok_or_else(|| SinewError::new_err("no cache folder (set HOME or XDG_CACHE_HOME)"))?;
    Ok(base.join("sinew").join(format!("python-{}", env!("CARGO_PKG_VERSION"))))
}

/// Write every embedded file that is missing or differs (atomically: a half-written file is
/// never read).
fn materialise() -> PyResult<PathBuf> {
    let root = root()?;
    for (_, rel, bytes) in FILES {
        let path = root.join(rel);
        if std::fs::read(&path).is_ok_and(|b| b == *bytes) {
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| SinewError::new_err(format!("{}: {e}", dir.display())))?;
        }
        sinew::atomic_file::write_atomic(&path, bytes).map_err(crate::err)?;
    }
    Ok(root)
}

/// The names of the embedded task presets.
#[pyfunction]
pub fn preset_names() -> Vec<&'static str> {
    FILES.iter().map(|(n, _, _)| *n).filter(|n| !n.is_empty()).collect()
}

/// The config file of preset `name` (written to the cache folder on first use).
#[pyfunction]
pub fn preset_path(name: &str) -> PyResult<String> {
    let Some((_, rel, _)) = FILES.iter().find(|(n, _, _)| !n.is_empty() && *n == name) else {
        return Err(SinewError::new_err(format!(
            "no preset '{name}'; presets: {}",
            preset_names().join(", ")
        )));
    };
    Ok(materialise()?.join(rel).to_string_lossy().into_owned())
}

/// A config argument: an existing file as given, else a preset's file.
pub fn config_path(config: &str) -> PyResult<PathBuf> {
    let p = PathBuf::from(config);
    if p.is_file() {
        return Ok(p);
    }
    if preset_names().contains(&config) {
        return Ok(PathBuf::from(preset_path(config)?));
    }
    Err(SinewError::new_err(format!(
        "config '{config}': no such file and no preset of that name (presets: {})",
        preset_names().join(", ")
    )))
}
