// Narrowphase for primitive pairs (MuJoCo 4.0's conventions, docs/mujoco4_contacts.md §3-4):
// each function appends hits (signed distance, midpoint between the surfaces, normal from geom1
// to geom2, optional first tangent) to the invocation's hit list. Geom1 has the lower type.

struct Hit {
    pos: vec3<f32>,
    dist: f32,
    normal: vec3<f32>,
    tangent: vec3<f32>,
}

// A geom in the world: centre, rotation columns (local axes), size.
struct GeomX {
    p: vec3<f32>,
    x: vec3<f32>,
    y: vec3<f32>,
    z: vec3<f32>,
    size: vec3<f32>,
}

const MAX_HITS: u32 = 4u;
var<private> hits: array<Hit, 4>;
var<private> nhit: u32;

fn emit(dist: f32, pos: vec3<f32>, normal: vec3<f32>, tangent: vec3<f32>) {
    if (nhit < MAX_HITS) {
        hits[nhit] = Hit(pos, dist, normal, tangent);
        nhit += 1u;
    }
}

// MuJoCo's mju_normalize3: (1, 0, 0) for a vector shorter than MINVAL.
fn normalize3(v: vec3<f32>) -> vec3<f32> {
    let len = length(v);
    if (len < MINVAL) {
        return vec3<f32>(1.0, 0.0, 0.0);
    }
    return v / len;
}

// The contact frame (mju_makeFrame): normal, first tangent (from `t` when it is not ~0), second.
fn make_frame(normal: vec3<f32>, t: vec3<f32>) -> array<vec3<f32>, 3> {
    let x = normalize3(normal);
    var y = t;
    if (dot(y, y) < 0.25) {
        y = select(vec3<f32>(0.0, 0.0, 1.0), vec3<f32>(0.0, 1.0, 0.0), x.y > -0.5 && x.y < 0.5);
    }
    y = normalize3(y - x * dot(x, y));
    return array<vec3<f32>, 3>(x, y, cross(x, y));
}

// Sphere (p1, r1) against sphere (p2, r2); z1, z2 break the tie of coincident centres.
fn sphere_sphere(p1: vec3<f32>, r1: f32, p2: vec3<f32>, r2: f32, margin: f32, z1: vec3<f32>, z2: vec3<f32>) {
    let dif = p1 - p2;
    let d2 = dot(dif, dif);
    let reach = margin + r1 + r2;
    if (d2 > reach * reach) {
        return;
    }
    let len = sqrt(d2);
    let dist = len - r1 - r2;
    var n = vec3<f32>(1.0, 0.0, 0.0);
    if (len < MINVAL) {
        n = normalize3(cross(z1, z2));
    } else {
        n = (p2 - p1) / len;
    }
    emit(dist, p1 + n * (r1 + 0.5 * dist), n, vec3<f32>(0.0));
}

// Plane (point pp, normal n) against a sphere; `tangent` passes through (plane–capsule).
fn plane_sphere(pp: vec3<f32>, n: vec3<f32>, ps: vec3<f32>, r: f32, margin: f32, tangent: vec3<f32>) {
    let c = dot(ps - pp, n);
    if (c > margin + r) {
        return;
    }
    let dist = c - r;
    emit(dist, ps - n * (0.5 * dist + r), n, tangent);
}

// Up to 2 contacts: the capsule's end spheres, tangent 1 along the capsule's axis.
fn plane_capsule(pl: GeomX, c: GeomX, margin: f32) {
    let n = pl.z;
    let seg = c.z * c.size.y;
    let t = normalize3(c.z - n * dot(n, c.z));
    plane_sphere(pl.p, n, c.p + seg, c.size.x, margin, t);
    plane_sphere(pl.p, n, c.p - seg, c.size.x, margin, t);
}

// 1-4 contacts: the rim point nearest the plane on each cap, and two more on the near cap.
fn plane_cylinder(pl: GeomX, c: GeomX, margin: f32) {
    let n = pl.z;
    var a = c.z;
    var prj = dot(n, a);
    if (prj > 0.0) {
        a = -a;
        prj = -prj;
    }
    let dist0 = dot(c.p - pl.p, n);
    let radius = c.size.x;
    var vec = a * prj - n;
    let len2 = dot(vec, vec);
    if (len2 >= 1e-30) {
        vec = vec * (radius / sqrt(len2));
    } else {
        vec = c.x * radius;
    }
    let prjvec = dot(vec, n);
    a = a * c.size.y;
    prj = prj * c.size.y;
    let d1 = dist0 + prj + prjvec;
    if (d1 > margin) {
        return;
    }
    emit(d1, c.p + vec + a - n * (0.5 * d1), n, vec3<f32>(0.0));
    let d2 = dist0 - prj + prjvec;
    if (d2 <= margin) {
        emit(d2, c.p + vec - a - n * (0.5 * d2), n, vec3<f32>(0.0));
    }
    let d3 = dist0 + prj - 0.5 * prjvec;
    if (d3 <= margin) {
        let v1 = normalize3(cross(vec, a)) * (radius * 0.8660254037844386);
        emit(d3, c.p + v1 + a - 0.5 * vec - n * (0.5 * d3), n, vec3<f32>(0.0));
        emit(d3, c.p - v1 + a - 0.5 * vec - n * (0.5 * d3), n, vec3<f32>(0.0));
    }
}

// Up to 4 corners below the margin (corner order: x fastest, then y, then z).
fn plane_box(pl: GeomX, b: GeomX, margin: f32) {
    let n = pl.z;
    let dist0 = dot(b.p - pl.p, n);
    for (var i = 0u; i < 8u; i++) {
        let sx = select(-b.size.x, b.size.x, (i & 1u) != 0u);
        let sy = select(-b.size.y, b.size.y, (i & 2u) != 0u);
        let sz = select(-b.size.z, b.size.z, (i & 4u) != 0u);
        let corner = b.x * sx + b.y * sy + b.z * sz;
        let ld = dot(n, corner);
        if (dist0 + ld > margin || ld > 0.0) {
            continue;
        }
        let dist = dist0 + ld;
        emit(dist, b.p + corner - n * (0.5 * dist), n, vec3<f32>(0.0));
        if (nhit >= 4u) {
            return;
        }
    }
}

fn sphere_capsule(s: GeomX, c: GeomX, margin: f32) {
    let x = clamp(dot(c.z, s.p - c.p), -c.size.y, c.size.y);
    sphere_sphere(s.p, s.size.x, c.p + c.z * x, c.size.x, margin, s.z, c.z);
}

// A sphere (ps, r) against a cylinder: side, flat cap or rim, whichever is nearest.
fn sphere_cylinder_at(ps: vec3<f32>, r: f32, sz: vec3<f32>, c: GeomX, margin: f32) {
    let a = c.z;
    let radius = c.size.x;
    let half = c.size.y;
    let v = ps - c.p;
    let x = dot(a, v);
    let pp = v - a * x;
    let pp2 = dot(pp, pp);
    var side = abs(x) < half;
    var cap = pp2 < radius * radius;
    if (side && cap) {
        if (half - abs(x) < radius - sqrt(pp2)) {
            side = false;
        } else {
            cap = false;
        }
    }
    if (side) {
        sphere_sphere(ps, r, c.p + a * x, radius, margin, sz, a);
    } else if (cap) {
        let nc = select(-a, a, x > 0.0);
        let d = dot(ps - (c.p + nc * half), nc);
        if (d > margin + r) {
            return;
        }
        let dist = d - r;
        emit(dist, ps - nc * (0.5 * dist + r), -nc, vec3<f32>(0.0));
    } else {
        let rim = c.p + a * select(-half, half, x > 0.0) + pp * (radius / sqrt(pp2));
        sphere_sphere(ps, r, rim, 0.0, margin, sz, a);
    }
}

// Sphere against box (MuJoCo's mjraw_SphereBox): nearest box point, or the nearest face from inside.
fn sphere_box(s: GeomX, b: GeomX, margin: f32) {
    let r = s.size.x;
    let rel = s.p - b.p;
    let c = vec3<f32>(dot(b.x, rel), dot(b.y, rel), dot(b.z, rel));
    let cl = clamp(c, -b.size, b.size);
    let tv = cl - c;
    let d = length(tv);
    if (d - r > margin) {
        return;
    }
    var local_pos = vec3<f32>(0.0);
    var local_n = vec3<f32>(0.0);
    var dist = 0.0;
    if (d > MINVAL) {
        let t = tv / d;
        local_pos = 0.5 * cl + 0.5 * (c + t * r);
        local_n = t;
        dist = d - r;
    } else {
        // centre inside: the face with the least penetration (order -x, +x, -y, +y, -z, +z)
        var closest = 3.4e38;
        var k = 0u;
        for (var i = 0u; i < 6u; i++) {
            let axis = i / 2u;
            let face = select(-b.size[axis], b.size[axis], (i & 1u) != 0u);
            let gap = abs(face - c[axis]);
            if (gap < closest) {
                closest = gap;
                k = i;
            }
        }
        var nearest = vec3<f32>(0.0);
        nearest[k / 2u] = select(1.0, -1.0, (k & 1u) != 0u);
        local_pos = c + nearest * (0.5 * (r - closest));
        local_n = nearest;
        dist = -closest - r;
    }
    let pos = b.p + b.x * local_pos.x + b.y * local_pos.y + b.z * local_pos.z;
    let n = b.x * local_n.x + b.y * local_n.y + b.z * local_n.z;
    emit(dist, pos, n, vec3<f32>(0.0));
}

fn clamp01(x: f32) -> f32 {
    return select(min(1.0, x), 0.0, x < 0.0);
}

// Closest-point weights (s on A0→A1, t on B0→B1) of two segments: one pair, or two (from each end
// of A) when they are parallel within sin θ ≤ 1e-4 (MuJoCo 4.0's mjc_segWeights). Returns the
// pairs as .xy and .zw (.z = -1 when there is one).
fn seg_weights(a0: vec3<f32>, a1: vec3<f32>, b0: vec3<f32>, b1: vec3<f32>) -> vec4<f32> {
    let d1 = a1 - a0;
    let d2 = b1 - b0;
    let aa = dot(d1, d1);
    let bb = dot(d2, d2);
    let eps = 1e-15;
    if (aa <= eps && bb <= eps) {
        return vec4<f32>(0.0, 0.0, -1.0, 0.0);
    }
    let r = a0 - b0;
    let f = dot(d2, r);
    if (aa <= eps) {
        return vec4<f32>(0.0, clamp01(f / bb), -1.0, 0.0);
    }
    let c = dot(d1, r);
    if (bb <= eps) {
        return vec4<f32>(clamp01(-c / aa), 0.0, -1.0, 0.0);
    }
    let b = dot(d1, d2);
    let cr = cross(d1, d2);
    let cc = dot(cr, cr);
    if (cc > 1e-8 * aa * bb) {
        let s = clamp01(dot(cross(d2, r), cr) / cc);
        return vec4<f32>(end_weights(s, (b * s + f) / bb, b, c, aa), -1.0, 0.0);
    }
    let w0 = end_weights(0.0, f / bb, b, c, aa);
    let w1 = end_weights(1.0, (f + b) / bb, b, c, aa);
    return vec4<f32>(w0, w1);
}

// (s, t) with t clamped to the segment and s re-projected when t was clamped.
fn end_weights(s: f32, t: f32, b: f32, c: f32, aa: f32) -> vec2<f32> {
    if (t < 0.0) {
        return vec2<f32>(clamp01(-c / aa), 0.0);
    }
    if (t > 1.0) {
        return vec2<f32>(clamp01((b - c) / aa), 1.0);
    }
    return vec2<f32>(s, t);
}

// 1 contact, or 2 when the capsules are parallel (the A0-side one first).
fn capsule_capsule(g1: GeomX, g2: GeomX, margin: f32) {
    let a0 = g1.p - g1.z * g1.size.y;
    let a1 = g1.p + g1.z * g1.size.y;
    let b0 = g2.p - g2.z * g2.size.y;
    let b1 = g2.p + g2.z * g2.size.y;
    let w = seg_weights(a0, a1, b0, b1);
    sphere_sphere(a0 + w.x * (a1 - a0), g1.size.x, b0 + w.y * (b1 - b0), g2.size.x, margin, g1.z, g2.z);
    if (w.z >= 0.0) {
        sphere_sphere(a0 + w.z * (a1 - a0), g1.size.x, b0 + w.w * (b1 - b0), g2.size.x, margin, g1.z, g2.z);
    }
}
