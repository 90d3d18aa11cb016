//! Adam over the parameter list with global gradient-norm clipping, all on the GPU.
//!
//! Written here rather than using `burn::optim::Adam` because PPO clips the norm of the gradient
//! of all parameters together (Burn's clipping is per parameter), and because checkpoints must
//! hold the moments as plain arrays to resume a run exactly.

use burn::tensor::Tensor;

/// Adam state: first and second moments per parameter, and the step count.
#[derive(Debug, Clone)]
pub struct Adam {
    /// First moments (same shapes as the parameters).
    pub m: Vec<Tensor<2>>,
    /// Second moments.
    pub v: Vec<Tensor<2>>,
    /// Steps taken.
    pub step: u64,
    /// β1, β2.
    pub betas: [f64; 2],
    /// ε.
    pub eps: f64,
}

impl Adam {
    /// Zero moments for `params`.
    pub fn new(params: &[Tensor<2>], betas: [f32; 2], eps: f32) -> Self {
        let zeros = || params.iter().map(|p| p.zeros_like()).collect();
        Adam { m: zeros(), v: zeros(), step: 0, betas: [betas[0] as f64, betas[1] as f64], eps: eps as f64 }
    }

    /// One step: scale `grads` so their global norm is at most `max_norm` (0: no clipping), then
    /// update `params` in place (new tensors). Returns the global norm before clipping (`[1]`).
    pub fn step(
        &mut self,
        params: &mut [Tensor<2>],
        grads: Vec<Tensor<2>>,
        lr: f64,
        max_norm: f64,
    ) -> Tensor<1> {
        let norm = grads
            .iter()
            .map(|g| super::reduce::sum_all(g.clone().square()))
            .reduce(|a, b| a + b)
            .expect("at least one parameter")
            .sqrt();
        let scale: Option<Tensor<2>> = (max_norm > 0.0).then(|| {
            norm.clone().add_scalar(1e-6).recip().mul_scalar(max_norm).clamp_max(1.0).reshape([1, 1])
        });
        self.step += 1;
        let [b1, b2] = self.betas;
        let c1 = 1.0 - b1.powi(self.step as i32);
        let c2 = 1.0 - b2.powi(self.step as i32);
        for (i, g) in grads.into_iter().enumerate() {
            let g = match &scale {
                Some(s) => g * s.clone(),
                None => g,
            };
            self.m[i] = self.m[i].clone().mul_scalar(b1) + g.clone().mul_scalar(1.0 - b1);
            self.v[i] = self.v[i].clone().mul_scalar(b2) + g.square().mul_scalar(1.0 - b2);
            let denom = self.v[i].clone().div_scalar(c2).sqrt().add_scalar(self.eps);
            params[i] = params[i].clone() - self.m[i].clone().div_scalar(c1).div(denom).mul_scalar(lr);
        }
        norm
    }
}
