//! The batched simulator on the GPU: per-world state buffers and one module per stage.
//! Stages are `f(model, state)`: they own their pipelines and bind groups, never state.

pub mod contact;
pub mod efc;
pub mod footprint;
pub mod hessian_pattern;
pub mod rollout;
pub mod simulation;
pub mod sites;
pub mod sparsity;
pub mod stages;
pub mod state;
pub mod step;
pub mod tiles;

pub use simulation::{Sim, SimData, SimModel, SimOptions};
pub use sites::Sites;
pub use state::SimState;
