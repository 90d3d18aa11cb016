// Narrowphase for pairs with an ellipsoid: exact signed distances (the minimum translation that
// separates the shapes, which MuJoCo's GJK/EPA approximates to ccd_tolerance), built on the
// nearest point of an ellipsoid to a point (a 1-D root found by bisection). The contact is the
// midpoint of the two witness points; the normal points from geom1 to geom2.

// Nearest point x on the ellipsoid with semi-axes e (its own frame) to the point y, and the
// signed distance (negative inside), as vec4(x, sd). x = e²·y/(t + e²) where t is the root of
// Σ (e·y/(t + e²))² = 1 above -e_min², bracketed and bisected. A zero coordinate on the
// smallest axis is nudged so the bracket stays valid (it moves x by ~1e-6·e_min at most).
fn ellipse_nearest(e: vec3<f32>, y: vec3<f32>) -> vec4<f32> {
    let sgn = select(vec3<f32>(-1.0), vec3<f32>(1.0), y >= vec3<f32>(0.0));
    var z = abs(y);
    var k = 0u;
    if (e.y < e[k]) {
        k = 1u;
    }
    if (e.z < e[k]) {
        k = 2u;
    }
    let ek = e[k];
    z[k] = max(z[k], 1e-6 * ek);
    let q = z / e;
    let inside = dot(q, q) < 1.0;
    let e2 = e * e;
    var lo = -ek * ek + ek * z[k];
    var hi = -ek * ek + length(e * z);
    for (var i = 0u; i < 64u; i++) {
        let t = 0.5 * (lo + hi);
        if (t <= lo || t >= hi) {
            break;
        }
        let r = e * z / (t + e2);
        if (dot(r, r) > 1.0) {
            lo = t;
        } else {
            hi = t;
        }
    }
    let t = 0.5 * (lo + hi);
    let x = sgn * e2 * z / (t + e2);
    let d = length(x - y);
    return vec4<f32>(x, select(d, -d, inside));
}

// An ellipsoid in the world: centre, axes, semi-axes.
fn to_local(g: GeomX, v: vec3<f32>) -> vec3<f32> {
    return vec3<f32>(dot(g.x, v), dot(g.y, v), dot(g.z, v));
}

fn to_world(g: GeomX, v: vec3<f32>) -> vec3<f32> {
    return g.x * v.x + g.y * v.y + g.z * v.z;
}

// M·v with M = R diag(size²) Rᵀ, the ellipsoid's shape matrix (support: c + Mn/√(nᵀMn)).
fn shape_mul(g: GeomX, v: vec3<f32>) -> vec3<f32> {
    return to_world(g, g.size * g.size * to_local(g, v));
}

fn support_ellipsoid(g: GeomX, n: vec3<f32>) -> vec3<f32> {
    let mn = shape_mul(g, n);
    return g.p + mn / sqrt(max(dot(n, mn), MINVAL));
}

// Signed distance from the world point p to ellipsoid g, its nearest surface point, and the
// outward normal there: (sd, x, n).
struct PointEllipsoid {
    sd: f32,
    x: vec3<f32>,
    n: vec3<f32>,
}

fn point_ellipsoid(g: GeomX, p: vec3<f32>) -> PointEllipsoid {
    let r = ellipse_nearest(g.size, to_local(g, p - g.p));
    let n = normalize3(to_world(g, r.xyz / (g.size * g.size)));
    return PointEllipsoid(r.w, g.p + to_world(g, r.xyz), n);
}

// Plane against ellipsoid: the ellipsoid's support point below the plane.
fn plane_ellipsoid(pl: GeomX, g: GeomX, margin: f32) {
    let n = pl.z;
    let s = support_ellipsoid(g, -n);
    let dist = dot(n, s - pl.p);
    if (dist > margin) {
        return;
    }
    emit(dist, s - n * (0.5 * dist), n, vec3<f32>(0.0));
}

// Sphere (geom1) against ellipsoid: the centre's signed distance less the radius.
fn sphere_ellipsoid(s: GeomX, g: GeomX, margin: f32) {
    let pe = point_ellipsoid(g, s.p);
    let dist = pe.sd - s.size.x;
    if (dist > margin) {
        return;
    }
    let n = -pe.n;
    emit(dist, 0.5 * (pe.x + s.p + n * s.size.x), n, vec3<f32>(0.0));
}

// The outward normal of ellipsoid g's shadow on the plane ⟂ a (unit a) at the shadow's point
// nearest to the projection of `point`: the best separating direction among those ⟂ a.
fn shadow_normal(g: GeomX, a: vec3<f32>, point: vec3<f32>) -> vec3<f32> {
    // the plane ⟂ a: basis (u, v)
    let u = normalize3(cross(a, select(vec3<f32>(0.0, 0.0, 1.0), vec3<f32>(1.0, 0.0, 0.0), abs(a.x) < 0.9)));
    let v = cross(a, u);
    let muu = dot(u, shape_mul(g, u));
    let muv = dot(u, shape_mul(g, v));
    let mvv = dot(v, shape_mul(g, v));
    // eigen-decomposition of the shadow's 2×2 shape matrix
    let mean = 0.5 * (muu + mvv);
    let rad = sqrt(max(0.25 * (muu - mvv) * (muu - mvv) + muv * muv, 0.0));
    let l1 = mean + rad;
    let l2 = max(mean - rad, MINVAL);
    var e1 = vec2<f32>(1.0, 0.0);
    if (abs(muv) > 1e-12 * max(l1, MINVAL)) {
        e1 = normalize(vec2<f32>(muv, l1 - muu));
    } else if (muu < mvv) {
        e1 = vec2<f32>(0.0, 1.0);
    }
    let e2 = vec2<f32>(-e1.y, e1.x);
    let rel = point - g.p;
    let q = vec2<f32>(dot(rel, u), dot(rel, v));
    let big = 1e3 * sqrt(l1) + 1.0;
    let r2 = ellipse_nearest(vec3<f32>(sqrt(l1), sqrt(l2), big), vec3<f32>(dot(q, e1), dot(q, e2), 0.0));
    // outward normal of the shadow at its nearest point, back in 3-D (⟂ a)
    let g2 = vec2<f32>(r2.x / l1, r2.y / l2);
    let n2 = e1 * g2.x + e2 * g2.y;
    return normalize3(u * n2.x + v * n2.y);
}

// Support function of a cylinder: max over its points of x·n. The radial part is taken in the
// cylinder's frame: n − z(z·n) in the world leaves a rounding residue along z itself for n ≈ ±z,
// which normalised would put the rim point on the axis (R too far along n).
fn cylinder_support(cy: GeomX, n: vec3<f32>) -> vec3<f32> {
    let l = to_local(cy, n);
    let rl = length(l.xy);
    var rim = vec3<f32>(0.0);
    if (rl > MINVAL) {
        rim = to_world(cy, vec3<f32>(l.xy * (cy.size.x / rl), 0.0));
    }
    return cy.p + cy.z * select(-cy.size.y, cy.size.y, l.z >= 0.0) + rim;
}

// Ellipsoid (geom1) against cylinder: the separation along n (from the ellipsoid to the cylinder)
// is min over the cylinder of x·n − max over the ellipsoid of x·n, and the signed distance is its
// maximum over n. Candidates: the two cap normals, the best direction ⟂ the cylinder's axis (the
// shadow problem) and the centre line; the best is exact when the contact is on a cap or on the
// side, and errs deep (never misses a contact) at the rim.
fn ellipsoid_cylinder(g: GeomX, cy: GeomX, margin: f32) {
    var cands = array<vec3<f32>, 4>(cy.z, -cy.z, shadow_normal(g, cy.z, cy.p), normalize3(cy.p - g.p));
    var best = -3.4e38;
    var bn = cands[0];
    for (var i = 0u; i < 4u; i++) {
        let n = cands[i];
        let sep = dot(cylinder_support(cy, -n), n) - dot(support_ellipsoid(g, n), n);
        if (sep > best) {
            best = sep;
            bn = n;
        }
    }
    if (best > margin) {
        return;
    }
    let xe = support_ellipsoid(g, bn);
    // the cylinder's witness: its deepest point along -n, moved onto the contact line
    let xc = xe + bn * best;
    emit(best, 0.5 * (xe + xc), bn, vec3<f32>(0.0));
}

// Capsule (geom1) against ellipsoid. The separating direction n (outward from the ellipsoid)
// maximises min over the segment of (p·n) − h(n); the optimum is either an end point's own
// nearest-point direction (valid when that end is the lower one along it) or a direction
// perpendicular to the axis, where the problem is a point against the ellipsoid's shadow ellipse
// in the plane ⟂ axis (valid when the witness projects inside the segment). The largest valid
// signed distance is the answer.
fn capsule_ellipsoid(c: GeomX, g: GeomX, margin: f32) {
    let a = c.z;
    let half = c.size.y;
    var best_sd = -3.4e38;
    var best_x = vec3<f32>(0.0);
    var best_p = vec3<f32>(0.0);
    var best_n = vec3<f32>(0.0, 0.0, 1.0);
    var found = false;
    for (var i = 0u; i < 2u; i++) {
        let sgn = select(-1.0, 1.0, i == 1u);
        let p = c.p + a * (sgn * half);
        let pe = point_ellipsoid(g, p);
        // valid when this end lies no higher along n than the other end
        if (sgn * half * dot(a, pe.n) <= 1e-6 * half && pe.sd > best_sd) {
            best_sd = pe.sd;
            best_x = pe.x;
            best_p = p;
            best_n = pe.n;
            found = true;
        }
    }
    let n = shadow_normal(g, a, c.p);
    let x = support_ellipsoid(g, n);
    let t = dot(x - c.p, a);
    if (abs(t) <= half) {
        let p = c.p + a * t;
        let sd = dot(p - x, n);
        if (!found || sd > best_sd) {
            best_sd = sd;
            best_x = x;
            best_p = p;
            best_n = n;
        }
    }
    let dist = best_sd - c.size.x;
    if (dist > margin) {
        return;
    }
    let normal = -best_n;
    emit(dist, 0.5 * (best_x + best_p + normal * c.size.x), normal, vec3<f32>(0.0));
}

// Ellipsoid against ellipsoid: minimise h₁(n) + h₂(−n) over unit n (the support function of the
// Minkowski difference; smooth and strictly convex) by Newton steps on the sphere from the
// centre-to-centre direction. The minimum is minus the signed distance.
fn ellipsoid_ellipsoid(g1: GeomX, g2: GeomX, margin: f32) {
    var n = normalize3(g2.p - g1.p);
    for (var it = 0u; it < 20u; it++) {
        let m1 = shape_mul(g1, n);
        let m2 = shape_mul(g2, n);
        let s1 = sqrt(max(dot(n, m1), MINVAL));
        let s2 = sqrt(max(dot(n, m2), MINVAL));
        let grad = m1 / s1 + m2 / s2 + g1.p - g2.p;
        let gn = dot(grad, n);
        let u = normalize3(cross(n, select(vec3<f32>(0.0, 0.0, 1.0), vec3<f32>(1.0, 0.0, 0.0), abs(n.x) < 0.9)));
        let v = cross(n, u);
        let gu = dot(grad, u);
        let gv = dot(grad, v);
        // Riemannian Hessian on the tangent plane: Σ (M/s − (Mn)(Mn)ᵀ/s³) − (∇·n) I
        let huu = dot(u, shape_mul(g1, u)) / s1 - dot(u, m1) * dot(u, m1) / (s1 * s1 * s1)
                + dot(u, shape_mul(g2, u)) / s2 - dot(u, m2) * dot(u, m2) / (s2 * s2 * s2) - gn;
        let huv = dot(u, shape_mul(g1, v)) / s1 - dot(u, m1) * dot(v, m1) / (s1 * s1 * s1)
                + dot(u, shape_mul(g2, v)) / s2 - dot(u, m2) * dot(v, m2) / (s2 * s2 * s2);
        let hvv = dot(v, shape_mul(g1, v)) / s1 - dot(v, m1) * dot(v, m1) / (s1 * s1 * s1)
                + dot(v, shape_mul(g2, v)) / s2 - dot(v, m2) * dot(v, m2) / (s2 * s2 * s2) - gn;
        let det = huu * hvv - huv * huv;
        var step = vec2<f32>(0.0);
        if (huu > 0.0 && det > 0.0) {
            step = vec2<f32>(-(hvv * gu - huv * gv), -(huu * gv - huv * gu)) / det;
        } else {
            // not locally convex here (deep overlap): a gradient step at the curvature's scale
            step = -vec2<f32>(gu, gv) / max(abs(huu) + abs(hvv) + abs(gn), MINVAL);
        }
        let len = length(step);
        if (len > 0.5) {
            step = step * (0.5 / len);
        }
        n = normalize3(n + u * step.x + v * step.y);
        if (len < 1e-7) {
            break;
        }
    }
    let x1 = support_ellipsoid(g1, n);
    let x2 = support_ellipsoid(g2, -n);
    let dist = dot(x2 - x1, n);
    if (dist > margin) {
        return;
    }
    emit(dist, 0.5 * (x1 + x2), n, vec3<f32>(0.0));
}
