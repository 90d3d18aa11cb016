//! `tendon`: tendon lengths and Jacobians (MuJoCo's mj_tendon), in f64: fixed tendons, and spatial
//! tendons through sites, pulleys and sphere/cylinder wraps.

use super::jacobian::point_jacobian;
use super::kinematics::Frames;
use super::wrap::wrap;
use crate::math::{self, MINVAL, Vec3};
use crate::model::{Model, WrapType};

/// Length and Jacobian (nv) of tendon `t` at configuration `qpos` with frames `f`.
pub fn tendon(m: &Model, t: usize, qpos: &[f64], f: &Frames) -> (f64, Vec<f64>) {
    let (length, jac, _) = tendon_path(m, t, qpos, f);
    (length, jac)
}

/// Length, Jacobian (nv) and path points of tendon `t` (MuJoCo's `wrap_xpos`: each site, a zero
/// point for each pulley, and the two tangent points of each geom the path wraps around).
pub fn tendon_path(m: &Model, t: usize, qpos: &[f64], f: &Frames) -> (f64, Vec<f64>, Vec<Vec3>) {
    let mut points = Vec::new();
    let adr = m.tendon_adr[t];
    let end = adr + m.tendon_num[t];
    let mut length = 0.0;
    let mut jac = vec![0.0; m.nv];
    let mut divisor = 1.0;
    // A straight piece from `a` on body `ba` to `b` on body `bb`.
    let mut segment = |a: Vec3, ba: usize, b: Vec3, bb: usize, divisor: f64, length: &mut f64| {
        let d = math::sub3(b, a);
        let len = math::norm3(d);
        *length += len / divisor;
        if ba == bb {
            return;
        }
        let dir = if len < MINVAL { [1.0, 0.0, 0.0] } else { math::scale3(d, 1.0 / len) };
        let (ja, _) = point_jacobian(m, f, ba, a);
        let (jb, _) = point_jacobian(m, f, bb, b);
        for v in 0..m.nv {
            jac[v] += math::dot3(dir, math::sub3(jb[v], ja[v])) / divisor;
        }
    };
    let mut k = adr;
    while k < end {
        match m.wrap_type[k] {
            WrapType::Joint => {
                let j = m.wrap_objid[k];
                length += m.wrap_prm[k] * qpos[m.jnt_qposadr[j]];
                // (its Jacobian entry is added after the loop)
            }
            WrapType::Pulley => {
                divisor = m.wrap_prm[k];
                points.push([0.0; 3]);
            }
            WrapType::Site => {
                let s0 = m.wrap_objid[k];
                let (x0, b0) = (f.site_xpos[s0], m.site_bodyid[s0]);
                points.push(x0);
                if k + 1 >= end {
                    k += 1;
                    continue;
                }
                match m.wrap_type[k + 1] {
                    WrapType::Site => {
                        let s1 = m.wrap_objid[k + 1];
                        segment(x0, b0, f.site_xpos[s1], m.site_bodyid[s1], divisor, &mut length);
                    }
                    w @ (WrapType::Sphere | WrapType::Cylinder) => {
                        // site – geom – site (the compiler guarantees the closing site)
                        let g = m.wrap_objid[k + 1];
                        let s1 = m.wrap_objid[k + 2];
                        let (x1, b1) = (f.site_xpos[s1], m.site_bodyid[s1]);
                        let side =
                            (m.wrap_prm[k + 1] >= 0.0).then(|| f.site_xpos[m.wrap_prm[k + 1] as usize]);
                        let mat = math::quat2mat(f.geom_xquat[g]);
                        let cyl = w == WrapType::Cylinder;
                        match wrap(x0, x1, f.geom_xpos[g], &mat, m.geom_size[g][0], cyl, side) {
                            Some((wlen, p0, p1)) => {
                                points.push(p0);
                                points.push(p1);
                                let bg = m.geom_bodyid[g];
                                segment(x0, b0, p0, bg, divisor, &mut length);
                                length += wlen / divisor; // along the geom: both ends on one body
                                segment(p1, bg, x1, b1, divisor, &mut length);
                            }
                            None => segment(x0, b0, x1, b1, divisor, &mut length),
                        }
                        k += 1; // the geom; the loop steps onto the closing site next
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        k += 1;
    }
    for k in adr..end {
        if m.wrap_type[k] == WrapType::Joint {
            jac[m.jnt_dofadr[m.wrap_objid[k]]] += m.wrap_prm[k];
        }
    }
    (length, jac, points)
}

/// Length of tendon `t` (see [`tendon`]).
pub fn tendon_length(m: &Model, t: usize, qpos: &[f64], f: &Frames) -> f64 {
    tendon(m, t, qpos, f).0
}
