//! Curves over a cycle: resampling to a fixed number of points, mean ± sd across cycles, Pearson
//! correlation (also at the best time shift within a window, as KINESIS correlates excitations
//! with EMG) and RMSE.

/// `x` (at least 2 samples, evenly spaced over one cycle, first to last inclusive) linearly
/// interpolated at `n` evenly spaced points (101: 0 % … 100 % of the cycle).
pub fn resample(x: &[f64], n: usize) -> Vec<f64> {
    match (x.len(), n) {
        (_, 0) => Vec::new(),
        (0, _) => vec![f64::NAN; n],
        (1, _) => vec![x[0]; n],
        (len, 1) => vec![x[len / 2]],
        (len, _) => (0..n)
            .map(|i| {
                let t = i as f64 * (len - 1) as f64 / (n - 1) as f64;
                let k = (t.floor() as usize).min(len - 2);
                let f = t - k as f64;
                x[k] * (1.0 - f) + x[k + 1] * f
            })
            .collect(),
    }
}

/// Point-wise mean and sample standard deviation of equally long curves (sd 0 for one curve).
pub fn mean_sd(curves: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
    let Some(first) = curves.first() else { return (Vec::new(), Vec::new()) };
    let n = curves.len() as f64;
    let mut mean = vec![0.0; first.len()];
    for c in curves {
        for (m, v) in mean.iter_mut().zip(c) {
            *m += v / n;
        }
    }
    let sd = (0..first.len())
        .map(|i| {
            if curves.len() < 2 {
                return 0.0;
            }
            (curves.iter().map(|c| (c[i] - mean[i]).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
        })
        .collect();
    (mean, sd)
}

/// Pearson correlation of two equally long series; `None` when either is constant or they are
/// shorter than 2.
pub fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len().min(b.len());
    if n < 2 {
        return None;
    }
    let (ma, mb) = (a[..n].iter().sum::<f64>() / n as f64, b[..n].iter().sum::<f64>() / n as f64);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (da, db) = (a[i] - ma, b[i] - mb);
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    (saa > 0.0 && sbb > 0.0).then(|| sab / (saa * sbb).sqrt())
}

/// The best Pearson r of `a` against `b` shifted by −`max_shift` … `max_shift` samples around a
/// cycle (circularly: a cycle's end meets the next one's start), with the shift that gives it
/// (positive: `b` lags `a`).
pub fn pearson_best_shift(a: &[f64], b: &[f64], max_shift: usize) -> Option<(f64, i64)> {
    let n = a.len().min(b.len());
    if n < 2 {
        return None;
    }
    let mut best: Option<(f64, i64)> = None;
    let m = max_shift.min(n - 1) as i64;
    for s in -m..=m {
        let shifted: Vec<f64> = (0..n as i64).map(|i| b[(i + s).rem_euclid(n as i64) as usize]).collect();
        if let Some(r) = pearson(&a[..n], &shifted)
            && best.is_none_or(|(r0, _)| r > r0)
        {
            best = Some((r, s));
        }
    }
    best
}

/// Root mean square difference of two equally long series.
pub fn rmse(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len()).max(1);
    (a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>() / n as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resampling_keeps_the_ends_and_interpolates_linearly() {
        let x = [0.0, 10.0, 20.0];
        let r = resample(&x, 5);
        assert_eq!(r, vec![0.0, 5.0, 10.0, 15.0, 20.0]);
        assert_eq!(resample(&x, 101).len(), 101);
        assert_eq!(resample(&x, 101)[100], 20.0);
    }

    #[test]
    fn mean_and_sd_across_cycles() {
        let (m, s) = mean_sd(&[vec![1.0, 2.0], vec![3.0, 2.0]]);
        assert_eq!(m, vec![2.0, 2.0]);
        assert!((s[0] - 2f64.sqrt()).abs() < 1e-12 && s[1] == 0.0);
    }

    #[test]
    fn pearson_finds_a_planted_shift() {
        let n = 101;
        let a: Vec<f64> = (0..n).map(|i| (i as f64 / n as f64 * std::f64::consts::TAU).sin()).collect();
        // b lags a by 7 samples
        let b: Vec<f64> = (0..n).map(|i| a[(i + n - 7) % n]).collect();
        let r0 = pearson(&a, &b).unwrap();
        let (r, s) = pearson_best_shift(&a, &b, 10).unwrap();
        assert_eq!(s, 7);
        assert!((r - 1.0).abs() < 1e-12 && r0 < 0.95);
        assert!(
            (pearson(&a, &a.iter().map(|x| -2.0 * x + 1.0).collect::<Vec<_>>()).unwrap() + 1.0).abs() < 1e-12
        );
        assert_eq!(pearson(&a, &vec![1.0; n]), None);
        assert!(rmse(&a, &a) == 0.0);
    }
}
