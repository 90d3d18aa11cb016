//! The training's reductions (`sinew::rl::reduce`) against f64 sums on the host, at sizes where
//! Burn 0.22.1's own `sum_dim`/`mean`/`var` on wgpu drop elements (axes past 65,536), and
//! bitwise stable when repeated.

use burn::tensor::{Distribution, Tensor};
use sinew::rl::reduce::{mean_all, sum_all, sum_rows, var_mean, var_mean_rows_bias};

fn host(t: &Tensor<1>) -> Vec<f64> {
    t.clone().into_data().try_to_vec::<f32>().unwrap().into_iter().map(f64::from).collect()
}

fn scalar(t: Tensor<1>) -> f64 {
    host(&t)[0]
}

/// |ours − exact| within f32 rounding of a sum of `n` terms of size `scale`.
fn close(what: &str, ours: f64, exact: f64, n: usize, scale: f64) {
    let tol = 1e-6 * scale * (n as f64).sqrt() * 4.0 + 1e-5 * exact.abs();
    assert!((ours - exact).abs() <= tol, "{what}: {ours} vs exact {exact} (tolerance {tol})");
}

#[test]
fn long_reductions_match_the_host() {
    let ctx = sinew::gpu::GpuContext::new().unwrap_or_else(|e| panic!("{e}"));
    let device = ctx.burn_device().unwrap();
    device.seed(11);
    for n in [4096usize, 65_537, 262_147, 1 << 20, 3 * (1 << 20) + 5] {
        let t = Tensor::<1>::random([n], Distribution::Normal(1.0, 1.0), &device);
        let x = host(&t);
        let sum: f64 = x.iter().sum();
        let mean = sum / n as f64;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let ours = scalar(sum_all(t.clone()));
        close(&format!("sum of {n}"), ours, sum, n, 1.0);
        close(&format!("mean of {n}"), scalar(mean_all(t.clone())), mean, n, 1.0 / n as f64);
        let (v, m) = var_mean(t.clone());
        close(&format!("mean (var_mean) of {n}"), scalar(m), mean, n, 1.0 / n as f64);
        close(&format!("variance of {n}"), scalar(v), var, n, 1.0 / n as f64);
        for _ in 0..3 {
            assert_eq!(scalar(sum_all(t.clone())).to_bits(), ours.to_bits(), "sum of {n} not repeatable");
        }
    }
    // column statistics of [rows, 3] (the observation normaliser's batch)
    for rows in [100_003usize, 70_000] {
        let t = Tensor::<2>::random([rows, 3], Distribution::Normal(2.0, 3.0), &device);
        let x: Vec<f64> =
            t.clone().into_data().try_to_vec::<f32>().unwrap().into_iter().map(f64::from).collect();
        let sums = host(&sum_rows(t.clone()).reshape([3]));
        let (var, mean) = var_mean_rows_bias(t.clone());
        let (var, mean) = (host(&var.reshape([3])), host(&mean.reshape([3])));
        for c in 0..3 {
            let col: Vec<f64> = (0..rows).map(|r| x[r * 3 + c]).collect();
            let s: f64 = col.iter().sum();
            let m = s / rows as f64;
            let v = col.iter().map(|a| (a - m).powi(2)).sum::<f64>() / rows as f64;
            close(&format!("column {c} sum of {rows}"), sums[c], s, rows, 3.0);
            close(&format!("column {c} mean of {rows}"), mean[c], m, rows, 3.0 / rows as f64);
            close(&format!("column {c} variance of {rows}"), var[c], v, rows, 9.0 / rows as f64);
        }
    }
}
