//! `passive`: joint and tendon springs and dampers (MuJoCo's mj_passive), in f64.

use crate::math::{self, Quat, Vec3};
use crate::model::{JointType, Model, disable};

/// qfrc_passive (nv) from joint stiffness/damping and tendon stiffness/damping, given tendon
/// lengths, velocities and Jacobians (ntendon, ntendon, ntendon × nv).
pub fn passive(
    m: &Model,
    qpos: &[f64],
    qvel: &[f64],
    ten_length: &[f64],
    ten_velocity: &[f64],
    ten_j: &[Vec<f64>],
) -> Vec<f64> {
    let spring = m.opt.disableflags & disable::SPRING == 0;
    let damper = m.opt.disableflags & disable::DAMPER == 0;
    let mut f = vec![0.0; m.nv];
    for j in 0..m.njnt {
        let k = m.jnt_stiffness[j];
        if spring && k != 0.0 {
            let (a, d) = (m.jnt_qposadr[j], m.jnt_dofadr[j]);
            match m.jnt_type[j] {
                JointType::Hinge | JointType::Slide => f[d] -= k * (qpos[a] - m.qpos_spring[a]),
                JointType::Free | JointType::Ball => {
                    let (qa, da) = if m.jnt_type[j] == JointType::Free {
                        for i in 0..3 {
                            f[d + i] -= k * (qpos[a + i] - m.qpos_spring[a + i]);
                        }
                        (a + 3, d + 3)
                    } else {
                        (a, d)
                    };
                    // Rotation from the spring orientation to the current one, as a 3-vector.
                    let mut q = [qpos[qa], qpos[qa + 1], qpos[qa + 2], qpos[qa + 3]];
                    math::normalize4(&mut q);
                    let s = &m.qpos_spring[qa..qa + 4];
                    let dif = quat_difference(q, [s[0], s[1], s[2], s[3]]);
                    for i in 0..3 {
                        f[da + i] -= k * dif[i];
                    }
                }
            }
        }
    }
    if damper {
        for d in 0..m.nv {
            f[d] -= m.dof_damping[d] * qvel[d];
        }
    }
    for t in 0..m.ntendon {
        let mut force = 0.0;
        if spring && m.tendon_stiffness[t] != 0.0 {
            let [lo, hi] = m.tendon_lengthspring[t];
            let l = ten_length[t];
            // Dead band between the two spring lengths.
            if l > hi {
                force -= m.tendon_stiffness[t] * (l - hi);
            } else if l < lo {
                force -= m.tendon_stiffness[t] * (l - lo);
            }
        }
        if damper {
            force -= m.tendon_damping[t] * ten_velocity[t];
        }
        if force != 0.0 {
            for d in 0..m.nv {
                f[d] += ten_j[t][d] * force;
            }
        }
    }
    f
}

/// MuJoCo's mju_subQuat: the rotation vector (axis·angle, angle in (-π, π]) taking `b` to `a`,
/// in `b`'s frame.
fn quat_difference(a: Quat, b: Quat) -> Vec3 {
    let q = math::mul_quat(math::neg_quat(b), a);
    let mut axis = [q[1], q[2], q[3]];
    let sin_half = math::norm3(axis);
    if sin_half < math::MINVAL {
        return [0.0; 3];
    }
    axis = math::scale3(axis, 1.0 / sin_half);
    let mut angle = 2.0 * sin_half.atan2(q[0]);
    if angle > std::f64::consts::PI {
        angle -= 2.0 * std::f64::consts::PI;
    }
    math::scale3(axis, angle)
}
