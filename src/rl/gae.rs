//! Generalised advantage estimation on the GPU (Schulman et al. 2016), one backward sweep over the
//! rollout's steps with whole-batch tensor ops per step.

use burn::tensor::Tensor;

/// Advantages and returns (`[T, N]` each) for rewards, values and `ended` flags (`[T, N]`; 1 where
/// step t ended its episode, by termination or truncation) and the value of the observation after
/// the last step (`[N]`). Truncation bootstrapping is the caller's (fold γ·V into the reward).
pub fn gae(
    rewards: Tensor<2>,
    values: Tensor<2>,
    ended: Tensor<2>,
    last_value: Tensor<1>,
    gamma: f64,
    lambda: f64,
) -> (Tensor<2>, Tensor<2>) {
    let [t_len, n] = rewards.dims();
    let mut next_value = last_value;
    let mut next_adv = Tensor::<1>::zeros([n], &rewards.device());
    let mut adv = Vec::with_capacity(t_len);
    for t in (0..t_len).rev() {
        let row = |x: &Tensor<2>| x.clone().slice([t..t + 1, 0..n]).reshape([n]);
        let (r, v, live) = (row(&rewards), row(&values), row(&ended).neg().add_scalar(1.0));
        let delta = r + next_value.mul(live.clone()).mul_scalar(gamma) - v.clone();
        let a = delta + next_adv.mul(live).mul_scalar(gamma * lambda);
        adv.push(a.clone());
        next_adv = a;
        next_value = v;
    }
    adv.reverse();
    let adv = Tensor::stack::<2>(adv, 0);
    let returns = adv.clone() + values;
    (adv, returns)
}

/// The host twin of [`gae`] (tests), `[T][N]` row-major inputs.
pub fn gae_host(
    rewards: &[f32],
    values: &[f32],
    ended: &[f32],
    last_value: &[f32],
    t_len: usize,
    gamma: f64,
    lambda: f64,
) -> (Vec<f64>, Vec<f64>) {
    let n = last_value.len();
    let mut adv = vec![0f64; t_len * n];
    for w in 0..n {
        let (mut next_v, mut next_a) = (last_value[w] as f64, 0.0);
        for t in (0..t_len).rev() {
            let i = t * n + w;
            let live = 1.0 - ended[i] as f64;
            let delta = rewards[i] as f64 + gamma * next_v * live - values[i] as f64;
            next_a = delta + gamma * lambda * live * next_a;
            adv[i] = next_a;
            next_v = values[i] as f64;
        }
    }
    let ret = adv.iter().zip(values).map(|(a, v)| a + *v as f64).collect();
    (adv, ret)
}
