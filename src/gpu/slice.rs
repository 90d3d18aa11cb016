//! [`GpuSlice`]: a byte range of a wgpu buffer, so kernels can bind buffers someone else owns
//! (Burn's tensors live in sub-ranges of pooled buffers).

/// `size` bytes of `buffer` from `offset` (a multiple of the device's storage offset alignment
/// when bound as storage).
#[derive(Debug, Clone)]
pub struct GpuSlice {
    /// The buffer.
    pub buffer: wgpu::Buffer,
    /// Start (bytes).
    pub offset: u64,
    /// Length (bytes).
    pub size: u64,
}

impl GpuSlice {
    /// The whole of `buffer`.
    pub fn whole(buffer: &wgpu::Buffer) -> Self {
        GpuSlice { buffer: buffer.clone(), offset: 0, size: buffer.size() }
    }

    /// The range as a bind-group resource.
    pub fn binding(&self) -> wgpu::BufferBinding<'_> {
        wgpu::BufferBinding {
            buffer: &self.buffer,
            offset: self.offset,
            size: std::num::NonZeroU64::new(self.size),
        }
    }
}
