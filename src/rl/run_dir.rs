//! A run directory's bookkeeping: one process at a time ([`RunLock`]), the checkpoint a resume
//! continues from (the newest that loads), and logs cut back to it so a resumed run writes no
//! iteration twice.

use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::checkpoint::Checkpoint;
use crate::error::{Error, Result};

/// The lock file in a run directory.
const LOCK_FILE: &str = "sinew.lock";

/// An exclusive lock on a run directory, held while a process trains into it and released when
/// dropped (or when the process dies: it is an OS file lock, so a crash leaves no stale lock).
pub struct RunLock {
    _file: std::fs::File,
}

impl RunLock {
    /// Create `dir` if needed and lock it; an error names the process that holds it. Under the
    /// lock, temporary files a killed process left behind (`.<name>.<pid>.tmp`) are removed.
    pub fn acquire(dir: &Path) -> Result<RunLock> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let path = dir.join(LOCK_FILE);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                return Err(Error::Config(format!(
                    "{} is in use by another sinew process (pid {}); wait for it or pick another --run-dir",
                    dir.display(),
                    holder.trim()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
        let pid = std::process::id().to_string();
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(pid.as_bytes()))
            .map_err(|e| Error::io(&path, e))?;
        for folder in [dir.to_path_buf(), dir.join("checkpoints")] {
            remove_temporaries(&folder)?;
        }
        Ok(RunLock { _file: file })
    }
}

/// Remove `.*.tmp` files in `folder` (the atomic writer's temporaries; only a killed process
/// leaves them, and the caller holds the run lock).
fn remove_temporaries(folder: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.ends_with(".tmp") {
            std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
        }
    }
    Ok(())
}

/// The checkpoint files of run directory `dir`, newest (highest iteration) first.
pub fn checkpoints(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir.join("checkpoints"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ckpt"))
                .collect()
        })
        .unwrap_or_default();
    found.sort_unstable_by(|a, b| b.cmp(a));
    found
}

/// The newest checkpoint of `dir` that loads, or None when it holds none. A newer one that does
/// not load (corrupt, truncated) is reported on stderr and skipped; if none loads, the error
/// lists why each failed.
pub fn newest_valid_checkpoint(dir: &Path) -> Result<Option<(PathBuf, Checkpoint)>> {
    let mut failures = Vec::new();
    for path in checkpoints(dir) {
        match Checkpoint::load(&path) {
            Ok(c) => {
                for f in &failures {
                    eprintln!("warning: skipped a checkpoint that does not load: {f}");
                }
                return Ok(Some((path, c)));
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    match failures.is_empty() {
        true => Ok(None),
        false => {
            Err(Error::Config(format!("{}: no checkpoint loads: {}", dir.display(), failures.join("; "))))
        }
    }
}

/// Cut the logs of `dir` back to the checkpoint a resume continues from: `metrics.csv` keeps its
/// header and the rows up to `iteration`, and each TensorBoard event file the events up to
/// `env_steps`.
pub fn truncate_logs(dir: &Path, iteration: usize, env_steps: u64) -> Result<()> {
    let csv = dir.join("metrics.csv");
    if csv.is_file() {
        let text = std::fs::read_to_string(&csv).map_err(|e| Error::io(&csv, e))?;
        let mut lines = text.lines();
        let mut kept: Vec<&str> = lines.next().into_iter().collect();
        // rows are `iteration,...`; a torn last row (no parsable iteration) goes too
        kept.extend(lines.take_while(|row| {
            row.split(',').next().and_then(|i| i.trim().parse::<usize>().ok()).is_some_and(|i| i <= iteration)
        }));
        let mut out = kept.join("\n");
        out.push('\n');
        if out != text {
            crate::atomic_file::write_atomic(&csv, out.as_bytes())?;
        }
    }
    for events in event_files(dir) {
        super::tensorboard::truncate_after(&events, env_steps as i64)?;
    }
    Ok(())
}

/// Remove the logs of a run that left no checkpoint (killed or failed early), so the directory
/// can start over: `metrics.csv` and the TensorBoard event files.
pub fn clear_logs(dir: &Path) -> Result<()> {
    let csv = dir.join("metrics.csv");
    for path in std::iter::once(csv).filter(|p| p.is_file()).chain(event_files(dir)) {
        std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

fn event_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("tb"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("events.out.tfevents"))
                })
                .collect()
        })
        .unwrap_or_default()
}
