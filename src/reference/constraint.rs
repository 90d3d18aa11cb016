//! `constraint`: MuJoCo's constraint rows (mj_makeConstraint) for joint equalities and joint and
//! tendon limits, with the soft-constraint impedance (solimp) and reference acceleration (solref),
//! in f64. Contacts arrive with collision detection.

use crate::math::MINVAL;
use crate::model::{JointType, Model, disable};

/// MuJoCo's `mjtConstraint` values of the rows built here.
pub mod efc_type {
    /// Equality constraint.
    pub const EQUALITY: i64 = 0;
    /// Joint limit.
    pub const LIMIT_JOINT: i64 = 3;
    /// Tendon limit.
    pub const LIMIT_TENDON: i64 = 4;
}

/// Smallest and largest impedance MuJoCo allows (mjMINIMP, mjMAXIMP).
const MINIMP: f64 = 0.0001;
const MAXIMP: f64 = 0.9999;

/// One constraint row.
#[derive(Debug, Clone)]
pub struct EfcRow {
    /// [`efc_type`] value.
    pub kind: i64,
    /// Object id (equality, joint or tendon).
    pub id: usize,
    /// (nv) Jacobian row.
    pub j: Vec<f64>,
    /// Constraint violation (distance for limits).
    pub pos: f64,
    /// Margin.
    pub margin: f64,
    /// J · qvel.
    pub vel: f64,
    /// Reference acceleration.
    pub aref: f64,
    /// Inverse regulariser 1/R.
    pub d: f64,
}

/// Stiffness k, damping b and impedance of a row at violation `pos` (MuJoCo's solref/solimp).
pub fn kbimp(m: &Model, solref: [f64; 2], solimp: [f64; 5], pos: f64) -> (f64, f64, f64) {
    let mut timeconst = solref[0];
    let dampratio = solref[1];
    if m.opt.disableflags & disable::REFSAFE == 0 {
        timeconst = timeconst.max(2.0 * m.opt.timestep);
    }
    let dmin = solimp[0].clamp(MINIMP, MAXIMP);
    let dmax = solimp[1].clamp(MINIMP, MAXIMP);
    let width = solimp[2].max(MINVAL);
    let mid = solimp[3].clamp(MINIMP, MAXIMP);
    let power = solimp[4].max(1.0);
    let k = if solref[0] <= 0.0 {
        -solref[0] / (dmax * dmax).max(MINVAL)
    } else {
        1.0 / (dmax * dmax * timeconst * timeconst * dampratio * dampratio).max(MINVAL)
    };
    let b =
        if solref[1] <= 0.0 { -solref[1] / dmax.max(MINVAL) } else { 2.0 / (dmax * timeconst).max(MINVAL) };
    let x = pos.abs() / width;
    let imp = if dmin == dmax || solimp[2] <= MINVAL {
        0.5 * (dmin + dmax)
    } else if x <= 0.0 {
        dmin
    } else if x >= 1.0 {
        dmax
    } else if power == 1.0 {
        dmin + x * (dmax - dmin)
    } else if x <= mid {
        let y = x.powf(power) / mid.powf(power - 1.0);
        (dmin + y * (dmax - dmin)).clamp(dmin.min(dmax), dmin.max(dmax))
    } else {
        let y = 1.0 - (1.0 - x).powf(power) / (1.0 - mid).powf(power - 1.0);
        (dmin + y * (dmax - dmin)).clamp(dmin.min(dmax), dmin.max(dmax))
    };
    (k, b, imp)
}

#[allow(clippy::too_many_arguments)]
fn row(
    m: &Model,
    kind: i64,
    id: usize,
    j: Vec<f64>,
    pos: f64,
    margin: f64,
    vel: f64,
    invweight: f64,
    solref: [f64; 2],
    solimp: [f64; 5],
) -> EfcRow {
    // The impedance and reference use the violation net of the margin.
    let (k, b, imp) = kbimp(m, solref, solimp, pos - margin);
    let d = 1.0 / (invweight * (1.0 - imp) / imp).max(MINVAL);
    EfcRow { kind, id, j, pos, margin, vel, aref: -k * imp * (pos - margin) - b * vel, d }
}

/// The rows at (qpos, qvel), in MuJoCo's order: equalities, then joint limits, then tendon limits.
/// `ten` holds each tendon's (length, Jacobian) at qpos.
pub fn make_constraint(m: &Model, qpos: &[f64], qvel: &[f64], ten: &[(f64, Vec<f64>)]) -> Vec<EfcRow> {
    let mut rows = Vec::new();
    let flags = m.opt.disableflags;
    if flags & disable::CONSTRAINT != 0 {
        return rows;
    }
    if flags & disable::EQUALITY == 0 {
        for e in 0..m.neq {
            if !m.eq_active0[e] {
                continue;
            }
            let data = &m.eq_data[e];
            let j1 = m.eq_obj1id[e];
            let (a1, d1) = (m.jnt_qposadr[j1], m.jnt_dofadr[j1]);
            let mut jac = vec![0.0; m.nv];
            jac[d1] = 1.0;
            let (pos, vel, invweight) = match m.eq_obj2id[e] {
                Some(j2) => {
                    let (a2, d2) = (m.jnt_qposadr[j2], m.jnt_dofadr[j2]);
                    let dif = qpos[a2] - m.qpos0[a2];
                    let rhs = data[0] + dif * (data[1] + dif * (data[2] + dif * (data[3] + dif * data[4])));
                    let deriv = data[1] + dif * (2.0 * data[2] + dif * (3.0 * data[3] + dif * 4.0 * data[4]));
                    jac[d2] = -deriv;
                    let pos = qpos[a1] - m.qpos0[a1] - rhs;
                    (pos, qvel[d1] - qvel[d2] * deriv, m.dof_invweight0[d1] + m.dof_invweight0[d2])
                }
                None => (qpos[a1] - m.qpos0[a1] - data[0], qvel[d1], m.dof_invweight0[d1]),
            };
            rows.push(row(
                m,
                efc_type::EQUALITY,
                e,
                jac,
                pos,
                0.0,
                vel,
                invweight,
                m.eq_solref[e],
                m.eq_solimp[e],
            ));
        }
    }
    if flags & disable::LIMIT == 0 {
        for j in 0..m.njnt {
            if !m.jnt_limited[j] {
                continue;
            }
            let (a, d) = (m.jnt_qposadr[j], m.jnt_dofadr[j]);
            let margin = m.jnt_margin[j];
            let mut jac = vec![0.0; m.nv];
            let (dist, vel) = match m.jnt_type[j] {
                JointType::Hinge | JointType::Slide => {
                    let [lo, hi] = m.jnt_range[j];
                    let (dmin, dmax) = (qpos[a] - lo, hi - qpos[a]);
                    let sign = if dmin < dmax { 1.0 } else { -1.0 };
                    jac[d] = sign;
                    (dmin.min(dmax), sign * qvel[d])
                }
                JointType::Ball => {
                    // The rotation angle against the cone's half-angle, pushed back along its axis.
                    let mut q = [qpos[a], qpos[a + 1], qpos[a + 2], qpos[a + 3]];
                    crate::math::normalize4(&mut q);
                    let (axis, angle) = rotation_axis_angle(q);
                    let [r0, r1] = m.jnt_range[j];
                    let mut vel = 0.0;
                    for k in 0..3 {
                        jac[d + k] = -axis[k];
                        vel -= axis[k] * qvel[d + k];
                    }
                    (r0.max(r1) - angle, vel)
                }
                JointType::Free => continue,
            };
            if dist - margin < 0.0 {
                let r = row(
                    m,
                    efc_type::LIMIT_JOINT,
                    j,
                    jac,
                    dist,
                    margin,
                    vel,
                    m.dof_invweight0[d],
                    m.jnt_solref[j],
                    m.jnt_solimp[j],
                );
                rows.push(r);
            }
        }
        for (t, (len, tj)) in ten.iter().enumerate() {
            if !m.tendon_limited[t] {
                continue;
            }
            let [lo, hi] = m.tendon_range[t];
            let (dmin, dmax) = (len - lo, hi - len);
            let margin = m.tendon_margin[t];
            let dist = dmin.min(dmax);
            if dist - margin < 0.0 {
                let sign = if dmin < dmax { 1.0 } else { -1.0 };
                let jac: Vec<f64> = tj.iter().map(|v| sign * v).collect();
                let vel: f64 = jac.iter().zip(qvel).map(|(a, b)| a * b).sum();
                let r = row(
                    m,
                    efc_type::LIMIT_TENDON,
                    t,
                    jac,
                    dist,
                    margin,
                    vel,
                    m.tendon_invweight0[t],
                    m.tendon_solref[t],
                    m.tendon_solimp[t],
                );
                rows.push(r);
            }
        }
    }
    rows
}

/// Unit axis and angle (in (-π, π], as MuJoCo's quaternion-to-velocity) of a unit quaternion.
fn rotation_axis_angle(q: [f64; 4]) -> ([f64; 3], f64) {
    let v = [q[1], q[2], q[3]];
    let s = crate::math::norm3(v);
    if s == 0.0 {
        return ([1.0, 0.0, 0.0], 0.0);
    }
    let mut angle = 2.0 * s.atan2(q[0]);
    if angle > std::f64::consts::PI {
        angle -= 2.0 * std::f64::consts::PI;
    }
    // velocity = axis·angle; split into a unit axis and its norm as MuJoCo does
    let vel = [v[0] * angle / s, v[1] * angle / s, v[2] * angle / s];
    let n = crate::math::norm3(vel);
    if n < MINVAL {
        return ([1.0, 0.0, 0.0], 0.0);
    }
    ([vel[0] / n, vel[1] / n, vel[2] / n], n)
}
