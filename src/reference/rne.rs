//! `velocity` + `rne`: body velocities, the dof-axis derivatives, and the bias force
//! qfrc_bias = C(q, q̇)·q̇ + g(q) by recursive Newton-Euler with zero acceleration (MuJoCo's
//! mj_comVel and mj_rne), in f64.

use super::com::Com;
use super::spatial::{self, Spatial};
use crate::model::{JointType, Model};

/// (nbody) spatial velocities and (nv) cdof time derivatives at velocity `qvel`.
pub fn com_vel(m: &Model, c: &Com, qvel: &[f64]) -> (Vec<Spatial>, Vec<Spatial>) {
    let mut cvel = vec![[0.0; 6]; m.nbody];
    let mut cdof_dot = vec![[0.0; 6]; m.nv];
    for b in 1..m.nbody {
        let mut v = cvel[m.body_parentid[b]];
        for j in m.body_jntadr[b]..m.body_jntadr[b] + m.body_jntnum[b] {
            let d = m.jnt_dofadr[j];
            let n = m.jnt_type[j].nv();
            match m.jnt_type[j] {
                JointType::Free => {
                    // Translations: no axis change; they move the frame before the rotations.
                    for k in 0..3 {
                        v = spatial::add_scaled(&v, &c.cdof[d + k], qvel[d + k]);
                    }
                    for k in 3..6 {
                        cdof_dot[d + k] = spatial::cross_motion(&v, &c.cdof[d + k]);
                    }
                    for k in 3..6 {
                        v = spatial::add_scaled(&v, &c.cdof[d + k], qvel[d + k]);
                    }
                }
                _ => {
                    for k in 0..n {
                        cdof_dot[d + k] = spatial::cross_motion(&v, &c.cdof[d + k]);
                    }
                    for k in 0..n {
                        v = spatial::add_scaled(&v, &c.cdof[d + k], qvel[d + k]);
                    }
                }
            }
        }
        cvel[b] = v;
    }
    (cvel, cdof_dot)
}

/// qfrc_bias (nv): Coriolis, centrifugal and gravity forces.
pub fn rne(m: &Model, c: &Com, qvel: &[f64], cvel: &[Spatial], cdof_dot: &[Spatial]) -> Vec<f64> {
    let g = m.opt.gravity;
    let gravity_on = m.opt.disableflags & crate::model::disable::GRAVITY == 0;
    // The world accelerates upward at -gravity: that is how gravity enters.
    let mut cacc = vec![[0.0; 6]; m.nbody];
    if gravity_on {
        cacc[0] = [0.0, 0.0, 0.0, -g[0], -g[1], -g[2]];
    }
    let mut cfrc = vec![[0.0; 6]; m.nbody];
    for b in 1..m.nbody {
        let mut a = cacc[m.body_parentid[b]];
        for d in m.body_dofadr[b]..m.body_dofadr[b] + m.body_dofnum[b] {
            a = spatial::add_scaled(&a, &cdof_dot[d], qvel[d]);
        }
        cacc[b] = a;
        let inertia = &c.cinert[b];
        let momentum = inertia.mul(&cvel[b]);
        let f = inertia.mul(&a);
        let gyro = spatial::cross_force(&cvel[b], &momentum);
        cfrc[b] = std::array::from_fn(|i| f[i] + gyro[i]);
    }
    for b in (1..m.nbody).rev() {
        let p = m.body_parentid[b];
        if p > 0 {
            cfrc[p] = spatial::add_scaled(&cfrc[p], &cfrc[b], 1.0);
        }
    }
    (0..m.nv).map(|d| spatial::dot(&c.cdof[d], &cfrc[m.dof_bodyid[d]])).collect()
}
