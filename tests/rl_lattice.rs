//! Lattice exploration (src/rl/lattice.rs) on lavapipe against host computations in f64 from the
//! same parameters: the device's SPD inverse and log-determinant, the covariance, log-probabilities
//! and entropy (rollout and update forms), the update form's gradients against finite
//! differences of the exact log-density, and the empirical covariance of drawn actions.

use burn::tensor::{Tensor, TensorData};
use sinew::gpu::GpuContext;
use sinew::rl::config::{Exploration, PolicyConfig};
use sinew::rl::lattice::{SpdSolver, covariance, log_prob, log_prob_and_entropy, sample};
use sinew::rl::policy::ActorCritic;
use sinew::rl::trainer::read;

/// Cholesky factor (lower, row-major) of an SPD matrix, f64.
fn cholesky(a: &[f64], n: usize) -> Vec<f64> {
    let mut l = vec![0.0; n * n];
    for j in 0..n {
        let d = a[j * n + j] - (0..j).map(|k| l[j * n + k] * l[j * n + k]).sum::<f64>();
        l[j * n + j] = d.sqrt();
        for i in j + 1..n {
            let s = a[i * n + j] - (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum::<f64>();
            l[i * n + j] = s / l[j * n + j];
        }
    }
    l
}

/// (A⁻¹, log det A) in f64.
fn inverse_logdet(a: &[f64], n: usize) -> (Vec<f64>, f64) {
    let l = cholesky(a, n);
    let logdet = 2.0 * (0..n).map(|j| l[j * n + j].ln()).sum::<f64>();
    let mut inv = vec![0.0; n * n];
    for c in 0..n {
        // solve L y = e_c, then Lᵀ x = y
        let mut y = vec![0.0; n];
        for i in 0..n {
            let s = if i == c { 1.0 } else { 0.0 } - (0..i).map(|k| l[i * n + k] * y[k]).sum::<f64>();
            y[i] = s / l[i * n + i];
        }
        for i in (0..n).rev() {
            let s = y[i] - (i + 1..n).map(|k| l[k * n + i] * inv[k * n + c]).sum::<f64>();
            inv[i * n + c] = s / l[i * n + i];
        }
    }
    (inv, logdet)
}

/// log N(δ; 0, Σ) in f64.
fn mvn_logpdf(delta: &[f64], sigma: &[f64], n: usize) -> f64 {
    let (p, logdet) = inverse_logdet(sigma, n);
    let quad: f64 = (0..n).map(|i| (0..n).map(|j| delta[i] * p[i * n + j] * delta[j]).sum::<f64>()).sum();
    -0.5 * quad - 0.5 * logdet - 0.5 * n as f64 * (2.0 * std::f64::consts::PI).ln()
}

/// Σ = Wᵀ diag(σ_z²) W + diag(σ_a²) in f64 from host values (`w` row-major `[h, nu]`).
fn host_sigma(w: &[f32], h: usize, nu: usize, log_sz: &[f32], log_sa: &[f32]) -> Vec<f64> {
    let mut s = vec![0.0; nu * nu];
    for a in 0..nu {
        for b in 0..nu {
            s[a * nu + b] = (0..h)
                .map(|k| w[k * nu + a] as f64 * (2.0 * log_sz[k] as f64).exp() * w[k * nu + b] as f64)
                .sum::<f64>();
        }
        s[a * nu + a] += (2.0 * log_sa[a] as f64).exp();
    }
    s
}

fn tensor2(v: &[f32], shape: [usize; 2], device: &burn::tensor::Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(v.to_vec(), shape), device)
}

/// A small Lattice policy with an action head and noise scales large enough to correlate the
/// actions (the initial head's 0.01 gain would leave Σ nearly diagonal).
fn policy(nobs: usize, nu: usize) -> (ActorCritic, Vec<Vec<f32>>) {
    let cfg = PolicyConfig {
        actor_hidden: vec![16, 12],
        critic_hidden: vec![8],
        exploration: Exploration::Lattice,
        ..Default::default()
    };
    let net = ActorCritic::new(nobs, nu, &cfg);
    let mut v = net.init_host(&cfg, 7);
    let head = net.action_head();
    for (i, x) in v[head].iter_mut().enumerate() {
        *x = ((i * 37 % 23) as f32 / 23.0 - 0.5) * 0.8;
    }
    let latent = net.latent_log_std.unwrap();
    for (i, x) in v[latent].iter_mut().enumerate() {
        *x = -0.3 + 0.05 * i as f32;
    }
    for (i, x) in v[net.log_std.unwrap()].iter_mut().enumerate() {
        *x = -1.2 + 0.1 * i as f32;
    }
    (net, v)
}

#[test]
fn the_device_spd_inverse_and_log_determinant_match_the_host() {
    let ctx = GpuContext::new().unwrap();
    let device = ctx.burn_device().unwrap();
    for n in [1usize, 5, 40, 257, 416] {
        // B Bᵀ + n·0.1 I: SPD with a spread of eigenvalues
        let b: Vec<f64> = (0..n * n).map(|i| ((i * 7919 % 101) as f64 / 101.0) - 0.5).collect();
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = (0..n).map(|k| b[i * n + k] * b[j * n + k]).sum::<f64>();
            }
            a[i * n + i] += 0.1 * n as f64;
        }
        let spd = SpdSolver::new(&ctx, &device, n).unwrap();
        let a32: Vec<f32> = a.iter().map(|x| *x as f32).collect();
        let (inv, logdet) = spd.solve(&ctx, &device, tensor2(&a32, [n, n], &device)).unwrap();
        let (inv, logdet) = (read(&ctx, inv).unwrap(), read(&ctx, logdet).unwrap()[0]);
        // the f32 matrix's own inverse, in f64
        let a_rounded: Vec<f64> = a32.iter().map(|x| *x as f64).collect();
        let (want, want_logdet) = inverse_logdet(&a_rounded, n);
        let scale = want.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let worst = inv.iter().zip(&want).map(|(g, w)| (*g as f64 - w).abs()).fold(0.0, f64::max);
        assert!(worst <= 2e-4 * scale, "n {n}: inverse off by {worst} (largest entry {scale})");
        assert!(
            (logdet as f64 - want_logdet).abs() <= 1e-4 * want_logdet.abs().max(1.0),
            "n {n}: {logdet} vs {want_logdet}"
        );
    }
    // a matrix of the wrong size is refused
    let spd = SpdSolver::new(&ctx, &device, 3).unwrap();
    assert!(spd.solve(&ctx, &device, Tensor::<2>::zeros([4, 4], &device)).is_err());
}

#[test]
fn lattice_covariance_log_probabilities_and_entropy_match_the_host() {
    let ctx = GpuContext::new().unwrap();
    let device = ctx.burn_device().unwrap();
    let (nobs, nu, batch) = (6, 5, 64);
    let (net, values) = policy(nobs, nu);
    let params = net.to_tensors(&values, &device).unwrap();
    let h = 12;
    let latent = net.latent_log_std.unwrap();
    let sigma_host =
        host_sigma(&values[net.action_head()], h, nu, &values[latent], &values[net.log_std.unwrap()]);
    let sigma = covariance(&net, &params).unwrap();
    let got = read(&ctx, sigma.clone()).unwrap();
    for (g, w) in got.iter().zip(&sigma_host) {
        assert!((*g as f64 - w).abs() < 1e-5 * w.abs().max(1e-2), "Σ: {g} vs {w}");
    }
    // off-diagonal terms matter: the test would not tell Lattice from Gaussian otherwise
    let off = (0..nu).flat_map(|a| (0..nu).filter(move |&b| b != a).map(move |b| (a, b)));
    let largest_off = off.map(|(a, b)| sigma_host[a * nu + b].abs()).fold(0.0, f64::max);
    assert!(largest_off > 0.05, "Σ is nearly diagonal ({largest_off})");

    let obs = Tensor::<2>::random([batch, nobs], burn::tensor::Distribution::Normal(0.0, 1.0), &device);
    let mean = net.actor(&params, obs);
    let action = sample(&net, &params, mean.clone(), &device).unwrap();
    let spd = SpdSolver::new(&ctx, &device, nu).unwrap();
    let (p, logdet) = spd.solve(&ctx, &device, sigma.clone()).unwrap();
    let delta = action - mean;
    let rollout = read(&ctx, log_prob(delta.clone(), p.clone(), logdet.clone())).unwrap();
    let (update, entropy) = log_prob_and_entropy(delta.clone(), sigma, p, logdet);
    let (update, entropy) = (read(&ctx, update).unwrap(), read(&ctx, entropy).unwrap()[0]);
    let d = read(&ctx, delta).unwrap();
    for i in 0..batch {
        let di: Vec<f64> = d[i * nu..(i + 1) * nu].iter().map(|x| *x as f64).collect();
        let want = mvn_logpdf(&di, &sigma_host, nu);
        assert!(
            (rollout[i] as f64 - want).abs() < 2e-3,
            "sample {i}: rollout log-prob {} vs {want}",
            rollout[i]
        );
        assert!(
            (update[i] as f64 - want).abs() < 2e-3,
            "sample {i}: update log-prob {} vs {want}",
            update[i]
        );
    }
    let (_, logdet_host) = inverse_logdet(&sigma_host, nu);
    let want = 0.5 * logdet_host + 0.5 * nu as f64 * (1.0 + (2.0 * std::f64::consts::PI).ln());
    assert!((entropy as f64 - want).abs() < 1e-3, "entropy {entropy} vs {want}");
}

/// The update's surrogate has the exact log-density's gradient in the noise scales: autodiff
/// against central finite differences in f64 of the host's log-density at fixed δ.
#[test]
fn the_update_form_has_the_exact_gradient() {
    let ctx = GpuContext::new().unwrap();
    let device = ctx.burn_device().unwrap();
    let (nobs, nu) = (6, 5);
    let (net, values) = policy(nobs, nu);
    let latent = net.latent_log_std.unwrap();
    let h = 12;
    let delta: Vec<f32> = (0..nu).map(|i| 0.3 - 0.17 * i as f32).collect();
    let spd = SpdSolver::new(&ctx, &device, nu).unwrap();
    let params = net.to_tensors(&values, &device).unwrap();
    let leaves: Vec<Tensor<2>> = params.iter().map(|p| p.clone().autodiff().require_grad()).collect();
    let sigma = covariance(&net, &leaves).unwrap();
    let (p, logdet) = spd.solve(&ctx, &device, sigma.clone().inner()).unwrap();
    let d = tensor2(&delta, [1, nu], &device).autodiff();
    let (logp, entropy) = log_prob_and_entropy(d, sigma, p.autodiff(), logdet.autodiff());
    // log p + 2 H = −½ δᵀΣ⁻¹δ + ½ log det Σ + const: both parts' gradients count
    let grads = (logp + entropy.mul_scalar(2.0)).backward();
    let head = net.action_head();
    let grad_of = |i: usize| read(&ctx, leaves[i].grad(&grads).unwrap()).unwrap();
    // host: f(θ) = log N(δ; 0, Σ(θ)) + 2 H(Σ(θ)), up to a constant
    let f = |v: &[Vec<f32>]| {
        let s = host_sigma(&v[head], h, nu, &v[latent], &v[net.log_std.unwrap()]);
        let dd: Vec<f64> = delta.iter().map(|x| *x as f64).collect();
        let (_, ld) = inverse_logdet(&s, nu);
        mvn_logpdf(&dd, &s, nu) + ld
    };
    let eps = 1e-3f32;
    // every noise scale, and a spread of the action head's weights (through Σ only: δ is fixed)
    let heads: Vec<usize> = (0..values[head].len()).step_by(7).collect();
    for (which, index, entries) in [
        ("latent log-std", latent, (0..values[latent].len()).collect::<Vec<_>>()),
        ("action log-std", net.log_std.unwrap(), (0..values[net.log_std.unwrap()].len()).collect()),
        ("action head", head, heads),
    ] {
        let grad = grad_of(index);
        for k in entries {
            let (mut plus, mut minus) = (values.clone(), values.clone());
            plus[index][k] += eps;
            minus[index][k] -= eps;
            let fd = (f(&plus) - f(&minus)) / (2.0 * eps as f64);
            assert!(
                (grad[k] as f64 - fd).abs() < 2e-3 * fd.abs().max(1.0),
                "{which} {k}: autodiff {} vs finite difference {fd}",
                grad[k]
            );
        }
    }
}

#[test]
fn drawn_actions_have_the_covariance() {
    let ctx = GpuContext::new().unwrap();
    let device = ctx.burn_device().unwrap();
    let (nobs, nu, batch) = (6, 5, 1 << 16);
    let (net, values) = policy(nobs, nu);
    let params = net.to_tensors(&values, &device).unwrap();
    let sigma = read(&ctx, covariance(&net, &params).unwrap()).unwrap();
    let mean = Tensor::<2>::zeros([batch, nu], &device);
    let a = read(&ctx, sample(&net, &params, mean, &device).unwrap()).unwrap();
    let mut emp = vec![0.0f64; nu * nu];
    let mut mu = vec![0.0f64; nu];
    for s in a.chunks(nu) {
        for i in 0..nu {
            mu[i] += s[i] as f64 / batch as f64;
            for j in 0..nu {
                emp[i * nu + j] += s[i] as f64 * s[j] as f64 / batch as f64;
            }
        }
    }
    let norm = sigma.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    let diff = emp.iter().zip(&sigma).map(|(e, s)| (e - *s as f64).powi(2)).sum::<f64>().sqrt();
    // sampling error of 65,536 draws: about 1 % of ‖Σ‖
    assert!(diff < 0.03 * norm, "‖Σ̂ − Σ‖ = {diff}, ‖Σ‖ = {norm}");
    assert!(mu.iter().all(|m| m.abs() < 0.02), "mean {mu:?}");
}
