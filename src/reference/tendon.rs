//! `tendon`: tendon lengths (MuJoCo's mj_tendon), in f64: fixed tendons, and spatial tendons
//! through sites, pulleys and sphere/cylinder wraps.

use super::kinematics::Frames;
use super::wrap::wrap;
use crate::math;
use crate::model::{Model, WrapType};

/// Length of tendon `t` at configuration `qpos` with frames `f`.
pub fn tendon_length(m: &Model, t: usize, qpos: &[f64], f: &Frames) -> f64 {
    let adr = m.tendon_adr[t];
    let end = adr + m.tendon_num[t];
    let mut length = 0.0;
    let mut divisor = 1.0;
    let mut k = adr;
    while k < end {
        match m.wrap_type[k] {
            WrapType::Joint => length += m.wrap_prm[k] * qpos[m.jnt_qposadr[m.wrap_objid[k]]],
            WrapType::Pulley => divisor = m.wrap_prm[k],
            WrapType::Site if k + 1 < end => {
                let x0 = f.site_xpos[m.wrap_objid[k]];
                match m.wrap_type[k + 1] {
                    WrapType::Site => {
                        length +=
                            math::norm3(math::sub3(f.site_xpos[m.wrap_objid[k + 1]], x0)) / divisor;
                    }
                    w @ (WrapType::Sphere | WrapType::Cylinder) => {
                        // site – geom – site (the compiler guarantees the closing site)
                        let g = m.wrap_objid[k + 1];
                        let x1 = f.site_xpos[m.wrap_objid[k + 2]];
                        let side = (m.wrap_prm[k + 1] >= 0.0)
                            .then(|| f.site_xpos[m.wrap_prm[k + 1] as usize]);
                        let mat = math::quat2mat(f.geom_xquat[g]);
                        let seg = match wrap(
                            x0,
                            x1,
                            f.geom_xpos[g],
                            &mat,
                            m.geom_size[g][0],
                            w == WrapType::Cylinder,
                            side,
                        ) {
                            Some((wlen, p0, p1)) => {
                                math::norm3(math::sub3(p0, x0))
                                    + wlen
                                    + math::norm3(math::sub3(x1, p1))
                            }
                            None => math::norm3(math::sub3(x1, x0)),
                        };
                        length += seg / divisor;
                        k += 1; // the geom; the loop steps onto the closing site next
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        k += 1;
    }
    length
}
