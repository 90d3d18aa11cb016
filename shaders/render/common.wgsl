// The renderer's shared declarations (src/render): what it reads of one simulator state, the
// view the host sets, and the per-frame camera the camera pass computes on the GPU (so no
// world state is read back to draw it). Group 0 is bound by every render pipeline and the camera
// pass; group 1 holds the camera output (read-write in the camera pass, read-only when drawing)
// and, for the main pass, the shadow map.

struct View {
    // (track: 0 follow body `target_body`'s origin averaged over the shown worlds, 1 fixed
    //  lookat; ngeom; nshown; cols of the world grid)
    mode: vec4<u32>,
    // (target body, nbody, ntendon, nwrap)
    counts: vec4<u32>,
    // (nsite, nact, flags: 1 tendons by activation, contact slots per world)
    counts2: vec4<u32>,
    // fixed lookat (xyz), grid spacing (m)
    lookat: vec4<f32>,
    // distance (m), azimuth (rad), elevation (rad), vertical field of view (rad)
    orbit: vec4<f32>,
    // aspect (w/h), near, far, alpha multiplier (1; a ghost draws translucent)
    frustum: vec4<f32>,
    // unit direction towards the light
    light: vec4<f32>,
    // offset added to every drawn point (a ghost stands beside the body), tint mix
    shift: vec4<f32>,
    // tint colour (rgb) a ghost is drawn in
    tint: vec4<f32>,
};

// Per geom: colour and kind (src/render/geometry.rs GeomLook).
struct GeomLook {
    rgba: vec4<f32>,
    kind: u32,      // 1: plane (checker)
    checker: f32,   // checker square (m)
    scenery: u32,   // 1: the world body's geom, drawn once where it is
    pad0: u32,
};

// Per tendon segment drawn (src/render/renderer.rs): segment k of tendon `tendon`'s path, from
// its point k to k + 1 (its points start at `first` in the world's 2·nwrap), the activation
// colouring it (0xffffffff: none) and the drawn half-width (f32 bits).
struct Segment {
    tendon: u32,
    k: u32,
    first: u32,
    act: u32,
    width: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
};

// What the camera pass writes each frame.
struct Camera {
    view_proj: mat4x4<f32>,
    light_view_proj: mat4x4<f32>,
    eye: vec4<f32>,
    target_pos: vec4<f32>,
};

@group(0) @binding(0) var<uniform> view: View;
@group(0) @binding(1) var<storage, read> shown: array<u32>;           // nshown world ids
@group(0) @binding(2) var<storage, read> geom_look: array<GeomLook>;  // ngeom
@group(0) @binding(3) var<storage, read> xpos: array<vec4<f32>>;      // nworld × nbody (tiled)
@group(0) @binding(4) var<storage, read> geom_xpos: array<vec4<f32>>; // nworld × ngeom (tiled)
@group(0) @binding(5) var<storage, read> geom_xquat: array<vec4<f32>>; // nworld × ngeom (tiled)
@group(0) @binding(6) var<storage, read> wrap_xpos: array<vec4<f32>>; // nworld × 2·nwrap (tiled)
@group(0) @binding(7) var<storage, read> ten_wrapnum: array<u32>;     // nworld × ntendon (tiled)
@group(0) @binding(8) var<storage, read> act: array<f32>;             // nworld × na (tiled)
@group(0) @binding(9) var<storage, read> segments: array<Segment>;    // drawn tendon segments
@group(0) @binding(10) var<storage, read> tendon_look: array<vec4<f32>>; // ntendon rgba
@group(0) @binding(11) var<storage, read> site_xpos: array<vec4<f32>>; // nworld × nsite (tiled)
@group(0) @binding(12) var<storage, read> site_list: array<vec4<f32>>; // (site id bits, radius, -, -) per drawn site
@group(0) @binding(13) var<storage, read> site_look: array<vec4<f32>>; // nsite rgba
// nworld × nslot × 3 (world-major): (pos, dist), (normal, state: 1 active), (tangent, 0)
@group(0) @binding(14) var<storage, read> contacts: array<vec4<f32>>;
// nworld × nslot (world-major): each contact's force on geom 2 (w = 1 where it has one; zero
// unless the simulation computes contact forces)
@group(0) @binding(15) var<storage, read> contact_force: array<vec4<f32>>;

// Where the shown world number i stands: worlds on a grid of `cols` columns along x (side by side
// in the default side view), rows along y, `spacing` apart, centred on the origin.
fn grid_offset(i: u32) -> vec3<f32> {
    let cols = max(view.mode.w, 1u);
    let rows = (view.mode.z + cols - 1u) / cols;
    let c = f32(i % cols) - 0.5 * f32(cols - 1u);
    let r = f32(i / cols) - 0.5 * f32(rows - 1u);
    return vec3<f32>(c, r, 0.0) * view.lookat.w + view.shift.xyz;
}
