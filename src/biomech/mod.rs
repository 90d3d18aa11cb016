//! Biomechanical evaluation (issue 22), the host-side analyses: gait events and cycles from
//! vertical ground reaction forces ([`gait`]), curve statistics — resampling, mean ± sd, Pearson
//! r with the best time shift, RMSE ([`curves`]) — and muscle synergies by non-negative matrix
//! factorisation ([`synergies`]). They work on plain arrays, so they are tested on planted
//! signals; the contact forces and reports that feed them come from the simulator.

pub mod curves;
pub mod energy;
pub mod figures;
pub mod gait;
pub mod normative;
pub mod recording;
pub mod report;
pub mod synergies;
pub mod table;
