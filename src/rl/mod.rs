//! Training muscle-driven policies with PPO in Burn on the simulator's own wgpu device: the
//! environments write observations, rewards and done flags into Burn tensors and read the
//! policy's sampled actions from one, so rollouts and updates never go through the host.
//!
//! Files by stage: [`config`] (TOML + overrides), [`interop`] (tensor ↔ wgpu buffer, ordering),
//! [`policy`] (actor-critic, Gaussian), [`normalizer`], [`rollout`], [`gae`], [`ppo`] (loss),
//! [`adam`], [`update`], [`trainer`] (the loop), [`checkpoint`], [`run`] (run directories and
//! logs), [`eval`] (with [`tracking`] errors for imitation), [`onnx`] (export), [`tensorboard`], [`plot`].

pub mod adam;
pub mod checkpoint;
pub mod config;
pub mod eval;
pub mod export;
pub mod gae;
pub mod interop;
pub mod normalizer;
pub mod onnx;
pub mod plot;
pub mod policy;
pub mod ppo;
pub mod rollout;
pub mod run;
pub mod tensorboard;
pub mod tracking;
pub mod trainer;
pub mod update;
