//! `com`: subtree centres of mass, the dof motion axes `cdof`, and body spatial inertias
//! (MuJoCo's mj_comPos), in f64.

use super::kinematics::Frames;
use super::spatial::{Spatial, SpatialInertia};
use crate::math::{self, Vec3};
use crate::model::{JointType, Model};

/// Centre-of-mass quantities of one configuration.
#[derive(Debug, Clone)]
pub struct Com {
    /// (nbody) Centre of mass of each body's subtree.
    pub subtree_com: Vec<Vec3>,
    /// (nv) Motion of each unit dof velocity, at the com frame of the dof's tree.
    pub cdof: Vec<Spatial>,
    /// (nbody) Spatial inertia of each body about its tree's com frame.
    pub cinert: Vec<SpatialInertia>,
}

/// Centre of mass of each body (world).
pub fn body_com(m: &Model, f: &Frames) -> Vec<Vec3> {
    (0..m.nbody).map(|b| math::add3(f.xpos[b], math::rot_vec_quat(m.body_ipos[b], f.xquat[b]))).collect()
}

/// Subtree coms, cdof and cinert at the frames `f`.
pub fn com(m: &Model, f: &Frames) -> Com {
    let xipos = body_com(m, f);
    let mut weighted: Vec<Vec3> = (0..m.nbody).map(|b| math::scale3(xipos[b], m.body_mass[b])).collect();
    for b in (1..m.nbody).rev() {
        let p = m.body_parentid[b];
        weighted[p] = math::add3(weighted[p], weighted[b]);
    }
    let subtree_com: Vec<Vec3> = (0..m.nbody)
        .map(|b| {
            let mass = m.body_subtreemass[b];
            if mass < math::MINVAL { xipos[b] } else { math::scale3(weighted[b], 1.0 / mass) }
        })
        .collect();
    let mut cdof = vec![[0.0; 6]; m.nv];
    for j in 0..m.njnt {
        let b = m.jnt_bodyid[j];
        let d = m.jnt_dofadr[j];
        let offset = math::sub3(subtree_com[m.body_rootid[b]], f.xanchor[j]);
        let rot = |axis: Vec3| -> Spatial {
            let l = math::cross3(axis, offset);
            [axis[0], axis[1], axis[2], l[0], l[1], l[2]]
        };
        match m.jnt_type[j] {
            JointType::Hinge => cdof[d] = rot(f.xaxis[j]),
            JointType::Slide => cdof[d] = [0.0, 0.0, 0.0, f.xaxis[j][0], f.xaxis[j][1], f.xaxis[j][2]],
            JointType::Ball | JointType::Free => {
                let r = if m.jnt_type[j] == JointType::Free {
                    for k in 0..3 {
                        cdof[d + k] = [0.0; 6];
                        cdof[d + k][3 + k] = 1.0;
                    }
                    d + 3
                } else {
                    d
                };
                let mat = math::quat2mat(f.xquat[b]);
                for k in 0..3 {
                    cdof[r + k] = rot([mat[k], mat[3 + k], mat[6 + k]]);
                }
            }
        }
    }
    let cinert = (0..m.nbody)
        .map(|b| {
            let r = math::quat2mat(math::mul_quat(f.xquat[b], m.body_iquat[b]));
            let i = m.body_inertia[b];
            let icom = std::array::from_fn(|k| {
                let (row, col) = (k / 3, k % 3);
                (0..3).map(|n| r[3 * row + n] * i[n] * r[3 * col + n]).sum()
            });
            SpatialInertia {
                mass: m.body_mass[b],
                d: math::sub3(xipos[b], subtree_com[m.body_rootid[b]]),
                icom,
            }
        })
        .collect();
    Com { subtree_com, cdof, cinert }
}
