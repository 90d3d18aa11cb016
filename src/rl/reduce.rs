//! Reductions the training relies on, written so they are right at any size and bitwise
//! reproducible. Two defects of Burn 0.22.1 / CubeCL 0.11.3 on wgpu, measured on lavapipe:
//!
//! - **Elements dropped on long axes.** `sum_dim`, `mean`, `var` along an axis longer than 65,536
//!   leave elements out: 65,537 normal draws summed lose one (4.6 off), 2^20 sum to 261,607
//!   where the host gets 1,047,234, and `var` of 2^20 unit-variance draws is 0.39. Axes up to
//!   4,096 (long or short ones, contiguous or strided) are exact to f32 rounding, so every
//!   reduction here splits its axis into chunks of [`CHUNK`] and reduces the chunk sums again.
//! - **Atomic order.** `Tensor::sum` (no autotune) adds workgroup partials with float atomics where
//!   the device has them, in the order workgroups finish; `sum_dim` reduces in a fixed tree order.
//!
//! Every function keeps Burn's autodiff (slices, reshapes, concatenations, `sum_dim`).

use burn::tensor::Tensor;

/// The longest axis handed to Burn's `sum_dim`.
pub const CHUNK: usize = 4096;

/// Column sums of `t: [n, k]` as `[1, k]`, in a fixed order.
pub fn sum_rows(t: Tensor<2>) -> Tensor<2> {
    let mut t = t;
    loop {
        let [n, k] = t.dims();
        if n <= CHUNK {
            return t.sum_dim(0);
        }
        // full chunks summed to one row each, the remainder to one more row
        let (chunks, full) = (n / CHUNK, n / CHUNK * CHUNK);
        let sums = t.clone().slice([0..full]).reshape([chunks, CHUNK, k]).sum_dim(1).reshape([chunks, k]);
        t = match full < n {
            true => Tensor::cat(vec![sums, t.slice([full..n]).sum_dim(0)], 0),
            false => sums,
        };
    }
}

/// The sum of every element of `t`, as `[1]`.
pub fn sum_all<const D: usize>(t: Tensor<D>) -> Tensor<1> {
    let n = t.shape().num_elements();
    sum_rows(t.reshape([n, 1])).reshape([1])
}

/// The mean of every element of `t`, as `[1]`.
pub fn mean_all<const D: usize>(t: Tensor<D>) -> Tensor<1> {
    let n = t.shape().num_elements();
    sum_all(t).div_scalar(n as f64)
}

/// `(variance, mean)` of `t: [n]`, each `[1]`; the variance divides by `n − 1` (Burn's `var`).
pub fn var_mean(t: Tensor<1>) -> (Tensor<1>, Tensor<1>) {
    let n = t.dims()[0];
    let mean = mean_all(t.clone());
    let var = sum_all((t - mean.clone()).square()).div_scalar(n.saturating_sub(1).max(1) as f64);
    (var, mean)
}

/// `(variance, mean)` of each column of `t: [n, k]`, each `[1, k]`; the variance divides by `n`
/// (Burn's `var_mean_bias`).
pub fn var_mean_rows_bias(t: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
    let n = t.dims()[0] as f64;
    let mean = sum_rows(t.clone()).div_scalar(n);
    let var = sum_rows((t - mean.clone()).square()).div_scalar(n);
    (var, mean)
}
