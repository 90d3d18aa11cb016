//! sinew: MuJoCo-MJCF musculoskeletal humanoids stepped in lockstep on the GPU (WGSL on wgpu),
//! with a PPO learner in Burn on the same device.
//!
//! Layers (arrows point down only): `cli → rl → env → sim → gpu`, `sim → model`, `mjcf → model`.
//! The MJCF compiler and the host [`model::Model`] never touch the GPU.
#![warn(missing_docs)]

pub mod atomic_file;
pub mod biomech;
pub mod config_check;
pub mod env;
pub mod error;
pub mod gpu;
pub mod install;
pub mod math;
pub mod mjcf;
pub mod model;
pub mod models;
pub mod npio;
pub mod reference;
pub mod render;
pub mod rl;
pub mod sim;
pub mod solver_budget;

pub use error::{Error, Result};
pub use model::Model;
