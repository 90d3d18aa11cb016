//! MyoSuite's three-compartment muscle fatigue model (3CC-r; Looft et al. 2018, as MyoSuite's
//! `CumulativeFatigue`): per muscle, fractions of active (MA), resting (MR) and fatigued (MF)
//! motor units. The GPU runs it in `shaders/env/action.wgsl`; this f64 twin is its test oracle.

/// MyoSuite's published coefficients.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FatigueParams {
    /// Fatigue rate F (1/s), identified for elbow torque.
    pub fatigue: f64,
    /// Recovery rate R (1/s), scaled by 0.1 for a ~1 % R/F ratio.
    pub recovery: f64,
    /// Recovery multiplier r while the load is below the active fraction (rest).
    pub rest_multiplier: f64,
}

impl Default for FatigueParams {
    fn default() -> Self {
        FatigueParams { fatigue: 0.00912, recovery: 0.1 * 0.00094, rest_multiplier: 10.0 * 15.0 }
    }
}

/// One muscle's compartments (MA, MR, MF); they sum to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Compartments {
    /// Active fraction; the muscle's control when fatigue is on.
    pub active: f64,
    /// Resting fraction.
    pub resting: f64,
    /// Fatigued fraction.
    pub fatigued: f64,
}

impl Default for Compartments {
    fn default() -> Self {
        Compartments { active: 0.0, resting: 1.0, fatigued: 0.0 }
    }
}

impl Compartments {
    /// Advance by `dt` towards target load `load` (the excitation), with the muscle's activation
    /// and deactivation time constants.
    pub fn step(self, p: &FatigueParams, load: f64, tau_act: f64, tau_deact: f64, dt: f64) -> Self {
        let (ma, mr, mf) = (self.active, self.resting, self.fatigued);
        let ld = (0.5 + 1.5 * ma) / tau_act;
        let lr = (0.5 + 1.5 * ma) / tau_deact;
        let (c, rr) = if ma < load {
            (ld * (load - ma).min(mr), p.recovery)
        } else {
            (lr * (load - ma), p.rest_multiplier * p.recovery)
        };
        let lo = (-ma / dt + p.fatigue * ma).max((mr - 1.0) / dt + rr * mf);
        let hi = ((1.0 - ma) / dt + p.fatigue * ma).min(mr / dt + rr * mf);
        let c = c.max(lo).min(hi);
        let dma = (c - p.fatigue * ma) * dt;
        let dmf = (p.fatigue * ma - rr * mf) * dt;
        Compartments { active: ma + dma, resting: mr - dma - dmf, fatigued: mf + dmf }
    }
}
