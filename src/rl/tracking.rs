//! Imitation tracking errors of a batch of worlds against the reference motion, the way
//! MuscleMimic's evaluation table reports them: mean absolute joint position error over the
//! hinge and slide joints (rad or m), root position error (m) and mean relative site position
//! error (each mimic site relative to the pelvis, in the pelvis frame, m).

use serde::Serialize;

use crate::env::Env;
use crate::env::layout::WorldEnv;
use crate::env::motion_library::MotionLibrary;
use crate::error::Result;
use crate::gpu::GpuContext;
use crate::math::{neg_quat, rot_vec_quat};
use crate::model::JointType;

/// Sums of the three errors over the samples taken.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TrackingErrors {
    /// Mean |q − q_ref| over hinge and slide joints.
    pub joint_position_error: f64,
    /// Mean |root − root_ref|.
    pub root_position_error: f64,
    /// Mean |site − site_ref| of the mimic sites relative to the pelvis.
    pub relative_site_error: f64,
    /// World-steps measured.
    pub samples: u64,
}

impl TrackingErrors {
    /// Add the worlds whose flags are 0 (mid-episode: their state matches frame frame0 + step of
    /// their motion); ended worlds were already reset and are skipped. Nothing for non-imitation
    /// environments.
    pub fn add(&mut self, ctx: &GpuContext, env: &Env, done: &[u32]) -> Result<()> {
        let Some(lib) = &env.motion else { return Ok(()) };
        let m = &env.model;
        let st = TrackedState::download(ctx, env)?;
        let root = (0..m.njnt).find(|&j| m.jnt_type[j] == JointType::Free).map(|j| m.jnt_qposadr[j]);
        let joints: Vec<usize> = (0..m.njnt)
            .filter(|&j| matches!(m.jnt_type[j], JointType::Hinge | JointType::Slide))
            .map(|j| m.jnt_qposadr[j])
            .collect();
        for w in (0..env.nworld).filter(|&w| done[w] == 0) {
            let f = st.frame(lib, w);
            let q = &st.qpos[w * m.nq..][..m.nq];
            let rq = &lib.qpos[f * m.nq..][..m.nq];
            if !joints.is_empty() {
                self.joint_position_error +=
                    joints.iter().map(|&a| (q[a] as f64 - rq[a]).abs()).sum::<f64>() / joints.len() as f64;
            }
            if let Some(r) = root {
                let d: f64 = (0..3).map(|k| (q[r + k] as f64 - rq[r + k]).powi(2)).sum();
                self.root_position_error += d.sqrt();
            }
            self.relative_site_error += st.site_errors(env, w, f).0;
            self.samples += 1;
        }
        Ok(())
    }

    /// The means (`None` when nothing was measured).
    pub fn means(&self) -> Option<TrackingErrors> {
        (self.samples > 0).then(|| {
            let n = self.samples as f64;
            TrackingErrors {
                joint_position_error: self.joint_position_error / n,
                root_position_error: self.root_position_error / n,
                relative_site_error: self.relative_site_error / n,
                samples: self.samples,
            }
        })
    }
}

/// What tracking metrics read of a batch of imitation worlds after a control step, downloaded
/// once: joint positions and velocities, body and site frames, the worlds' episode state.
pub struct TrackedState {
    /// (nworld × nq).
    pub qpos: Vec<f32>,
    /// (nworld × nv).
    pub qvel: Vec<f32>,
    xpos: Vec<[f32; 4]>,
    xquat: Vec<[f32; 4]>,
    site_xpos: Vec<[f32; 4]>,
    /// Per world: its motion, start frame, step, last episode.
    pub worlds: Vec<WorldEnv>,
}

impl TrackedState {
    /// Download the state of `env`'s worlds.
    pub fn download(ctx: &GpuContext, env: &Env) -> Result<Self> {
        let st = &env.sim.data.state;
        Ok(TrackedState {
            qpos: st.download(ctx, &st.qpos)?,
            qvel: st.download(ctx, &st.qvel)?,
            xpos: st.download(ctx, &st.xpos)?,
            xquat: st.download(ctx, &st.xquat)?,
            site_xpos: st.download(ctx, &st.site_xpos)?,
            worlds: env.worlds(ctx)?,
        })
    }

    /// The library frame a mid-episode world `w` should be at: frame frame0 + step of its motion
    /// (clamped to the motion).
    pub fn frame(&self, lib: &MotionLibrary, w: usize) -> usize {
        let e = &lib.motions[self.worlds[w].motion as usize];
        e.start + ((self.worlds[w].frame0 + self.worlds[w].step) as usize).min(e.nframe - 1)
    }

    /// World `w`'s mean distance of the mimic sites from library frame `f`'s: (relative to the
    /// pelvis, in its frame; in the world frame), m. (0, 0) for a task without mimic sites.
    pub fn site_errors(&self, env: &Env, w: usize, f: usize) -> (f64, f64) {
        let Some((sites, traj)) = &env.mimic else { return (0.0, 0.0) };
        let m = &env.model;
        let v3 = |a: [f32; 4]| [a[0] as f64, a[1] as f64, a[2] as f64];
        let pelvis = w * m.nbody + env.pelvis;
        let (pp, inv) = (v3(self.xpos[pelvis]), neg_quat(self.xquat[pelvis].map(|x| x as f64)));
        let (mut rel, mut abs) = (0.0, 0.0);
        for (i, &site) in sites.iter().enumerate() {
            let p = v3(self.site_xpos[w * m.nsite + site]);
            let r = rot_vec_quat([p[0] - pp[0], p[1] - pp[1], p[2] - pp[2]], inv);
            let k = 3 * (f * sites.len() + i);
            rel += (0..3).map(|a| (r[a] - traj.rel_pos[k + a] as f64).powi(2)).sum::<f64>().sqrt();
            abs += (0..3).map(|a| (p[a] - traj.abs_pos[k + a] as f64).powi(2)).sum::<f64>().sqrt();
        }
        let n = sites.len().max(1) as f64;
        (rel / n, abs / n)
    }
}
