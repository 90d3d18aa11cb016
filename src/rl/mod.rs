//! Training muscle-driven policies with PPO in Burn on the simulator's own wgpu device: the
//! environments write observations, rewards and done flags into Burn tensors and read the
//! policy's sampled actions from one, so rollouts and updates never go through the host.
//!
//! Files by stage: [`config`] (TOML + overrides), [`interop`] (tensor ↔ wgpu buffer, ordering),
//! [`policy`] (actor-critic, Gaussian; [`lattice`] exploration; [`mixture`] of experts with
//! [`mixture_sampling`]), [`normalizer`], [`rollout`], [`gae`], [`ppo`] (loss),
//! [`adam`] (with [`reduce`]'s fixed-order sums), [`update`], [`trainer`] (an iteration; its
//! memory checked first with [`footprint`]), [`checkpoint`], [`run`] (the training loop and its
//! logs), [`run_dir`] (locking, resume bookkeeping), [`sampling_log`] (adaptive motion sampling's
//! weights), [`eval`] (with [`tracking`] errors for
//! imitation), [`motion_eval`] (imitation scored per motion), [`mine`] (the motions a policy fails), [`onnx`] (export), [`tensorboard`], [`plot`].

pub mod adam;
pub mod biomech_play;
pub mod checkpoint;
pub mod config;
pub mod eval;
pub mod export;
pub mod footprint;
pub mod gae;
pub mod interop;
pub mod lattice;
pub mod mine;
pub mod mixture;
pub mod mixture_sampling;
pub mod motion_eval;
pub mod normalizer;
pub mod onnx;
pub mod plot;
pub mod policy;
pub mod ppo;
pub mod ranks;
pub mod reduce;
pub mod rollout;
pub mod run;
pub mod run_dir;
pub mod sampling_log;
pub mod tensorboard;
pub mod tracking;
pub mod trainer;
pub mod update;
pub mod video;
