//! Point Jacobians (MuJoCo's mj_jac): how a point fixed to a body moves with each dof, in f64.

use super::kinematics::Frames;
use crate::math::{self, Vec3};
use crate::model::{JointType, Model};

/// Translational and rotational Jacobian columns (nv each, world frame) of the point `p` attached
/// to `body`: dofs that do not move the body have zero columns.
pub fn point_jacobian(m: &Model, f: &Frames, body: usize, p: Vec3) -> (Vec<Vec3>, Vec<Vec3>) {
    let mut jp = vec![[0.0; 3]; m.nv];
    let mut jr = vec![[0.0; 3]; m.nv];
    let mut b = body;
    while b > 0 {
        for j in m.body_jntadr[b]..m.body_jntadr[b] + m.body_jntnum[b] {
            let d = m.jnt_dofadr[j];
            let r = math::sub3(p, f.xanchor[j]);
            match m.jnt_type[j] {
                JointType::Hinge => {
                    jp[d] = math::cross3(f.xaxis[j], r);
                    jr[d] = f.xaxis[j];
                }
                JointType::Slide => jp[d] = f.xaxis[j],
                JointType::Ball | JointType::Free => {
                    let rot = if m.jnt_type[j] == JointType::Free {
                        for k in 0..3 {
                            jp[d + k][k] = 1.0;
                        }
                        d + 3
                    } else {
                        d
                    };
                    // Rotational dofs turn about the body's own axes.
                    let mat = math::quat2mat(f.xquat[b]);
                    for k in 0..3 {
                        let axis = [mat[k], mat[3 + k], mat[6 + k]];
                        jp[rot + k] = math::cross3(axis, r);
                        jr[rot + k] = axis;
                    }
                }
            }
        }
        b = m.body_parentid[b];
    }
    (jp, jr)
}
