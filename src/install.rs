//! Where sinew's own files are when it runs: inside a bundle made by `tools/bundle`
//! (`<root>/bin/sinew` beside `<root>/models`, `<root>/tools`, `<root>/configs`,
//! `<root>/assets`, marked by `<root>/bundle.json`), or in the source checkout it was built from.

use std::path::{Path, PathBuf};

/// The name of the file that marks a bundle's root.
pub const BUNDLE_MARKER: &str = "bundle.json";

/// The root of the bundle this binary runs from, if it runs from one.
pub fn bundle_root() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let exe = exe.canonicalize().unwrap_or(exe);
    let root = exe.parent()?.parent()?;
    root.join(BUNDLE_MARKER).is_file().then(|| root.to_path_buf())
}

/// The source checkout this binary was built from, if it is still there.
pub fn source_root() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    root.join("Cargo.toml").is_file().then(|| root.to_path_buf())
}

/// A file of sinew's own (`tools/mujoco_bench.py`, `configs/quickstart.toml`, ...), relative to
/// the bundle root or else the source checkout; `None` if neither has it.
pub fn data_file(relative: &str) -> Option<PathBuf> {
    [bundle_root(), source_root()].into_iter().flatten().map(|r| r.join(relative)).find(|p| p.exists())
}

/// The commit this binary was built from: `SINEW_COMMIT` at build time (set by `tools/bundle`),
/// else the checkout's `git rev-parse HEAD` (with `-dirty` for uncommitted changes), else
/// "unknown".
pub fn commit() -> String {
    if let Some(c) = option_env!("SINEW_COMMIT").filter(|c| !c.is_empty()) {
        return c.to_string();
    }
    let Some(root) = source_root() else { return "unknown".into() };
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(&root)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(head) => {
            let dirty =
                git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
            if dirty { format!("{head}-dirty") } else { head }
        }
        None => "unknown".into(),
    }
}
