//! `integrate`: MuJoCo's semi-implicit Euler with implicit joint damping, quaternion integration
//! of ball/free joints, and the activation update (mj_Euler, mj_integratePos), in f64.

use super::crb::solve_spd;
use crate::error::{Error, Result};
use crate::math::{self, MINVAL};
use crate::model::{DynType, JointType, Model, disable};

/// qpos ← qpos ⊕ h·qvel (quaternions rotated by the local angular velocity).
pub fn integrate_pos(m: &Model, qpos: &mut [f64], qvel: &[f64], h: f64) {
    for j in 0..m.njnt {
        let (a, d) = (m.jnt_qposadr[j], m.jnt_dofadr[j]);
        let rot = match m.jnt_type[j] {
            JointType::Hinge | JointType::Slide => {
                qpos[a] += h * qvel[d];
                continue;
            }
            JointType::Free => {
                for k in 0..3 {
                    qpos[a + k] += h * qvel[d + k];
                }
                (a + 3, d + 3)
            }
            JointType::Ball => (a, d),
        };
        let (qa, va) = rot;
        let w = [qvel[va], qvel[va + 1], qvel[va + 2]];
        let speed = math::norm3(w);
        let mut q = [qpos[qa], qpos[qa + 1], qpos[qa + 2], qpos[qa + 3]];
        if speed >= MINVAL {
            q = math::mul_quat(q, math::axis_angle2quat(w, speed * h));
        }
        math::normalize4(&mut q);
        qpos[qa..qa + 4].copy_from_slice(&q);
    }
}

/// One Euler step: new (qpos, qvel, act) from the state, qacc, act_dot and the mass matrix M
/// (dense nv × nv with armature).
pub fn euler(
    m: &Model,
    qpos: &mut [f64],
    qvel: &mut [f64],
    act: &mut [f64],
    qacc: &[f64],
    act_dot: &[f64],
    mm: &[f64],
) -> Result<()> {
    let h = m.opt.timestep;
    for u in 0..m.nu {
        let Some(a) = m.actuator_actadr[u] else { continue };
        let mut next = if m.actuator_dyntype[u] == DynType::FilterExact {
            let tau = m.actuator_dynprm[u][0].max(MINVAL);
            act[a] + act_dot[a] * tau * (1.0 - (-h / tau).exp())
        } else {
            act[a] + h * act_dot[a]
        };
        if m.actuator_actlimited[u] {
            let [lo, hi] = m.actuator_actrange[u];
            next = next.clamp(lo, hi);
        }
        act[a] = next;
    }
    let nv = m.nv;
    let implicit = m.opt.disableflags & disable::EULERDAMP == 0 && m.dof_damping.iter().any(|d| *d > 0.0);
    if implicit {
        // qvel += h (M + h D)⁻¹ (M qacc)
        let mqacc: Vec<f64> = (0..nv).map(|i| (0..nv).map(|k| mm[i * nv + k] * qacc[k]).sum()).collect();
        let mut md = mm.to_vec();
        for d in 0..nv {
            md[d * nv + d] += h * m.dof_damping[d];
        }
        let dv =
            solve_spd(&md, &mqacc).ok_or_else(|| Error::Model("M + hD is not positive-definite".into()))?;
        for d in 0..nv {
            qvel[d] += h * dv[d];
        }
    } else {
        for d in 0..nv {
            qvel[d] += h * qacc[d];
        }
    }
    integrate_pos(m, qpos, qvel, h);
    Ok(())
}
