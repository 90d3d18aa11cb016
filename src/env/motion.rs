//! Reference motions for imitation: an npz with `qpos` (T × nq) and `fps`, validated against the
//! model, resampled to the control rate, with velocities (finite differences) and mimic-site
//! trajectories relative to the pelvis (forward kinematics on the GPU) derived on load.

use std::path::Path;

use crate::error::{Error, Result};
use crate::gpu::{GpuContext, GpuModel};
use crate::math::{Quat, Vec3, mul_quat, neg_quat, normalize4, rot_vec_quat, sub3};
use crate::model::{JointType, Model};
use crate::sim::SimState;

/// Joint positions may exceed a limited joint's range by this much (rad or m) before a motion is
/// refused: motion files are float32 or clamped on export, and MuJoCo's own limits are soft.
const RANGE_SLACK: f64 = 1e-3;

/// A reference motion at a fixed frame rate.
#[derive(Debug, Clone)]
pub struct Motion {
    /// Frames per second.
    pub fps: f64,
    /// Number of frames T.
    pub nframe: usize,
    /// (T × nq) joint positions (quaternions unit length).
    pub qpos: Vec<f64>,
    /// (T × nv) joint velocities (free and ball angular velocities in the body frame, as MuJoCo).
    pub qvel: Vec<f64>,
}

impl Motion {
    /// Read `path` (npz: `qpos` (T × nq), `fps`) and validate it against `m`.
    pub fn load(path: &Path, m: &Model) -> Result<Self> {
        let what = path.display().to_string();
        let arrays = crate::npio::load_npz(path, &["qpos", "fps"])
            .map_err(|e| Error::Motion(format!("{e} (expected an npz with qpos (T × nq) and fps)")))?;
        let qpos =
            arrays[0].clone().ok_or_else(|| Error::Motion(format!("{what}: no array 'qpos' (T × nq)")))?;
        let fps = arrays[1].clone().ok_or_else(|| Error::Motion(format!("{what}: no array 'fps'")))?;
        if qpos.shape.len() != 2 || qpos.shape[1] != m.nq {
            return Err(Error::Motion(format!(
                "{what}: qpos has shape {:?}; this model needs (T, nq = {})",
                qpos.shape, m.nq
            )));
        }
        if fps.data.len() != 1 {
            return Err(Error::Motion(format!("{what}: fps must be one number")));
        }
        let q: Vec<f64> = qpos.data.iter().map(|v| *v as f64).collect();
        Self::from_qpos(m, q, fps.data[0] as f64, &what)
    }

    /// A motion from joint positions `qpos` (T × nq) at `fps`, validated (`what` names the source
    /// in errors).
    pub fn from_qpos(m: &Model, mut qpos: Vec<f64>, fps: f64, what: &str) -> Result<Self> {
        if !(fps.is_finite() && fps > 0.0) {
            return Err(Error::Motion(format!("{what}: fps = {fps} must be positive")));
        }
        let nframe = qpos.len() / m.nq.max(1);
        if nframe < 2 || qpos.len() != nframe * m.nq {
            return Err(Error::Motion(format!("{what}: need at least 2 frames of nq = {} values", m.nq)));
        }
        for (f, row) in qpos.chunks_mut(m.nq).enumerate() {
            if let Some(i) = row.iter().position(|v| !v.is_finite()) {
                return Err(Error::Motion(format!("{what}: frame {f}: qpos[{i}] is not finite")));
            }
            for j in 0..m.njnt {
                let a = m.jnt_qposadr[j];
                match m.jnt_type[j] {
                    JointType::Free | JointType::Ball => {
                        let o = if m.jnt_type[j] == JointType::Free { 3 } else { 0 };
                        let mut quat: Quat = [row[a + o], row[a + o + 1], row[a + o + 2], row[a + o + 3]];
                        let n = normalize4(&mut quat);
                        if (n - 1.0).abs() > 1e-2 {
                            return Err(Error::Motion(format!(
                                "{what}: frame {f}: joint '{}' quaternion has norm {n:.4}, not 1",
                                m.jnt_name[j]
                            )));
                        }
                        row[a + o..a + o + 4].copy_from_slice(&quat);
                    }
                    JointType::Hinge | JointType::Slide if m.jnt_limited[j] => {
                        let [lo, hi] = m.jnt_range[j];
                        let v = row[a];
                        if v < lo - RANGE_SLACK || v > hi + RANGE_SLACK {
                            return Err(Error::Motion(format!(
                                "{what}: frame {f}: joint '{}' = {v:.5} is outside its range [{lo:.5}, {hi:.5}]",
                                m.jnt_name[j]
                            )));
                        }
                    }
                    _ => {}
                }
            }
        }
        let qvel = finite_difference_qvel(m, &qpos, nframe, fps);
        Ok(Motion { fps, nframe, qpos, qvel })
    }

    /// Duration in seconds (first to last frame).
    pub fn duration(&self) -> f64 {
        (self.nframe - 1) as f64 / self.fps
    }

    /// The motion at `rate` frames per second: joint positions interpolated linearly
    /// (quaternions normalised after), velocities derived again.
    pub fn resample(&self, m: &Model, rate: f64) -> Result<Self> {
        if (rate - self.fps).abs() < 1e-9 * rate {
            return Ok(self.clone());
        }
        let n = (self.duration() * rate).floor() as usize + 1;
        let mut q = Vec::with_capacity(n * m.nq);
        for i in 0..n {
            // (i · fps / rate is exact where a control frame falls on a source frame)
            let x = (i as f64 * self.fps / rate).min((self.nframe - 1) as f64);
            if x.fract() == 0.0 {
                // on a source frame: that frame itself, not an interpolation that rounds it
                q.extend_from_slice(&self.qpos[x as usize * m.nq..][..m.nq]);
                continue;
            }
            let f0 = (x.floor() as usize).min(self.nframe - 2);
            let s = x - f0 as f64;
            let (a, b) = (&self.qpos[f0 * m.nq..][..m.nq], &self.qpos[(f0 + 1) * m.nq..][..m.nq]);
            let mut row: Vec<f64> = a.iter().zip(b).map(|(a, b)| a + s * (b - a)).collect();
            for j in 0..m.njnt {
                let o = match m.jnt_type[j] {
                    JointType::Free => 3,
                    JointType::Ball => 0,
                    _ => continue,
                };
                let at = m.jnt_qposadr[j] + o;
                // interpolate along the shorter arc
                let dot: f64 = (0..4).map(|k| a[at + k] * b[at + k]).sum();
                let sign = if dot < 0.0 { -1.0 } else { 1.0 };
                let mut quat: Quat = [0.0; 4];
                for k in 0..4 {
                    quat[k] = a[at + k] + s * (sign * b[at + k] - a[at + k]);
                }
                normalize4(&mut quat);
                row[at..at + 4].copy_from_slice(&quat);
            }
            q.extend(row);
        }
        Self::from_qpos(m, q, rate, "resampled motion")
    }
}

/// Joint velocities by central differences (one-sided at the ends); rotations via the relative
/// quaternion q_a⁻¹ q_b, so free and ball angular velocities are in the body frame like MuJoCo's.
fn finite_difference_qvel(m: &Model, qpos: &[f64], nframe: usize, fps: f64) -> Vec<f64> {
    let mut qvel = vec![0.0; nframe * m.nv];
    for f in 0..nframe {
        let (fa, fb) = (f.saturating_sub(1), (f + 1).min(nframe - 1));
        let dt = (fb - fa) as f64 / fps;
        let (a, b) = (&qpos[fa * m.nq..][..m.nq], &qpos[fb * m.nq..][..m.nq]);
        let v = &mut qvel[f * m.nv..][..m.nv];
        for j in 0..m.njnt {
            let (qa, da) = (m.jnt_qposadr[j], m.jnt_dofadr[j]);
            match m.jnt_type[j] {
                JointType::Free => {
                    for k in 0..3 {
                        v[da + k] = (b[qa + k] - a[qa + k]) / dt;
                    }
                    let w = quat_rate(&a[qa + 3..qa + 7], &b[qa + 3..qa + 7], dt);
                    v[da + 3..da + 6].copy_from_slice(&w);
                }
                JointType::Ball => {
                    let w = quat_rate(&a[qa..qa + 4], &b[qa..qa + 4], dt);
                    v[da..da + 3].copy_from_slice(&w);
                }
                _ => v[da] = (b[qa] - a[qa]) / dt,
            }
        }
    }
    qvel
}

/// Body-frame angular velocity taking orientation `a` to `b` in `dt`.
fn quat_rate(a: &[f64], b: &[f64], dt: f64) -> Vec3 {
    let mut d = mul_quat(neg_quat([a[0], a[1], a[2], a[3]]), [b[0], b[1], b[2], b[3]]);
    if d[0] < 0.0 {
        d = d.map(|x| -x);
    }
    let s = (d[1] * d[1] + d[2] * d[2] + d[3] * d[3]).sqrt();
    if s < 1e-12 {
        return [0.0; 3];
    }
    let angle = 2.0 * s.atan2(d[0]);
    [d[1] / s * angle / dt, d[2] / s * angle / dt, d[3] / s * angle / dt]
}

/// Mimic-site trajectories of a motion relative to the pelvis, per frame and site.
#[derive(Debug, Clone)]
pub struct SiteTrajectory {
    /// Number of mimic sites.
    pub nsite: usize,
    /// (T × nsite × 3) site positions minus the pelvis', in the pelvis frame.
    pub rel_pos: Vec<f32>,
    /// (T × nsite × 4) site orientations in the pelvis frame (w, x, y, z).
    pub rel_quat: Vec<f32>,
    /// (T × nsite × 3) site velocities minus the pelvis', rotated into the pelvis frame.
    pub rel_vel: Vec<f32>,
    /// (T × nsite × 3) site positions in the world frame.
    pub abs_pos: Vec<f32>,
}

impl SiteTrajectory {
    /// Forward kinematics of every frame of `motion` on the GPU (one world per frame, model `m`
    /// as uploaded in `gm`), then the sites `sites` relative to body `pelvis`.
    pub fn compute(
        ctx: &GpuContext,
        m: &Model,
        gm: &GpuModel,
        motion: &Motion,
        sites: &[usize],
        pelvis: usize,
    ) -> Result<Self> {
        let whole = 0..motion.nframe;
        Self::compute_frames(
            ctx,
            m,
            gm,
            &motion.qpos,
            motion.fps,
            std::slice::from_ref(&whole),
            sites,
            pelvis,
        )
    }

    /// [`SiteTrajectory::compute`] over frames `qpos` (T × nq) at `fps` holding several motions
    /// end to end (`motions`: each one's frame range, covering 0..T): one GPU pass over every
    /// frame, velocities differenced within each motion.
    #[allow(clippy::too_many_arguments)]
    pub fn compute_frames(
        ctx: &GpuContext,
        m: &Model,
        gm: &GpuModel,
        qpos: &[f64],
        fps: f64,
        motions: &[std::ops::Range<usize>],
        sites: &[usize],
        pelvis: usize,
    ) -> Result<Self> {
        let t = qpos.len() / m.nq;
        let st = SimState::new(ctx, m, t);
        let q: Vec<f32> = qpos.iter().map(|v| *v as f32).collect();
        st.upload(ctx, &st.qpos, &q)?;
        // the position stage alone (the com quantities it computes too are not read) over the
        // model's tables and this state, the frames bound in chunks that fit the adapter
        let mut whole = crate::gpu::Bindings::new(t);
        st.bind(&mut whole);
        let chunks = crate::gpu::WorldChunks::fit_adapter(ctx, t, &whole.per_world_sizes())?;
        let mut b = crate::gpu::Bindings::chunked(chunks);
        gm.bind(&mut b);
        st.bind(&mut b);
        let site_list = crate::sim::Sites::Read(sites.to_vec()).upload(ctx, m);
        b.shared("site_list", &site_list);
        for (k, worlds) in chunks.ranges().into_iter().enumerate() {
            let run = crate::gpu::layout::RunParams { nworld: worlds.len() as u32, ..Default::default() };
            b.chunk_own(k, "run", &ctx.uniform_from("motion.run", &run));
        }
        let kin = crate::sim::stages::position::position(ctx, &b)?;
        crate::sim::stages::run(ctx, &[&kin]);
        let xpos: Vec<[f32; 4]> = st.download(ctx, &st.xpos)?;
        let xquat: Vec<[f32; 4]> = st.download(ctx, &st.xquat)?;
        let site_xpos: Vec<[f32; 4]> = st.download(ctx, &st.site_xpos)?;
        let v3 = |p: [f32; 4]| -> Vec3 { [p[0] as f64, p[1] as f64, p[2] as f64] };
        let q4 = |p: [f32; 4]| -> Quat { [p[0] as f64, p[1] as f64, p[2] as f64, p[3] as f64] };
        let n = sites.len();
        // world positions of sites and pelvis per frame
        let world: Vec<Vec3> = (0..t)
            .flat_map(|f| sites.iter().map(move |&s| (f, s)))
            .map(|(f, s)| v3(site_xpos[f * m.nsite + s]))
            .collect();
        let pelvis_pos: Vec<Vec3> = (0..t).map(|f| v3(xpos[f * m.nbody + pelvis])).collect();
        let pelvis_quat: Vec<Quat> = (0..t).map(|f| q4(xquat[f * m.nbody + pelvis])).collect();
        let mut out = SiteTrajectory {
            nsite: n,
            rel_pos: Vec::with_capacity(t * n * 3),
            rel_quat: Vec::with_capacity(t * n * 4),
            rel_vel: Vec::with_capacity(t * n * 3),
            abs_pos: world.iter().flat_map(|p| p.map(|x| x as f32)).collect(),
        };
        for within in motions {
            for f in within.clone() {
                let inv = neg_quat(pelvis_quat[f]);
                // central differences, one-sided at the motion's ends
                let (fa, fb) = (f.saturating_sub(1).max(within.start), (f + 1).min(within.end - 1));
                let dt = (fb - fa) as f64 / fps;
                let pv = sub3(pelvis_pos[fb], pelvis_pos[fa]);
                for (i, &s) in sites.iter().enumerate() {
                    let p = rot_vec_quat(sub3(world[f * n + i], pelvis_pos[f]), inv);
                    let body_q = q4(xquat[f * m.nbody + m.site_bodyid[s]]);
                    let sq = mul_quat(inv, mul_quat(body_q, m.site_quat[s]));
                    let sv = sub3(world[fb * n + i], world[fa * n + i]);
                    let v = rot_vec_quat(sub3(sv, pv).map(|x| x / dt), inv);
                    out.rel_pos.extend(p.map(|x| x as f32));
                    out.rel_quat.extend(sq.map(|x| x as f32));
                    out.rel_vel.extend(v.map(|x| x as f32));
                }
            }
        }
        Ok(out)
    }
}
