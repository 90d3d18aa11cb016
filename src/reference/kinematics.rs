//! `kinematics`: body frames and site positions from qpos (MuJoCo's mj_kinematics), in f64.

use crate::math::{self, Quat, Vec3};
use crate::model::{JointType, Model};

/// World-frame poses of one configuration.
#[derive(Debug, Clone)]
pub struct Frames {
    /// (nbody) Body frame origins.
    pub xpos: Vec<Vec3>,
    /// (nbody) Body frame orientations.
    pub xquat: Vec<Quat>,
    /// (nsite) Site positions.
    pub site_xpos: Vec<Vec3>,
    /// (ngeom) Geom positions.
    pub geom_xpos: Vec<Vec3>,
    /// (ngeom) Geom orientations.
    pub geom_xquat: Vec<Quat>,
    /// (njnt) Joint anchors in the world frame (free joints: the body origin).
    pub xanchor: Vec<Vec3>,
    /// (njnt) Joint axes in the world frame (hinge/slide; unused for ball/free).
    pub xaxis: Vec<Vec3>,
}

/// Body and site frames for configuration `qpos` (length nq).
pub fn kinematics(m: &Model, qpos: &[f64]) -> Frames {
    let mut xpos = vec![[0.0; 3]; m.nbody];
    let mut xquat = vec![math::QUAT_IDENTITY; m.nbody];
    let mut xanchor = vec![[0.0; 3]; m.njnt];
    let mut xaxis = vec![[0.0; 3]; m.njnt];
    for b in 1..m.nbody {
        let p = m.body_parentid[b];
        let (mut pos, mut quat) = math::compose(xpos[p], xquat[p], m.body_pos[b], m.body_quat[b]);
        for j in m.body_jntadr[b]..m.body_jntadr[b] + m.body_jntnum[b] {
            let a = m.jnt_qposadr[j];
            xanchor[j] = math::add3(pos, math::rot_vec_quat(m.jnt_pos[j], quat));
            xaxis[j] = math::rot_vec_quat(m.jnt_axis[j], quat);
            match m.jnt_type[j] {
                JointType::Free => {
                    pos = [qpos[a], qpos[a + 1], qpos[a + 2]];
                    quat = [qpos[a + 3], qpos[a + 4], qpos[a + 5], qpos[a + 6]];
                    math::normalize4(&mut quat);
                    xanchor[j] = pos;
                }
                JointType::Ball => {
                    let anchor = math::add3(pos, math::rot_vec_quat(m.jnt_pos[j], quat));
                    let mut q = [qpos[a], qpos[a + 1], qpos[a + 2], qpos[a + 3]];
                    math::normalize4(&mut q);
                    quat = math::mul_quat(quat, q);
                    pos = math::sub3(anchor, math::rot_vec_quat(m.jnt_pos[j], quat));
                }
                JointType::Hinge => {
                    let anchor = math::add3(pos, math::rot_vec_quat(m.jnt_pos[j], quat));
                    let q = math::axis_angle2quat(m.jnt_axis[j], qpos[a] - m.qpos0[a]);
                    quat = math::mul_quat(quat, q);
                    pos = math::sub3(anchor, math::rot_vec_quat(m.jnt_pos[j], quat));
                }
                JointType::Slide => {
                    let axis = math::rot_vec_quat(m.jnt_axis[j], quat);
                    pos = math::add3(pos, math::scale3(axis, qpos[a] - m.qpos0[a]));
                }
            }
            math::normalize4(&mut quat);
        }
        xpos[b] = pos;
        xquat[b] = quat;
    }
    let site_xpos = (0..m.nsite)
        .map(|s| {
            let b = m.site_bodyid[s];
            math::add3(xpos[b], math::rot_vec_quat(m.site_pos[s], xquat[b]))
        })
        .collect();
    let (geom_xpos, geom_xquat) = (0..m.ngeom)
        .map(|g| {
            let b = m.geom_bodyid[g];
            let (p, mut q) = math::compose(xpos[b], xquat[b], m.geom_pos[g], m.geom_quat[g]);
            math::normalize4(&mut q);
            (p, q)
        })
        .unzip();
    Frames { xpos, xquat, site_xpos, geom_xpos, geom_xquat, xanchor, xaxis }
}
