//! `crb`: the joint-space inertia matrix M (with armature), in f64. Built as
//! Σ_bodies (m·Jpᵀ·Jp + Jrᵀ·I_world·Jr) at the centre of mass: simple and exact, the reference for
//! the GPU's composite-rigid-body version.

use super::jacobian::point_jacobian;
use super::kinematics::Frames;
use crate::math;
use crate::model::Model;

/// Dense M (nv × nv, row-major) at the configuration of `f`.
pub fn mass_matrix(m: &Model, f: &Frames) -> Vec<f64> {
    let nv = m.nv;
    let mut mm = vec![0.0; nv * nv];
    for b in 1..m.nbody {
        if m.body_mass[b] == 0.0 && m.body_inertia[b] == [0.0; 3] {
            continue;
        }
        let com = math::add3(f.xpos[b], math::rot_vec_quat(m.body_ipos[b], f.xquat[b]));
        let (jp, jr) = point_jacobian(m, f, b, com);
        // Inertia about the com in the world frame: R diag(I) Rᵀ with R = body rotation ∘ iquat.
        let r = math::quat2mat(math::mul_quat(f.xquat[b], m.body_iquat[b]));
        let inr = m.body_inertia[b];
        let mut iw = [0.0; 9];
        for i in 0..3 {
            for j in 0..3 {
                iw[3 * i + j] = (0..3).map(|k| r[3 * i + k] * inr[k] * r[3 * j + k]).sum();
            }
        }
        let dofs: Vec<usize> = (0..nv).filter(|&d| jp[d] != [0.0; 3] || jr[d] != [0.0; 3]).collect();
        for &a in &dofs {
            let iwa = math::mul_mat_vec3(&iw, jr[a]);
            for &c in &dofs {
                mm[a * nv + c] += m.body_mass[b] * math::dot3(jp[a], jp[c]) + math::dot3(iwa, jr[c]);
            }
        }
    }
    for d in 0..nv {
        mm[d * nv + d] += m.dof_armature[d];
    }
    mm
}

/// Cholesky factor L (row-major, lower) of a symmetric positive-definite n × n matrix; `None` if it
/// is not positive-definite.
pub fn cholesky(mm: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = mm.to_vec();
    for j in 0..n {
        let mut d = l[j * n + j];
        for k in 0..j {
            d -= l[j * n + k] * l[j * n + k];
        }
        if d <= 0.0 {
            return None;
        }
        let d = d.sqrt();
        l[j * n + j] = d;
        for i in j + 1..n {
            let mut s = l[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            l[i * n + j] = s / d;
        }
    }
    Some(l)
}

/// Solve L Lᵀ x = b with a factor from [`cholesky`].
pub fn cholesky_solve(l: &[f64], b: &[f64]) -> Vec<f64> {
    let n = b.len();
    let mut y = b.to_vec();
    for i in 0..n {
        for k in 0..i {
            y[i] -= l[i * n + k] * y[k];
        }
        y[i] /= l[i * n + i];
    }
    for i in (0..n).rev() {
        for k in i + 1..n {
            y[i] -= l[k * n + i] * y[k];
        }
        y[i] /= l[i * n + i];
    }
    y
}

/// Solve M x = b for symmetric positive-definite M (nv × nv) by Cholesky; `None` if M is not
/// positive-definite.
pub fn solve_spd(mm: &[f64], b: &[f64]) -> Option<Vec<f64>> {
    Some(cholesky_solve(&cholesky(mm, b.len())?, b))
}
