//! A mixture's gate as a categorical policy over its experts (src/rl/mixture.rs): drawing a
//! choice, its log-probability and the gate's entropy, and the chosen expert's action. Choices
//! are one-hot rows `[N, K]` (what the rollout stores and the update re-scores).

use burn::tensor::{Device, Distribution, Int, Tensor, activation};

use super::reduce::mean_all;

/// One expert per row drawn from softmax(`logits`) `[N, K]` (Gumbel-max), one-hot `[N, K]`.
pub fn draw(logits: Tensor<2>, device: &Device) -> Tensor<2> {
    let [n, k] = logits.dims();
    let u = Tensor::<2>::random([n, k], Distribution::Uniform(0.0, 1.0), device).clamp(1e-12, 1.0 - 1e-7);
    let gumbel = u.log().neg().log().neg();
    one_hot((logits + gumbel).argmax(1), k, device)
}

/// Rows of `index` `[N, 1]` as one-hot rows `[N, K]`.
fn one_hot(index: Tensor<2, Int>, k: usize, device: &Device) -> Tensor<2> {
    let n = index.dims()[0];
    let columns = Tensor::<1, Int>::arange(0..k as i64, device).reshape([1, k]).repeat_dim(0, n);
    index.repeat_dim(1, k).equal(columns).float()
}

/// log-probability `[N]` of one-hot choices `choice` `[N, K]` under softmax(`logits`).
pub fn log_prob(choice: Tensor<2>, logits: Tensor<2>) -> Tensor<1> {
    (choice * activation::log_softmax(logits, 1)).sum_dim(1).squeeze_dim::<1>(1)
}

/// Mean entropy `[1]` of the gate's distributions over the rows of `logits` `[N, K]`.
pub fn entropy(logits: Tensor<2>) -> Tensor<1> {
    let logp = activation::log_softmax(logits, 1);
    mean_all((logp.clone().exp() * logp).sum_dim(1).neg().squeeze_dim::<1>(1))
}

/// Each row's action from the expert its one-hot `choice` `[N, K]` picks; `actions[k]` `[N, nu]`.
pub fn chosen_action(choice: &Tensor<2>, actions: Vec<Tensor<2>>) -> Tensor<2> {
    let n = choice.dims()[0];
    actions
        .into_iter()
        .enumerate()
        .map(|(k, a)| a * choice.clone().slice([0..n, k..k + 1]))
        .reduce(|x, y| x + y)
        .expect("a mixture has experts")
}
