//! Subcommands of the `sinew` binary.

pub mod adapters;
pub mod bench;
pub mod biomech;
pub mod eval;
pub mod info;
pub mod mine;
pub mod motions;
pub mod plot;
pub mod render;
pub mod rollout;
pub mod sources;
pub mod train;
pub mod view;
pub mod view_args;
