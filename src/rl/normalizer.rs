//! Running observation normalisation on the GPU: per-feature mean and variance over every
//! observation seen, merged batch by batch (Chan et al.'s parallel update), so no observation
//! leaves the device.

use burn::tensor::{Device, Tensor};

/// Running mean/variance of `n` features (`[1, n]` tensors) and the count of rows seen.
#[derive(Debug, Clone)]
pub struct ObsNormalizer {
    /// `[1, n]` mean.
    pub mean: Tensor<2>,
    /// `[1, n]` (biased) variance.
    pub var: Tensor<2>,
    /// Rows seen (a host number: it only depends on batch sizes).
    pub count: f64,
    /// Normalised values are clipped to ±clip.
    pub clip: f64,
}

/// Added to the variance before the square root.
pub const VAR_EPS: f64 = 1e-8;

impl ObsNormalizer {
    /// Mean 0, variance 1, nothing seen.
    pub fn new(n: usize, clip: f64, device: &Device) -> Self {
        ObsNormalizer {
            mean: Tensor::zeros([1, n], device),
            var: Tensor::ones([1, n], device),
            count: 0.0,
            clip,
        }
    }

    /// Merge a batch `[rows, n]` into the statistics.
    pub fn update(&mut self, batch: Tensor<2>) {
        let rows = batch.dims()[0] as f64;
        if rows == 0.0 {
            return;
        }
        let (bvar, bmean) = super::reduce::var_mean_rows_bias(batch);
        let total = self.count + rows;
        let delta = bmean.clone() - self.mean.clone();
        self.mean = self.mean.clone() + delta.clone().mul_scalar(rows / total);
        let m2 = self.var.clone().mul_scalar(self.count)
            + bvar.mul_scalar(rows)
            + delta.square().mul_scalar(self.count * rows / total);
        self.var = m2.div_scalar(total);
        self.count = total;
    }

    /// `clamp((x − mean) / √(var + ε), −clip, clip)` for `x: [rows, n]`.
    pub fn normalize(&self, x: Tensor<2>) -> Tensor<2> {
        ((x - self.mean.clone()) / self.var.clone().add_scalar(VAR_EPS).sqrt()).clamp(-self.clip, self.clip)
    }

    /// The standard deviation used by [`ObsNormalizer::normalize`]: `[1, n]`.
    pub fn std(&self) -> Tensor<2> {
        self.var.clone().add_scalar(VAR_EPS).sqrt()
    }
}
