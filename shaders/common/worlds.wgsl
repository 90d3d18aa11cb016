// Where a world's elements are in a per-world state array: in tiles of WORLD_TILE worlds
// (src/sim/tiles.rs, which also prepends WORLD_TILE to every module). Element e of world w of an
// array with n elements per world is at world_at(w, n) + e · WORLD_TILE, written at(base, e), so
// adjacent worlds (adjacent invocations) read adjacent addresses. WORLD_TILE = 1 is world-major.
fn world_at(w: u32, n: u32) -> u32 {
    return (w / WORLD_TILE) * n * WORLD_TILE + w % WORLD_TILE;
}

fn at(base: u32, e: u32) -> u32 {
    return base + e * WORLD_TILE;
}

// The (world, element) of item i of a kernel over every element of every world, numbered tile
// by tile, element by element, world by world within the tile: adjacent invocations are
// adjacent worlds of one element, and item i's own entry in a tiled n-per-world array is at i.
// The host dispatches whole tiles (tiles::padded); items past the last world have w ≥ nworld.
fn world_item(i: u32, n: u32) -> vec2<u32> {
    let tile = i / (n * WORLD_TILE);
    let r = i - tile * n * WORLD_TILE;
    return vec2<u32>(tile * WORLD_TILE + r % WORLD_TILE, r / WORLD_TILE);
}
