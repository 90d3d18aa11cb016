// Capsule (geom1) against cylinder (geom2), as MuJoCo 4.0's convex path answers it
// (docs/mujoco4_contacts.md §3, "Capsule–cylinder"):
// - the signed distance is the core segment's distance to the cylinder minus the radius: exact
//   where GJK runs on the segment, and the exact minimum translation where the segment itself
//   reaches the cylinder (MuJoCo's EPA, to its tolerance);
// - a capsule within sin⁻¹(0.0888) ≈ 5.1° of parallel to the cap it touches gives the
//   multi-contact answer instead: its edge line clipped by the cap's 16-gon, each point with its
//   own depth.

// Nearest point of the solid cylinder to p, and the distance (0 inside): vec4(point, distance).
fn cylinder_nearest(cy: GeomX, p: vec3<f32>) -> vec4<f32> {
    let l = to_local(cy, p - cy.p);
    let rho = length(l.xy);
    var q = l;
    if (rho > cy.size.x) {
        q = vec3<f32>(l.xy * (cy.size.x / rho), l.z);
    }
    q.z = clamp(l.z, -cy.size.y, cy.size.y);
    let w = cy.p + to_world(cy, q);
    return vec4<f32>(w, length(p - w));
}

// The segment parameter t in [0, 1] nearest the cylinder. The distance of a point to a convex
// set is convex, and its derivative along the segment is (p − q)·(e1 − e0)/|p − q| (q the
// nearest point), so bisecting on that product's sign finds t to f32 precision, where comparing
// the nearly equal distances of a golden-section search would stop at ~sqrt(ε). Inside the
// cylinder the product is 0 and any such t will do (the segment reaches in).
fn segment_cylinder_t(a0: vec3<f32>, a1: vec3<f32>, cy: GeomX) -> f32 {
    let dir = a1 - a0;
    if (dot(a0 - cylinder_nearest(cy, a0).xyz, dir) >= 0.0) {
        return 0.0;
    }
    if (dot(a1 - cylinder_nearest(cy, a1).xyz, dir) <= 0.0) {
        return 1.0;
    }
    var lo = 0.0;
    var hi = 1.0;
    for (var i = 0u; i < 32u; i++) {
        let t = 0.5 * (lo + hi);
        let p = mix(a0, a1, t);
        let slope = dot(p - cylinder_nearest(cy, p).xyz, dir);
        if (slope < 0.0) {
            lo = t;
        } else if (slope > 0.0) {
            hi = t;
        } else {
            return t;
        }
    }
    return 0.5 * (lo + hi);
}

// How far the segment must move along the unit direction d to clear the cylinder:
// h_cyl(d) − min over the segment of d·x.
fn cylinder_clearance(cy: GeomX, a0: vec3<f32>, a1: vec3<f32>, d: vec3<f32>) -> f32 {
    return dot(cylinder_support(cy, d), d) - min(dot(d, a0), dot(d, a1));
}

// Minimum translation of a segment that reaches into the cylinder: vec4(direction to move the
// segment, depth). The optimum is a face normal of the Minkowski difference: a cap normal, the
// side's normal at either end, or a direction ⟂ the segment (the rim or the side swept along
// it), found by sampling that circle and a golden-section refinement.
fn segment_cylinder_depth(a0: vec3<f32>, a1: vec3<f32>, cy: GeomX) -> vec4<f32> {
    var best_d = cy.z;
    var best = cylinder_clearance(cy, a0, a1, cy.z);
    let down = cylinder_clearance(cy, a0, a1, -cy.z);
    if (down < best) {
        best = down;
        best_d = -cy.z;
    }
    for (var k = 0u; k < 2u; k++) {
        let l = to_local(cy, select(a0, a1, k == 1u) - cy.p);
        let rho = length(l.xy);
        if (rho > MINVAL) {
            let radial = to_world(cy, vec3<f32>(l.xy / rho, 0.0));
            let c = cylinder_clearance(cy, a0, a1, radial);
            if (c < best) {
                best = c;
                best_d = radial;
            }
        }
    }
    let u = normalize3(a1 - a0);
    var b1 = cross(u, cy.z);
    if (dot(b1, b1) < 1e-8) {
        b1 = cross(u, cy.x);
    }
    b1 = normalize(b1);
    let b2 = cross(u, b1);
    let n = 64u;
    let step = 6.2831853 / f32(n);
    var phi = 0.0;
    var fphi = 3.4e38;
    for (var k = 0u; k < n; k++) {
        let a = f32(k) * step;
        let f = cylinder_clearance(cy, a0, a1, cos(a) * b1 + sin(a) * b2);
        if (f < fphi) {
            fphi = f;
            phi = a;
        }
    }
    var lo = phi - step;
    var hi = phi + step;
    for (var i = 0u; i < 30u; i++) {
        let c1 = hi - 0.618034 * (hi - lo);
        let c2 = lo + 0.618034 * (hi - lo);
        if (cylinder_clearance(cy, a0, a1, cos(c1) * b1 + sin(c1) * b2)
            < cylinder_clearance(cy, a0, a1, cos(c2) * b1 + sin(c2) * b2)) {
            hi = c2;
        } else {
            lo = c1;
        }
    }
    phi = 0.5 * (lo + hi);
    let dc = cos(phi) * b1 + sin(phi) * b2;
    let fc = cylinder_clearance(cy, a0, a1, dc);
    if (fc < best) {
        best = fc;
        best_d = dc;
    }
    return vec4<f32>(best_d, best);
}

// Apothem ratio of the cap's 16-gon (cos(π/16)); MuJoCo's multi-contact cap polygon has its
// vertices at local angles k·22.5° from the cylinder's x axis.
const CAP_APOTHEM: f32 = 0.98078528;
// Edge–face alignment tolerance of MuJoCo's multi-contact (|axis·cap normal| below it).
const CAP_EDGE_TOL: f32 = 0.0888;

// One end of the clipped edge line at a, over the cap with outward normal nc: vec4(contact
// position, dist). dist is a's height over the cap plane plus M/2; the position is the midpoint
// of a and its projection onto the plane pushed out by M/2.
fn cap_point(a: vec3<f32>, cy: GeomX, nc: vec3<f32>, margin: f32) -> vec4<f32> {
    let h = dot(a - cy.p, nc) - cy.size.y;
    return vec4<f32>(a + nc * (0.25 * margin - 0.5 * h), h + 0.5 * margin);
}

fn capsule_cylinder(c: GeomX, cy: GeomX, margin: f32) {
    let r = c.size.x;
    let e0 = c.p - c.z * c.size.y;
    let e1 = c.p + c.z * c.size.y;
    // the single contact: nearest points of the core segment and the cylinder, p and q, and the
    // normal n from the capsule into the cylinder
    let t = segment_cylinder_t(e0, e1, cy);
    var p = mix(e0, e1, t);
    let near = cylinder_nearest(cy, p);
    var q = near.xyz;
    var n = vec3<f32>(0.0);
    var dist = 0.0;
    // which cap the contact is on (+1 top, -1 bottom, 0 the side)
    var cap = 0.0;
    if (near.w > 1e-6) {
        n = (q - p) / near.w;
        dist = near.w - r;
        let ql = to_local(cy, q - cy.p);
        if (abs(abs(ql.z) - cy.size.y) <= 1e-5 * max(cy.size.x, cy.size.y)) {
            cap = sign(ql.z);
        }
    } else {
        let deep = segment_cylinder_depth(e0, e1, cy);
        n = -deep.xyz;
        dist = -deep.w - r;
        let s0 = dot(deep.xyz, e0);
        let s1 = dot(deep.xyz, e1);
        p = select(select(e1, e0, s0 < s1), 0.5 * (e0 + e1), abs(s0 - s1) < 1e-6 * c.size.y);
        q = p + deep.xyz * deep.w;
        // leaving through a cap face or over the rim (EPA's witness on the cylinder is a cap point)
        let dz = dot(deep.xyz, cy.z);
        if (abs(dz) > 1e-5) {
            cap = sign(dz);
        }
    }
    if (dist >= margin) {
        return;
    }
    // multi-contact on a cap: the capsule's edge line A(s) = E(s) + (r + M/2)·w, where w is the
    // normal's part ⟂ the axis (not normalised), clipped by the cap's 16-gon in the cap's plane
    let nc = cy.z * cap;
    if (cap != 0.0 && abs(dot(c.z, nc)) < CAP_EDGE_TOL) {
        let w = n - c.z * dot(c.z, n);
        let a0 = e0 + w * (r + 0.5 * margin);
        let a1 = e1 + w * (r + 0.5 * margin);
        let l0 = to_local(cy, a0 - cy.p).xy;
        let l1 = to_local(cy, a1 - cy.p).xy;
        var s0 = 0.0;
        var s1 = 1.0;
        let apothem = cy.size.x * CAP_APOTHEM;
        for (var k = 0u; k < 16u; k++) {
            let ang = (f32(k) + 0.5) * 0.39269908;
            let side = vec2<f32>(cos(ang), sin(ang));
            let g0 = apothem - dot(side, l0);
            let g1 = apothem - dot(side, l1);
            if (g0 < 0.0 && g1 < 0.0) {
                s0 = 1.0;
                s1 = 0.0;
                break;
            }
            if (g0 < 0.0) {
                s0 = max(s0, g0 / (g0 - g1));
            } else if (g1 < 0.0) {
                s1 = min(s1, g0 / (g0 - g1));
            }
        }
        if (s0 <= s1) {
            let p0 = cap_point(mix(a0, a1, s0), cy, nc, margin);
            let p1 = cap_point(mix(a0, a1, s1), cy, nc, margin);
            let keep0 = p0.w <= margin;
            let keep1 = p1.w <= margin;
            if (keep0 && keep1) {
                emit(p0.w, p0.xyz, -nc, vec3<f32>(0.0));
                emit(p1.w, p1.xyz, -nc, vec3<f32>(0.0));
                return;
            }
            if (keep0 != keep1) {
                let kept = select(p1, p0, keep0);
                emit(kept.w, kept.xyz, -nc, vec3<f32>(0.0));
                // MuJoCo repeats a kept point that the polygon clipped (measured in 4.0)
                let clipped0 = s0 > 0.0;
                let clipped1 = s1 < 1.0;
                if (select(clipped1, clipped0, keep0)) {
                    emit(kept.w, kept.xyz, -nc, vec3<f32>(0.0));
                }
                return;
            }
        }
    }
    emit(dist, 0.5 * (p + q) + n * (0.5 * r), n, vec3<f32>(0.0));
}
