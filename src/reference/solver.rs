//! `solver`: MuJoCo's convex constraint problem, solved for qacc by Newton's method with an exact
//! line search, in f64 (the reference the GPU solver is tested against).
//!
//! minimise ½ (a − a₀)ᵀ M (a − a₀) + Σᵢ sᵢ(Jᵢ a − arefᵢ), with a₀ the unconstrained acceleration,
//! sᵢ(x) = ½ Dᵢ x² for equalities, and ½ Dᵢ x² only where x < 0 for limits (one-sided). The problem
//! is convex with a unique minimiser, so any converged method gives MuJoCo's qacc.

use super::constraint::{EfcRow, efc_type};
use super::crb::{cholesky, cholesky_solve};

/// Row forces at acceleration `a`: −Dᵢ (Jᵢ a − arefᵢ) where the row is active, else 0.
pub fn efc_force(rows: &[EfcRow], a: &[f64]) -> Vec<f64> {
    rows.iter()
        .map(|r| {
            let x = dot(&r.j, a) - r.aref;
            if r.kind == efc_type::EQUALITY || x < 0.0 { -r.d * x } else { 0.0 }
        })
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn cost(mm: &[f64], a0: &[f64], rows: &[EfcRow], a: &[f64]) -> f64 {
    let n = a.len();
    let d: Vec<f64> = a.iter().zip(a0).map(|(x, y)| x - y).collect();
    let quad: f64 = (0..n).map(|i| d[i] * (0..n).map(|k| mm[i * n + k] * d[k]).sum::<f64>()).sum();
    let cons: f64 = rows
        .iter()
        .map(|r| {
            let x = dot(&r.j, a) - r.aref;
            if r.kind == efc_type::EQUALITY || x < 0.0 { 0.5 * r.d * x * x } else { 0.0 }
        })
        .sum();
    0.5 * quad + cons
}

/// qacc for joint-space inertia `mm` (n × n), unconstrained acceleration `a0` and `rows`; Newton
/// iterations until the cost improves by less than `tolerance` (relative), at most `iterations`.
pub fn solve(mm: &[f64], a0: &[f64], rows: &[EfcRow], iterations: usize, tolerance: f64) -> Option<Vec<f64>> {
    let n = a0.len();
    let mut a = a0.to_vec();
    let mut c = cost(mm, a0, rows, &a);
    for _ in 0..iterations.max(1) {
        // gradient g = M (a − a0) − Jᵀ f ; Hessian H = M + Jᵀ D_active J
        let d: Vec<f64> = a.iter().zip(a0).map(|(x, y)| x - y).collect();
        let f = efc_force(rows, &a);
        let mut g: Vec<f64> = (0..n).map(|i| (0..n).map(|k| mm[i * n + k] * d[k]).sum()).collect();
        let mut h = mm.to_vec();
        for (r, fi) in rows.iter().zip(&f) {
            let x = dot(&r.j, &a) - r.aref;
            let active = r.kind == efc_type::EQUALITY || x < 0.0;
            for i in 0..n {
                g[i] -= r.j[i] * fi;
            }
            if active {
                for i in 0..n {
                    if r.j[i] == 0.0 {
                        continue;
                    }
                    for k in 0..n {
                        h[i * n + k] += r.d * r.j[i] * r.j[k];
                    }
                }
            }
        }
        let l = cholesky(&h, n)?;
        let step: Vec<f64> = cholesky_solve(&l, &g).iter().map(|v| -v).collect();
        // Exact line search: the cost along the step is convex and piecewise quadratic, so its
        // slope is monotone; bisect the slope's zero on [0, hi].
        let slope = |t: f64| -> f64 {
            let at: Vec<f64> = a.iter().zip(&step).map(|(x, p)| x + t * p).collect();
            let d: Vec<f64> = at.iter().zip(a0).map(|(x, y)| x - y).collect();
            let mut s: f64 =
                (0..n).map(|i| step[i] * (0..n).map(|k| mm[i * n + k] * d[k]).sum::<f64>()).sum();
            for r in rows {
                let x = dot(&r.j, &at) - r.aref;
                if r.kind == efc_type::EQUALITY || x < 0.0 {
                    s += r.d * x * dot(&r.j, &step);
                }
            }
            s
        };
        let mut hi = 1.0;
        while slope(hi) < 0.0 && hi < 1e6 {
            hi *= 2.0;
        }
        let mut lo = 0.0;
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if slope(mid) < 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let t = 0.5 * (lo + hi);
        for i in 0..n {
            a[i] += t * step[i];
        }
        let c_new = cost(mm, a0, rows, &a);
        let improvement = c - c_new;
        c = c_new;
        if improvement.abs() <= tolerance * c.abs().max(1.0) {
            break;
        }
    }
    Some(a)
}
