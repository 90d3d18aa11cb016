//! `sinew plot` and `sinew export`: a run's curves as PNG, a checkpoint's policy as ONNX.

use std::path::PathBuf;

use clap::Args;
use sinew::Result;
use sinew::rl::checkpoint::{Checkpoint, latest};

/// Arguments of `sinew plot`.
#[derive(Args)]
pub struct PlotArgs {
    /// Run directory (reads metrics.csv, writes metrics.png).
    pub run_dir: PathBuf,
}

/// Run `sinew plot`.
pub fn plot(args: &PlotArgs) -> Result<()> {
    let out = args.run_dir.join("metrics.png");
    sinew::rl::plot::plot_metrics(&args.run_dir.join("metrics.csv"), &out)?;
    println!("wrote {}", out.display());
    Ok(())
}

/// Arguments of `sinew export`.
#[derive(Args)]
pub struct ExportArgs {
    /// A checkpoint file, or a run directory (its latest checkpoint).
    pub checkpoint: PathBuf,
    /// Output ONNX file.
    #[arg(long, default_value = "policy.onnx")]
    pub out: PathBuf,
}

/// Run `sinew export`.
pub fn export(args: &ExportArgs) -> Result<()> {
    let path = latest(&args.checkpoint)?;
    let c = Checkpoint::load(&path)?;
    let note = format!("sinew {} ({}, {})", env!("CARGO_PKG_VERSION"), c.meta.model, c.meta.task);
    sinew::rl::mixture::deployed_of(&c)?.write_onnx(&args.out, &note)?;
    println!(
        "wrote {} (input 'obs' [batch, {}], output 'action' [batch, {}])",
        args.out.display(),
        c.meta.nobs,
        c.meta.nu
    );
    Ok(())
}
