//! Finding models: a path to an MJCF file, or a short name fetched by `tools/fetch-models`.
//!
//! `tools/fetch-models` installs the pinned PyPI packages (myo-sim, musclemimic-models) and writes
//! a manifest `models.json` (short name → XML path) into the models folder: `$SINEW_MODELS` if set,
//! else `<user cache dir>/sinew/models`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The short names `tools/fetch-models` provides, with what each is.
pub const SHORT_NAMES: [(&str, &str); 8] = [
    ("myolegs", "MyoSuite legs on a passive torso, 80 muscles"),
    ("myolegs_abdomen", "MyoSuite legs with an abdomen scaffold, 86 muscles"),
    ("myolegs_back", "KINESIS legs + back: MyoSuite torso and legs, 290 muscles"),
    ("myotorso", "MyoSuite torso, 210 muscles"),
    ("myoarms", "MyoSuite arms on a passive torso, 126 muscles"),
    ("myofullbody", "MyoSuite full body composed by myo-sim, 416 muscles"),
    ("mm_fullbody", "MuscleMimic MyoFullBody, 416 muscles"),
    ("mm_bimanual", "MuscleMimic bimanual arms, 126 muscles"),
];

/// The folder `tools/fetch-models` writes to: `$SINEW_MODELS` if set, else
/// `<user cache dir>/sinew/models`.
pub fn models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SINEW_MODELS") {
        return PathBuf::from(dir);
    }
    dirs::cache_dir().unwrap_or_else(|| PathBuf::from(".cache")).join("sinew").join("models")
}

/// The folders searched for a short name, in order: `$SINEW_MODELS` when set, then the models of
/// the bundle this binary runs from (`tools/bundle`), then — only when `$SINEW_MODELS` is not
/// set — the user cache folder `tools/fetch-models` writes to by default.
pub fn search_dirs() -> Vec<PathBuf> {
    let explicit = std::env::var_os("SINEW_MODELS").map(PathBuf::from);
    let mut dirs: Vec<PathBuf> = explicit.clone().into_iter().collect();
    if let Some(root) = crate::install::bundle_root() {
        dirs.push(root.join("models"));
    }
    if explicit.is_none() {
        dirs.push(models_dir());
    }
    dirs
}

/// Resolve `name_or_path` to an MJCF file: an existing path is taken as is; otherwise a short
/// name is looked up in the manifests (`models.json`: short name → path, relative paths from the
/// manifest's folder) of [`search_dirs`], first match first.
pub fn resolve(name_or_path: &str) -> Result<PathBuf> {
    let p = Path::new(name_or_path);
    if p.is_file() {
        return Ok(p.to_path_buf());
    }
    let looks_like_path = name_or_path.contains('/') || name_or_path.ends_with(".xml");
    if looks_like_path {
        return Err(Error::ModelNotFound(format!("model file '{name_or_path}' not found")));
    }
    let known: Vec<&str> = SHORT_NAMES.iter().map(|(n, _)| *n).collect();
    let mut listed = Vec::new();
    let dirs = search_dirs();
    for dir in &dirs {
        let manifest = dir.join("models.json");
        if !manifest.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&manifest).map_err(|e| Error::io(&manifest, e))?;
        let map: BTreeMap<String, String> = serde_json::from_str(&text).map_err(|e| {
            Error::Model(format!("{}: bad manifest: {e}; re-run `tools/fetch-models`", manifest.display()))
        })?;
        match map.get(name_or_path) {
            Some(path) => {
                let path = dir.join(path);
                if path.is_file() {
                    return Ok(path);
                }
                return Err(Error::ModelNotFound(format!(
                    "model '{name_or_path}' is listed in {} but {} is missing — re-run `tools/fetch-models`",
                    manifest.display(),
                    path.display()
                )));
            }
            None => listed.extend(map.into_keys()),
        }
    }
    let looked = dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ");
    if listed.is_empty() {
        return Err(Error::ModelNotFound(format!(
            "model '{name_or_path}' not found: no fetched models in {looked} — run `tools/fetch-models` \
             (or set SINEW_MODELS to where they are); short names: {}",
            known.join(", ")
        )));
    }
    listed.sort();
    listed.dedup();
    Err(Error::ModelNotFound(format!(
        "unknown model '{name_or_path}': not a file and not a fetched short name ({}; looked in {looked})",
        listed.join(", ")
    )))
}
