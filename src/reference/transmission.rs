//! `transmission`: actuator lengths and moments (MuJoCo's mj_transmission), and the compile-time
//! `actuator_acc0` = ‖M(qpos0)⁻¹ · moment‖ that muscles use for F0 when `force` < 0.

use super::crb::{cholesky, cholesky_solve, mass_matrix};
use super::kinematics::kinematics;
use super::tendon::tendon;
use super::tendon::tendon as tendon_fn;
use crate::model::{Model, TrnType};

/// Actuator lengths (nu) and dense moments (nu × nv, row-major) at `qpos`.
pub fn transmission(m: &Model, qpos: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let f = kinematics(m, qpos);
    let tendons: Vec<(f64, Vec<f64>)> = (0..m.ntendon).map(|t| tendon(m, t, qpos, &f)).collect();
    let mut length = vec![0.0; m.nu];
    let mut moment = vec![0.0; m.nu * m.nv];
    for u in 0..m.nu {
        let gear = m.actuator_gear[u][0];
        let id = m.actuator_trnid[u];
        match m.actuator_trntype[u] {
            TrnType::Joint => {
                length[u] = gear * qpos[m.jnt_qposadr[id]];
                moment[u * m.nv + m.jnt_dofadr[id]] = gear;
            }
            TrnType::Tendon => {
                length[u] = gear * tendons[id].0;
                for v in 0..m.nv {
                    moment[u * m.nv + v] = gear * tendons[id].1[v];
                }
            }
        }
    }
    (length, moment)
}

/// `actuator_acc0` (nu) at qpos0; `None` if M(qpos0) is not positive-definite.
pub fn actuator_acc0(m: &Model) -> Option<Vec<f64>> {
    let f = kinematics(m, &m.qpos0);
    let mm = mass_matrix(m, &f);
    let (_, moment) = transmission(m, &m.qpos0);
    let l = cholesky(&mm, m.nv)?;
    Some(
        (0..m.nu)
            .map(|u| {
                let x = cholesky_solve(&l, &moment[u * m.nv..(u + 1) * m.nv]);
                x.iter().map(|v| v * v).sum::<f64>().sqrt()
            })
            .collect(),
    )
}

/// MuJoCo's `stat.meaninertia`: the mean of M(qpos0)'s diagonal (armature included).
pub fn meaninertia(m: &Model) -> f64 {
    if m.nv == 0 {
        return 1.0;
    }
    let mm = mass_matrix(m, &kinematics(m, &m.qpos0));
    (0..m.nv).map(|d| mm[d * m.nv + d]).sum::<f64>() / m.nv as f64
}

/// MuJoCo's `dof_invweight0` (nv) and `tendon_invweight0` (ntendon) at qpos0: the diagonal of M⁻¹
/// per dof (averaged over a ball joint's 3 dofs, and over a free joint's translations and its
/// rotations separately), and J M⁻¹ Jᵀ per tendon. `None` if M(qpos0) is not positive-definite.
pub fn invweight0(m: &Model) -> Option<(Vec<f64>, Vec<f64>)> {
    use crate::model::JointType;
    let f = kinematics(m, &m.qpos0);
    let mm = mass_matrix(m, &f);
    let l = cholesky(&mm, m.nv)?;
    let mut diag = vec![0.0; m.nv];
    for (d, slot) in diag.iter_mut().enumerate() {
        let mut e = vec![0.0; m.nv];
        e[d] = 1.0;
        *slot = cholesky_solve(&l, &e)[d];
    }
    let mut dof = diag.clone();
    for j in 0..m.njnt {
        let a = m.jnt_dofadr[j];
        let groups: &[(usize, usize)] = match m.jnt_type[j] {
            JointType::Free => &[(0, 3), (3, 6)],
            JointType::Ball => &[(0, 3)],
            _ => &[],
        };
        for &(lo, hi) in groups {
            let mean = diag[a + lo..a + hi].iter().sum::<f64>() / (hi - lo) as f64;
            dof[a + lo..a + hi].fill(mean);
        }
    }
    let mut tendon = Vec::with_capacity(m.ntendon);
    for t in 0..m.ntendon {
        let (_, jac) = tendon_fn(m, t, &m.qpos0, &f);
        let x = cholesky_solve(&l, &jac);
        tendon.push(jac.iter().zip(&x).map(|(a, b)| a * b).sum());
    }
    Some((dof, tendon))
}

/// MuJoCo's `body_invweight0` (nbody × \[translation, rotation\]) at qpos0: the mean diagonal of
/// J M⁻¹ Jᵀ over the 3 translational and the 3 rotational rows of the Jacobian at the body's
/// centre of mass (0 for bodies that do not move). Scales contact regularisation.
pub fn body_invweight0(m: &Model) -> Option<Vec<[f64; 2]>> {
    let f = kinematics(m, &m.qpos0);
    let l = cholesky(&mass_matrix(m, &f), m.nv)?;
    let xipos = super::com::body_com(m, &f);
    let mean_diag = |rows: &[crate::math::Vec3]| -> f64 {
        (0..3)
            .map(|k| {
                let row: Vec<f64> = rows.iter().map(|c| c[k]).collect();
                let x = cholesky_solve(&l, &row);
                row.iter().zip(&x).map(|(a, b)| a * b).sum::<f64>()
            })
            .sum::<f64>()
            / 3.0
    };
    Some(
        (0..m.nbody)
            .map(|b| {
                if b == 0 || m.nv == 0 {
                    return [0.0, 0.0];
                }
                let (jp, jr) = super::jacobian::point_jacobian(m, &f, b, xipos[b]);
                [mean_diag(&jp), mean_diag(&jr)]
            })
            .collect(),
    )
}
