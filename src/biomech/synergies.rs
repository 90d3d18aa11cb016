//! Muscle synergies: non-negative matrix factorisation X ≈ W·H of activations (muscles × time)
//! by Lee and Seung's multiplicative updates for the Frobenius norm (Nature 1999; NIPS 2001),
//! with several seeded starts, and the variance accounted for, VAF = 1 − ‖X − WH‖² / ‖X‖²
//! (uncentred, as muscle-synergy studies report it).

/// One factorisation: `w` (muscles × k, row-major) the synergies, `h` (k × samples, row-major)
/// their activation over time.
#[derive(Debug, Clone)]
pub struct Factorisation {
    /// Synergies.
    pub k: usize,
    /// (muscles × k) synergy weights, each column scaled to unit norm.
    pub w: Vec<f64>,
    /// (k × samples) activation coefficients.
    pub h: Vec<f64>,
    /// Variance accounted for.
    pub vaf: f64,
}

/// A small seeded generator (xorshift64*): the starts must not depend on a crate's stream.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// X ≈ W·H with `k` synergies for `x` (muscles × samples, row-major, non-negative; negative
/// values count as 0): the best of `starts` seeded starts, `iterations` updates each.
pub fn nmf(
    x: &[f64],
    muscles: usize,
    samples: usize,
    k: usize,
    iterations: usize,
    starts: usize,
) -> Factorisation {
    assert_eq!(x.len(), muscles * samples, "x must be muscles × samples");
    let x: Vec<f64> = x.iter().map(|v| v.max(0.0)).collect();
    let norm2: f64 = x.iter().map(|v| v * v).sum();
    let mut best: Option<Factorisation> = None;
    for start in 0..starts.max(1) {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (start as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
        let scale = (x.iter().sum::<f64>() / (x.len().max(1) as f64 * k.max(1) as f64)).sqrt().max(1e-6);
        let mut w: Vec<f64> = (0..muscles * k).map(|_| scale * (0.1 + rng.next())).collect();
        let mut h: Vec<f64> = (0..k * samples).map(|_| scale * (0.1 + rng.next())).collect();
        for _ in 0..iterations {
            update_h(&x, &w, &mut h, muscles, samples, k);
            update_w(&x, &mut w, &h, muscles, samples, k);
        }
        let vaf = if norm2 > 0.0 { 1.0 - residual2(&x, &w, &h, muscles, samples, k) / norm2 } else { 1.0 };
        if best.as_ref().is_none_or(|b| vaf > b.vaf) {
            best = Some(Factorisation { k, w, h, vaf });
        }
    }
    let mut f = best.expect("at least one start");
    // unit-norm synergies, their scale moved into the coefficients
    for j in 0..k {
        let n = (0..muscles).map(|i| f.w[i * k + j].powi(2)).sum::<f64>().sqrt();
        if n > 0.0 {
            (0..muscles).for_each(|i| f.w[i * k + j] /= n);
            (0..samples).for_each(|t| f.h[j * samples + t] *= n);
        }
    }
    f
}

/// VAF for k = 1 … `k_max` (each the best of its starts): the curve synergy studies plot.
pub fn vaf_curve(x: &[f64], muscles: usize, samples: usize, k_max: usize) -> Vec<Factorisation> {
    (1..=k_max.min(muscles)).map(|k| nmf(x, muscles, samples, k, 500, 5)).collect()
}

fn wh(w: &[f64], h: &[f64], i: usize, t: usize, samples: usize, k: usize) -> f64 {
    (0..k).map(|j| w[i * k + j] * h[j * samples + t]).sum()
}

fn residual2(x: &[f64], w: &[f64], h: &[f64], muscles: usize, samples: usize, k: usize) -> f64 {
    let mut r = 0.0;
    for i in 0..muscles {
        for t in 0..samples {
            r += (x[i * samples + t] - wh(w, h, i, t, samples, k)).powi(2);
        }
    }
    r
}

/// H ← H ⊙ (WᵀX) / (WᵀWH).
fn update_h(x: &[f64], w: &[f64], h: &mut [f64], muscles: usize, samples: usize, k: usize) {
    let mut wtw = vec![0.0; k * k];
    for a in 0..k {
        for b in 0..k {
            wtw[a * k + b] = (0..muscles).map(|i| w[i * k + a] * w[i * k + b]).sum();
        }
    }
    for t in 0..samples {
        for a in 0..k {
            let num: f64 = (0..muscles).map(|i| w[i * k + a] * x[i * samples + t]).sum();
            let den: f64 = (0..k).map(|b| wtw[a * k + b] * h[b * samples + t]).sum();
            h[a * samples + t] *= num / den.max(1e-12);
        }
    }
}

/// W ← W ⊙ (XHᵀ) / (WHHᵀ).
fn update_w(x: &[f64], w: &mut [f64], h: &[f64], muscles: usize, samples: usize, k: usize) {
    let mut hht = vec![0.0; k * k];
    for a in 0..k {
        for b in 0..k {
            hht[a * k + b] = (0..samples).map(|t| h[a * samples + t] * h[b * samples + t]).sum();
        }
    }
    for i in 0..muscles {
        for a in 0..k {
            let num: f64 = (0..samples).map(|t| x[i * samples + t] * h[a * samples + t]).sum();
            let den: f64 = (0..k).map(|b| w[i * k + b] * hht[b * k + a]).sum();
            w[i * k + a] *= num / den.max(1e-12);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planted_synergies_are_recovered() {
        // 10 muscles driven by 3 planted synergies with smooth non-negative coefficients
        let (m, t, k) = (10, 150, 3);
        let mut rng = Rng(42);
        let w: Vec<f64> = (0..m * k).map(|_| rng.next().powi(2)).collect();
        let h: Vec<f64> = (0..k * t)
            .map(|i| {
                let (j, s) = (i / t, i % t);
                (0.5 + 0.5 * ((s as f64 * 0.07 * (j + 1) as f64) + j as f64).sin()).powi(2)
            })
            .collect();
        let x: Vec<f64> = (0..m * t).map(|i| wh(&w, &h, i / t, i % t, t, k)).collect();
        let curve = vaf_curve(&x, m, t, 5);
        assert!(curve[2].vaf >= 0.99, "VAF at the planted k: {}", curve[2].vaf);
        assert!(curve[0].vaf < curve[2].vaf, "fewer synergies explain less");
        // each planted synergy has a recovered one pointing the same way
        let f = &curve[2];
        for j in 0..k {
            let pn = (0..m).map(|i| w[i * k + j].powi(2)).sum::<f64>().sqrt();
            let best = (0..k)
                .map(|q| (0..m).map(|i| w[i * k + j] / pn * f.w[i * k + q]).sum::<f64>())
                .fold(f64::MIN, f64::max);
            assert!(best > 0.98, "planted synergy {j}: best cosine {best}");
        }
    }
}
