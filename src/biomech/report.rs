//! The biomechanical report of a [`Recording`]: gait cycles from each foot's vertical ground
//! reaction force (or, for kinematics only, from the foot's height), ground reaction forces over
//! the cycle, joint angles against normative curves, muscle excitation/activation with optional
//! EMG correlation, cost of transport (Umberger 2003) and muscle synergies (NMF). Each part is a
//! JSON object; a part that cannot be computed holds `{"unavailable": why}`.

use serde_json::{Value, json};

use super::curves::{mean_sd, pearson, pearson_best_shift, resample, rmse};
use super::energy::{Muscle, MuscleInstant, positive_work, umberger_power};
use super::gait::{Cycles, cycles, events, normalise};
use super::normative::Normative;
use super::recording::{Episode, Recording};
use super::synergies::vaf_curve;
use crate::model::{JointType, Model};

/// Points per normalised cycle (0 … 100 %).
pub const POINTS: usize = 101;

/// Resting metabolic rate added for the gross cost of transport (W/kg; the basal rate OpenSim's
/// metabolic probes default to).
pub const BASAL_W_PER_KG: f64 = 1.2;

/// Humans' gross metabolic cost of walking at ~1.3 m/s (J/(kg·m)), the sanity figure.
pub const HUMAN_COT: f64 = 3.5;

/// Synergies are reported at the smallest k whose VAF reaches this.
pub const SYNERGY_VAF: f64 = 0.9;

/// EMG envelopes over the cycle (each resampled to [`POINTS`]), by muscle name.
#[derive(Debug, Clone, Default)]
pub struct Emg {
    /// (muscle name, envelope over the cycle).
    pub muscles: Vec<(String, Vec<f64>)>,
}

/// What the report is computed with.
#[derive(Debug, Clone)]
pub struct Options {
    /// Feet: (label, the bodies whose subtrees make the foot).
    pub feet: Vec<(String, Vec<usize>)>,
    /// Vertical force (N) at which a foot is in contact.
    pub threshold: f64,
    /// Slow-twitch fraction of every muscle (energy model).
    pub slow_twitch: f64,
    /// Largest number of synergies tried.
    pub k_max: usize,
    /// EMG envelopes to correlate with the activations.
    pub emg: Option<Emg>,
    /// EMG shifts tried, in percent of the cycle either way.
    pub emg_window_percent: f64,
}

/// One foot's events and cycles, per episode.
struct FootCycles {
    label: String,
    /// The foot's bodies (its roots' subtrees).
    bodies: Vec<usize>,
    /// Per episode: kept and dropped cycles, and toe-offs.
    per_episode: Vec<(Cycles, Vec<usize>)>,
}

impl FootCycles {
    /// Kept cycles over every episode.
    fn count(&self) -> usize {
        self.per_episode.iter().map(|(c, _)| c.kept.len()).sum()
    }

    /// The episodes with kept cycles, each with its kept (start, end) sample spans.
    fn kept_episodes<'a>(
        &'a self,
        rec: &'a Recording,
    ) -> impl Iterator<Item = (&'a [(usize, usize)], &'a Episode)> {
        self.per_episode
            .iter()
            .zip(&rec.episodes)
            .map(|((c, _), e)| (&c.kept[..], e))
            .filter(|(k, _)| !k.is_empty())
    }

    /// `signal` (one value per sample) of each episode with kept cycles, computed once per
    /// episode, cut into those cycles, each resampled to [`POINTS`].
    fn normalised(&self, rec: &Recording, mut signal: impl FnMut(&Episode) -> Vec<f64>) -> Vec<Vec<f64>> {
        self.kept_episodes(rec).flat_map(|(kept, e)| normalise(&signal(e), kept, POINTS)).collect()
    }
}

/// The report as JSON (top-level keys `cycles`, `grf`, `joint_angles`, `emg`,
/// `cost_of_transport`, `synergies`, plus what it was computed from).
pub fn report(m: &Model, rec: &Recording, opts: &Options, normative: &Normative) -> Value {
    let weight = m.total_mass() * vec_norm(&m.opt.gravity);
    let feet = foot_cycles(m, rec, opts);
    json!({
        "source": rec.source,
        "model": m.name,
        "sample_dt_s": rec.dt,
        "episodes": rec.episodes.len(),
        "samples": rec.episodes.iter().map(|e| e.len(m)).sum::<usize>(),
        "body_mass_kg": m.total_mass(),
        "feet": opts.feet.iter().map(|(l, b)| json!({"label": l, "bodies": b.iter().map(|b| &m.body_name[*b]).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "cycles": cycles_part(m, rec, opts, &feet),
        "grf": grf_part(m, rec, &feet, weight),
        "joint_angles": joint_angles_part(m, rec, &feet, normative),
        "emg": emg_part(m, rec, opts, &feet),
        "cost_of_transport": cost_part(m, rec, opts),
        "synergies": synergies_part(m, rec, opts, &feet),
    })
}

fn unavailable(why: impl Into<String>) -> Value {
    json!({ "unavailable": why.into() })
}

fn vec_norm(v: &[f64; 3]) -> f64 {
    (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()
}

/// Bodies in the subtrees of `roots` (bodies are numbered depth first, children after parents).
fn subtree(m: &Model, roots: &[usize]) -> Vec<usize> {
    (0..m.nbody)
        .filter(|&b| {
            let mut x = b;
            loop {
                if roots.contains(&x) {
                    return true;
                }
                if x == 0 {
                    return false;
                }
                x = m.body_parentid[x];
            }
        })
        .collect()
}

/// A foot's ground reaction force over an episode: (T × 3) world-frame force on its bodies.
fn foot_force(m: &Model, e: &Episode, bodies: &[usize]) -> Vec<[f64; 3]> {
    (0..e.len(m))
        .map(|t| {
            let mut f = [0.0; 3];
            for &b in bodies {
                let w = &e.cfrc_ext[(t * m.nbody + b) * 6..(t * m.nbody + b) * 6 + 6];
                for k in 0..3 {
                    f[k] += w[3 + k];
                }
            }
            f
        })
        .collect()
}

/// The free root joint's qpos address, if the model has one.
fn root_qpos(m: &Model) -> Option<usize> {
    (0..m.njnt)
        .find(|&j| m.jnt_type[j] == JointType::Free && m.body_parentid[m.jnt_bodyid[j]] == 0)
        .map(|j| m.jnt_qposadr[j])
}

/// The episode's horizontal travel of the root: (distance, unit direction).
fn travel(m: &Model, e: &Episode) -> Option<(f64, [f64; 2])> {
    let adr = root_qpos(m)?;
    let n = e.len(m);
    if n < 2 {
        return None;
    }
    let (a, b) = (&e.qpos[adr..adr + 2], &e.qpos[(n - 1) * m.nq + adr..(n - 1) * m.nq + adr + 2]);
    let d = [b[0] - a[0], b[1] - a[1]];
    let len = (d[0] * d[0] + d[1] * d[1]).sqrt();
    (len > 0.0).then(|| (len, [d[0] / len, d[1] / len]))
}

/// Every body origin's height per sample (T × nbody), from the configuration.
fn body_heights(m: &Model, e: &Episode) -> Vec<f64> {
    (0..e.len(m))
        .flat_map(|t| {
            let frames = crate::reference::kinematics::kinematics(m, &e.qpos[t * m.nq..(t + 1) * m.nq]);
            frames.xpos.into_iter().map(|p| p[2])
        })
        .collect()
}

/// A per-sample contact signal for one foot: the vertical force (N), or with kinematics only
/// (`heights` from [`body_heights`]), 1 where the foot's lowest body origin is within 2 cm of
/// its lowest over the episode.
fn contact_signal(m: &Model, e: &Episode, heights: Option<&[f64]>, bodies: &[usize]) -> Vec<f64> {
    let Some(all) = heights.filter(|_| !e.has_forces()) else {
        return foot_force(m, e, bodies).iter().map(|f| f[2]).collect();
    };
    let heights: Vec<f64> =
        all.chunks(m.nbody).map(|z| bodies.iter().map(|b| z[*b]).fold(f64::INFINITY, f64::min)).collect();
    let low = heights.iter().copied().fold(f64::INFINITY, f64::min);
    heights.iter().map(|h| if *h <= low + 0.02 { 1.0 } else { 0.0 }).collect()
}

fn foot_cycles(m: &Model, rec: &Recording, opts: &Options) -> Vec<FootCycles> {
    let min_samples = ((0.05 / rec.dt).round() as usize).max(1);
    // kinematics once per episode without forces, whatever the number of feet
    let heights: Vec<Option<Vec<f64>>> =
        rec.episodes.iter().map(|e| (!e.has_forces()).then(|| body_heights(m, e))).collect();
    opts.feet
        .iter()
        .map(|(label, roots)| {
            let bodies = subtree(m, roots);
            let per_episode = rec
                .episodes
                .iter()
                .zip(&heights)
                .map(|(e, h)| {
                    let signal = contact_signal(m, e, h.as_deref(), &bodies);
                    let threshold = if e.has_forces() { opts.threshold } else { 0.5 };
                    let ev = events(&signal, threshold, min_samples);
                    (cycles(&ev.onsets), ev.offs)
                })
                .collect();
            FootCycles { label: label.clone(), bodies, per_episode }
        })
        .collect()
}

fn stats(v: &[f64]) -> Value {
    if v.is_empty() {
        return Value::Null;
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = if v.len() > 1 {
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    json!({"mean": mean, "sd": sd})
}

fn cycles_part(m: &Model, rec: &Recording, opts: &Options, feet: &[FootCycles]) -> Value {
    if feet.is_empty() {
        return unavailable("no feet: name them with --feet BODY,BODY");
    }
    let with_forces = rec.episodes.iter().all(|e| e.has_forces());
    let mut per_foot = serde_json::Map::new();
    for f in feet {
        let mut durations = Vec::new();
        let mut stance = Vec::new();
        for (c, offs) in &f.per_episode {
            for &(a, b) in &c.kept {
                durations.push((b - a) as f64 * rec.dt);
                if let Some(off) = offs.iter().find(|&&o| o > a && o < b) {
                    stance.push(100.0 * (off - a) as f64 / (b - a) as f64);
                }
            }
        }
        let dropped: usize = f.per_episode.iter().map(|(c, _)| c.dropped.len()).sum();
        per_foot.insert(
            f.label.clone(),
            json!({"kept": durations.len(), "dropped": dropped, "duration_s": stats(&durations), "stance_percent": stats(&stance)}),
        );
    }
    if feet.iter().all(|f| f.count() == 0) {
        return json!({
            "unavailable": "no complete gait cycle: each foot needs two contact onsets in one episode",
            "per_foot": per_foot,
        });
    }
    let (dist, time): (f64, f64) = rec
        .episodes
        .iter()
        .map(|e| (travel(m, e).map_or(0.0, |t| t.0), e.len(m) as f64 * rec.dt))
        .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
    json!({
        "events_from": if with_forces { format!("vertical ground reaction force ≥ {} N", opts.threshold) } else { "foot height within 2 cm of its lowest (kinematics only)".to_string() },
        "points_per_cycle": POINTS,
        "per_foot": per_foot,
        "speed_m_s": if time > 0.0 { Value::from(dist / time) } else { Value::Null },
    })
}

fn curve_stats(curves: &[Vec<f64>]) -> Value {
    let (mean, sd) = mean_sd(curves);
    json!({"mean": mean, "sd": sd})
}

/// The largest value of `curve` in [lo, hi] percent, with its percent.
fn peak(curve: &[f64], lo: usize, hi: usize, sign: f64) -> Value {
    let hi = hi.min(curve.len().saturating_sub(1));
    if lo > hi {
        return Value::Null;
    }
    let (i, v) = (lo..=hi)
        .map(|i| (i, sign * curve[i]))
        .fold((lo, f64::NEG_INFINITY), |a, b| if b.1 > a.1 { b } else { a });
    json!({"value": sign * v, "percent": i})
}

fn grf_part(m: &Model, rec: &Recording, feet: &[FootCycles], weight: f64) -> Value {
    if !rec.episodes.iter().all(|e| e.has_forces()) {
        return unavailable(
            "the source has no contact forces (record a rollout with --contact-forces, or a run's policy)",
        );
    }
    if feet.iter().all(|f| f.count() == 0) {
        return unavailable("no complete gait cycle");
    }
    let mut out = serde_json::Map::new();
    out.insert("normalised_by".into(), json!("body weight"));
    out.insert("body_weight_n".into(), json!(weight));
    for f in feet {
        let mut axes: [Vec<Vec<f64>>; 3] = Default::default();
        for (kept, ep) in f.kept_episodes(rec) {
            let dir = travel(m, ep).map_or([1.0, 0.0], |t| t.1);
            let force = foot_force(m, ep, &f.bodies);
            let vertical: Vec<f64> = force.iter().map(|v| v[2] / weight).collect();
            let fore: Vec<f64> = force.iter().map(|v| (v[0] * dir[0] + v[1] * dir[1]) / weight).collect();
            // lateral: to the left of the direction of travel
            let lat: Vec<f64> = force.iter().map(|v| (-v[0] * dir[1] + v[1] * dir[0]) / weight).collect();
            for (k, s) in [vertical, fore, lat].iter().enumerate() {
                axes[k].extend(normalise(s, kept, POINTS));
            }
        }
        if axes[0].is_empty() {
            out.insert(f.label.clone(), unavailable("no complete cycle of this foot"));
            continue;
        }
        let (v_mean, _) = mean_sd(&axes[0]);
        let (fa_mean, _) = mean_sd(&axes[1]);
        // stance ends where the mean vertical force has fallen to nothing
        let stance_end = (0..POINTS).rev().find(|&i| v_mean[i] > 0.05).unwrap_or(POINTS - 1);
        out.insert(
            f.label.clone(),
            json!({
                "vertical": curve_stats(&axes[0]),
                "fore_aft": curve_stats(&axes[1]),
                "lateral": curve_stats(&axes[2]),
                "peaks": {
                    "vertical_first": peak(&v_mean, 0, stance_end / 2, 1.0),
                    "vertical_second": peak(&v_mean, stance_end / 2, stance_end, 1.0),
                    "braking": peak(&fa_mean, 0, stance_end, -1.0),
                    "propulsion": peak(&fa_mean, 0, stance_end, 1.0),
                },
            }),
        );
    }
    Value::Object(out)
}

/// The joints compared: (report key, joint name, normative curve).
fn joint_table(side: &str) -> [(String, String, Option<&'static str>); 5] {
    [
        (format!("hip_flexion_{side}"), format!("hip_flexion_{side}"), Some("hip_flexion")),
        (format!("hip_adduction_{side}"), format!("hip_adduction_{side}"), None),
        (format!("hip_rotation_{side}"), format!("hip_rotation_{side}"), None),
        (format!("knee_flexion_{side}"), format!("knee_angle_{side}"), Some("knee_flexion")),
        (format!("ankle_dorsiflexion_{side}"), format!("ankle_angle_{side}"), Some("ankle_dorsiflexion")),
    ]
}

/// Which foot's cycles a name with side suffix `_r`/`_l` uses (the first foot otherwise).
fn side_foot<'a>(feet: &'a [FootCycles], name: &str) -> Option<&'a FootCycles> {
    let want = if name.ends_with("_r") {
        Some("right")
    } else if name.ends_with("_l") {
        Some("left")
    } else {
        None
    };
    want.and_then(|w| feet.iter().find(|f| f.label == w)).or(feet.first())
}

fn joint_angles_part(m: &Model, rec: &Recording, feet: &[FootCycles], normative: &Normative) -> Value {
    if feet.iter().all(|f| f.count() == 0) {
        return unavailable("no complete gait cycle");
    }
    let mut out = serde_json::Map::new();
    let mut missing = Vec::new();
    for side in ["r", "l"] {
        for (key, joint, norm) in joint_table(side) {
            let Some(j) = m.jnt_name.iter().position(|n| *n == joint) else {
                missing.push(joint);
                continue;
            };
            let Some(foot) = side_foot(feet, &joint) else { continue };
            let adr = m.jnt_qposadr[j];
            let curves = foot
                .normalised(rec, |ep| (0..ep.len(m)).map(|t| ep.qpos[t * m.nq + adr].to_degrees()).collect());
            if curves.is_empty() {
                out.insert(key, unavailable(format!("no complete cycle of the {} foot", foot.label)));
                continue;
            }
            let (mean, sd) = mean_sd(&curves);
            let mut entry = json!({"joint": joint, "cycles_of": foot.label, "mean": mean, "sd": sd});
            match norm.and_then(|n| normative.curve(n)) {
                Some((nm, nsd)) => {
                    // the shape apart from timing: r at the best shift within ±20 % of the cycle
                    let best = pearson_best_shift(&nm, &mean, 20);
                    entry["normative"] = json!({
                        "curve": norm, "mean": nm, "sd": nsd,
                        "pearson_r": pearson(&mean, &nm), "rmse_deg": rmse(&mean, &nm),
                        "best_shift": best.map(|(r, s)| json!({"pearson_r": r, "shift_percent": s})),
                    });
                }
                None => {
                    entry["normative"] = json!({"unavailable": "no normative curve committed for this angle"})
                }
            }
            out.insert(key, entry);
        }
    }
    // pelvis tilt: the root's rotation about the lateral axis, from its mean orientation
    if let (Some(adr), Some(foot)) = (root_qpos(m), feet.first()) {
        let curves = foot.normalised(rec, |ep| pelvis_tilt(m, ep, adr));
        if !curves.is_empty() {
            let (mean, sd) = mean_sd(&curves);
            out.insert(
                "pelvis_tilt".into(),
                json!({"mean": mean, "sd": sd, "cycles_of": foot.label, "about": "the lateral axis, from the episode's mean orientation (degrees, anterior positive)",
                       "normative": {"unavailable": "no normative curve committed for this angle"}}),
            );
        }
    }
    if !missing.is_empty() {
        out.insert("missing_joints".into(), json!(missing));
    }
    Value::Object(out)
}

/// Pelvis tilt per sample (degrees): the root's rotation from its mean orientation about the
/// horizontal axis perpendicular to the direction of travel (anterior tilt positive: the
/// pelvis turning forward-down).
fn pelvis_tilt(m: &Model, e: &Episode, adr: usize) -> Vec<f64> {
    let n = e.len(m);
    let q = |t: usize| -> [f64; 4] { std::array::from_fn(|k| e.qpos[t * m.nq + adr + 3 + k]) };
    // mean quaternion (same hemisphere as the first), normalised
    let q0 = q(0);
    let mut mean = [0.0; 4];
    for t in 0..n {
        let qt = q(t);
        let s = if (0..4).map(|k| qt[k] * q0[k]).sum::<f64>() < 0.0 { -1.0 } else { 1.0 };
        for k in 0..4 {
            mean[k] += s * qt[k];
        }
    }
    let norm = mean.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-12);
    let mean = mean.map(|v| v / norm);
    let dir = travel(m, e).map_or([1.0, 0.0], |t| t.1);
    // lateral axis, to the left of travel: a positive rotation about it turns the forward
    // direction down (x → −z about +y for travel along +x), an anterior tilt
    let left = [-dir[1], dir[0], 0.0];
    (0..n)
        .map(|t| {
            let conj = [mean[0], -mean[1], -mean[2], -mean[3]];
            let rel = crate::math::mul_quat(q(t), conj);
            let (w, v) = (rel[0], [rel[1], rel[2], rel[3]]);
            let s = if w < 0.0 { -1.0 } else { 1.0 };
            let vn = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
            let angle = 2.0 * vn.atan2(s * w);
            if vn < 1e-12 {
                return 0.0;
            }
            let axis = [s * v[0] / vn, s * v[1] / vn, s * v[2] / vn];
            (angle * (axis[0] * left[0] + axis[1] * left[1] + axis[2] * left[2])).to_degrees()
        })
        .collect()
}

/// Muscle actuators: (index, name, activation index).
fn muscles(m: &Model) -> Vec<(usize, &str, usize)> {
    (0..m.nu)
        .filter_map(|u| {
            let a = m.actuator_actadr[u]?;
            (m.actuator_gaintype[u] == crate::model::GainType::Muscle).then_some((
                u,
                m.actuator_name[u].as_str(),
                a,
            ))
        })
        .collect()
}

fn emg_part(m: &Model, rec: &Recording, opts: &Options, feet: &[FootCycles]) -> Value {
    if !rec.episodes.iter().all(|e| e.has_muscles()) {
        return unavailable("the source has no muscle states (kinematics only)");
    }
    let list = muscles(m);
    if list.is_empty() {
        return unavailable("the model has no muscles");
    }
    if feet.iter().all(|f| f.count() == 0) {
        return unavailable("no complete gait cycle");
    }
    let shift = ((opts.emg_window_percent / 100.0) * (POINTS - 1) as f64).round() as usize;
    let mut per = serde_json::Map::new();
    let mut compared = Vec::new();
    for &(u, name, a) in &list {
        let Some(foot) = side_foot(feet, name) else { continue };
        let exc = foot.normalised(rec, |ep| (0..ep.len(m)).map(|t| ep.ctrl[t * m.nu + u]).collect());
        let act = foot.normalised(rec, |ep| (0..ep.len(m)).map(|t| ep.act[t * m.na + a]).collect());
        if act.is_empty() {
            per.insert(
                name.to_string(),
                unavailable(format!("no complete cycle of the {} foot", foot.label)),
            );
            continue;
        }
        let (act_mean, act_sd) = mean_sd(&act);
        let mut entry = json!({"cycles_of": foot.label, "excitation": curve_stats(&exc), "activation": {"mean": act_mean, "sd": act_sd}});
        if let Some(env) = opts.emg.as_ref().and_then(|g| g.muscles.iter().find(|(n, _)| n == name)) {
            match pearson_best_shift(&act_mean, &env.1, shift) {
                Some((r, s)) => {
                    entry["emg"] = json!({"pearson_r": r, "shift_percent": s, "envelope": env.1});
                    compared.push(r);
                }
                None => entry["emg"] = json!({"unavailable": "constant curve"}),
            }
        }
        per.insert(name.to_string(), entry);
    }
    let mut out = json!({"muscles": per, "curves": "excitation (ctrl) and activation (act) over the cycle"});
    match &opts.emg {
        None => out["comparison"] = json!({"unavailable": "no EMG given (--emg FILE)"}),
        Some(g) => {
            let unmatched: Vec<&str> = g
                .muscles
                .iter()
                .map(|(n, _)| n.as_str())
                .filter(|n| !list.iter().any(|(_, m, _)| m == n))
                .collect();
            out["comparison"] = json!({
                "muscles": compared.len(),
                "mean_pearson_r": if compared.is_empty() { Value::Null } else { json!(compared.iter().sum::<f64>() / compared.len() as f64) },
                "shift_window_percent": opts.emg_window_percent,
                "against": "activation",
                "unmatched_emg_columns": unmatched,
            });
        }
    }
    out
}

fn cost_part(m: &Model, rec: &Recording, opts: &Options) -> Value {
    if !rec.episodes.iter().all(|e| e.has_muscles()) {
        return unavailable("the source has no muscle states (kinematics only)");
    }
    let list: Vec<(usize, Muscle, usize)> = muscles(m)
        .into_iter()
        .filter_map(|(u, _, a)| Some((u, Muscle::of(m, u, opts.slow_twitch)?, a)))
        .collect();
    if list.is_empty() {
        return unavailable("the model has no muscles");
    }
    let (mut energy, mut heat, mut positive, mut distance, mut time) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for e in &rec.episodes {
        let n = e.len(m);
        for t in 0..n {
            for (u, muscle, a) in &list {
                let s = MuscleInstant {
                    excitation: e.ctrl[t * m.nu + u],
                    activation: e.act[t * m.na + a],
                    length: e.actuator_length[t * m.nu + u],
                    velocity: e.actuator_velocity[t * m.nu + u],
                };
                let p = umberger_power(muscle, &s);
                energy += p.total * rec.dt;
                heat += (p.activation_maintenance + p.shortening) * rec.dt;
                positive += positive_work(&p) * rec.dt;
            }
        }
        distance += travel(m, e).map_or(0.0, |t| t.0);
        time += n as f64 * rec.dt;
    }
    let mass = m.total_mass();
    let base = json!({
        "model": "Umberger, Gerritsen & Martin 2003 (activation/maintenance and shortening heat, contractile work; S = 1.5)",
        "slow_twitch_fraction": opts.slow_twitch,
        "duration_s": time,
        "distance_m": distance,
        "metabolic_energy_j": energy,
        "heat_j": heat,
        "mean_metabolic_power_w": if time > 0.0 { json!(energy / time) } else { Value::Null },
        "human_reference_j_per_kg_m": HUMAN_COT,
    });
    if distance < 0.1 {
        let mut v = base;
        v["unavailable"] = json!(format!("the body travelled {distance:.3} m: no cost of transport"));
        return v;
    }
    let mut v = base;
    v["metabolic_j_per_kg_m"] = json!(energy / (mass * distance));
    v["gross_j_per_kg_m"] = json!((energy + BASAL_W_PER_KG * mass * time) / (mass * distance));
    v["mechanical_j_per_kg_m"] = json!(positive / (mass * distance));
    v["speed_m_s"] = json!(distance / time);
    v
}

fn synergies_part(m: &Model, rec: &Recording, opts: &Options, feet: &[FootCycles]) -> Value {
    if !rec.episodes.iter().all(|e| e.has_muscles()) {
        return unavailable("the source has no muscle states (kinematics only)");
    }
    let list = muscles(m);
    if list.len() < 2 {
        return unavailable("fewer than two muscles");
    }
    // muscles × samples: the first foot's cycles, each resampled, side by side; else every sample
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); list.len()];
    let foot = feet.first().filter(|f| f.count() > 0);
    match foot {
        Some(f) => {
            for (column, (_, _, a)) in columns.iter_mut().zip(&list) {
                *column =
                    f.normalised(rec, |ep| (0..ep.len(m)).map(|t| ep.act[t * m.na + a]).collect()).concat();
            }
        }
        None => {
            for ep in &rec.episodes {
                for (i, (_, _, a)) in list.iter().enumerate() {
                    let s: Vec<f64> = (0..ep.len(m)).map(|t| ep.act[t * m.na + a]).collect();
                    columns[i].extend(resample(&s, s.len().min(1000)));
                }
            }
        }
    }
    let samples = columns[0].len();
    if samples < 2 {
        return unavailable("too few samples");
    }
    let x: Vec<f64> = columns.concat();
    let k_max = opts.k_max.min(list.len()).max(1);
    let fits = vaf_curve(&x, list.len(), samples, k_max);
    let chosen = fits.iter().find(|f| f.vaf >= SYNERGY_VAF).or(fits.last()).expect("k_max ≥ 1");
    let k = chosen.k;
    let weights: serde_json::Map<String, Value> = list
        .iter()
        .enumerate()
        .map(|(i, (_, name, _))| (name.to_string(), json!(chosen.w[i * k..(i + 1) * k])))
        .collect();
    // each synergy's activation over the cycle: the mean over cycles
    let activations: Vec<Vec<f64>> = (0..k)
        .map(|j| {
            let h = &chosen.h[j * samples..(j + 1) * samples];
            if foot.is_some() {
                let cycles: Vec<Vec<f64>> = h.chunks(POINTS).map(|c| c.to_vec()).collect();
                mean_sd(&cycles).0
            } else {
                h.to_vec()
            }
        })
        .collect();
    json!({
        "data": if foot.is_some() { "activations over the kept cycles, each resampled to 101 points" } else { "activations over every sample (no complete cycle)" },
        "vaf": fits.iter().map(|f| json!({"k": f.k, "vaf": f.vaf})).collect::<Vec<_>>(),
        "vaf_threshold": SYNERGY_VAF,
        "k": k,
        "k_reaches_threshold": chosen.vaf >= SYNERGY_VAF,
        "weights": weights,
        "activations": activations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A free seat on two feet (no muscles), as tests/contact_forces.rs stands it up.
    const BIPED: &str = r#"<mujoco model="biped">
      <worldbody>
        <geom name="floor" type="plane" size="5 5 0.1"/>
        <body name="seat" pos="0 0 0.32">
          <freejoint/>
          <geom type="box" size="0.2 0.1 0.03" mass="7"/>
          <body name="calcn_r" pos="0 -0.08 -0.25"><joint name="ankle_r" type="hinge" axis="0 1 0"/>
            <geom type="box" size="0.12 0.03 0.05" mass="1.5"/>
            <body name="toes_r" pos="0.12 0 0"><geom type="sphere" size="0.02" mass="0.5"/></body>
          </body>
          <body name="calcn_l" pos="0 0.08 -0.25"><geom type="box" size="0.12 0.03 0.05" mass="1"/></body>
        </body>
      </worldbody>
      <tendon><fixed name="t_sol"><joint joint="ankle_r" coef="0.05"/></fixed>
        <fixed name="t_ta"><joint joint="ankle_r" coef="-0.05"/></fixed></tendon>
      <actuator><muscle name="soleus_r" tendon="t_sol" lengthrange="-0.05 0.05" force="1000"/>
        <muscle name="tibant_r" tendon="t_ta" lengthrange="-0.05 0.05" force="500"/></actuator>
    </mujoco>"#;

    /// Planted walking: 1 s cycles sampled at 100 Hz, the root moving along +x at 1 m/s; each
    /// foot's vertical force a half sine of `peak` N over its stance (the first 60 % of its cycle,
    /// the left half a cycle later), split between the right heel and toes; a fore-aft force
    /// braking then propelling.
    fn planted(m: &Model, peak: f64) -> Recording {
        let (dt, n) = (0.01, 520);
        let body = |s: &str| m.body_name.iter().position(|b| b == s).unwrap();
        let (heel_r, toes_r, heel_l) = (body("calcn_r"), body("toes_r"), body("calcn_l"));
        let mut e = Episode::default();
        for t in 0..n {
            let mut q = m.qpos0.clone();
            q[0] = t as f64 * dt;
            e.qpos.extend(q);
            let mut w = vec![0.0; m.nbody * 6];
            for (b, share, offset) in [(heel_r, 0.75, 0.0), (toes_r, 0.25, 0.0), (heel_l, 1.0, 0.5)] {
                // phase within the foot's cycle; cycles start 0.05 s into the recording
                let phase = ((t as f64 * dt - 0.05 - offset).rem_euclid(1.0)) / 0.6;
                if t as f64 * dt >= 0.05 + offset && phase < 1.0 {
                    let s = (std::f64::consts::PI * phase).sin();
                    w[b * 6 + 5] = share * peak * s;
                    w[b * 6 + 3] = share * 100.0 * (2.0 * std::f64::consts::PI * phase).sin() * -1.0;
                }
            }
            e.cfrc_ext.extend(w);
            // muscles: soleus active in stance, tibialis anterior in swing, each at its own
            // phase (planted synergies), shortening slowly
            let phase = ((t as f64 * dt - 0.05).rem_euclid(1.0)) * 2.0 * std::f64::consts::PI;
            let act = [0.3 + 0.25 * phase.sin(), 0.2 + 0.15 * (2.0 * phase).cos()];
            e.ctrl.extend(act.map(|a| a + 0.02));
            e.act.extend(act);
            e.actuator_length.extend([0.0, 0.0]);
            e.actuator_velocity.extend([-0.01, 0.01]);
        }
        Recording { dt, episodes: vec![e], source: "planted".into() }
    }

    fn options(m: &Model) -> Options {
        let body = |s: &str| m.body_name.iter().position(|b| b == s).unwrap();
        Options {
            feet: vec![("right".into(), vec![body("calcn_r")]), ("left".into(), vec![body("calcn_l")])],
            threshold: 20.0,
            slow_twitch: 0.5,
            k_max: 4,
            emg: None,
            emg_window_percent: 10.0,
        }
    }

    #[test]
    fn planted_muscles_give_emg_correlation_energy_and_synergies() {
        let m = crate::mjcf::load_model_str(BIPED, std::path::Path::new("biped.xml")).unwrap();
        let rec = planted(&m, 1.2 * m.total_mass() * 9.81);
        // EMG: the soleus' own activation over the cycle, delayed by 5 % of the cycle
        let plain = report(&m, &rec, &options(&m), &Normative::adult_walking());
        let act: Vec<f64> = plain["emg"]["muscles"]["soleus_r"]["activation"]["mean"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let delayed: Vec<f64> = (0..POINTS).map(|i| act[(i + POINTS - 5) % POINTS]).collect();
        let mut opts = options(&m);
        opts.emg =
            Some(Emg { muscles: vec![("soleus_r".into(), delayed), ("nobody".into(), vec![0.0; POINTS])] });
        let r = report(&m, &rec, &opts, &Normative::adult_walking());
        let emg = &r["emg"]["muscles"]["soleus_r"]["emg"];
        assert!(emg["pearson_r"].as_f64().unwrap() > 0.999, "{emg}");
        assert_eq!(emg["shift_percent"].as_i64().unwrap().abs(), 5);
        assert_eq!(r["emg"]["comparison"]["unmatched_emg_columns"], json!(["nobody"]));
        // energy: positive, over 5.2 m of travel at 1 m/s
        let cot = &r["cost_of_transport"];
        assert!(cot["metabolic_j_per_kg_m"].as_f64().unwrap() > 0.0, "{cot}");
        assert!((cot["distance_m"].as_f64().unwrap() - 5.19).abs() < 1e-6);
        assert!(cot["gross_j_per_kg_m"].as_f64().unwrap() > cot["metabolic_j_per_kg_m"].as_f64().unwrap());
        // two independent planted patterns: one synergy is not enough, two explain everything
        let vaf = r["synergies"]["vaf"].as_array().unwrap();
        assert!(
            vaf[0]["vaf"].as_f64().unwrap() < 0.995 && vaf[1]["vaf"].as_f64().unwrap() > 0.999,
            "{vaf:?}"
        );
    }

    #[test]
    fn planted_gait_gives_its_cycles_forces_and_speed() {
        let m = crate::mjcf::load_model_str(BIPED, std::path::Path::new("biped.xml")).unwrap();
        let weight = m.total_mass() * 9.81;
        let rec = planted(&m, 1.2 * weight);
        let r = report(&m, &rec, &options(&m), &Normative::adult_walking());
        let right = &r["cycles"]["per_foot"]["right"];
        // onsets every 100 samples from 0.05 s (right) and 0.55 s (left) over 5.2 s
        assert_eq!(right["kept"], 5, "{r:#}");
        assert_eq!(r["cycles"]["per_foot"]["left"]["kept"], 4);
        assert!((right["duration_s"]["mean"].as_f64().unwrap() - 1.0).abs() < 1e-9);
        // contact runs while the half sine is above 20 N: 60 % less the two ends where
        // sin(π·p) < 20 / (1.2·W), within a sample (1 %)
        let expected = 60.0 * (1.0 - 2.0 * (20.0 / (1.2 * weight)).asin() / std::f64::consts::PI);
        let stance = right["stance_percent"]["mean"].as_f64().unwrap();
        assert!((stance - expected).abs() <= 1.0, "stance {stance} %, expected {expected}");
        assert!((r["cycles"]["speed_m_s"].as_f64().unwrap() - 1.0).abs() < 0.01);
        // the right foot's force is the heel's and the toes' together, in body weights
        let peak = &r["grf"]["right"]["peaks"]["vertical_first"];
        let v = r["grf"]["right"]["vertical"]["mean"].as_array().unwrap();
        let vmax = v.iter().map(|x| x.as_f64().unwrap()).fold(0.0, f64::max);
        assert!((vmax - 1.2).abs() < 0.01, "peak {vmax} body weights");
        assert!(peak["percent"].as_u64().unwrap() <= 30);
        // fore-aft: braking (negative) in early stance, propulsion late
        let fa = &r["grf"]["right"]["peaks"];
        assert!(fa["braking"]["value"].as_f64().unwrap() < -0.5 * 100.0 / weight);
        assert!(fa["propulsion"]["value"].as_f64().unwrap() > 0.5 * 100.0 / weight);
    }

    #[test]
    fn anterior_pelvis_tilt_is_positive() {
        // travel along +x; the pelvis pitches forward-down (about +y, the left) by 0.1·sin(2πt)
        let m = crate::mjcf::load_model_str(BIPED, std::path::Path::new("biped.xml")).unwrap();
        let mut e = Episode::default();
        for t in 0..100 {
            let tilt = 0.1 * (2.0 * std::f64::consts::PI * t as f64 / 100.0).sin();
            let mut q = m.qpos0.clone();
            q[0] = 0.01 * t as f64;
            q[3..7].copy_from_slice(&[(tilt / 2.0).cos(), 0.0, (tilt / 2.0).sin(), 0.0]);
            e.qpos.extend(q);
        }
        let tilt = pelvis_tilt(&m, &e, 0);
        assert!((tilt[25] - 0.1f64.to_degrees()).abs() < 1e-6, "{}", tilt[25]);
        assert!((tilt[75] + 0.1f64.to_degrees()).abs() < 1e-6, "{}", tilt[75]);
    }

    #[test]
    fn without_contact_nothing_is_invented() {
        let m = crate::mjcf::load_model_str(BIPED, std::path::Path::new("biped.xml")).unwrap();
        let rec = planted(&m, 10.0); // below the 20 N threshold: never in contact
        let r = report(&m, &rec, &options(&m), &Normative::adult_walking());
        assert!(r["cycles"]["unavailable"].is_string());
        assert!(r["grf"]["unavailable"].is_string());
        assert!(r["joint_angles"]["unavailable"].is_string());
    }
}
