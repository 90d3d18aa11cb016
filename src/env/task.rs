//! The task-specific part of an environment: its uniform, its extra GPU buffers, its shader and
//! the size of its observation beyond proprioception.

use super::config::{ImitationConfig, LocomotionConfig, PoseConfig, ReachingConfig, TaskConfig};
use super::layout::{ImitationParams, LocomotionParams, MotionRow, PoseJoint, PoseParams, ReachingParams};
use super::motion::SiteTrajectory;
use super::motion_library::{MotionLibrary, MotionSet};
use super::sampling::{Sampling, set_probabilities};
use crate::error::{Error, Result};
use crate::gpu::{GpuContext, GpuModel};
use crate::model::{JointType, Model};

/// A task's buffers on the GPU, offered to its kernels by WGSL name.
pub struct TaskGpu {
    /// The task's shader (`shaders/env/*.wgsl`).
    pub shader: &'static str,
    /// Observation entries after proprioception.
    pub extra_obs: usize,
    /// (WGSL name, buffer, bytes per world or 0 when every world reads all of it); the task's
    /// uniform is `task`.
    pub buffers: Vec<(&'static str, wgpu::Buffer, u64)>,
    /// Imitation: the reference motions at the control rate (None for other tasks).
    pub motion: Option<MotionLibrary>,
    /// Buffers holding per-world task state (checkpoints save them), named.
    pub state: Vec<(&'static str, wgpu::Buffer)>,
    /// Imitation: the mimic sites' ids and their reference trajectories (evaluation's errors).
    pub mimic: Option<(Vec<usize>, SiteTrajectory)>,
    /// Imitation: the task's uniform as configured.
    pub imitation: Option<ImitationParams>,
}

/// Build the task's GPU side for model `m` at control step `ctrl_dt` (s); `pelvis` is the pelvis
/// body's id; `nworld` sizes per-world task buffers.
pub fn build(
    ctx: &GpuContext,
    m: &Model,
    gm: &GpuModel,
    task: &TaskConfig,
    ctrl_dt: f64,
    pelvis: usize,
    nworld: usize,
) -> Result<TaskGpu> {
    match task {
        TaskConfig::Imitation(c) => imitation(ctx, m, gm, c, ctrl_dt, pelvis),
        TaskConfig::Locomotion(c) => Ok(locomotion(ctx, c)),
        TaskConfig::Reaching(c) => Ok(reaching(ctx, c)),
        TaskConfig::Pose(c) => pose(ctx, m, c, nworld),
    }
}

/// The sites the task's kernels read (the imitation task's mimic sites, by name in its config),
/// so the simulation computes them ([`crate::sim::Sites`]).
pub fn read_sites(m: &Model, task: &TaskConfig) -> Result<Vec<usize>> {
    match task {
        TaskConfig::Imitation(c) => mimic_sites(m, c),
        _ => Ok(Vec::new()),
    }
}

fn mimic_sites(m: &Model, c: &ImitationConfig) -> Result<Vec<usize>> {
    c.sites
        .iter()
        .map(|name| {
            m.site_name
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| Error::Config(format!("imitation.sites: the model has no site '{name}'")))
        })
        .collect()
}

/// Whether the task needs a free root joint (a floating base).
pub fn needs_free_root(task: &TaskConfig) -> bool {
    !matches!(task, TaskConfig::Pose(_))
}

/// The joints of a pose task: the named ones, else every limited hinge and slide joint.
pub fn pose_joints(m: &Model, c: &PoseConfig) -> Result<Vec<usize>> {
    let movable = |j: usize| matches!(m.jnt_type[j], JointType::Hinge | JointType::Slide);
    let joints: Vec<usize> = if c.joints.is_empty() {
        (0..m.njnt).filter(|&j| movable(j) && m.jnt_limited[j]).collect()
    } else {
        c.joints
            .iter()
            .map(|name| {
                let j = m.jnt_name.iter().position(|n| n == name).ok_or_else(|| {
                    Error::Config(format!("pose.joints: the model has no joint '{name}'"))
                })?;
                if !movable(j) || !m.jnt_limited[j] {
                    return Err(Error::Config(format!(
                        "pose.joints: '{name}' must be a limited hinge or slide joint (targets are drawn in its range)"
                    )));
                }
                Ok(j)
            })
            .collect::<Result<_>>()?
    };
    if joints.is_empty() {
        return Err(Error::Config("pose: the model has no limited hinge or slide joint to pose".into()));
    }
    Ok(joints)
}

fn pose(ctx: &GpuContext, m: &Model, c: &PoseConfig, nworld: usize) -> Result<TaskGpu> {
    let joints = pose_joints(m, c)?;
    let table: Vec<PoseJoint> = joints
        .iter()
        .map(|&j| PoseJoint {
            qpos_adr: m.jnt_qposadr[j] as u32,
            _pad: 0,
            lo: m.jnt_range[j][0] as f32,
            hi: m.jnt_range[j][1] as f32,
        })
        .collect();
    let params = PoseParams {
        npose: joints.len() as u32,
        weight: [c.pose_weight, c.bonus_weight, c.effort_weight, 0.0],
        goal: [c.success_threshold, c.target_fraction, 0.0, 0.0],
        ..Default::default()
    };
    let target = ctx.storage_zeroed::<f32>("pose.target", nworld * joints.len());
    Ok(TaskGpu {
        shader: "env/pose.wgsl",
        extra_obs: 2 * joints.len(),
        buffers: vec![
            ("task", ctx.uniform_from("pose.params", &params), 0),
            ("pose_joints", ctx.storage_from("pose.joints", &table), 0),
            ("pose_target", target.clone(), 4 * joints.len() as u64),
        ],
        motion: None,
        state: vec![("pose.target", target)],
        mimic: None,
        imitation: None,
    })
}

fn imitation(
    ctx: &GpuContext,
    m: &Model,
    gm: &GpuModel,
    c: &ImitationConfig,
    ctrl_dt: f64,
    pelvis: usize,
) -> Result<TaskGpu> {
    let max_look = c.lookahead.iter().copied().max().unwrap_or(0) as usize;
    let set = MotionSet::read(&c.motion, m)?;
    for w in &set.warnings {
        eprintln!("warning: {w}");
    }
    // a start frame must leave two control steps and the look-ahead
    let lib = MotionLibrary::new(m, &set, 1.0 / ctrl_dt, max_look + 4)?;
    let site_ids = mimic_sites(m, c)?;
    let sites = lib.site_trajectory(ctx, m, gm, &site_ids, pelvis)?;
    let mimic = Some((site_ids.clone(), sites.clone()));
    let nframe = lib.total_frames();
    let mut ref_site = Vec::with_capacity(nframe * site_ids.len() * 3);
    for f in 0..nframe {
        for i in 0..site_ids.len() {
            let k = f * site_ids.len() + i;
            let p = &sites.rel_pos[3 * k..3 * k + 3];
            let v = &sites.rel_vel[3 * k..3 * k + 3];
            ref_site.push([p[0], p[1], p[2], 0.0]);
            ref_site.push([
                sites.rel_quat[4 * k],
                sites.rel_quat[4 * k + 1],
                sites.rel_quat[4 * k + 2],
                sites.rel_quat[4 * k + 3],
            ]);
            ref_site.push([v[0], v[1], v[2], 0.0]);
        }
    }
    let table = motion_table(&lib, c);
    let mut look = [0u32; 4];
    look[..c.lookahead.len()].copy_from_slice(&c.lookahead);
    let (w, s) = (&c.weights, &c.scales);
    let params = ImitationParams {
        nmotion: lib.motions.len() as u32,
        nmimic: site_ids.len() as u32,
        nlook: c.lookahead.len() as u32,
        fixed: 0,
        look,
        weight_a: [w.qpos, w.qvel, w.root_pos, w.root_vel],
        weight_b: [w.site_pos, w.site_quat, w.site_vel, 0.0],
        scale_a: [s.qpos, s.qvel, s.root_pos, s.root_vel],
        scale_b: [s.site_pos, s.site_quat, s.site_vel, 0.0],
        terminate: [c.terminate_site_deviation, c.terminate_root_deviation, 0.0, 0.0],
        adaptive: c.adaptive.uniform(),
    };
    let f32s = |v: &[f64]| v.iter().map(|x| *x as f32).collect::<Vec<f32>>();
    let ids: Vec<u32> = site_ids.iter().map(|s| *s as u32).collect();
    let root_nq = 7; // the free root's qpos, excluded from the look-ahead joints
    let buffers = vec![
        ("task", ctx.uniform_from("imitation.params", &params), 0),
        ("mimic_sites", ctx.storage_from("imitation.mimic_sites", &ids), 0),
        ("ref_qpos", ctx.storage_from("imitation.ref_qpos", &f32s(&lib.qpos)), 0),
        ("ref_qvel", ctx.storage_from("imitation.ref_qvel", &f32s(&lib.qvel)), 0),
        ("ref_site", ctx.storage_from("imitation.ref_site", &ref_site), 0),
        ("motions", ctx.storage_from("imitation.motions", &table), 0),
    ];
    Ok(TaskGpu {
        shader: "env/imitation.wgsl",
        extra_obs: 3 * site_ids.len() + 3 + c.lookahead.len() * (m.nq - root_nq + 3),
        buffers,
        motion: Some(lib),
        state: Vec::new(),
        mimic,
        imitation: Some(params),
    })
}

/// The library's per-motion table as reset first draws from it: each motion's frames, its
/// sampling probability and their running sum, and adaptive sampling's priors.
pub fn motion_table(lib: &MotionLibrary, c: &ImitationConfig) -> Vec<MotionRow> {
    let a = &c.adaptive;
    let mut rows: Vec<MotionRow> = lib
        .motions
        .iter()
        .map(|e| MotionRow {
            start: e.start as u32,
            nframe: e.nframe as u32,
            ema_ended: a.prior_ended,
            ema_early: a.prior_early,
            ..Default::default()
        })
        .collect();
    match c.sampling {
        Sampling::Adaptive => a.refresh(&mut rows),
        s => {
            let probs: Vec<f32> = lib.weights(s).iter().map(|&w| w as f32).collect();
            set_probabilities(&mut rows, &probs);
        }
    }
    rows
}

fn locomotion(ctx: &GpuContext, c: &LocomotionConfig) -> TaskGpu {
    let w = &c.weights;
    let params = LocomotionParams {
        weight_a: [w.alive, w.velocity, w.footstep, w.upright],
        weight_b: [w.support, w.effort, 0.0, 0.0],
        speed: [c.target_speed[0], c.target_speed[1], c.velocity_scale, 0.0],
        terminate: [c.min_height, c.max_tilt, 0.0, 0.0],
    };
    TaskGpu {
        shader: "env/locomotion.wgsl",
        extra_obs: 4,
        buffers: vec![("task", ctx.uniform_from("locomotion.params", &params), 0)],
        motion: None,
        state: Vec::new(),
        mimic: None,
        imitation: None,
    }
}

fn reaching(ctx: &GpuContext, c: &ReachingConfig) -> TaskGpu {
    let params = ReachingParams {
        weight_a: [c.alive_weight, c.progress_weight, c.arrive_bonus, c.upright_weight],
        weight_b: [c.effort_weight, 0.0, 0.0, 0.0],
        goal: [c.target_distance[0], c.target_distance[1], c.arrive_radius, 0.0],
        terminate: [c.min_height, c.max_tilt, 0.0, 0.0],
    };
    TaskGpu {
        shader: "env/reaching.wgsl",
        extra_obs: 3,
        buffers: vec![("task", ctx.uniform_from("reaching.params", &params), 0)],
        motion: None,
        state: Vec::new(),
        mimic: None,
        imitation: None,
    }
}
