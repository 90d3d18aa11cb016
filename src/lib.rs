//! sinew
