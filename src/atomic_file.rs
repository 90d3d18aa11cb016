//! Writing files (trajectories, checkpoints, plots, exported policies, bench records) so that a
//! crash or a full disk never leaves a half-written one nor destroys the previous one: a temporary
//! file beside the target, synced, then renamed over it.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The temporary file beside `path`: `.<name>.<pid>.tmp`.
fn temp_beside(path: &Path) -> Result<PathBuf> {
    let name =
        path.file_name().ok_or_else(|| Error::Config(format!("{}: not a file path", path.display())))?;
    Ok(path.with_file_name(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id())))
}

/// Write `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |tmp| {
        let mut f = std::fs::File::create(tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })
}

/// Let `write` fill a temporary file beside `path`, sync it, then rename it over `path`. On any
/// failure the temporary file is removed and `path` is untouched.
pub fn write_atomic_with(path: &Path, write: impl FnOnce(&Path) -> std::io::Result<()>) -> Result<()> {
    let tmp = temp_beside(path)?;
    let done = write(&tmp)
        .and_then(|()| std::fs::OpenOptions::new().read(true).open(&tmp)?.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = done {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// Fail early, before long work, if `path` could not be written: its folder must exist and take
/// a new file (a probe temporary file is made and removed).
pub fn check_writable(path: &Path) -> Result<()> {
    let tmp = temp_beside(path)?;
    std::fs::File::create(&tmp).map_err(|e| Error::io(path, e))?;
    let _ = std::fs::remove_file(&tmp);
    Ok(())
}
