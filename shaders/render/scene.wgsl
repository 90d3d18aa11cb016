// The render passes (src/render/renderer.rs): a shadow map of the geoms from the light, then
// the sky, the geoms (opaque, then translucent), tendons as lit ribbons and sites as spheres.
// Geom vertices are in the geom's frame; the vertex shaders place them with the geom poses the
// simulator computed (geom_xpos, geom_xquat), for the world the instance index names.

@group(1) @binding(0) var<storage, read> camera: Camera;
@group(1) @binding(1) var shadow_map: texture_depth_2d;
@group(1) @binding(2) var shadow_sampler: sampler_comparison;

const SKY_ZENITH: vec3<f32> = vec3<f32>(0.20, 0.33, 0.55);
const SKY_HORIZON: vec3<f32> = vec3<f32>(0.70, 0.76, 0.82);
const GROUND: vec3<f32> = vec3<f32>(0.28, 0.27, 0.25);
// activation 0 → blue-grey, 1 → red
const ACT_LOW: vec3<f32> = vec3<f32>(0.30, 0.36, 0.50);
const ACT_HIGH: vec3<f32> = vec3<f32>(0.85, 0.08, 0.05);

struct GeomIn {
    @location(0) pos: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) geom: u32,
    @builtin(instance_index) inst: u32,
};

struct Surface {
    @builtin(position) clip: vec4<f32>,
    @location(0) world: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) local: vec3<f32>,
    @location(3) @interpolate(flat) geom: u32,
    @location(4) colour: vec4<f32>,
};

// A geom vertex in the world: the pose of geom g in shown world number `inst`.
fn place(pos: vec3<f32>, normal: vec3<f32>, g: u32, inst: u32) -> array<vec3<f32>, 2> {
    let b = world_at(shown[inst], view.mode.y);
    let q = geom_xquat[at(b, g)];
    // scenery (static, the same in every world) stands once where it is; the ghost's shift
    // does not move it either
    let off = select(grid_offset(inst), vec3<f32>(0.0), geom_look[g].scenery == 1u);
    let p = geom_xpos[at(b, g)].xyz + off;
    return array<vec3<f32>, 2>(p + quat_rot(q, pos), quat_rot(q, normal));
}

fn tinted(rgba: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(mix(rgba.rgb, view.tint.rgb, view.shift.w), rgba.a * view.frustum.w);
}

@vertex
fn geom_vs(v: GeomIn) -> Surface {
    let placed = place(v.pos, v.normal, v.geom, v.inst);
    var out: Surface;
    out.clip = camera.view_proj * vec4<f32>(placed[0], 1.0);
    out.world = placed[0];
    out.normal = placed[1];
    out.local = v.pos;
    out.geom = v.geom;
    out.colour = tinted(geom_look[v.geom].rgba);
    return out;
}

@vertex
fn shadow_vs(v: GeomIn) -> @builtin(position) vec4<f32> {
    let placed = place(v.pos, v.normal, v.geom, v.inst);
    return camera.light_view_proj * vec4<f32>(placed[0], 1.0);
}

// Fraction of light reaching `p` (1 lit, 0 in shadow): 3 × 3 comparisons of the shadow map.
fn lit(p: vec3<f32>, n: vec3<f32>) -> f32 {
    let c = camera.light_view_proj * vec4<f32>(p + 0.01 * n, 1.0);
    let uv = vec2<f32>(0.5 * c.x + 0.5, 0.5 - 0.5 * c.y);
    if (any(uv < vec2<f32>(0.0)) || any(uv > vec2<f32>(1.0)) || c.z > 1.0) {
        return 1.0;
    }
    let texel = 1.0 / vec2<f32>(textureDimensions(shadow_map));
    var sum = 0.0;
    for (var i = -1; i <= 1; i++) {
        for (var j = -1; j <= 1; j++) {
            sum += textureSampleCompareLevel(shadow_map, shadow_sampler, uv + vec2<f32>(f32(i), f32(j)) * texel, c.z - 0.002);
        }
    }
    return sum / 9.0;
}

// Sky colour along a view ray: zenith blue to a pale horizon; below it, a dim ground.
fn sky(dir: vec3<f32>) -> vec3<f32> {
    let up = dir.z;
    if (up < 0.0) {
        return mix(SKY_HORIZON * 0.8, GROUND, clamp(-up * 6.0, 0.0, 1.0));
    }
    return mix(SKY_HORIZON, SKY_ZENITH, pow(clamp(up, 0.0, 1.0), 0.6));
}

// Lambert with a shadowed key light, a fill from the camera and ambient, then haze towards the
// horizon colour with distance.
fn shade(albedo: vec3<f32>, p: vec3<f32>, normal: vec3<f32>) -> vec3<f32> {
    let to_eye = camera.eye.xyz - p;
    var n = normalize(normal);
    if (dot(n, to_eye) < 0.0) {
        n = -n;  // two-sided: the inside of an open mesh is lit like its outside
    }
    let l = normalize(view.light.xyz);
    let e = normalize(to_eye);
    let key = max(dot(n, l), 0.0) * lit(p, n);
    let fill = 0.35 * max(dot(n, e), 0.0);
    let h = normalize(l + e);
    let spec = 0.15 * pow(max(dot(n, h), 0.0), 32.0) * key;
    var c = albedo * (0.25 + 0.65 * key + fill) + vec3<f32>(spec);
    let haze = 1.0 - exp(-0.02 * length(to_eye));
    return mix(c, sky(-e), haze);
}

@fragment
fn geom_fs(s: Surface) -> @location(0) vec4<f32> {
    var albedo = s.colour.rgb;
    let look = geom_look[s.geom];
    if (look.kind == 1u) {
        let cell = floor(s.local.xy / look.checker);
        let odd = (i32(cell.x) + i32(cell.y)) & 1;
        albedo = select(vec3<f32>(0.42, 0.44, 0.47), vec3<f32>(0.62, 0.64, 0.67), odd == 1);
        albedo = mix(albedo, view.tint.rgb, view.shift.w);
    }
    return vec4<f32>(shade(albedo, s.world, s.normal), s.colour.a);
}

// ---- sky: one full-screen triangle behind everything ----

struct SkyOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) ndc: vec2<f32>,
};

@vertex
fn sky_vs(@builtin(vertex_index) i: u32) -> SkyOut {
    let xy = vec2<f32>(f32((i << 1u) & 2u), f32(i & 2u)) * 2.0 - 1.0;
    var out: SkyOut;
    out.clip = vec4<f32>(xy, 1.0, 1.0);
    out.ndc = xy;
    return out;
}

@fragment
fn sky_fs(s: SkyOut) -> @location(0) vec4<f32> {
    // the view ray through this pixel, from the camera's basis
    let dist = view.orbit.x;
    let az = view.orbit.y;
    let el = view.orbit.z;
    let f = vec3<f32>(cos(el) * cos(az), cos(el) * sin(az), sin(el));
    var r = cross(f, vec3<f32>(0.0, 0.0, 1.0));
    if (length(r) < 1e-6) {
        r = vec3<f32>(1.0, 0.0, 0.0);
    }
    r = normalize(r);
    let u = cross(r, f);
    let t = tan(0.5 * view.orbit.w);
    let dir = normalize(f + r * (s.ndc.x * t * view.frustum.x) + u * (s.ndc.y * t));
    return vec4<f32>(sky(dir), 1.0);
}

// ---- tendons: each segment between consecutive path points a ribbon facing the camera ----

struct RibbonOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) world: vec3<f32>,
    @location(1) across: f32,
    @location(2) colour: vec4<f32>,
};

@vertex
fn tendon_vs(@builtin(vertex_index) vi: u32, @builtin(instance_index) inst: u32) -> RibbonOut {
    var out: RibbonOut;
    out.clip = vec4<f32>(2.0, 2.0, 2.0, 1.0);  // outside the view: a degenerate triangle
    out.world = vec3<f32>(0.0);
    out.across = 0.0;
    out.colour = vec4<f32>(0.0);
    let seg = segments[vi / 6u];
    let corner = vi % 6u;
    let w = shown[inst];
    let num = ten_wrapnum[at(world_at(w, view.counts.z), seg.tendon)];
    if (seg.k + 1u >= num) {
        return out;
    }
    let pb = at(world_at(w, 2u * view.counts.w), seg.first + seg.k);
    let p0 = wrap_xpos[pb].xyz;
    let p1 = wrap_xpos[at(pb, 1u)].xyz;
    // a pulley splits a path with a zero point (MuJoCo's convention): no segment across it
    if (all(p0 == vec3<f32>(0.0)) || all(p1 == vec3<f32>(0.0))) {
        return out;
    }
    let off = grid_offset(inst);
    let mid = 0.5 * (p0 + p1) + off;
    var side = cross(p1 - p0, camera.eye.xyz - mid);
    if (length(side) < 1e-9) {
        return out;
    }
    side = normalize(side) * bitcast<f32>(seg.width);
    // corners: (0: p0 -side, 1: p1 -side, 2: p1 +side), (0, 2, 3: p0 +side)
    let ends = array<u32, 6>(0u, 1u, 1u, 0u, 1u, 0u);
    let sides = array<f32, 6>(-1.0, -1.0, 1.0, -1.0, 1.0, 1.0);
    let p = select(p0, p1, ends[corner] == 1u) + off + sides[corner] * side;
    out.clip = camera.view_proj * vec4<f32>(p, 1.0);
    out.world = p;
    out.across = sides[corner];
    var rgba = tendon_look[seg.tendon];
    if (seg.act != 0xffffffffu && (view.counts2.z & 1u) != 0u) {
        let a = clamp(act[at(world_at(w, view.counts2.y), seg.act)], 0.0, 1.0);
        rgba = vec4<f32>(mix(ACT_LOW, ACT_HIGH, a), 1.0);
    }
    out.colour = tinted(rgba);
    return out;
}

@fragment
fn tendon_fs(r: RibbonOut) -> @location(0) vec4<f32> {
    // a round cross-section: brightest along the middle of the ribbon
    let bulge = sqrt(max(1.0 - r.across * r.across, 0.0));
    let c = r.colour.rgb * (0.45 + 0.55 * bulge) * (0.6 + 0.4 * lit(r.world, vec3<f32>(0.0, 0.0, 1.0)));
    return vec4<f32>(c, r.colour.a);
}

// ---- sites: spheres ----

@vertex
fn site_vs(@location(0) unit: vec3<f32>, @builtin(instance_index) inst: u32) -> Surface {
    let nlist = arrayLength(&site_list);
    let k = inst % nlist;
    let i = inst / nlist;
    let entry = site_list[k];
    let s = bitcast<u32>(entry.x);
    let p = site_xpos[at(world_at(shown[i], view.counts2.x), s)].xyz + grid_offset(i) + entry.y * unit;
    var out: Surface;
    out.clip = camera.view_proj * vec4<f32>(p, 1.0);
    out.world = p;
    out.normal = unit;
    out.local = unit;
    out.geom = 0u;
    out.colour = tinted(site_look[s]);
    return out;
}

@fragment
fn site_fs(s: Surface) -> @location(0) vec4<f32> {
    return vec4<f32>(shade(s.colour.rgb, s.world, s.normal), s.colour.a);
}

// ---- contact points: a small sphere at each active contact ----

@vertex
fn contact_vs(@location(0) unit: vec3<f32>, @builtin(instance_index) inst: u32) -> Surface {
    let nslot = view.counts2.w;
    let k = inst % nslot;
    let i = inst / nslot;
    let c = (shown[i] * nslot + k) * 3u;
    var out: Surface;
    out.clip = vec4<f32>(2.0, 2.0, 2.0, 1.0);
    out.world = vec3<f32>(0.0);
    out.normal = unit;
    out.local = unit;
    out.geom = 0u;
    out.colour = vec4<f32>(1.0, 0.45, 0.05, 1.0);
    if (contacts[c + 1u].w != 1.0) {
        return out;
    }
    let p = contacts[c].xyz + grid_offset(i) + 0.015 * unit;
    out.clip = camera.view_proj * vec4<f32>(p, 1.0);
    out.world = p;
    return out;
}

// ---- contact force arrows: from each contact point along the force geom 2 receives ----
// A camera-facing shaft (6 vertices) and head (3), view.light.w metres per newton; drawn as an
// overlay like the contact points.

@vertex
fn force_vs(@builtin(vertex_index) vi: u32, @builtin(instance_index) inst: u32) -> RibbonOut {
    var out: RibbonOut;
    out.clip = vec4<f32>(2.0, 2.0, 2.0, 1.0);
    out.world = vec3<f32>(0.0);
    out.across = 0.0;
    out.colour = vec4<f32>(0.95, 0.85, 0.1, 1.0);
    let nslot = view.counts2.w;
    let k = inst % nslot;
    let i = inst / nslot;
    let c = shown[i] * nslot + k;
    let f = contact_force[c];
    if (f.w != 1.0 || contacts[3u * c + 1u].w != 1.0) {
        return out;
    }
    let vec = f.xyz * view.light.w;
    let len = length(vec);
    if (len < 1e-4) {
        return out;
    }
    let p0 = contacts[3u * c].xyz + grid_offset(i);
    let dir = vec / len;
    let head = min(0.3 * len, 0.06);
    let p1 = p0 + dir * (len - head);
    var side = cross(dir, camera.eye.xyz - p0);
    if (length(side) < 1e-9) {
        return out;
    }
    side = normalize(side);
    let w = 0.008;
    var p: vec3<f32>;
    if (vi < 6u) {
        let ends = array<u32, 6>(0u, 1u, 1u, 0u, 1u, 0u);
        let sides = array<f32, 6>(-1.0, -1.0, 1.0, -1.0, 1.0, 1.0);
        p = select(p0, p1, ends[vi] == 1u) + sides[vi] * w * side;
        out.across = sides[vi];
    } else {
        let corner = array<vec3<f32>, 3>(p1 - 2.5 * w * side, p1 + 2.5 * w * side, p0 + vec);
        p = corner[vi - 6u];
    }
    out.clip = camera.view_proj * vec4<f32>(p, 1.0);
    out.world = p;
    return out;
}

@fragment
fn force_fs(r: RibbonOut) -> @location(0) vec4<f32> {
    return r.colour;
}
