//! Orientation attributes (quat, euler, axisangle, zaxis, xyaxes) and `fromto`, resolved the way
//! MuJoCo 4.0's compiler does.

use super::*;

impl Parser {
    /// Convert an angle as written (compiler `angle`) to radians, as MuJoCo does (a/180·π).
    pub(super) fn radians(&self, a: f64) -> f64 {
        if self.compiler.degrees { a / 180.0 * std::f64::consts::PI } else { a }
    }

    /// Read at most one orientation attribute into a unit quaternion (MuJoCo's compiler rules).
    pub(super) fn orientation(&self, node: &XmlNode) -> Result<Option<Quat>> {
        let given: Vec<&str> = ORIENT_ATTRS.iter().copied().filter(|a| node.attr(a).is_some()).collect();
        if given.len() > 1 {
            return Err(node.err(format!("more than one orientation given ({})", given.join(", "))));
        }
        let q = if let Some(v) = node.numbers("quat", 4, 4)? {
            let mut q = [v[0], v[1], v[2], v[3]];
            if math::normalize_compiler(&mut q) < math::EPS {
                return Err(node.err("attribute 'quat': zero quaternion"));
            }
            q
        } else if let Some(v) = node.numbers("euler", 3, 3)? {
            let mut q = math::QUAT_IDENTITY;
            for i in 0..3 {
                let h = self.radians(v[i]) / 2.0;
                let mut r = [h.cos(), 0.0, 0.0, 0.0];
                let axis = self.compiler.eulerseq[i];
                r[1 + (axis.to_ascii_lowercase() - b'x') as usize] = h.sin();
                q = if axis.is_ascii_lowercase() {
                    math::mul_quat_compiler(q, r)
                } else {
                    math::mul_quat_compiler(r, q)
                };
            }
            math::normalize_compiler(&mut q);
            q
        } else if let Some(v) = node.numbers("axisangle", 4, 4)? {
            let mut a = [v[0], v[1], v[2]];
            if math::normalize_compiler(&mut a) < math::EPS {
                return Err(node.err("attribute 'axisangle': zero axis"));
            }
            let h = self.radians(v[3]) / 2.0;
            let s = h.sin();
            [h.cos(), a[0] * s, a[1] * s, a[2] * s]
        } else if let Some(v) = node.numbers("zaxis", 3, 3)? {
            let mut z = [v[0], v[1], v[2]];
            if math::normalize_compiler(&mut z) < math::EPS {
                return Err(node.err("attribute 'zaxis': zero vector"));
            }
            math::z2quat_compiler(z)
        } else if let Some(v) = node.numbers("xyaxes", 6, 6)? {
            let mut x = [v[0], v[1], v[2]];
            if math::normalize_compiler(&mut x) < math::EPS {
                return Err(node.err("attribute 'xyaxes': zero x axis"));
            }
            let mut y = [v[3], v[4], v[5]];
            let d = math::dot3(x, y);
            y = math::sub3(y, math::scale3(x, d));
            if math::normalize_compiler(&mut y) < math::EPS {
                return Err(node.err("attribute 'xyaxes': axes are parallel"));
            }
            let mut z = math::cross3(x, y);
            if math::normalize_compiler(&mut z) < math::EPS {
                return Err(node.err("attribute 'xyaxes': degenerate frame"));
            }
            math::frame2quat(x, y, z)
        } else {
            return Ok(None);
        };
        Ok(Some(q))
    }
}

/// Frame of a `fromto` segment as MuJoCo's compiler makes it: midpoint, the quaternion taking z to
/// (from − to), half length. `None` for a zero-length segment.
pub(super) fn fromto_frame(ft: &[f64]) -> Option<(Vec3, Quat, f64)> {
    let mut v = [ft[0] - ft[3], ft[1] - ft[4], ft[2] - ft[5]];
    let len = math::normalize_compiler(&mut v);
    let half = len / 2.0;
    if half < math::EPS {
        return None;
    }
    let pos = [(ft[0] + ft[3]) / 2.0, (ft[1] + ft[4]) / 2.0, (ft[2] + ft[5]) / 2.0];
    Some((pos, math::z2quat_compiler(v), half))
}
