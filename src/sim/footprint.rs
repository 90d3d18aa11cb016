//! [`Footprint`]: how many bytes each GPU buffer of a simulation takes as a function of the world
//! count, so a world count is checked against the adapter's limits *before* anything large is
//! allocated, and the largest count that fits can be named.
//!
//! Every buffer sinew allocates per world is `fixed + per_world · nworld` bytes, `nworld` rounded
//! up to whole tiles for tiled arrays. Rather than restate each constructor's sizes, the
//! footprint builds the buffers for 1, T and 2T worlds (T the tile; never written) through
//! [`GpuContext::log_allocations`] and takes the differences.

use crate::error::{Error, Result};
use crate::gpu::{GpuContext, MemoryLimits};

/// One buffer's size law.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BufferFootprint {
    /// The buffer's label (e.g. `efc.j`).
    pub label: String,
    /// Bytes that do not grow with the world count.
    pub fixed: u64,
    /// Bytes per world.
    pub per_world: u64,
    /// Worlds the buffer is sized in: 1, or the tile of a tiled array ([`crate::sim::tiles`]),
    /// which holds room for whole tiles.
    pub tile: u64,
    /// Bound in chunks of worlds ([`crate::gpu::WorldChunks`]): the whole buffer must fit the
    /// adapter's largest buffer and a chunk its largest binding. Otherwise (Burn's tensors) it is
    /// bound whole and must fit the largest binding.
    pub chunked: bool,
}

impl BufferFootprint {
    /// Bytes at `nworld` worlds (saturating, so absurd counts compare as too large).
    pub fn bytes(&self, nworld: u64) -> u64 {
        let worlds = nworld.div_ceil(self.tile).saturating_mul(self.tile);
        self.per_world.saturating_mul(worlds).saturating_add(self.fixed)
    }
}

/// The buffers of one simulation (state, contacts, constraint rows, environment, ...).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Footprint {
    /// One entry per allocation, in creation order.
    pub buffers: Vec<BufferFootprint>,
}

/// Worlds in the smallest chunk a binding may hold: chunks start at multiples of 64 worlds, so
/// every per-world range (a multiple of 4 bytes a world) starts at a multiple of 256 bytes, the
/// largest storage offset alignment wgpu allows.
pub const CHUNK_UNIT: u64 = 64;

/// Why a world count does not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overflow {
    /// One buffer is larger than the adapter's largest buffer.
    Buffer {
        /// Its label.
        label: String,
        /// Its size at the asked world count.
        bytes: u64,
        /// The adapter's limit.
        limit: u64,
    },
    /// All buffers together exceed the memory budget.
    Memory {
        /// Their size at the asked world count.
        bytes: u64,
        /// The budget ([`MemoryLimits::memory_budget`]).
        budget: u64,
    },
}

impl Footprint {
    /// Measure the buffers `build(nworld)` allocates, by building them for 1, T and 2T worlds
    /// (T = [`crate::sim::tiles::world_tile`]). `build` must allocate the same buffers, in the
    /// same order, for every world count.
    pub fn measure<T>(ctx: &GpuContext, build: impl Fn(usize) -> Result<T>) -> Result<Self> {
        let tile = crate::sim::tiles::world_tile();
        let mut logs = Vec::new();
        for n in [1, tile, 2 * tile] {
            let (made, log) = ctx.log_allocations(|| build(n));
            drop(made?);
            logs.push(log);
        }
        let same = |a: &[(String, u64)], b: &[(String, u64)]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.0 == y.0)
        };
        if !same(&logs[0], &logs[1]) || !same(&logs[0], &logs[2]) {
            return Err(Error::Gpu("footprint: the buffers made for different world counts differ".into()));
        }
        let t = tile as u64;
        let buffers = (0..logs[0].len())
            .map(|i| {
                let (label, b1) = logs[0][i].clone();
                let (bt, b2t) = (logs[1][i].1, logs[2][i].1);
                let per_world = b2t.saturating_sub(bt) / t;
                // a tiled array holds a whole tile from the first world on
                let tile = if per_world > 0 && b1 == bt { t } else { 1 };
                let fixed = bt.saturating_sub(per_world * t);
                BufferFootprint { label, fixed, per_world, tile, chunked: true }
            })
            .collect();
        Ok(Footprint { buffers })
    }

    /// Append another footprint's buffers (e.g. an environment's to the physics').
    pub fn extend(&mut self, other: Footprint) {
        self.buffers.extend(other.buffers);
    }

    /// Total bytes at `nworld` worlds.
    pub fn bytes(&self, nworld: u64) -> u64 {
        self.buffers.iter().fold(0u64, |acc, b| acc.saturating_add(b.bytes(nworld)))
    }

    /// Bytes per world (the slope), e.g. for reports.
    pub fn bytes_per_world(&self) -> u64 {
        self.buffers.iter().map(|b| b.per_world).sum()
    }

    /// The limit one buffer must fit whole: the adapter's largest buffer when it is bound in
    /// chunks, else its largest binding.
    fn whole_limit(b: &BufferFootprint, limits: &MemoryLimits) -> u64 {
        if b.chunked { limits.max_buffer_size } else { limits.max_bound_buffer() }
    }

    /// The first limit `nworld` worlds break, if any: the largest buffer against the limit it
    /// must fit whole, then the total against the memory budget. (Buffers bound in chunks must
    /// also fit a chunk into one binding: see [`Footprint::chunk_overflow`].)
    pub fn overflow(&self, limits: &MemoryLimits, nworld: u64) -> Option<Overflow> {
        let over = |b: &&BufferFootprint| b.bytes(nworld) > Self::whole_limit(b, limits);
        if let Some(b) = self.buffers.iter().filter(over).max_by_key(|b| b.bytes(nworld)) {
            let limit = Self::whole_limit(b, limits);
            return Some(Overflow::Buffer { label: b.label.clone(), bytes: b.bytes(nworld), limit });
        }
        let total = self.bytes(nworld);
        match limits.memory_budget() {
            Some(budget) if total > budget => Some(Overflow::Memory { bytes: total, budget }),
            _ => None,
        }
    }

    /// The chunked buffer (the tightest) whose smallest chunk for `nworld` worlds — all of them
    /// up to [`CHUNK_UNIT`], in whole tiles — exceeds one binding, if any.
    pub fn chunk_overflow(&self, limits: &MemoryLimits, nworld: u64) -> Option<&BufferFootprint> {
        let max = limits.max_storage_buffer_binding_size;
        let chunk = |b: &BufferFootprint| nworld.min(CHUNK_UNIT).div_ceil(b.tile) * b.tile;
        self.buffers
            .iter()
            .filter(|b| b.chunked && b.per_world.saturating_mul(chunk(b)) > max)
            .max_by_key(|b| b.per_world)
    }

    /// The largest world count that fits every limit (0 if not even one world does).
    pub fn max_nworld(&self, limits: &MemoryLimits) -> u64 {
        let mut best = self.max_nworld_whole(limits);
        if self.chunk_overflow(limits, CHUNK_UNIT).is_some() {
            // not even a chunk of CHUNK_UNIT worlds binds: only what one chunk holds
            best = best.min(CHUNK_UNIT - 1);
            while best > 0 && self.chunk_overflow(limits, best).is_some() {
                best -= 1;
            }
        }
        best
    }

    fn max_nworld_whole(&self, limits: &MemoryLimits) -> u64 {
        let mut best = self.max_nworld_linear(limits);
        // tiled arrays hold whole tiles: step back until the padding fits too (at most a tile)
        while best > 0 && best < u64::MAX && self.overflow(limits, best).is_some() {
            best -= 1;
        }
        best
    }

    fn max_nworld_linear(&self, limits: &MemoryLimits) -> u64 {
        let mut best = u64::MAX;
        for b in &self.buffers {
            let limit = Self::whole_limit(b, limits);
            if b.fixed > limit {
                return 0;
            }
            if b.per_world > 0 {
                best = best.min((limit - b.fixed) / b.per_world);
            }
        }
        if let Some(budget) = limits.memory_budget() {
            let fixed: u64 = self.buffers.iter().map(|b| b.fixed).sum();
            let per = self.bytes_per_world();
            if fixed > budget {
                return 0;
            }
            if per > 0 {
                best = best.min((budget - fixed) / per);
            }
        }
        best
    }

    /// `Ok` if `nworld` worlds of `model` fit `ctx`'s adapter; else an error naming the model,
    /// the buffer (or the total), the adapter's limit and the largest world count that fits.
    pub fn check(&self, ctx: &GpuContext, model: &str, nworld: usize) -> Result<()> {
        let limits = ctx.memory_limits();
        let mut over = self.overflow(&limits, nworld as u64);
        if over.is_none() {
            over = self.chunk_overflow(&limits, nworld as u64).map(|b| Overflow::Buffer {
                label: b.label.clone(),
                bytes: b.bytes(nworld as u64),
                limit: limits.max_storage_buffer_binding_size,
            });
        }
        let Some(over) = over else { return Ok(()) };
        let adapter = ctx.summary().name;
        let max = self.max_nworld(&limits);
        let fits = if max == 0 {
            "not even one world fits".to_string()
        } else {
            format!("at most {max} worlds fit")
        };
        Err(Error::Gpu(match over {
            Overflow::Buffer { label, bytes, limit } => format!(
                "{model} at {nworld} worlds does not fit '{adapter}': buffer {label} needs {bytes} bytes \
                 ({}), over the adapter's {} of {limit} bytes ({}); {fits}",
                mib(bytes),
                if limit == limits.max_buffer_size && limit != limits.max_storage_buffer_binding_size {
                    "max buffer size"
                } else {
                    "max storage buffer binding size"
                },
                mib(limit)
            ),
            Overflow::Memory { bytes, budget } => format!(
                "{model} at {nworld} worlds does not fit '{adapter}': its buffers need {bytes} bytes ({}), \
                 over 90 % of the adapter's {} of device memory; {fits}",
                mib(bytes),
                mib(limits.device_memory.unwrap_or(budget))
            ),
        }))
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp() -> Footprint {
        Footprint {
            buffers: vec![
                BufferFootprint { label: "a".into(), fixed: 16, per_world: 100, tile: 1, chunked: true },
                BufferFootprint { label: "b".into(), fixed: 0, per_world: 1000, tile: 1, chunked: true },
            ],
        }
    }

    #[test]
    fn largest_count_is_the_tightest_limit() {
        let limits = MemoryLimits {
            max_storage_buffer_binding_size: 1 << 30,
            max_buffer_size: 10_000,
            device_memory: None,
        };
        assert_eq!(fp().max_nworld(&limits), 10);
        assert_eq!(fp().overflow(&limits, 10), None);
        assert_eq!(
            fp().overflow(&limits, 11),
            Some(Overflow::Buffer { label: "b".into(), bytes: 11_000, limit: 10_000 })
        );
        // memory: 90 % of 11_000 = 9_900 → (9_900 − 16) / 1_100 = 8 worlds
        let limits = MemoryLimits { device_memory: Some(11_000), ..limits };
        assert_eq!(fp().max_nworld(&limits), 8);
        assert!(matches!(fp().overflow(&limits, 9), Some(Overflow::Memory { .. })));
        // absurd counts saturate instead of wrapping
        assert!(fp().overflow(&limits, u64::MAX / 2).is_some());
    }

    #[test]
    fn the_binding_limit_bounds_a_chunk_not_the_count() {
        // 64 worlds of "b" (64_000 bytes) fit a 100_000-byte binding: any count the buffer holds
        let limits = MemoryLimits {
            max_storage_buffer_binding_size: 100_000,
            max_buffer_size: 1 << 40,
            device_memory: None,
        };
        assert!(fp().chunk_overflow(&limits, 1 << 20).is_none());
        assert_eq!(fp().max_nworld(&limits), (1u64 << 40) / 1000);
        // not even a chunk of 64 fits: one chunk of what one binding holds, at most
        let limits = MemoryLimits { max_storage_buffer_binding_size: 10_000, ..limits };
        assert_eq!(fp().chunk_overflow(&limits, 64).map(|b| b.label.as_str()), Some("b"));
        assert_eq!(fp().max_nworld(&limits), 10);
        // a tiled buffer binds whole tiles: 10 worlds' room is not a tile of 32
        let mut tiled = fp();
        tiled.buffers[1].tile = 32;
        assert_eq!(tiled.max_nworld(&limits), 0);
        // a buffer bound whole (a Burn tensor) must fit the binding limit at any count
        let mut whole = fp();
        whole.buffers[1].chunked = false;
        let limits = MemoryLimits { max_storage_buffer_binding_size: 100_000, ..limits };
        assert_eq!(whole.max_nworld(&limits), 100);
        assert_eq!(
            whole.overflow(&limits, 101),
            Some(Overflow::Buffer { label: "b".into(), bytes: 101_000, limit: 100_000 })
        );
    }
}
