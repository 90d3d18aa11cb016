//! [`Bindings`]: the GPU buffers a simulation offers its kernels, by the WGSL global name that
//! binds them. A kernel's bind group is resolved from the names its module declares (naga
//! reflection, [`crate::gpu::shaders::binding_names`]), so no Rust list mirrors `@binding(N)` by
//! hand, and a shader declaring a name nothing provides fails to build, naming it.
//!
//! Per-world buffers also say how many bytes each world takes, so the worlds can be bound in
//! chunks ([`WorldChunks`]): a world count is then limited by memory and the adapter's largest
//! buffer, not by its largest binding. Each chunk has its own small buffers (its `run` uniform,
//! the solver's pending list) and sees its worlds as 0..n.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::error::{Error, Result};

/// One buffer (or a range of one) offered under a name.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The buffer.
    pub buffer: wgpu::Buffer,
    /// Start (bytes).
    pub offset: u64,
    /// Length (bytes).
    pub size: u64,
    /// Bytes per world when the range holds per-world data world after world from `offset`
    /// (a chunk of worlds binds its part); 0 when every world reads all of it (model tables,
    /// uniforms).
    pub per_world: u64,
    /// Per-world data in tiles of worlds ([`crate::sim::tiles`]): a chunk binds whole tiles.
    pub tiled: bool,
}

impl Binding {
    fn resource(&self, worlds: &Range<usize>) -> wgpu::BufferBinding<'_> {
        let (offset, size) = if self.per_world == 0 {
            (self.offset, self.size)
        } else {
            let mut n = worlds.end - worlds.start;
            if self.tiled {
                n = crate::sim::tiles::padded(n);
            }
            let n = n as u64;
            (self.offset + worlds.start as u64 * self.per_world, n * self.per_world)
        };
        wgpu::BufferBinding { buffer: &self.buffer, offset, size: std::num::NonZeroU64::new(size) }
    }
}

/// The worlds of one chunk and the buffers only it binds (its `run` uniform, its pending list).
#[derive(Debug, Clone)]
pub struct Chunk {
    /// Its worlds (global indices); kernels see them as 0..len.
    pub worlds: Range<usize>,
    /// Buffers this chunk alone binds, by name (they shadow the shared ones).
    pub own: BTreeMap<&'static str, Binding>,
}

/// How `nworld` worlds are split into chunks of at most `chunk` worlds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorldChunks {
    /// Number of worlds.
    pub nworld: usize,
    /// Worlds per chunk (the last may hold fewer).
    pub chunk: usize,
}

impl WorldChunks {
    /// All worlds in one chunk.
    pub fn whole(nworld: usize) -> Self {
        WorldChunks { nworld, chunk: nworld.max(1) }
    }

    /// The largest chunk whose every per-world range (`per_world` bytes per world, each)
    /// fits `max_binding` bytes and starts at a multiple of `align` bytes (offsets of chunk `k`
    /// are `k · chunk · per_world`, and every per-world size is a multiple of 4 bytes), in whole
    /// tiles of worlds ([`crate::sim::tiles`]). Errors when not even one such unit fits.
    pub fn fit(nworld: usize, per_world: &[(&str, u64)], max_binding: u64, align: u64) -> Result<Self> {
        let unit = Self::unit(align);
        let mut chunk = nworld.max(1);
        for (name, bytes) in per_world.iter().filter(|(_, b)| *b > 0) {
            let fits = (max_binding / bytes) as usize;
            // tiled arrays bind whole tiles, so all worlds in one chunk means padded(nworld)
            if fits >= crate::sim::tiles::padded(nworld) {
                continue;
            }
            let aligned = fits / unit * unit;
            if aligned == 0 {
                return Err(Error::Gpu(format!(
                    "{name} takes {bytes} bytes per world: {unit} worlds (the smallest chunk: whole tiles of \
                     worlds at the adapter's {align}-byte offset alignment) exceed its {max_binding}-byte binding limit"
                )));
            }
            chunk = chunk.min(aligned);
        }
        Ok(WorldChunks { nworld, chunk })
    }

    /// [`WorldChunks::fit`] to `ctx`'s adapter: its largest storage binding and offset alignment.
    pub fn fit_adapter(
        ctx: &crate::gpu::GpuContext,
        nworld: usize,
        per_world: &[(&str, u64)],
    ) -> Result<Self> {
        let limits = ctx.memory_limits();
        Self::fit(nworld, per_world, limits.max_storage_buffer_binding_size, Self::align(ctx))
    }

    /// The adapter's storage offset alignment, bytes.
    pub fn align(ctx: &crate::gpu::GpuContext) -> u64 {
        u64::from(ctx.device.limits().min_storage_buffer_offset_alignment)
    }

    /// Worlds a chunk is a multiple of: whole tiles, starting at aligned offsets.
    pub fn unit(align: u64) -> usize {
        ((align / 4).max(1) as usize).max(crate::sim::tiles::world_tile())
    }

    /// The chunks' world ranges, in order.
    pub fn ranges(&self) -> Vec<Range<usize>> {
        (0..self.nworld.div_ceil(self.chunk).max(1))
            .map(|k| k * self.chunk..((k + 1) * self.chunk).min(self.nworld))
            .collect()
    }
}

/// Buffers by WGSL name, and the chunks the worlds are bound in.
#[derive(Debug, Clone, Default)]
pub struct Bindings {
    shared: BTreeMap<&'static str, Binding>,
    chunks: Vec<Chunk>,
}

impl Bindings {
    /// No buffers, one chunk of `nworld` worlds.
    pub fn new(nworld: usize) -> Self {
        Self::chunked(WorldChunks::whole(nworld))
    }

    /// No buffers; the worlds in `chunks`.
    pub fn chunked(chunks: WorldChunks) -> Self {
        let chunks =
            chunks.ranges().into_iter().map(|worlds| Chunk { worlds, own: BTreeMap::new() }).collect();
        Bindings { shared: BTreeMap::new(), chunks }
    }

    /// Offer `buffer` whole, read by every world, as `name`.
    pub fn shared(&mut self, name: &'static str, buffer: &wgpu::Buffer) -> &mut Self {
        self.insert(
            name,
            Binding { buffer: buffer.clone(), offset: 0, size: buffer.size(), per_world: 0, tiled: false },
        )
    }

    /// Offer `buffer` as `name`: `per_world` bytes per world, world after world (0 when the
    /// model gives worlds none of it: the buffer is then bound whole).
    pub fn per_world(&mut self, name: &'static str, buffer: &wgpu::Buffer, per_world: u64) -> &mut Self {
        self.insert(
            name,
            Binding { buffer: buffer.clone(), offset: 0, size: buffer.size(), per_world, tiled: false },
        )
    }

    /// Like [`Bindings::per_world`], for an array in tiles of worlds ([`crate::sim::tiles`]).
    pub fn tiled(&mut self, name: &'static str, buffer: &wgpu::Buffer, per_world: u64) -> &mut Self {
        self.insert(
            name,
            Binding { buffer: buffer.clone(), offset: 0, size: buffer.size(), per_world, tiled: true },
        )
    }

    /// Offer a range as `name`, replacing what was offered under it before (an environment's
    /// outputs moved into a trainer's tensors).
    pub fn replace(&mut self, name: &'static str, binding: Binding) -> &mut Self {
        self.shared.insert(name, binding);
        self
    }

    /// Offer `buffer` whole as `name` to chunk `k` alone.
    pub fn chunk_own(&mut self, k: usize, name: &'static str, buffer: &wgpu::Buffer) -> &mut Self {
        let b =
            Binding { buffer: buffer.clone(), offset: 0, size: buffer.size(), per_world: 0, tiled: false };
        self.chunks[k].own.insert(name, b);
        self
    }

    fn insert(&mut self, name: &'static str, binding: Binding) -> &mut Self {
        let previous = self.shared.insert(name, binding);
        debug_assert!(previous.is_none(), "two buffers offered as '{name}'");
        self
    }

    /// Everything `other` offers too (its chunks must be these).
    pub fn extend(&mut self, other: &Bindings) -> &mut Self {
        for (name, b) in &other.shared {
            self.insert(name, b.clone());
        }
        self
    }

    /// What is offered as `name` (shared).
    pub fn get(&self, name: &str) -> Option<&Binding> {
        self.shared.get(name)
    }

    /// The chunks, in order.
    pub fn chunks(&self) -> &[Chunk] {
        &self.chunks
    }

    /// The per-world buffers: (name, bytes per world).
    pub fn per_world_sizes(&self) -> Vec<(&'static str, u64)> {
        self.shared.iter().filter(|(_, b)| b.per_world > 0).map(|(n, b)| (*n, b.per_world)).collect()
    }

    /// The bind-group entries chunk `k` gives a module declaring `names` ((binding, name) pairs);
    /// an error names the shader and the first declared name nothing offers.
    pub fn entries(
        &self,
        shader: &str,
        names: &[(u32, String)],
        k: usize,
    ) -> Result<Vec<wgpu::BindGroupEntry<'_>>> {
        let chunk = &self.chunks[k];
        names
            .iter()
            .map(|(binding, name)| {
                let found = chunk.own.get(name.as_str()).or_else(|| self.shared.get(name.as_str()));
                let b = found.ok_or_else(|| {
                    Error::Gpu(format!(
                        "{shader} declares `{name}` (binding {binding}) but nothing offers a buffer by that name"
                    ))
                })?;
                Ok(wgpu::BindGroupEntry {
                    binding: *binding,
                    resource: wgpu::BindingResource::Buffer(b.resource(&chunk.worlds)),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_nothing_offers_is_an_error_naming_it() {
        let b = Bindings::new(4);
        let names = [(3u32, "qpos".to_string())];
        let e = b.entries("kinematics.wgsl:main", &names, 0).map(|_| ()).unwrap_err().to_string();
        assert!(e.contains("kinematics.wgsl:main declares `qpos` (binding 3)"), "{e}");
    }

    #[test]
    fn chunks_fit_the_binding_and_the_alignment() {
        // 1000 bytes a world, 100_000-byte bindings: 100 worlds fit, 64 aligned to 256 bytes
        let c = WorldChunks::fit(1000, &[("a", 1000), ("b", 4)], 100_000, 256).unwrap();
        assert_eq!(c.chunk, 64);
        let r = c.ranges();
        assert_eq!(r.len(), 16);
        assert_eq!(r[0], 0..64);
        assert_eq!(r[15], 960..1000);
        // everything fits one binding: one chunk
        assert_eq!(WorldChunks::fit(10, &[("a", 1000)], 100_000, 256).unwrap().ranges(), vec![0..10]);
        // not even one aligned chunk fits: named
        let e = WorldChunks::fit(1000, &[("big", 10_000)], 100_000, 256).unwrap_err();
        assert!(e.to_string().contains("big"), "{e}");
    }
}
