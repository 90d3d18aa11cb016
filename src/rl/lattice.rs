//! Lattice exploration (Chiappa et al. 2023, as KINESIS uses it): the action noise is correlated
//! through the actor's last hidden layer. With `z` the last hidden features, `W` `[h, nu]` and
//! `b` the action head, the action is `a = (z + ε_z) W + b + ε_a`, `ε_z ~ N(0, diag(σ_z²))`,
//! `ε_a ~ N(0, diag(σ_a²))`, so `a ~ N(μ, Σ)` with `μ = z W + b` (the deterministic policy, as
//! exported) and `Σ = Wᵀ diag(σ_z²) W + diag(σ_a²)` `[nu, nu]`: one covariance for every state,
//! since `σ_z` (`latent_log_std`, `[1, h]`) and `σ_a` (`log_std`, `[1, nu]`) are learned
//! parameters, not functions of the state.
//!
//! Log-probabilities and the entropy need `Σ⁻¹` and `log det Σ`: `shaders/rl/spd.wgsl` computes
//! both on the device from the detached `Σ` (one workgroup, no host read). In the update the
//! loss is written with a surrogate that has the exact value and the exact first derivative in
//! the parameters, with `P = Σ⁻¹` held constant: `δᵀ (2P − PΣP) δ` for the quadratic form
//! (value `δᵀPδ`, derivative `−½ δᵀ P dΣ P δ` of `−½ δᵀΣ⁻¹δ`, as the true one) and
//! `log det Σ + tr(PΣ) − tr(PΣ)|detached` for the log-determinant (derivative `tr(P dΣ)`).

use burn::tensor::{Device, Tensor};

use super::interop::{bind_tensor, flush};
use super::policy::ActorCritic;
use crate::error::{Error, Result};
use crate::gpu::{Binding, Bindings, GpuContext};
use crate::sim::stages::{Kernel, Work};

/// ln(2π).
const LN_2PI: f64 = 1.837_877_066_409_345_5;

fn action_log_std(net: &ActorCritic) -> Result<usize> {
    net.log_std.ok_or_else(|| Error::Config("the policy has no action noise".into()))
}

/// `Σ = Wᵀ diag(σ_z²) W + diag(σ_a²)` `[nu, nu]` from the parameter list (plain or autodiff).
pub fn covariance(net: &ActorCritic, p: &[Tensor<2>]) -> Result<Tensor<2>> {
    let latent = net.latent_log_std.ok_or_else(|| Error::Config("the policy has no Lattice noise".into()))?;
    let w = p[net.action_head()].clone(); // [h, nu]
    let s = p[latent].clone().mul_scalar(2.0).exp(); // [1, h]: σ_z²
    let ws = w.clone() * s.transpose(); // [h, nu], row k scaled by σ_z,k²
    let a = p[action_log_std(net)?].clone().mul_scalar(2.0).exp(); // [1, nu]: σ_a²
    let nu = a.dims()[1];
    let eye = Tensor::<2>::eye(nu, &a.device());
    Ok(w.transpose().matmul(ws) + eye * a)
}

/// The inverse and log-determinant of SPD matrices on the device (`shaders/rl/spd.wgsl`), for
/// one size `n`.
pub struct SpdSolver {
    n: usize,
    factor: Kernel,
    log_det: Kernel,
    invert: Kernel,
    next_rows: Kernel,
    /// The next column to factor and the next row of L⁻¹ to compute (u32), reset before each
    /// solve.
    next: wgpu::Buffer,
}

/// Columns factored per dispatch.
const SPD_BLOCK: usize = 16;

impl SpdSolver {
    /// A solver for `n × n` matrices.
    pub fn new(ctx: &GpuContext, device: &Device, n: usize) -> Result<Self> {
        let probe = Tensor::<2>::zeros([n, n], device);
        let logdet = Tensor::<1>::zeros([1], device);
        let (a, l, inv, ld) =
            (bind_tensor(&probe)?, bind_tensor(&probe)?, bind_tensor(&probe)?, bind_tensor(&logdet)?);
        let next = ctx.storage_zeroed::<u32>("spd.next", 2);
        let b = Self::bindings([&a.slice, &l.slice, &inv.slice, &ld.slice], &next);
        let constants = [("SPD_N", n as f64), ("SPD_BLOCK", SPD_BLOCK as f64)];
        let one = |entry| Kernel::per_workgroup(ctx, "rl/spd.wgsl", entry, &b, Work::Fixed(1), &constants);
        let (factor, log_det, next_rows) = (one("factor_columns")?, one("log_det")?, one("next_rows")?);
        let invert =
            Kernel::with_constants(ctx, "rl/spd.wgsl", "invert_factor", &b, Work::Fixed(n), &constants)?;
        Ok(SpdSolver { n, factor, log_det, invert, next_rows, next })
    }

    fn bindings(slices: [&crate::gpu::GpuSlice; 4], next: &wgpu::Buffer) -> Bindings {
        let mut b = Bindings::new(1);
        for (name, s) in ["spd_a", "spd_l", "spd_inv", "spd_logdet"].into_iter().zip(slices) {
            b.replace(
                name,
                Binding {
                    buffer: s.buffer.clone(),
                    offset: s.offset,
                    size: s.size,
                    per_world: 0,
                    tiled: false,
                },
            );
        }
        b.shared("spd_next", next);
        b
    }

    /// `(A⁻¹ [n, n], log det A [1])` of the SPD matrix `a` (a plain tensor, no autodiff): the
    /// kernels after Burn's queued work, then one matrix product; nothing read back.
    pub fn solve(&self, ctx: &GpuContext, device: &Device, a: Tensor<2>) -> Result<(Tensor<2>, Tensor<1>)> {
        if a.dims() != [self.n, self.n] {
            return Err(Error::Config(format!("SpdSolver for {n} × {n} given {:?}", a.dims(), n = self.n)));
        }
        // a fresh contiguous copy: the argument may be a view
        let a = a.mul_scalar(1.0);
        let scratch = Tensor::<2>::zeros([self.n, self.n], device);
        let x = Tensor::<2>::zeros([self.n, self.n], device);
        let logdet = Tensor::<1>::zeros([1], device);
        let bound = [bind_tensor(&a)?, bind_tensor(&scratch)?, bind_tensor(&x)?, bind_tensor(&logdet)?];
        let b =
            Self::bindings([&bound[0].slice, &bound[1].slice, &bound[2].slice, &bound[3].slice], &self.next);
        let why = "lattice covariance";
        let (factor, log_det) = (self.factor.rebind(ctx, why, &b)?, self.log_det.rebind(ctx, why, &b)?);
        let (invert, next_rows) = (self.invert.rebind(ctx, why, &b)?, self.next_rows.rebind(ctx, why, &b)?);
        flush(ctx, device)?;
        ctx.queue.write_buffer(&self.next, 0, bytemuck::cast_slice(&[0u32; 2]));
        let mut enc =
            ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("spd") });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("spd"),
                timestamp_writes: None,
            });
            for _ in 0..self.n.div_ceil(SPD_BLOCK) {
                factor.record_once(&mut pass);
            }
            log_det.record_once(&mut pass);
            for _ in 0..self.n.div_ceil(SPD_BLOCK) {
                invert.record_once(&mut pass);
                next_rows.record_once(&mut pass);
            }
        }
        ctx.submit(enc.finish());
        drop(bound);
        // A⁻¹ = Xᵀ X with X = L⁻¹
        Ok((x.clone().transpose().matmul(x), logdet))
    }
}

/// One action per row of `mean` `[B, nu]` drawn with Lattice noise: `mean + (ε_z σ_z) W + ε_a σ_a`.
pub fn sample(net: &ActorCritic, p: &[Tensor<2>], mean: Tensor<2>, device: &Device) -> Result<Tensor<2>> {
    use burn::tensor::Distribution;
    let latent = net.latent_log_std.ok_or_else(|| Error::Config("the policy has no Lattice noise".into()))?;
    let w = p[net.action_head()].clone();
    let [b, nu] = mean.dims();
    let h = w.dims()[0];
    let ez = Tensor::<2>::random([b, h], Distribution::Normal(0.0, 1.0), device) * p[latent].clone().exp();
    let ea = Tensor::<2>::random([b, nu], Distribution::Normal(0.0, 1.0), device)
        * p[action_log_std(net)?].clone().exp();
    Ok(mean + ez.matmul(w) + ea)
}

/// `log N(a; μ, Σ)` `[B]` of `delta = a − μ` `[B, nu]` given `P = Σ⁻¹` and `log det Σ` (exact
/// values; the rollout's).
pub fn log_prob(delta: Tensor<2>, p: Tensor<2>, logdet: Tensor<1>) -> Tensor<1> {
    let nu = delta.dims()[1] as f64;
    let quad = (delta.clone().matmul(p) * delta).sum_dim(1).squeeze_dim::<1>(1);
    quad.mul_scalar(-0.5).sub_scalar(0.5 * nu * LN_2PI) - logdet.mul_scalar(0.5)
}

/// The update's log-probability `[B]` and entropy `[1]`: exact values, and exact gradients in
/// the parameters through `delta` `[B, nu]` and `sigma` `[nu, nu]` (autodiff), with `p` and
/// `logdet` the solver's results for the detached `sigma` (see the module docs).
pub fn log_prob_and_entropy(
    delta: Tensor<2>,
    sigma: Tensor<2>,
    p: Tensor<2>,
    logdet: Tensor<1>,
) -> (Tensor<1>, Tensor<1>) {
    let nu = delta.dims()[1] as f64;
    let u = delta.clone().matmul(p.clone()); // δP [B, nu]
    let quad =
        (u.clone() * delta).sum_dim(1).mul_scalar(2.0) - (u.clone().matmul(sigma.clone()) * u).sum_dim(1);
    let trace = super::reduce::sum_all((p * sigma).sum_dim(1).reshape([1, nu as usize]));
    let logdet = logdet + trace.clone() - trace.detach();
    let logp = quad.squeeze_dim::<1>(1).mul_scalar(-0.5).sub_scalar(0.5 * nu * LN_2PI)
        - logdet.clone().mul_scalar(0.5);
    let entropy = logdet.mul_scalar(0.5).add_scalar(0.5 * nu * (1.0 + LN_2PI));
    (logp, entropy)
}
