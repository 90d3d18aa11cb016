//! Metabolic power of a muscle from Umberger, Gerritsen & Martin (2003), "A model of human muscle
//! energy expenditure", Comput. Methods Biomech. Biomed. Eng. 6(2):99-111 — the model OpenSim
//! ships as its Umberger2010 probe. Per muscle and instant, in W per kg of muscle:
//!
//! * activation and maintenance heat: h_AM = 128·(1 − f_ST) + 25, times S·A^0.6; above optimal
//!   fibre length only 0.4 of it plus 0.6 of it scaled by the active force-length factor F_iso;
//! * shortening heat (v̄ = fibre velocity in optimal lengths per second, < 0 shortening):
//!   (min(−α_ST·v̄, 100)·f_ST − α_FT·v̄·(1 − f_ST))·S·A², with α_ST = 100 / (v_max / 2.5) and
//!   α_FT = 153 / v_max; lengthening heat 4·α_ST·v̄·S·A; both times F_iso above optimal length;
//! * the heats together are held at 1 W/kg or more (the paper's lower bound);
//! * mechanical work rate −F_CE·v_CE (the active fibre force; negative work counts, as in the
//!   2003 paper).
//!
//! A = excitation where it exceeds activation, else their mean; S = 1.5 for aerobic work
//! (walking); f_ST the slow-twitch fraction. The muscle's mass is PCSA·ρ·l_opt with PCSA =
//! F_max / σ, σ = 0.25 MPa specific tension and ρ = 1059.7 kg/m³ (the values OpenSim's probes
//! use). MuJoCo muscles have rigid tendons and no pennation, so fibre length and velocity are the
//! actuator's, normalised by MuJoCo's optimal length L0.

use crate::model::{GainType, Model};
use crate::reference::actuation::{muscle_fl, muscle_fv};

/// Specific tension of mammalian muscle (Pa).
pub const SPECIFIC_TENSION: f64 = 0.25e6;
/// Density of mammalian muscle (kg/m³).
pub const MUSCLE_DENSITY: f64 = 1059.7;
/// Umberger's aerobic scaling S for walking.
pub const AEROBIC_FACTOR: f64 = 1.5;
/// Slow-twitch fraction used when a muscle's own is unknown.
pub const DEFAULT_SLOW_TWITCH: f64 = 0.5;

/// What the energy model needs of one muscle actuator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Muscle {
    /// Peak isometric force F_max (N).
    pub f_max: f64,
    /// Optimal fibre length L0 (m): MuJoCo's lengthrange span over the operating range's.
    pub l_opt: f64,
    /// Actuator length at normalised length `range0` (MuJoCo's lengthrange\[0\]) (m).
    pub length_at_range0: f64,
    /// Normalised length at lengthrange\[0\] (MuJoCo's range\[0\]).
    pub range0: f64,
    /// Maximum shortening velocity (optimal lengths per second).
    pub vmax: f64,
    /// Active force-length curve's ends (normalised lengths).
    pub lmin: f64,
    /// See `lmin`.
    pub lmax: f64,
    /// Lengthening force plateau of the force-velocity curve.
    pub fvmax: f64,
    /// Slow-twitch fibre fraction.
    pub slow_twitch: f64,
}

impl Muscle {
    /// Actuator `u` of `m` if it is a MuJoCo muscle (gain type muscle), with `slow_twitch`.
    pub fn of(m: &Model, u: usize, slow_twitch: f64) -> Option<Muscle> {
        if m.actuator_gaintype[u] != GainType::Muscle {
            return None;
        }
        let p = &m.actuator_gainprm[u];
        let lr = m.actuator_lengthrange[u];
        let l_opt = (lr[1] - lr[0]) / (p[1] - p[0]).max(crate::math::MINVAL);
        Some(Muscle {
            f_max: m.muscle_f0(u),
            l_opt,
            length_at_range0: lr[0],
            range0: p[0],
            vmax: p[6],
            lmin: p[4],
            lmax: p[5],
            fvmax: p[8],
            slow_twitch,
        })
    }

    /// Mass (kg): PCSA · density · optimal length.
    pub fn mass(&self) -> f64 {
        self.f_max / SPECIFIC_TENSION * MUSCLE_DENSITY * self.l_opt
    }
}

/// One muscle at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MuscleInstant {
    /// Neural excitation u (MuJoCo's ctrl), 0..1.
    pub excitation: f64,
    /// Activation a (MuJoCo's act), 0..1.
    pub activation: f64,
    /// Actuator (fibre) length (m).
    pub length: f64,
    /// Actuator (fibre) velocity (m/s, negative shortening).
    pub velocity: f64,
}

/// Metabolic power of one muscle, split as the model splits it (W; heats already floored).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Power {
    /// Activation and maintenance heat rate.
    pub activation_maintenance: f64,
    /// Shortening (or lengthening) heat rate.
    pub shortening: f64,
    /// Mechanical work rate of the contractile element (negative when lengthening).
    pub work: f64,
    /// Their sum: the metabolic power.
    pub total: f64,
}

/// Umberger 2003 metabolic power of `muscle` in state `s`.
pub fn umberger_power(muscle: &Muscle, s: &MuscleInstant) -> Power {
    let l_norm = muscle.range0 + (s.length - muscle.length_at_range0) / muscle.l_opt;
    let v_norm = s.velocity / muscle.l_opt;
    let u = s.excitation.clamp(0.0, 1.0);
    let a = s.activation.clamp(0.0, 1.0);
    let big_a = if u > a { u } else { 0.5 * (u + a) };
    let f_iso = muscle_fl(l_norm, muscle.lmin, muscle.lmax);
    let fst = muscle.slow_twitch;
    let s_aer = AEROBIC_FACTOR;
    let long = l_norm > 1.0;

    let h_am = 128.0 * (1.0 - fst) + 25.0;
    let mut am = s_aer * big_a.powf(0.6) * h_am;
    if long {
        am = s_aer * big_a.powf(0.6) * (0.4 * h_am + 0.6 * h_am * f_iso);
    }

    let alpha_st = 100.0 / (muscle.vmax / 2.5);
    let alpha_ft = 153.0 / muscle.vmax;
    let mut sl = if v_norm <= 0.0 {
        let slow = (-alpha_st * v_norm).min(100.0);
        s_aer * big_a * big_a * (slow * fst - alpha_ft * v_norm * (1.0 - fst))
    } else {
        s_aer * big_a * 4.0 * alpha_st * v_norm
    };
    if long {
        sl *= f_iso;
    }
    // the heats together never below 1 W/kg: what is missing is added to the shortening heat
    if am + sl < 1.0 {
        sl = 1.0 - am;
    }

    // active fibre force (N) and the contractile element's power
    let fv = muscle_fv(v_norm / muscle.vmax, muscle.fvmax);
    let force = muscle.f_max * a * f_iso * fv;
    let work = -force * s.velocity;

    let mass = muscle.mass();
    let (am, sl) = (am * mass, sl * mass);
    Power { activation_maintenance: am, shortening: sl, work, total: am + sl + work }
}

/// Positive mechanical power of the contractile element (W): what the mechanical cost of
/// transport sums.
pub fn positive_work(p: &Power) -> f64 {
    p.work.max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// F_max 1000 N, L0 0.1 m (mass 0.42388 kg), at optimal length, vmax 10, fvmax 1.2, half
    /// slow-twitch; u = a = 0.5 (so A = 0.5).
    fn muscle() -> Muscle {
        Muscle {
            f_max: 1000.0,
            l_opt: 0.1,
            length_at_range0: 0.2,
            range0: 0.75,
            vmax: 10.0,
            lmin: 0.5,
            lmax: 1.6,
            fvmax: 1.2,
            slow_twitch: 0.5,
        }
    }

    // fibre length at L = 1: 0.2 + (1 − 0.75)·0.1
    const OPTIMAL: f64 = 0.225;

    fn at(velocity: f64) -> MuscleInstant {
        MuscleInstant { excitation: 0.5, activation: 0.5, length: OPTIMAL, velocity }
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} vs {b}");
    }

    /// Against a value worked by hand to 7 digits.
    fn near(a: f64, b: f64) {
        assert!((a - b).abs() <= 1e-6 * b.abs(), "{a} vs {b}");
    }

    #[test]
    fn mass_from_pcsa_density_and_length() {
        // 1000 N / 0.25 MPa = 0.004 m²; × 1059.7 kg/m³ × 0.1 m
        close(muscle().mass(), 0.42388);
    }

    #[test]
    fn isometric_is_activation_heat_only() {
        let p = umberger_power(&muscle(), &at(0.0));
        // h_AM = 128·0.5 + 25 = 89 W/kg; × 1.5 × 0.5^0.6 (= 0.659754...) × 0.42388 kg
        close(p.activation_maintenance, 1.5 * 0.5f64.powf(0.6) * 89.0 * 0.42388);
        near(p.activation_maintenance, 37.33414);
        assert_eq!(p.shortening, 0.0);
        assert_eq!(p.work, 0.0);
        close(p.total, p.activation_maintenance);
    }

    #[test]
    fn shortening_adds_heat_and_positive_work() {
        // v = −0.3 m/s = −3 L0/s; α_ST = 100 / 4 = 25, α_FT = 15.3
        let p = umberger_power(&muscle(), &at(-0.3));
        // (min(75, 100)·0.5 + 15.3·3·0.5) = 60.45 W/kg; × 1.5 × 0.25 × 0.42388 kg
        close(p.shortening, 60.45 * 1.5 * 0.25 * 0.42388);
        near(p.shortening, 9.608830);
        // force = 1000 · 0.5 · FL(1) · FV(−0.3) = 500 · 0.7² = 245 N; power 245 · 0.3
        close(p.work, 73.5);
        near(p.total, 37.33414 + 9.608830 + 73.5);
    }

    #[test]
    fn lengthening_heat_and_negative_work() {
        // v = +0.2 m/s = +2 L0/s: heat 4 · 25 · 2 · 1.5 · 0.5 = 150 W/kg
        let p = umberger_power(&muscle(), &at(0.2));
        close(p.shortening, 150.0 * 0.42388);
        // FV(0.2) on the lengthening branch at its plateau 1.2: force 600 N, power −120 W
        close(p.work, -120.0);
        near(p.total, 37.33414 + 63.582 - 120.0);
        assert_eq!(positive_work(&p), 0.0);
    }

    #[test]
    fn above_optimal_length_scales_by_force_length() {
        // L = 1.2 (fibre 0.245 m): FL with lmax 1.6 — b = 1.3, x = 0.2 / 0.3, FL = 1 − x²/2
        let m = muscle();
        let fl = 1.0 - 0.5 * (0.2f64 / 0.3).powi(2);
        let p = umberger_power(&m, &MuscleInstant { length: 0.245, ..at(0.0) });
        close(p.activation_maintenance, 1.5 * 0.5f64.powf(0.6) * (0.4 * 89.0 + 0.6 * 89.0 * fl) * 0.42388);
    }

    #[test]
    fn resting_muscle_costs_the_floor() {
        let s = MuscleInstant { excitation: 0.0, activation: 0.0, length: OPTIMAL, velocity: 0.0 };
        let p = umberger_power(&muscle(), &s);
        close(p.total, 0.42388);
        // excitation above activation sets A
        let rising = umberger_power(&muscle(), &MuscleInstant { excitation: 0.8, activation: 0.2, ..s });
        close(rising.activation_maintenance, 1.5 * 0.8f64.powf(0.6) * 89.0 * 0.42388);
    }
}
