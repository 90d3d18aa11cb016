//! Subcommands of the `sinew` binary.

pub mod adapters;
pub mod bench;
pub mod bench_task;
pub mod info;
pub mod rollout;
