//! How per-world state is laid out: in tiles of [`WORLD_TILE`] worlds. Element `e` of world `w`
//! of an array with `n` elements per world sits at `(w / T) · n · T + e · T + w % T`, so the
//! invocations of a per-world kernel (adjacent worlds) read adjacent addresses of the same
//! element, and a kernel over (world, element) items maps adjacent invocations to adjacent worlds
//! of one element. `WORLD_TILE = 1` is the world-major layout (`[w · n + e]`). This constant is
//! the one place the layout is chosen: the WGSL side reads it (`shaders/common/worlds.wgsl`,
//! prepended by [`crate::gpu::shaders::module_source`]).
//!
//! Tiled: the simulator state ([`crate::sim::SimState`]) but its sparse M (`qm`). World-major:
//! `qm`, the constraint rows and Newton scratch (a workgroup per world reads them every
//! iteration, its lanes adjacent entries of one world), contacts, and what users and the
//! learner read (rollout npz, observations, rewards, actions keep their documented shapes;
//! [`crate::sim::SimState::download`] converts).

/// Worlds per tile (a power of two dividing 64, the chunk unit of [`crate::gpu::WorldChunks`]).
pub const WORLD_TILE: usize = 32;

/// `nworld` rounded up to whole tiles: the worlds a tiled array holds room for.
pub fn padded(nworld: usize) -> usize {
    nworld.div_ceil(WORLD_TILE) * WORLD_TILE
}

/// Index of element `e` of world `w` in a tiled array of `n` elements per world.
pub fn index(w: usize, e: usize, n: usize) -> usize {
    (w / WORLD_TILE) * n * WORLD_TILE + e * WORLD_TILE + w % WORLD_TILE
}

/// A world-major array (`nworld × n`) in the tiled layout (`padded(nworld) × n`, the padding
/// worlds zero).
pub fn to_tiled<T: bytemuck::Pod>(world_major: &[T], nworld: usize, n: usize) -> Vec<T> {
    let mut out = vec![T::zeroed(); padded(nworld) * n];
    for w in 0..nworld {
        for e in 0..n {
            out[index(w, e, n)] = world_major[w * n + e];
        }
    }
    out
}

/// A tiled array (at least `padded(nworld) × n`) back in world-major order (`nworld × n`).
pub fn to_world_major<T: bytemuck::Pod>(tiled: &[T], nworld: usize, n: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(nworld * n);
    for w in 0..nworld {
        for e in 0..n {
            out.push(tiled[index(w, e, n)]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiling_round_trips_and_keeps_a_tile_contiguous() {
        let (nworld, n) = (WORLD_TILE + 3, 5);
        let data: Vec<u32> = (0..(nworld * n) as u32).collect();
        let tiled = to_tiled(&data, nworld, n);
        assert_eq!(tiled.len(), padded(nworld) * n);
        assert_eq!(to_world_major(&tiled, nworld, n), data);
        // element 1 of worlds 0, 1, … of the first tile are adjacent
        assert_eq!(tiled[WORLD_TILE], data[1]);
        if WORLD_TILE > 1 {
            assert_eq!(tiled[WORLD_TILE + 1], data[n + 1]);
        }
    }
}
