//! `sinew motions`: what a motion dataset holds for a model.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;
use sinew::env::motion_library::MotionSet;
use sinew::{Error, Result};

/// Arguments of `sinew motions`.
#[derive(Args)]
pub struct MotionsArgs {
    /// MJCF file or short name of a fetched model.
    pub model: String,
    /// Motion files (the project's npz or LocoMuJoCo's trajectory npz) or folders of them.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print one JSON object: {"motions": [{"name", "frames", "fps", "seconds"}, ...], "total_seconds"}.
    #[arg(long)]
    pub json: bool,
}

/// One motion as the source holds it.
#[derive(Serialize)]
struct Entry {
    name: String,
    frames: usize,
    fps: f64,
    seconds: f64,
}

#[derive(Serialize)]
struct Report {
    motions: Vec<Entry>,
    total_seconds: f64,
}

/// Run `sinew motions`: read and validate every motion against the model (warnings on stderr).
pub fn run(args: &MotionsArgs) -> Result<()> {
    let m = sinew::mjcf::load_model(&sinew::models::resolve(&args.model)?)?;
    let set = MotionSet::read(&args.files, &m)?;
    for w in &set.warnings {
        eprintln!("warning: {w}");
    }
    let report = Report {
        motions: set
            .motions
            .iter()
            .map(|s| Entry {
                name: s.name.clone(),
                frames: s.motion.nframe,
                fps: s.motion.fps,
                seconds: s.motion.duration(),
            })
            .collect(),
        total_seconds: set.total_seconds(),
    };
    if args.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| Error::Config(format!("motions report: {e}")))?;
        println!("{json}");
        return Ok(());
    }
    println!("{:<40} {:>8} {:>8} {:>9}", "motion", "frames", "fps", "seconds");
    for e in &report.motions {
        println!("{:<40} {:>8} {:>8.2} {:>9.3}", e.name, e.frames, e.fps, e.seconds);
    }
    println!("{} motions, {:.3} s in all", report.motions.len(), report.total_seconds);
    Ok(())
}
