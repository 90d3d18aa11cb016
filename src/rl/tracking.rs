//! Imitation tracking errors of a batch of worlds against the reference motion, the way
//! MuscleMimic's evaluation table reports them: mean absolute joint position error over the
//! hinge and slide joints (rad or m), root position error (m) and mean relative site position
//! error (each mimic site relative to the pelvis, in the pelvis frame, m).

use serde::Serialize;

use crate::env::Env;
use crate::env::layout::WorldEnv;
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
        let (Some(lib), Some((sites, traj))) = (&env.motion, &env.mimic) else {
            return Ok(());
        };
        let m = &env.model;
        let n = env.nworld;
        let qpos: Vec<f32> = env.sim.data.state.download(ctx, &env.sim.data.state.qpos)?;
        let worlds: Vec<WorldEnv> = env.worlds(ctx)?;
        let xpos: Vec<[f32; 4]> = env.sim.data.state.download(ctx, &env.sim.data.state.xpos)?;
        let xquat: Vec<[f32; 4]> = env.sim.data.state.download(ctx, &env.sim.data.state.xquat)?;
        let site_xpos: Vec<[f32; 4]> = env.sim.data.state.download(ctx, &env.sim.data.state.site_xpos)?;
        let root = (0..m.njnt).find(|&j| m.jnt_type[j] == JointType::Free).map(|j| m.jnt_qposadr[j]);
        let joints: Vec<usize> = (0..m.njnt)
            .filter(|&j| matches!(m.jnt_type[j], JointType::Hinge | JointType::Slide))
            .map(|j| m.jnt_qposadr[j])
            .collect();
        let v3 = |a: [f32; 4]| [a[0] as f64, a[1] as f64, a[2] as f64];
        for w in (0..n).filter(|&w| done[w] == 0) {
            // the world's motion's frame, as a frame of the library
            let e = &lib.motions[worlds[w].motion as usize];
            let f = e.start + ((worlds[w].frame0 + worlds[w].step) as usize).min(e.nframe - 1);
            let q = &qpos[w * m.nq..][..m.nq];
            let rq = &lib.qpos[f * m.nq..][..m.nq];
            if !joints.is_empty() {
                self.joint_position_error +=
                    joints.iter().map(|&a| (q[a] as f64 - rq[a]).abs()).sum::<f64>() / joints.len() as f64;
            }
            if let Some(r) = root {
                let d: f64 = (0..3).map(|k| (q[r + k] as f64 - rq[r + k]).powi(2)).sum();
                self.root_position_error += d.sqrt();
            }
            let pelvis = w * m.nbody + env.pelvis;
            let (pp, pq) = (v3(xpos[pelvis]), xquat[pelvis].map(|x| x as f64));
            let mut e = 0.0;
            for (i, &s) in sites.iter().enumerate() {
                let p = v3(site_xpos[w * m.nsite + s]);
                let rel = rot_vec_quat([p[0] - pp[0], p[1] - pp[1], p[2] - pp[2]], neg_quat(pq));
                let k = 3 * (f * sites.len() + i);
                e += (0..3).map(|a| (rel[a] - traj.rel_pos[k + a] as f64).powi(2)).sum::<f64>().sqrt();
            }
            self.relative_site_error += e / sites.len().max(1) as f64;
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
