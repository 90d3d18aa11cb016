//! Subcommands of the `sinew` binary.

pub mod adapters;
pub mod bench;
pub mod info;
pub mod rollout;
