//! What adaptive motion sampling is doing, per iteration: every motion's sampling probability and
//! moving averages in `sampling.json` (the latest, replaced each iteration), and in TensorBoard
//! the hardest motions' probabilities (`sampling/<name>`), the largest probability and the
//! effective number of motions drawn (`exp` of the distribution's entropy).

use std::path::Path;

use serde::Serialize;

use super::tensorboard::EventWriter;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;

/// Motions whose probabilities go to TensorBoard each iteration (the most likely ones).
pub const HARDEST_LOGGED: usize = 5;

/// One motion's line of `sampling.json`.
#[derive(Debug, Clone, Serialize)]
pub struct MotionWeight {
    /// The motion's name.
    pub name: String,
    /// Its probability of being drawn at a reset.
    pub probability: f32,
    /// Moving average of episodes ended on it per rollout.
    pub ended: f32,
    /// Moving average of those ended early (termination rule).
    pub early: f32,
}

/// Download the motion table (one readback), write `RUN/sampling.json` and log to TensorBoard.
pub fn log_sampling(
    ctx: &GpuContext,
    env: &Env,
    run_dir: &Path,
    tb: &mut EventWriter,
    step: i64,
) -> Result<()> {
    let Some(lib) = &env.motion else { return Ok(()) };
    let rows = env.motion_rows(ctx)?;
    let mut weights: Vec<MotionWeight> = lib
        .motions
        .iter()
        .zip(&rows)
        .map(|(e, r)| MotionWeight {
            name: e.name.clone(),
            probability: r.prob,
            ended: r.ema_ended,
            early: r.ema_early,
        })
        .collect();
    let json =
        serde_json::to_string_pretty(&weights).map_err(|e| Error::Config(format!("sampling.json: {e}")))?;
    crate::atomic_file::write_atomic(&run_dir.join("sampling.json"), json.as_bytes())?;
    let entropy: f64 =
        weights.iter().map(|w| w.probability as f64).filter(|&p| p > 0.0).map(|p| -p * p.ln()).sum();
    weights.sort_by(|a, b| b.probability.total_cmp(&a.probability));
    tb.scalar("sampling/max_probability", step, weights[0].probability)?;
    tb.scalar("sampling/effective_motions", step, entropy.exp() as f32)?;
    for w in weights.iter().take(HARDEST_LOGGED) {
        tb.scalar(&format!("sampling/{}", w.name), step, w.probability)?;
    }
    Ok(())
}
