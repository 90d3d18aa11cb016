//! How per-world state is laid out: in tiles of [`world_tile`] worlds. Element `e` of world `w`
//! of an array with `n` elements per world sits at `(w / T) · n · T + e · T + w % T`, so the
//! invocations of a per-world kernel (adjacent worlds) read adjacent addresses of the same
//! element, and a kernel over (world, element) items maps adjacent invocations to adjacent worlds
//! of one element. A tile of 1 is the world-major layout (`[w · n + e]`). [`world_tile`] is the
//! one place the layout is chosen: the WGSL side reads it (`WORLD_TILE`, prepended by
//! [`crate::gpu::shaders::host_constants`]; `shaders/common/worlds.wgsl` indexes with it).
//!
//! Tiled: the simulator state ([`crate::sim::SimState`]) but its sparse M (`qm`). World-major:
//! `qm`, the constraint rows and Newton scratch (a workgroup per world reads them every
//! iteration, its lanes adjacent entries of one world), contacts, and what users and the
//! learner read (rollout npz, observations, rewards, actions keep their documented shapes;
//! [`crate::sim::SimState::download`] converts).

/// Worlds per tile unless `SINEW_WORLD_TILE` says otherwise (a power of two dividing 64, the
/// chunk unit of [`crate::gpu::WorldChunks`]): the layout is chosen here, for the process, so
/// one binary can measure both layouts on a GPU (`SINEW_WORLD_TILE=1` is world-major).
pub const DEFAULT_WORLD_TILE: usize = 32;

/// The tile this process uses: `SINEW_WORLD_TILE` (1, 2, 4, ..., 64) or [`DEFAULT_WORLD_TILE`].
/// An invalid value is refused by [`check_env`] when a GPU context is made.
pub fn world_tile() -> usize {
    static TILE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *TILE.get_or_init(|| from_env().ok().flatten().unwrap_or(DEFAULT_WORLD_TILE))
}

fn from_env() -> crate::Result<Option<usize>> {
    let Some(v) = std::env::var_os("SINEW_WORLD_TILE") else { return Ok(None) };
    let bad = || {
        crate::Error::Gpu(format!(
            "SINEW_WORLD_TILE is '{}': set it to 1, 2, 4, 8, 16, 32 or 64 (worlds per tile of the state layout)",
            v.to_string_lossy()
        ))
    };
    let t: usize = v.to_str().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    if !t.is_power_of_two() || t > 64 {
        return Err(bad());
    }
    Ok(Some(t))
}

/// `Err` naming `SINEW_WORLD_TILE` when it is set to something other than a power of two up
/// to 64.
pub fn check_env() -> crate::Result<()> {
    from_env().map(|_| ())
}

/// `nworld` rounded up to whole tiles: the worlds a tiled array holds room for.
pub fn padded(nworld: usize) -> usize {
    let t = world_tile();
    nworld.div_ceil(t) * t
}

/// Index of element `e` of world `w` in a tiled array of `n` elements per world.
pub fn index(w: usize, e: usize, n: usize) -> usize {
    let t = world_tile();
    (w / t) * n * t + e * t + w % t
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
        let t = world_tile();
        let (nworld, n) = (t + 3, 5);
        let data: Vec<u32> = (0..(nworld * n) as u32).collect();
        let tiled = to_tiled(&data, nworld, n);
        assert_eq!(tiled.len(), padded(nworld) * n);
        assert_eq!(to_world_major(&tiled, nworld, n), data);
        // element 1 of worlds 0, 1, … of the first tile are adjacent
        assert_eq!(tiled[t], data[1]);
        if t > 1 {
            assert_eq!(tiled[t + 1], data[n + 1]);
        }
    }
}
