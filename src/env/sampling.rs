//! How an imitation environment's reset picks each world's motion, and the per-motion table the
//! GPU draws from ([`MotionRow`]: frames, sampling probability and its running sum).
//!
//! Adaptive sampling follows MuscleMimic: per motion, moving averages of the episodes that ended
//! on it and of those that ended early (by a termination rule) are kept; a motion's weight is
//! `(early / ended + 1e-6)^alpha`, and the probabilities are the normalised weights mixed with a
//! uniform floor, `(1 - floor) · w / Σw + floor / nmotion`. The GPU counts episodes during a
//! rollout (`shaders/env/imitation.wgsl`, `evaluate`) and folds them in between rollouts
//! (`adapt`); [`AdaptiveSampling::adapt`] is the host twin of that kernel.

use serde::Deserialize;

use super::layout::MotionRow;
use crate::error::{Error, Result};

/// How reset picks a world's motion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sampling {
    /// Every motion equally likely.
    #[default]
    Uniform,
    /// Motions in proportion to their duration (every second of the library equally likely).
    Duration,
    /// Motions whose episodes end early more often drawn more often
    /// ([`AdaptiveSampling`], updated between rollouts).
    Adaptive,
}

/// Settings of adaptive sampling (`[imitation.adaptive]`; MuscleMimic's defaults).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdaptiveSampling {
    /// Rate of the moving averages: `ema ← (1 − beta) · ema + beta · count` per update.
    pub beta: f32,
    /// The moving average of ended episodes before any episode ended.
    pub prior_ended: f32,
    /// The moving average of early-terminated episodes before any episode ended.
    pub prior_early: f32,
    /// Exponent on each motion's early-termination ratio.
    pub alpha: f32,
    /// Share of the probability spread uniformly over every motion (no motion is forgotten).
    pub floor: f32,
}

impl Default for AdaptiveSampling {
    fn default() -> Self {
        AdaptiveSampling { beta: 0.2, prior_ended: 10.0, prior_early: 5.0, alpha: 1.0, floor: 0.1 }
    }
}

/// Added to each early-termination ratio so a motion never ended early keeps a weight.
const RATIO_EPS: f32 = 1e-6;

impl AdaptiveSampling {
    /// Refuse settings outside their ranges, naming the key.
    pub fn validate(&self) -> Result<()> {
        let bad = |key: &str, v: f32, range: &str| {
            Err(Error::Config(format!("imitation.adaptive.{key} = {v}: must be {range}")))
        };
        if !(self.beta > 0.0 && self.beta <= 1.0) {
            return bad("beta", self.beta, "in (0, 1]");
        }
        if !(self.prior_ended > 0.0 && self.prior_ended.is_finite()) {
            return bad("prior_ended", self.prior_ended, "positive");
        }
        if !(self.prior_early >= 0.0 && self.prior_early <= self.prior_ended) {
            return bad("prior_early", self.prior_early, "between 0 and prior_ended");
        }
        if !(self.alpha >= 0.0 && self.alpha.is_finite()) {
            return bad("alpha", self.alpha, "0 or more");
        }
        if !(0.0..=1.0).contains(&self.floor) {
            return bad("floor", self.floor, "in [0, 1]");
        }
        Ok(())
    }

    /// The settings as the shader reads them (`ImitationParams.adaptive`).
    pub fn uniform(&self) -> [f32; 4] {
        [self.beta, self.alpha, self.floor, 0.0]
    }

    /// The host twin of the `adapt` kernel: fold each row's episode counts into its moving
    /// averages (rows with no ended episode keep theirs: no evidence, no change), zero the counts,
    /// and recompute every probability and running sum.
    pub fn adapt(&self, rows: &mut [MotionRow]) {
        for r in rows.iter_mut() {
            if r.ended > 0 {
                r.ema_ended = (1.0 - self.beta) * r.ema_ended + self.beta * r.ended as f32;
                r.ema_early = (1.0 - self.beta) * r.ema_early + self.beta * r.early as f32;
            }
            (r.ended, r.early) = (0, 0);
        }
        self.refresh(rows);
    }

    /// Probabilities and running sums from the rows' moving averages.
    pub fn refresh(&self, rows: &mut [MotionRow]) {
        let raw: Vec<f32> = rows.iter().map(|r| self.weight(r.ema_ended, r.ema_early)).collect();
        let total: f32 = raw.iter().sum();
        let uniform = self.floor / rows.len() as f32;
        let probs: Vec<f32> = raw.iter().map(|w| (1.0 - self.floor) * w / total + uniform).collect();
        set_probabilities(rows, &probs);
    }

    /// A motion's weight from its moving averages.
    pub fn weight(&self, ema_ended: f32, ema_early: f32) -> f32 {
        (ema_early / ema_ended.max(1e-12) + RATIO_EPS).powf(self.alpha)
    }
}

/// Set each row's probability and the running sum reset draws from (the last exactly 1, so every
/// draw in [0, 1) finds a motion).
pub fn set_probabilities(rows: &mut [MotionRow], probs: &[f32]) {
    let mut acc = 0.0f32;
    for (r, &p) in rows.iter_mut().zip(probs) {
        acc += p;
        (r.prob, r.cdf) = (p, acc);
    }
    if let Some(last) = rows.last_mut() {
        last.cdf = 1.0;
    }
}
