//! `tendon`: tendon lengths (MuJoCo's mj_tendon), in f64. Wrapping around geoms is not here yet
//! (it arrives with the GPU tendon stage); paths through sites and pulleys, and fixed tendons, are.

use super::kinematics::Frames;
use crate::math;
use crate::model::{Model, WrapType};

/// Length of tendon `t` at configuration `qpos` with frames `f`; `None` if its path wraps a geom.
pub fn tendon_length(m: &Model, t: usize, qpos: &[f64], f: &Frames) -> Option<f64> {
    let adr = m.tendon_adr[t];
    let num = m.tendon_num[t];
    let mut length = 0.0;
    let mut divisor = 1.0;
    for k in adr..adr + num {
        match m.wrap_type[k] {
            WrapType::Joint => length += m.wrap_prm[k] * qpos[m.jnt_qposadr[m.wrap_objid[k]]],
            WrapType::Pulley => divisor = m.wrap_prm[k],
            WrapType::Site => {
                if k + 1 < adr + num && m.wrap_type[k + 1] == WrapType::Site {
                    let a = f.site_xpos[m.wrap_objid[k]];
                    let b = f.site_xpos[m.wrap_objid[k + 1]];
                    length += math::norm3(math::sub3(b, a)) / divisor;
                }
            }
            WrapType::Sphere | WrapType::Cylinder => return None,
        }
    }
    Some(length)
}
