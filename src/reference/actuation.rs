//! `actuation`: activation dynamics, gain/bias (incl. MuJoCo's Hill-type muscle: FL, FV, FP) and
//! actuator forces (MuJoCo's mj_fwdActuation), in f64. Formulas: shared/muscle_model.md.

use crate::math::MINVAL;
use crate::model::{BiasType, DynType, GainType, Model, disable};

/// Active force-length curve FL(L) (piecewise quadratic, 1 at L = 1, 0 outside [lmin, lmax]).
pub fn muscle_fl(l: f64, lmin: f64, lmax: f64) -> f64 {
    let a = 0.5 * (lmin + 1.0);
    let b = 0.5 * (1.0 + lmax);
    if l < lmin || l > lmax {
        0.0
    } else if l <= a {
        let x = (l - lmin) / (a - lmin).max(MINVAL);
        0.5 * x * x
    } else if l <= 1.0 {
        let x = (1.0 - l) / (1.0 - a).max(MINVAL);
        1.0 - 0.5 * x * x
    } else if l <= b {
        let x = (l - 1.0) / (b - 1.0).max(MINVAL);
        1.0 - 0.5 * x * x
    } else {
        let x = (lmax - l) / (lmax - b).max(MINVAL);
        0.5 * x * x
    }
}

/// Force-velocity curve FV(V).
pub fn muscle_fv(v: f64, fvmax: f64) -> f64 {
    let y = fvmax - 1.0;
    if v <= -1.0 {
        0.0
    } else if v <= 0.0 {
        (v + 1.0) * (v + 1.0)
    } else if v <= y {
        fvmax - (y - v) * (y - v) / y.max(MINVAL)
    } else {
        fvmax
    }
}

/// Passive force-length curve FP(L).
pub fn muscle_fp(l: f64, lmax: f64, fpmax: f64) -> f64 {
    let b = 0.5 * (1.0 + lmax);
    if l <= 1.0 {
        0.0
    } else if l <= b {
        let x = (l - 1.0) / (b - 1.0).max(MINVAL);
        fpmax * 0.5 * x * x
    } else {
        let x = (l - b) / (b - 1.0).max(MINVAL);
        fpmax * (0.5 + x)
    }
}

/// F0, L0 (optimal-length normalisation) and normalised (L, V) of a muscle with parameters `prm`.
fn muscle_state(prm: &[f64; 10], lengthrange: [f64; 2], acc0: f64, len: f64, vel: f64) -> (f64, f64, f64) {
    let f0 = if prm[2] >= 0.0 { prm[2] } else { prm[3] / acc0.max(MINVAL) };
    let l0 = (lengthrange[1] - lengthrange[0]) / (prm[1] - prm[0]).max(MINVAL);
    let l = prm[0] + (len - lengthrange[0]) / l0.max(MINVAL);
    let v = vel / (l0 * prm[6]).max(MINVAL);
    (f0, l, v)
}

/// Muscle gain: -F0·FL(L)·FV(V).
pub fn muscle_gain(prm: &[f64; 10], lengthrange: [f64; 2], acc0: f64, len: f64, vel: f64) -> f64 {
    let (f0, l, v) = muscle_state(prm, lengthrange, acc0, len, vel);
    -f0 * muscle_fl(l, prm[4], prm[5]) * muscle_fv(v, prm[8])
}

/// Muscle bias: -F0·FP(L).
pub fn muscle_bias(prm: &[f64; 10], lengthrange: [f64; 2], acc0: f64, len: f64, vel: f64) -> f64 {
    let (f0, l, _) = muscle_state(prm, lengthrange, acc0, len, vel);
    -f0 * muscle_fp(l, prm[5], prm[7])
}

/// Quintic smoothstep used by tausmooth.
fn sigmoid(x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if x >= 1.0 {
        1.0
    } else {
        x * x * x * (6.0 * x * x - 15.0 * x + 10.0)
    }
}

/// Muscle activation rate for control `ctrl` and activation `act` (dynprm: tau_act, tau_deact, tausmooth).
pub fn muscle_dynamics(ctrl: f64, act: f64, dynprm: &[f64; 10]) -> f64 {
    let c = ctrl.clamp(0.0, 1.0);
    let a = act.clamp(0.0, 1.0);
    let tau_act = dynprm[0] * (0.5 + 1.5 * a);
    let tau_deact = dynprm[1] / (0.5 + 1.5 * a);
    let d = c - act;
    let tau = if dynprm[2] < MINVAL {
        if d > 0.0 { tau_act } else { tau_deact }
    } else {
        tau_deact + (tau_act - tau_deact) * sigmoid(d / dynprm[2] + 0.5)
    };
    d / tau.max(MINVAL)
}

/// Outputs of the actuation stage.
#[derive(Debug, Clone)]
pub struct Actuation {
    /// (na) Activation time derivative.
    pub act_dot: Vec<f64>,
    /// (nu) Scalar actuator force.
    pub actuator_force: Vec<f64>,
    /// (nv) Generalised actuator force: momentᵀ · force.
    pub qfrc_actuator: Vec<f64>,
}

/// act_dot, actuator_force and qfrc_actuator from ctrl, act, actuator lengths/velocities and the
/// dense moments (nu × nv).
pub fn actuation(
    m: &Model,
    ctrl: &[f64],
    act: &[f64],
    length: &[f64],
    velocity: &[f64],
    moment: &[f64],
) -> Actuation {
    let mut out = Actuation {
        act_dot: vec![0.0; m.na],
        actuator_force: vec![0.0; m.nu],
        qfrc_actuator: vec![0.0; m.nv],
    };
    if m.opt.disableflags & disable::ACTUATION != 0 {
        return out;
    }
    let clamp = m.opt.disableflags & disable::CLAMPCTRL == 0;
    for u in 0..m.nu {
        let mut c = ctrl[u];
        if clamp && m.actuator_ctrllimited[u] {
            let [lo, hi] = m.actuator_ctrlrange[u];
            c = c.clamp(lo, hi);
        }
        // Activation: the state for stateful actuators, ctrl otherwise.
        let input = match m.actuator_actadr[u] {
            Some(a) => {
                let dynprm = &m.actuator_dynprm[u];
                out.act_dot[a] = match m.actuator_dyntype[u] {
                    DynType::Integrator => c,
                    DynType::Filter | DynType::FilterExact => (c - act[a]) / dynprm[0].max(MINVAL),
                    DynType::Muscle => muscle_dynamics(c, act[a], dynprm),
                    DynType::None => 0.0,
                };
                act[a]
            }
            None => c,
        };
        let (len, vel, lr, acc0) = (length[u], velocity[u], m.actuator_lengthrange[u], m.actuator_acc0[u]);
        let g = &m.actuator_gainprm[u];
        let gain = match m.actuator_gaintype[u] {
            GainType::Fixed => g[0],
            GainType::Affine => g[0] + g[1] * len + g[2] * vel,
            GainType::Muscle => muscle_gain(g, lr, acc0, len, vel),
        };
        let b = &m.actuator_biasprm[u];
        let bias = match m.actuator_biastype[u] {
            BiasType::None => 0.0,
            BiasType::Affine => b[0] + b[1] * len + b[2] * vel,
            BiasType::Muscle => muscle_bias(b, lr, acc0, len, vel),
        };
        let mut force = gain * input + bias;
        if m.actuator_forcelimited[u] {
            let [lo, hi] = m.actuator_forcerange[u];
            force = force.clamp(lo, hi);
        }
        out.actuator_force[u] = force;
        for d in 0..m.nv {
            out.qfrc_actuator[d] += moment[u * m.nv + d] * force;
        }
    }
    out
}
