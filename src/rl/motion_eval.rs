//! Per-motion evaluation of an imitation policy (`sinew eval RUN --per-motion`): every motion of
//! a set is run once from its first frame, without noise, by the deterministic policy, and
//! scored with MuscleMimic's tracking metrics and KINESIS' frame coverage, per motion and
//! aggregated over the whole set and over named splits.
//!
//! Per motion, over the control steps the world is mid-episode (the state after the step matches
//! the reference frame of that step):
//! - joint position / velocity RMSE over the hinge and slide joints (rad or m, per s);
//! - root position RMSE (m) and mean absolute root yaw error (rad);
//! - mean relative site error (mimic sites relative to the pelvis, in its frame) and mean absolute
//!   site error (world frame), m;
//! - early termination: the mean relative site deviation passed `site_deviation` (MuscleMimic's
//!   0.5 m) or the world broke, and the episode length in control steps;
//! - coverage: the share of the motion's trackable steps done before the episode ended (1 when it
//!   ran to the motion's end); aggregated frame-weighted as KINESIS reports it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::mixture::deployed_of;
use super::tracking::TrackedState;
use crate::env::motion_library::MotionLibrary;
use crate::env::{DONE_TERMINATED, Env, TaskConfig};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::model::{JointType, Model};

/// MuscleMimic's early-termination rule for evaluation: mean relative site deviation (m).
pub const MUSCLEMIMIC_SITE_DEVIATION: f32 = 0.5;

/// What `sinew eval --per-motion` evaluates.
#[derive(Debug, Clone)]
pub struct PerMotionOptions {
    /// Motion files or folders to evaluate instead of the run's own set (empty: the run's).
    pub motions: Vec<PathBuf>,
    /// Named splits: (name, file listing motion names, one per line; `#` starts a comment).
    pub splits: Vec<(String, PathBuf)>,
    /// Worlds run at once (motions are evaluated in batches of this many).
    pub nworld: usize,
    /// Early termination when the mean relative site deviation passes this (m).
    pub site_deviation: f32,
}

/// MuscleMimic's tracking errors (of one motion, or a group's means).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct TrackingMetrics {
    /// Joint position RMSE over hinge and slide joints.
    pub joint_pos_rmse: f64,
    /// Joint velocity RMSE over hinge and slide joints.
    pub joint_vel_rmse: f64,
    /// Root position RMSE (m).
    pub root_pos_rmse: f64,
    /// Mean absolute root yaw error (rad).
    pub root_yaw_error: f64,
    /// Mean relative site position error (m).
    pub relative_site_error: f64,
    /// Mean absolute site position error (m).
    pub absolute_site_error: f64,
}

impl TrackingMetrics {
    /// The errors as an array, in the order of the fields.
    pub fn values(&self) -> [f64; 6] {
        [
            self.joint_pos_rmse, self.joint_vel_rmse, self.root_pos_rmse, self.root_yaw_error,
            self.relative_site_error, self.absolute_site_error,
        ]
    }

    fn from_values(v: [f64; 6]) -> Self {
        let [
            joint_pos_rmse,
            joint_vel_rmse,
            root_pos_rmse,
            root_yaw_error,
            relative_site_error,
            absolute_site_error,
        ] = v;
        TrackingMetrics {
            joint_pos_rmse,
            joint_vel_rmse,
            root_pos_rmse,
            root_yaw_error,
            relative_site_error,
            absolute_site_error,
        }
    }
}

/// One motion's scores.
#[derive(Debug, Clone, Serialize)]
pub struct MotionScore {
    /// The motion's name.
    pub name: String,
    /// Its frames at the control rate.
    pub frames: usize,
    /// Control steps of its episode.
    pub episode_length: usize,
    /// Whether the episode ended early (termination rule) rather than at the motion's end.
    pub early_termination: bool,
    /// Steps done over the steps the motion offers (1 when it ran to the end).
    pub coverage: f64,
    /// The tracking errors over the measured steps.
    #[serde(flatten)]
    pub errors: TrackingMetrics,
    /// Control steps measured (mid-episode).
    pub samples: usize,
}

/// Scores over a group of motions (the whole set, or a split).
#[derive(Debug, Clone, Serialize)]
pub struct Aggregate {
    /// Motions in the group.
    pub motions: usize,
    /// Share of them that ended early.
    pub early_termination_rate: f64,
    /// Steps done over steps offered, summed over the group's motions (KINESIS' coverage).
    pub frame_coverage: f64,
    /// Mean episode length (control steps).
    pub mean_episode_length: f64,
    /// Means over the group's measured motions.
    #[serde(flatten)]
    pub errors: TrackingMetrics,
}

/// The report (`eval_motions.json`).
#[derive(Debug, Clone, Serialize)]
pub struct PerMotionReport {
    /// The checkpoint evaluated.
    pub checkpoint: PathBuf,
    /// The termination rule used (m).
    pub site_deviation: f32,
    /// Per motion, in the set's order.
    pub motions: Vec<MotionScore>,
    /// "all", then each split by name.
    pub aggregates: BTreeMap<String, Aggregate>,
}

/// Sums of squared or absolute errors of one motion's episode.
#[derive(Default, Clone)]
struct Sums {
    joint_pos: f64,
    joint_vel: f64,
    root_pos: f64,
    yaw: f64,
    rel_site: f64,
    abs_site: f64,
    samples: usize,
    length: usize,
    early: bool,
    ended: bool,
}

/// Evaluate `path` (a checkpoint, or a run directory: its latest) on every motion.
pub fn evaluate_per_motion(ctx: &GpuContext, path: &Path, o: &PerMotionOptions) -> Result<PerMotionReport> {
    evaluate_with_library(ctx, path, o).map(|(report, _, _)| report)
}

/// [`evaluate_per_motion`], also giving the motion library evaluated (at the run's control
/// rate) and the run's model.
pub fn evaluate_with_library(
    ctx: &GpuContext,
    path: &Path,
    o: &PerMotionOptions,
) -> Result<(PerMotionReport, MotionLibrary, Model)> {
    if o.nworld == 0 {
        return Err(Error::Config("eval --per-motion needs --nworld of at least 1".into()));
    }
    if !(o.site_deviation > 0.0) {
        return Err(Error::Config(format!("eval: --site-deviation {} must be positive", o.site_deviation)));
    }
    let (ckpt_path, ckpt, mut cfg) = super::eval::load_run(path)?;
    let TaskConfig::Imitation(task) = &mut cfg.env.task else {
        return Err(Error::Config(format!(
            "eval --per-motion: {} trained the {} task; per-motion evaluation is for imitation",
            ckpt_path.display(),
            cfg.env.task.name()
        )));
    };
    if !o.motions.is_empty() {
        task.motion = o.motions.clone();
    }
    // every motion runs to its end: no episode length limit
    cfg.env.env.max_steps = u32::MAX / 2;
    let max_look = task.lookahead.iter().copied().max().unwrap_or(0) as usize;
    let env = Env::new(ctx, &cfg.env, o.nworld)?;
    super::eval::check_fits(&ckpt_path, &ckpt, &env)?;
    let lib = env.motion.clone().expect("an imitation environment has a motion library");
    let names: Vec<&str> = lib.motions.iter().map(|e| e.name.as_str()).collect();
    let splits: Vec<(String, Vec<usize>)> =
        o.splits.iter().map(|(n, f)| Ok((n.clone(), read_split(f, &names)?))).collect::<Result<_>>()?;
    let policy = deployed_of(&ckpt)?;
    let mut sums = vec![Sums::default(); lib.motions.len()];
    let all: Vec<usize> = (0..lib.motions.len()).collect();
    for batch in all.chunks(o.nworld) {
        // spare worlds repeat the batch's first motion and are not counted
        let assigned: Vec<u32> = (0..o.nworld).map(|w| *batch.get(w).unwrap_or(&batch[0]) as u32).collect();
        env.fix_motions(ctx, Some((&assigned, o.site_deviation)))?;
        env.reset(ctx);
        let longest = batch.iter().map(|&m| lib.motions[m].nframe).max().unwrap_or(0);
        for _ in 0..longest + 1 {
            let obs = env.observations(ctx)?;
            env.write_actions(ctx, &policy.forward(&obs)?)?;
            env.step(ctx);
            let done = env.dones(ctx)?;
            let open: Vec<usize> = (0..batch.len()).filter(|&w| !sums[batch[w]].ended).collect();
            measure(ctx, &env, &lib, &done, &open, batch, &mut sums)?;
            if (0..batch.len()).all(|w| sums[batch[w]].ended) {
                break;
            }
        }
    }
    env.fix_motions(ctx, None)?;
    let scores: Vec<MotionScore> = lib
        .motions
        .iter()
        .zip(&sums)
        .map(|(e, s)| score(e.name.clone(), e.nframe, offered_steps(e.nframe, max_look), s))
        .collect();
    let mut aggregates = BTreeMap::new();
    aggregates.insert("all".to_string(), aggregate(&scores, &all, max_look));
    for (name, members) in &splits {
        aggregates.insert(name.clone(), aggregate(&scores, members, max_look));
    }
    let report = PerMotionReport {
        checkpoint: ckpt_path,
        site_deviation: o.site_deviation,
        motions: scores,
        aggregates,
    };
    Ok((report, lib, env.model.clone()))
}

/// Control steps an episode from a motion's first frame lasts when nothing ends it early (the
/// reference must keep the look-ahead: imitation.wgsl truncates there).
fn offered_steps(nframe: usize, max_look: usize) -> usize {
    nframe.saturating_sub(max_look + 1).max(1)
}

/// Add the errors of the worlds in `open` (batch positions whose motion's episode has not
/// ended); a world whose flags are set ended its episode this step (its state was reset).
fn measure(
    ctx: &GpuContext,
    env: &Env,
    lib: &MotionLibrary,
    done: &[u32],
    open: &[usize],
    batch: &[usize],
    sums: &mut [Sums],
) -> Result<()> {
    let m = &env.model;
    let st = TrackedState::download(ctx, env)?;
    let worlds = &st.worlds;
    let root = (0..m.njnt).find(|&j| m.jnt_type[j] == JointType::Free);
    let joints: Vec<usize> =
        (0..m.njnt).filter(|&j| matches!(m.jnt_type[j], JointType::Hinge | JointType::Slide)).collect();
    for &w in open {
        let s = &mut sums[batch[w]];
        if done[w] != 0 {
            // the episode's last step: its state is gone (reset), its length is known
            (s.ended, s.early, s.length) =
                (true, done[w] & DONE_TERMINATED != 0, worlds[w].last_length as usize);
            continue;
        }
        let f = st.frame(lib, w);
        let (q, v) = (&st.qpos[w * m.nq..][..m.nq], &st.qvel[w * m.nv..][..m.nv]);
        let (rq, rv) = (&lib.qpos[f * m.nq..][..m.nq], &lib.qvel[f * m.nv..][..m.nv]);
        if !joints.is_empty() {
            let n = joints.len() as f64;
            s.joint_pos += joints
                .iter()
                .map(|&j| (q[m.jnt_qposadr[j]] as f64 - rq[m.jnt_qposadr[j]]).powi(2))
                .sum::<f64>()
                / n;
            s.joint_vel += joints
                .iter()
                .map(|&j| (v[m.jnt_dofadr[j]] as f64 - rv[m.jnt_dofadr[j]]).powi(2))
                .sum::<f64>()
                / n;
        }
        if let Some(r) = root.map(|j| m.jnt_qposadr[j]) {
            s.root_pos += (0..3).map(|k| (q[r + k] as f64 - rq[r + k]).powi(2)).sum::<f64>();
            let quat = |x: &[f64]| [x[0], x[1], x[2], x[3]];
            let here = quat(&q[r + 3..r + 7].iter().map(|&x| x as f64).collect::<Vec<_>>());
            let (pi, dyaw) = (std::f64::consts::PI, yaw(here) - yaw(quat(&rq[r + 3..r + 7])));
            s.yaw += ((dyaw + pi).rem_euclid(2.0 * pi) - pi).abs();
        }
        let (rel, abs) = st.site_errors(env, w, f);
        (s.rel_site, s.abs_site) = (s.rel_site + rel, s.abs_site + abs);
        s.samples += 1;
    }
    Ok(())
}

/// Heading of a (w, x, y, z) quaternion about the world's z axis (rad).
fn yaw(q: [f64; 4]) -> f64 {
    let [w, x, y, z] = q;
    (2.0 * (w * z + x * y)).atan2(1.0 - 2.0 * (y * y + z * z))
}

fn score(name: String, frames: usize, offered: usize, s: &Sums) -> MotionScore {
    let n = s.samples.max(1) as f64;
    MotionScore {
        name,
        frames,
        episode_length: s.length,
        early_termination: s.early,
        coverage: if s.early { (s.length as f64 / offered as f64).min(1.0) } else { 1.0 },
        errors: TrackingMetrics {
            joint_pos_rmse: (s.joint_pos / n).sqrt(),
            joint_vel_rmse: (s.joint_vel / n).sqrt(),
            root_pos_rmse: (s.root_pos / n).sqrt(),
            root_yaw_error: s.yaw / n,
            relative_site_error: s.rel_site / n,
            absolute_site_error: s.abs_site / n,
        },
        samples: s.samples,
    }
}

fn aggregate(scores: &[MotionScore], members: &[usize], max_look: usize) -> Aggregate {
    let group: Vec<&MotionScore> = members.iter().map(|&i| &scores[i]).collect();
    let n = group.len().max(1) as f64;
    let measured: Vec<&&MotionScore> = group.iter().filter(|s| s.samples > 0).collect();
    let mut sums = [0.0; 6];
    for s in &measured {
        sums.iter_mut().zip(s.errors.values()).for_each(|(a, v)| *a += v);
    }
    let errors = TrackingMetrics::from_values(sums.map(|v| v / measured.len().max(1) as f64));
    let offered: usize = group.iter().map(|s| offered_steps(s.frames, max_look)).sum();
    let done: f64 = group.iter().map(|s| s.coverage * offered_steps(s.frames, max_look) as f64).sum();
    Aggregate {
        motions: group.len(),
        early_termination_rate: group.iter().filter(|s| s.early_termination).count() as f64 / n,
        frame_coverage: done / offered.max(1) as f64,
        mean_episode_length: group.iter().map(|s| s.episode_length as f64).sum::<f64>() / n,
        errors,
    }
}

/// The motions a split file names (one name per line, `#` comments, blank lines skipped), as
/// indices into `names`; a name the set lacks is an error naming it.
pub fn read_split(path: &Path, names: &[&str]) -> Result<Vec<usize>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    for (line_no, line) in text.lines().enumerate() {
        let name = line.split('#').next().unwrap_or("").trim();
        if name.is_empty() {
            continue;
        }
        match names.iter().position(|n| *n == name) {
            Some(i) if !out.contains(&i) => out.push(i),
            Some(_) => {}
            None => {
                return Err(Error::Config(format!(
                    "{} line {}: no motion named '{name}' in the evaluated set",
                    path.display(),
                    line_no + 1
                )));
            }
        }
    }
    if out.is_empty() {
        return Err(Error::Config(format!("{}: the split names no motion", path.display())));
    }
    Ok(out)
}
