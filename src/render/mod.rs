//! Rendering on the simulator's device: frames of the simulated worlds drawn from the GPU state
//! ([`Renderer`]), encoded to H.264 MP4 in-process ([`video`]) or animated GIF ([`gif`]), the
//! sources `sinew render` draws ([`source`]) and the interactive viewer.

pub mod camera;
pub mod drive;
pub mod geometry;
pub mod gif;
pub mod image;
mod passes;
pub mod renderer;
mod tables;
pub mod video;

pub use camera::{CameraMode, CameraSpec};
pub use image::Image;
pub use renderer::{GhostStyle, RenderOptions, Renderer};
