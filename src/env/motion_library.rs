//! A set of reference motions for one model, as users have them: the project's own npz (`qpos`
//! (T × nq), `fps`, optional `name`), LocoMuJoCo's trajectory npz (`qpos` in the file's joint
//! order, `joint_names`, `frequency`, `split_points`: several motions in one file, optionally
//! `names` (one per trajectory, which `sinew mine` writes); what
//! MuscleMimic's retargeted datasets use), or folders of either. Every motion is validated
//! against the model ([`Motion::from_qpos`]: finite values, unit quaternions, joint ranges, each
//! error naming the motion and frame), resampled to one rate (the control rate) and laid end to
//! end, so the GPU holds every frame once with per-motion offsets and lengths.

use std::path::{Path, PathBuf};

use super::motion::{Motion, SiteTrajectory};
pub use super::sampling::Sampling;
use crate::error::{Error, Result};
use crate::gpu::{GpuContext, GpuModel};
use crate::model::{JointType, Model};

/// One motion as read, at its source rate.
#[derive(Debug, Clone)]
pub struct SourceMotion {
    /// Its name: the file's `name`, else the file's stem (with `[i]` for the i-th trajectory of
    /// a LocoMuJoCo file holding several).
    pub name: String,
    /// The motion at its source rate (fps = the file's `fps` or `frequency`).
    pub motion: Motion,
}

/// What a set of files holds for a model: the motions and the warnings reading them raised (a
/// model joint a LocoMuJoCo file lacks, a file joint the model lacks).
#[derive(Debug, Clone)]
pub struct MotionSet {
    /// Every motion, files in the order given (a folder's files sorted by name).
    pub motions: Vec<SourceMotion>,
    /// One line per thing worth knowing that did not stop the load.
    pub warnings: Vec<String>,
}

/// Per motion of a [`MotionLibrary`]: where it came from and where its frames are.
#[derive(Debug, Clone, PartialEq)]
pub struct MotionEntry {
    /// Its name (see [`SourceMotion::name`]).
    pub name: String,
    /// Frames per second at the source.
    pub source_fps: f64,
    /// Frames at the source.
    pub source_frames: usize,
    /// First frame in the library's arrays.
    pub start: usize,
    /// Frames at the library's rate.
    pub nframe: usize,
}

/// Motions at one rate, laid end to end.
#[derive(Debug, Clone)]
pub struct MotionLibrary {
    /// Frames per second of every motion (the control rate).
    pub fps: f64,
    /// The motions, in load order.
    pub motions: Vec<MotionEntry>,
    /// (F × nq) every motion's joint positions, motion after motion (F = total frames).
    pub qpos: Vec<f64>,
    /// (F × nv) their joint velocities (finite differences within each motion).
    pub qvel: Vec<f64>,
}

impl MotionSet {
    /// Read every motion in `paths` (npz files, or folders whose `.npz` files are read in name
    /// order) and validate it against `m`.
    pub fn read(paths: &[PathBuf], m: &Model) -> Result<Self> {
        let mut set = MotionSet { motions: Vec::new(), warnings: Vec::new() };
        if paths.is_empty() {
            return Err(Error::Motion("no motion files given".into()));
        }
        for file in expand(paths)? {
            read_file(&file, m, &mut set)?;
        }
        Ok(set)
    }

    /// Seconds of motion in the set (first to last frame of each).
    pub fn total_seconds(&self) -> f64 {
        self.motions.iter().map(|s| s.motion.duration()).sum()
    }
}

impl MotionLibrary {
    /// `set` resampled to `rate` frames per second and laid end to end; every motion must keep
    /// at least `min_frames` frames at that rate (the error names the first that does not).
    pub fn new(m: &Model, set: &MotionSet, rate: f64, min_frames: usize) -> Result<Self> {
        let mut lib = MotionLibrary { fps: rate, motions: Vec::new(), qpos: Vec::new(), qvel: Vec::new() };
        for s in &set.motions {
            let at = s.motion.resample(m, rate)?;
            if at.nframe < min_frames {
                return Err(Error::Motion(format!(
                    "motion '{}': {} frames at {rate} fps ({:.3} s) are too few: it needs {min_frames}",
                    s.name,
                    at.nframe,
                    s.motion.duration()
                )));
            }
            lib.motions.push(MotionEntry {
                name: s.name.clone(),
                source_fps: s.motion.fps,
                source_frames: s.motion.nframe,
                start: lib.qpos.len() / m.nq.max(1),
                nframe: at.nframe,
            });
            lib.qpos.extend_from_slice(&at.qpos);
            lib.qvel.extend_from_slice(&at.qvel);
        }
        Ok(lib)
    }

    /// Frames of every motion together.
    pub fn total_frames(&self) -> usize {
        self.motions.iter().map(|e| e.nframe).sum()
    }

    /// Motion `i` on its own (a copy of its frames).
    pub fn motion(&self, m: &Model, i: usize) -> Motion {
        let e = &self.motions[i];
        Motion {
            fps: self.fps,
            nframe: e.nframe,
            qpos: self.qpos[e.start * m.nq..(e.start + e.nframe) * m.nq].to_vec(),
            qvel: self.qvel[e.start * m.nv..(e.start + e.nframe) * m.nv].to_vec(),
        }
    }

    /// The mimic sites `sites` relative to body `pelvis` over every frame, motion after motion
    /// (one forward-kinematics pass on the GPU over the whole library; model `m` as uploaded in
    /// `gm`).
    pub fn site_trajectory(
        &self,
        ctx: &GpuContext,
        m: &Model,
        gm: &GpuModel,
        sites: &[usize],
        pelvis: usize,
    ) -> Result<SiteTrajectory> {
        let ranges: Vec<_> = self.motions.iter().map(|e| e.start..e.start + e.nframe).collect();
        SiteTrajectory::compute_frames(ctx, m, gm, &self.qpos, self.fps, &ranges, sites, pelvis)
    }

    /// The probability reset gives each motion under `sampling` (nmotion, summing to 1).
    pub fn weights(&self, sampling: Sampling) -> Vec<f64> {
        let raw: Vec<f64> = match sampling {
            // adaptive sampling starts uniform (every motion has the same priors)
            Sampling::Uniform | Sampling::Adaptive => vec![1.0; self.motions.len()],
            Sampling::Duration => self.motions.iter().map(|e| (e.nframe - 1) as f64).collect(),
        };
        let total: f64 = raw.iter().sum();
        raw.iter().map(|w| w / total).collect()
    }
}

/// `paths` with each folder replaced by its `.npz` files in name order.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| Error::io(p, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "npz"))
                .collect();
            if files.is_empty() {
                return Err(Error::Motion(format!("{}: a folder with no .npz motion files", p.display())));
            }
            files.sort();
            out.extend(files);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(Error::Motion(format!("{}: no such motion file or folder", p.display())));
        }
    }
    Ok(out)
}

/// Read one file into `set`: the project's own layout where it has `fps` (its `qpos` is in the
/// model's order; other arrays such as `joint_names` are informative), else LocoMuJoCo's
/// (`frequency`, `joint_names`).
fn read_file(path: &Path, m: &Model, set: &mut MotionSet) -> Result<()> {
    let names = crate::npio::npz_names(path).map_err(|e| Error::Motion(e.to_string()))?;
    let has = |n: &str| names.iter().any(|x| x == n);
    if !has("fps") && (has("frequency") || has("joint_names")) {
        read_locomujoco(path, m, set)
    } else {
        let motion = Motion::load(path, m)?;
        let name =
            match crate::npio::load_npz_strings(path, "name").map_err(|e| Error::Motion(e.to_string()))? {
                Some(n) if !n.is_empty() => n[0].clone(),
                _ => stem(path),
            };
        set.motions.push(SourceMotion { name, motion });
        Ok(())
    }
}

fn stem(path: &Path) -> String {
    path.file_stem().map_or_else(|| path.display().to_string(), |s| s.to_string_lossy().into_owned())
}

/// The file's `jnt_type` (one per joint name) as joint types, when it has one.
fn file_joint_types(path: &Path, njoint: usize) -> Result<Option<Vec<JointType>>> {
    let what = path.display();
    let bad = |e: Error| Error::Motion(e.to_string());
    let Some(t) = crate::npio::load_npz(path, &["jnt_type"]).map_err(bad)?.remove(0) else {
        return Ok(None);
    };
    if t.data.len() != njoint {
        return Err(Error::Motion(format!(
            "{what}: jnt_type has {} entries for {njoint} joint_names",
            t.data.len()
        )));
    }
    t.data
        .iter()
        .map(|v| match *v as i64 {
            0 => Ok(JointType::Free),
            1 => Ok(JointType::Ball),
            2 => Ok(JointType::Slide),
            3 => Ok(JointType::Hinge),
            other => {
                Err(Error::Motion(format!("{what}: jnt_type {other} is not a MuJoCo joint type (0 to 3)")))
            }
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// LocoMuJoCo's trajectory file: `qpos` (N × columns) in the order of `joint_names`, each joint
/// as wide as its type (free 7, ball 4, else 1; quaternions w, x, y, z), `frequency` (Hz) and
/// `split_points` (the first frame of each trajectory, then N). Joints are matched to the
/// model's by name; a model joint the file lacks stays at the model's qpos0 (a warning names
/// it), a file joint the model lacks is skipped (a warning names it). The widths come from the
/// file's `jnt_type` (MuJoCo's mjtJoint: 0 free, 1 ball, 2 slide, 3 hinge) where it has one,
/// else from the model's joint of the same name (a joint the model lacks: one column).
/// `qvel` and the other arrays are not read: velocities are derived after resampling, as for
/// every motion.
fn read_locomujoco(path: &Path, m: &Model, set: &mut MotionSet) -> Result<()> {
    let what = path.display().to_string();
    let bad = |e: Error| Error::Motion(e.to_string());
    let arrays = crate::npio::load_npz(path, &["qpos", "frequency", "split_points"]).map_err(bad)?;
    let [qpos, freq, split] = <[Option<crate::npio::Array>; 3]>::try_from(arrays).expect("three names asked");
    let qpos = qpos.ok_or_else(|| Error::Motion(format!("{what}: no array 'qpos' (N × columns)")))?;
    let freq = freq.ok_or_else(|| Error::Motion(format!("{what}: no array 'frequency' (Hz)")))?;
    let joints = crate::npio::load_npz_strings(path, "joint_names")
        .map_err(bad)?
        .ok_or_else(|| Error::Motion(format!("{what}: no array 'joint_names' (the qpos columns' joints)")))?;
    if freq.data.len() != 1 {
        return Err(Error::Motion(format!("{what}: frequency must be one number")));
    }
    if qpos.shape.len() != 2 {
        return Err(Error::Motion(format!("{what}: qpos has shape {:?}; expected (N, columns)", qpos.shape)));
    }
    let (n, cols) = (qpos.shape[0], qpos.shape[1]);
    let file_types = file_joint_types(path, joints.len())?;
    // where each file joint's columns start, and the model joint it is
    let mut column = 0;
    let mut found = vec![None; m.njnt];
    let mut unknown = Vec::new();
    for (k, name) in joints.iter().enumerate() {
        let model_joint = m.jnt_name.iter().position(|j| j == name);
        let width = match (file_types.as_ref().map(|t| t[k]), model_joint) {
            (Some(t), Some(j)) if t != m.jnt_type[j] => {
                return Err(Error::Motion(format!(
                    "{what}: joint '{name}' is a {t:?} joint in the file but a {:?} joint in the model",
                    m.jnt_type[j]
                )));
            }
            (Some(t), _) => t.nq(),
            (None, Some(j)) => m.jnt_type[j].nq(),
            (None, None) => 1,
        };
        match model_joint {
            Some(j) if found[j].is_some() => {
                return Err(Error::Motion(format!("{what}: joint '{name}' is named twice in joint_names")));
            }
            Some(j) => found[j] = Some(column),
            None => unknown.push(name.clone()),
        }
        column += width;
    }
    if column != cols {
        return Err(Error::Motion(format!(
            "{what}: joint_names ({} joints) take {column} qpos columns by their types (free 7, ball 4, else 1: \
             the file's jnt_type, else the model's, else 1), but qpos has {cols}",
            joints.len()
        )));
    }
    if !unknown.is_empty() {
        set.warnings.push(format!("{what}: joints the model does not have, skipped: {}", unknown.join(", ")));
    }
    let missing: Vec<&str> =
        (0..m.njnt).filter(|&j| found[j].is_none()).map(|j| m.jnt_name[j].as_str()).collect();
    if !missing.is_empty() {
        set.warnings.push(format!(
            "{what}: joints the file lacks, held at the model's qpos0: {}",
            missing.join(", ")
        ));
    }
    let mut model_qpos = Vec::with_capacity(n * m.nq);
    for f in 0..n {
        let row = &qpos.data[f * cols..(f + 1) * cols];
        let mut q: Vec<f64> = m.qpos0.clone();
        for (j, c) in found.iter().enumerate() {
            if let Some(c) = *c {
                let (a, w) = (m.jnt_qposadr[j], m.jnt_type[j].nq());
                for k in 0..w {
                    q[a + k] = row[c + k] as f64;
                }
            }
        }
        model_qpos.extend(q);
    }
    let splits: Vec<usize> = match split {
        Some(s) => s.data.iter().map(|v| *v as usize).collect(),
        None => vec![0, n],
    };
    if splits.len() < 2
        || splits[0] != 0
        || *splits.last().unwrap() != n
        || splits.windows(2).any(|w| w[1] <= w[0])
    {
        return Err(Error::Motion(format!(
            "{what}: split_points must rise from 0 to the frame count {n} (the start of each trajectory, then \
             the end); it holds {splits:?}"
        )));
    }
    let fps = freq.data[0] as f64;
    let several = splits.len() > 2;
    // the trajectories' names when the file carries them (sinew mine writes them), else the
    // file's stem with the trajectory's index
    let names = crate::npio::load_npz_strings(path, "names").map_err(bad)?;
    if let Some(names) = &names {
        if names.len() != splits.len() - 1 {
            return Err(Error::Motion(format!(
                "{what}: 'names' holds {} names for {} trajectories",
                names.len(),
                splits.len() - 1
            )));
        }
    }
    for (i, w) in splits.windows(2).enumerate() {
        let name = match &names {
            Some(n) => n[i].clone(),
            None if several => format!("{}[{i}]", stem(path)),
            None => stem(path),
        };
        let q = model_qpos[w[0] * m.nq..w[1] * m.nq].to_vec();
        let motion = Motion::from_qpos(m, q, fps, &format!("{what}: motion '{name}'"))?;
        set.motions.push(SourceMotion { name, motion });
    }
    Ok(())
}
