//! GPU runtime: one wgpu device (shared with Burn), buffers, shader registry, model upload.

pub mod bindings;
pub mod buffers;
pub mod context;
pub mod layout;
pub mod limits;
pub mod model_buffers;
pub mod shaders;
pub mod slice;

pub use bindings::{Binding, Bindings, WorldChunks};
pub use context::GpuContext;
pub use limits::MemoryLimits;
pub use model_buffers::GpuModel;
pub use slice::GpuSlice;
