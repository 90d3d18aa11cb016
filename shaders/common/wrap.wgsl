// Tendon wrapping around spheres and cylinders (MuJoCo 4.0's rules), f32. Port of
// src/reference/wrap.rs, which documents the geometry. A result with len < 0 means: no wrap.

struct WrapResult {
    len: f32,
    p0: vec3<f32>,
    p1: vec3<f32>,
}

struct Wrap2 {
    len: f32,
    p0: vec2<f32>,
    p1: vec2<f32>,
}

const PI: f32 = 3.14159265358979;

fn no_wrap2() -> Wrap2 {
    return Wrap2(-1.0, vec2<f32>(0.0), vec2<f32>(0.0));
}

fn safe_div(a: f32, b: f32) -> f32 {
    if (abs(b) < MINVAL) {
        return a / select(-MINVAL, MINVAL, b >= 0.0);
    }
    return a / b;
}

fn winding(p: vec2<f32>, q: vec2<f32>) -> f32 {
    return atan2(p.x * q.y - p.y * q.x, dot(p, q));
}

fn segments_intersect(p1: vec2<f32>, p2: vec2<f32>, p3: vec2<f32>, p4: vec2<f32>) -> bool {
    let u = p2 - p1;
    let v = p4 - p3;
    let det = v.y * u.x - v.x * u.y;
    if (abs(det) < MINVAL) {
        return false;
    }
    let w = p1 - p3;
    let a = (v.x * w.y - v.y * w.x) / det;
    let b = (u.x * w.y - u.y * w.x) / det;
    return a >= 0.0 && a <= 1.0 && b >= 0.0 && b <= 1.0;
}

fn arc_length(p0: vec2<f32>, p1: vec2<f32>, ind: bool, radius: f32) -> f32 {
    let c = p0.y * p1.x - p0.x * p1.y;
    var angle = atan2(abs(c), dot(p0, p1));
    // In f32, skip the flip at wrap onset (angle ~ 0) where it would give a full circle.
    if (angle > 1e-6 && ((c > 0.0 && ind) || (c < 0.0 && !ind))) {
        angle = 2.0 * PI - angle;
    }
    return radius * angle;
}

fn wrap_circle(e0: vec2<f32>, e1: vec2<f32>, has_side: bool, side: vec2<f32>, radius: f32) -> Wrap2 {
    let sq0 = dot(e0, e0);
    let sq1 = dot(e1, e1);
    let sqr = radius * radius;
    if (sq0 < sqr || sq1 < sqr || radius < MINVAL) {
        return no_wrap2();
    }
    let dif = e1 - e0;
    let dd = dot(dif, dif);
    if (dd < MINVAL) {
        return no_wrap2();
    }
    let a = clamp(-dot(dif, e0) / dd, 0.0, 1.0);
    let near = a * dif + e0;
    let clear = dot(near, near) > sqr;
    var wside = 0.0;
    if (has_side) {
        wside = winding(e0, side) + winding(side, e1);
        if (clear && abs(wside - winding(e0, e1)) < PI) {
            return no_wrap2();
        }
    } else if (clear) {
        return no_wrap2();
    }
    let s0 = sqrt(sq0 - sqr);
    let s1 = sqrt(sq1 - sqr);
    let sol00 = vec2<f32>(safe_div(e0.x * sqr + radius * e0.y * s0, sq0), safe_div(e0.y * sqr - radius * e0.x * s0, sq0));
    let sol01 = vec2<f32>(safe_div(e1.x * sqr - radius * e1.y * s1, sq1), safe_div(e1.y * sqr + radius * e1.x * s1, sq1));
    let sol10 = vec2<f32>(safe_div(e0.x * sqr - radius * e0.y * s0, sq0), safe_div(e0.y * sqr + radius * e0.x * s0, sq0));
    let sol11 = vec2<f32>(safe_div(e1.x * sqr + radius * e1.y * s1, sq1), safe_div(e1.y * sqr - radius * e1.x * s1, sq1));
    let x0 = segments_intersect(e0, sol00, e1, sol01);
    let x1 = segments_intersect(e0, sol10, e1, sol11);
    let d0 = sol00 - sol01;
    let d1 = sol10 - sol11;
    let good0 = select(-dot(d0, d0), -10000.0, x0);
    let good1 = select(-dot(d1, d1), -10000.0, x1);
    var ind = good0 <= good1;
    if (has_side) {
        ind = wside > 0.0;
    }
    var p0 = sol00;
    var p1 = sol01;
    var crossing = x0;
    if (ind) {
        p0 = sol10;
        p1 = sol11;
        crossing = x1;
    }
    if (crossing) {
        return no_wrap2();
    }
    if (has_side) {
        return Wrap2(radius * abs(wside - winding(e0, p0) - winding(p1, e1)), p0, p1);
    }
    return Wrap2(arc_length(p0, p1, ind, radius), p0, p1);
}

fn wrap_inside(e0: vec2<f32>, e1: vec2<f32>, radius: f32) -> Wrap2 {
    let len0 = length(e0);
    let len1 = length(e1);
    let dif = e1 - e0;
    let dd = dot(dif, dif);
    if (len0 <= radius || len1 <= radius || radius < MINVAL || len0 < MINVAL || len1 < MINVAL) {
        return no_wrap2();
    }
    if (dd > MINVAL) {
        let a = -dot(dif, e0) / dd;
        if (a > 0.0 && a < 1.0 && length(e0 + a * dif) <= radius) {
            return no_wrap2();
        }
    }
    var mid = 0.5 * (e0 + e1);
    let n = length(mid);
    if (n > MINVAL) {
        mid = mid / n * radius;
    }
    let fallback = Wrap2(0.0, mid, mid);
    let a = safe_div(radius, len0);
    let b = safe_div(radius, len1);
    let cos_g = safe_div(len0 * len0 + len1 * len1 - dd, 2.0 * len0 * len1);
    if (cos_g < -1.0 + MINVAL) {
        return no_wrap2();
    }
    if (cos_g > 1.0 - MINVAL) {
        return fallback;
    }
    let g = acos(cos_g);
    var phi = 0.5 * PI;
    var z = 1.0;
    var asin_a = asin(a);
    var asin_b = asin(b);
    var f = asin_a + asin_b - PI + g;
    if (f > 0.0) {
        return fallback;
    }
    var iter = 0;
    while (iter < 20 && abs(f) > 1e-6) {
        let zz = z * z;
        let df = cos(phi) * (a / max(MINVAL, sqrt(1.0 - zz * a * a)) + b / max(MINVAL, sqrt(1.0 - zz * b * b))) - 2.0;
        if (df > -MINVAL) {
            return fallback;
        }
        let phi1 = phi - safe_div(f, df);
        if (phi1 > phi) {
            return fallback;
        }
        phi = phi1;
        z = sin(phi);
        asin_a = asin(a * z);
        asin_b = asin(b * z);
        f = asin_a + asin_b - 2.0 * phi + g;
        if (f > 1e-6) {
            return fallback;
        }
        iter += 1;
    }
    if (iter >= 20) {
        return fallback;
    }
    var v = e1;
    var ang = phi - asin_b;
    if (e0.x * e1.y - e0.y * e1.x > 0.0) {
        v = e0;
        ang = phi - asin_a;
    }
    v = normalize(v);
    let p = radius * vec2<f32>(cos(ang) * v.x - sin(ang) * v.y, sin(ang) * v.x + cos(ang) * v.y);
    return Wrap2(0.0, p, p);
}

// Wrap x0–x1 around a sphere or cylinder at (pos, quat) of `radius`; `has_side` with `side`.
fn wrap_geom(x0: vec3<f32>, x1: vec3<f32>, pos: vec3<f32>, quat: vec4<f32>, radius: f32, cylinder: bool,
             has_side: bool, side: vec3<f32>) -> WrapResult {
    let qinv = vec4<f32>(quat.x, -quat.yzw);
    let p0 = quat_rot(qinv, x0 - pos);
    let p1 = quat_rot(qinv, x1 - pos);
    let none = WrapResult(-1.0, vec3<f32>(0.0), vec3<f32>(0.0));
    if (length(p0) < MINVAL || length(p1) < MINVAL) {
        return none;
    }
    var axis0 = vec3<f32>(1.0, 0.0, 0.0);
    var axis1 = vec3<f32>(0.0, 1.0, 0.0);
    if (!cylinder) {
        axis0 = normalize(p0);
        var normal = cross(p0, p1);
        if (length(normal) < MINVAL) {
            let ab = abs(axis0);
            var a1 = vec3<f32>(1.0);
            if (ab.y > ab.x && ab.y > ab.z) {
                a1.y = 0.0;
            } else if (ab.z > ab.x && ab.z > ab.y) {
                a1.z = 0.0;
            } else {
                a1.x = 0.0;
            }
            normal = cross(axis0, a1);
        }
        normal = normalize(normal);
        axis1 = normalize(cross(normal, axis0));
    }
    let e0 = vec2<f32>(dot(p0, axis0), dot(p0, axis1));
    let e1 = vec2<f32>(dot(p1, axis0), dot(p1, axis1));
    var r: Wrap2;
    if (has_side) {
        let s = quat_rot(qinv, side - pos);
        if (length(s) < radius) {
            r = wrap_inside(e0, e1, radius);
        } else {
            var sp = vec2<f32>(dot(s, axis0), dot(s, axis1));
            let n = length(sp);
            if (n < MINVAL) {
                sp = vec2<f32>(radius, 0.0);
            } else {
                sp = sp / n * radius;
            }
            r = wrap_circle(e0, e1, true, sp, radius);
        }
    } else {
        r = wrap_circle(e0, e1, false, vec2<f32>(0.0), radius);
    }
    if (r.len < 0.0) {
        return none;
    }
    var r0 = axis0 * r.p0.x + axis1 * r.p0.y;
    var r1 = axis0 * r.p1.x + axis1 * r.p1.y;
    var wlen = r.len;
    if (cylinder) {
        let l0 = length(p0.xy - r0.xy);
        let l1 = length(p1.xy - r1.xy);
        r0.z = p0.z + (p1.z - p0.z) * safe_div(l0, l0 + wlen + l1);
        r1.z = p0.z + (p1.z - p0.z) * safe_div(l0 + wlen, l0 + wlen + l1);
        let h = abs(r1.z - r0.z);
        wlen = sqrt(wlen * wlen + h * h);
    }
    return WrapResult(wlen, quat_rot(quat, r0) + pos, quat_rot(quat, r1) + pos);
}
