//! Tendon wrapping around spheres and cylinders (MuJoCo 4.0's rules), in f64.
//!
//! The path between two sites either clears the wrap geom (straight) or follows the two tangent
//! lines and an arc in the plane of the wrap. A sidesite picks the side: 4.0 takes the path
//! homotopic to the polyline end0 → side → end1 (its winding angle around the centre decides the
//! orientation, and the straight segment is used only if it winds the same way and clears the
//! circle). A sidesite inside the geom selects the "inside" wrap.

use crate::math::{self, MINVAL, Mat3, Vec3};

type V2 = [f64; 2];

fn dot2(a: V2, b: V2) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

/// Signed angle swept from p to q around the origin, in (-π, π].
fn winding(p: V2, q: V2) -> f64 {
    (p[0] * q[1] - p[1] * q[0]).atan2(dot2(p, q))
}

fn div(a: f64, b: f64) -> f64 {
    a / if b.abs() < MINVAL { MINVAL.copysign(b) } else { b }
}

/// Do segments p1–p2 and p3–p4 cross?
fn segments_intersect(p1: V2, p2: V2, p3: V2, p4: V2) -> bool {
    let u = [p2[0] - p1[0], p2[1] - p1[1]];
    let v = [p4[0] - p3[0], p4[1] - p3[1]];
    let det = v[1] * u[0] - v[0] * u[1];
    if det.abs() < MINVAL {
        return false;
    }
    let w = [p1[0] - p3[0], p1[1] - p3[1]];
    let a = (v[0] * w[1] - v[1] * w[0]) / det;
    let b = (u[0] * w[1] - u[1] * w[0]) / det;
    (0.0..=1.0).contains(&a) && (0.0..=1.0).contains(&b)
}

/// Arc length from p0 to p1 on a circle of `radius`, the long way round when `ind` says so.
fn arc_length(p0: V2, p1: V2, ind: bool, radius: f64) -> f64 {
    let cross = p0[1] * p1[0] - p0[0] * p1[1];
    let mut angle = cross.abs().atan2(dot2(p0, p1));
    if (cross > 0.0 && ind) || (cross < 0.0 && !ind) {
        angle = 2.0 * std::f64::consts::PI - angle;
    }
    radius * angle
}

/// 2D wrap of the segment end0–end1 around a circle at the origin. Returns the arc length and the
/// two tangent points, or `None` when the segment goes straight.
fn wrap_circle(end0: V2, end1: V2, side: Option<V2>, radius: f64) -> Option<(f64, V2, V2)> {
    let (sq0, sq1, sqr) = (dot2(end0, end0), dot2(end1, end1), radius * radius);
    if sq0 < sqr || sq1 < sqr || radius < MINVAL {
        return None;
    }
    let dif = [end1[0] - end0[0], end1[1] - end0[1]];
    let dd = dot2(dif, dif);
    if dd < MINVAL {
        return None;
    }
    let a = (-dot2(dif, end0) / dd).clamp(0.0, 1.0);
    let near = [a * dif[0] + end0[0], a * dif[1] + end0[1]];
    let clear = dot2(near, near) > sqr;
    let wside = side.map(|s| winding(end0, s) + winding(s, end1));
    match wside {
        Some(w) if clear && (w - winding(end0, end1)).abs() < std::f64::consts::PI => return None,
        None if clear => return None,
        _ => {}
    }
    let (s0, s1) = ((sq0 - sqr).sqrt(), (sq1 - sqr).sqrt());
    let sol00 =
        [div(end0[0] * sqr + radius * end0[1] * s0, sq0), div(end0[1] * sqr - radius * end0[0] * s0, sq0)];
    let sol01 =
        [div(end1[0] * sqr - radius * end1[1] * s1, sq1), div(end1[1] * sqr + radius * end1[0] * s1, sq1)];
    let sol10 =
        [div(end0[0] * sqr - radius * end0[1] * s0, sq0), div(end0[1] * sqr + radius * end0[0] * s0, sq0)];
    let sol11 =
        [div(end1[0] * sqr + radius * end1[1] * s1, sq1), div(end1[1] * sqr - radius * end1[0] * s1, sq1)];
    let d0 = [sol00[0] - sol01[0], sol00[1] - sol01[1]];
    let d1 = [sol10[0] - sol11[0], sol10[1] - sol11[1]];
    let x0 = segments_intersect(end0, sol00, end1, sol01);
    let x1 = segments_intersect(end0, sol10, end1, sol11);
    let good0 = if x0 { -10000.0 } else { -dot2(d0, d0) };
    let good1 = if x1 { -10000.0 } else { -dot2(d1, d1) };
    let ind = match wside {
        Some(w) => w > 0.0,
        None => good0 <= good1,
    };
    let (p0, p1, crossing) = if ind { (sol10, sol11, x1) } else { (sol00, sol01, x0) };
    if crossing {
        return None;
    }
    let len = match wside {
        Some(w) => radius * (w - winding(end0, p0) - winding(p1, end1)).abs(),
        None => arc_length(p0, p1, ind, radius),
    };
    Some((len, p0, p1))
}

/// 2D "inside" wrap (sidesite inside the geom): the single contact point where the path touches
/// the circle, found by Newton's method. Returns (0, point, point) or `None`.
fn wrap_inside(end0: V2, end1: V2, radius: f64) -> Option<(f64, V2, V2)> {
    let (len0, len1) = (dot2(end0, end0).sqrt(), dot2(end1, end1).sqrt());
    let dif = [end1[0] - end0[0], end1[1] - end0[1]];
    let dd = dot2(dif, dif);
    if len0 <= radius || len1 <= radius || radius < MINVAL || len0 < MINVAL || len1 < MINVAL {
        return None;
    }
    if dd > MINVAL {
        let a = -dot2(dif, end0) / dd;
        if a > 0.0 && a < 1.0 {
            let t = [end0[0] + a * dif[0], end0[1] + a * dif[1]];
            if dot2(t, t).sqrt() <= radius {
                return None;
            }
        }
    }
    let mut mid = [0.5 * (end0[0] + end1[0]), 0.5 * (end0[1] + end1[1])];
    let n = dot2(mid, mid).sqrt();
    if n > MINVAL {
        mid = [mid[0] / n * radius, mid[1] / n * radius];
    }
    let fallback = Some((0.0, mid, mid));
    let (a, b) = (div(radius, len0), div(radius, len1));
    let cos_g = div(len0 * len0 + len1 * len1 - dd, 2.0 * len0 * len1);
    if cos_g < -1.0 + MINVAL {
        return None;
    }
    if cos_g > 1.0 - MINVAL {
        return fallback;
    }
    let g = cos_g.acos();
    let mut phi = std::f64::consts::FRAC_PI_2;
    let mut z = 1.0f64;
    let (mut asin_a, mut asin_b) = (a.asin(), b.asin());
    let mut f = asin_a + asin_b - std::f64::consts::PI + g;
    if f > 0.0 {
        return fallback;
    }
    let mut iter = 0;
    while iter < 20 && f.abs() > 1e-6 {
        let zz = z * z;
        let df = phi.cos()
            * (a / (1.0 - zz * a * a).sqrt().max(MINVAL) + b / (1.0 - zz * b * b).sqrt().max(MINVAL))
            - 2.0;
        if df > -MINVAL {
            return fallback;
        }
        let phi1 = phi - div(f, df);
        if phi1 > phi {
            return fallback;
        }
        phi = phi1;
        z = phi.sin();
        asin_a = (a * z).asin();
        asin_b = (b * z).asin();
        f = asin_a + asin_b - 2.0 * phi + g;
        if f > 1e-6 {
            return fallback;
        }
        iter += 1;
    }
    if iter >= 20 {
        return fallback;
    }
    let (vec, ang) =
        if end0[0] * end1[1] - end0[1] * end1[0] > 0.0 { (end0, phi - asin_a) } else { (end1, phi - asin_b) };
    let n = dot2(vec, vec).sqrt();
    let v = [vec[0] / n, vec[1] / n];
    let p = [radius * (ang.cos() * v[0] - ang.sin() * v[1]), radius * (ang.sin() * v[0] + ang.cos() * v[1])];
    Some((0.0, p, p))
}

/// Wrap the segment x0–x1 (world) around a sphere (`cylinder` false) or a cylinder whose frame is
/// (`pos`, `mat`) and radius `radius`; `side` is the sidesite position, if any. Returns the length
/// along the geom and the two world wrap points, or `None` when the segment goes straight.
pub fn wrap(
    x0: Vec3,
    x1: Vec3,
    pos: Vec3,
    mat: &Mat3,
    radius: f64,
    cylinder: bool,
    side: Option<Vec3>,
) -> Option<(f64, Vec3, Vec3)> {
    let to_local = |x: Vec3| {
        let d = math::sub3(x, pos);
        [
            mat[0] * d[0] + mat[3] * d[1] + mat[6] * d[2],
            mat[1] * d[0] + mat[4] * d[1] + mat[7] * d[2],
            mat[2] * d[0] + mat[5] * d[1] + mat[8] * d[2],
        ]
    };
    let (p0, p1) = (to_local(x0), to_local(x1));
    if math::norm3(p0) < MINVAL || math::norm3(p1) < MINVAL {
        return None;
    }
    let (axis0, axis1) = if cylinder {
        ([1.0, 0.0, 0.0], [0.0, 1.0, 0.0])
    } else {
        let mut a0 = p0;
        math::normalize3(&mut a0);
        let mut normal = math::cross3(p0, p1);
        if math::normalize3(&mut normal) < MINVAL {
            // p0, p1 parallel: any plane through them.
            let abs = a0.map(f64::abs);
            let i = if abs[1] > abs[0] && abs[1] > abs[2] {
                1
            } else if abs[2] > abs[0] && abs[2] > abs[1] {
                2
            } else {
                0
            };
            let mut a1 = [1.0; 3];
            a1[i] = 0.0;
            normal = math::cross3(a0, a1);
            math::normalize3(&mut normal);
        }
        let mut a1 = math::cross3(normal, a0);
        math::normalize3(&mut a1);
        (a0, a1)
    };
    let proj = |p: Vec3| [math::dot3(p, axis0), math::dot3(p, axis1)];
    let (e0, e1) = (proj(p0), proj(p1));
    let side_local = side.map(to_local);
    let result = match side_local {
        Some(s) if math::norm3(s) < radius => wrap_inside(e0, e1, radius),
        Some(s) => {
            let mut sp = proj(s);
            let n = dot2(sp, sp).sqrt();
            sp = if n < MINVAL { [radius, 0.0] } else { [sp[0] / n * radius, sp[1] / n * radius] };
            wrap_circle(e0, e1, Some(sp), radius)
        }
        None => wrap_circle(e0, e1, None, radius),
    };
    let (mut wlen, q0, q1) = result?;
    let mut r0 = math::add3(math::scale3(axis0, q0[0]), math::scale3(axis1, q0[1]));
    let mut r1 = math::add3(math::scale3(axis0, q1[0]), math::scale3(axis1, q1[1]));
    if cylinder {
        let l0 = ((p0[0] - r0[0]).powi(2) + (p0[1] - r0[1]).powi(2)).sqrt();
        let l1 = ((p1[0] - r1[0]).powi(2) + (p1[1] - r1[1]).powi(2)).sqrt();
        r0[2] = p0[2] + (p1[2] - p0[2]) * div(l0, l0 + wlen + l1);
        r1[2] = p0[2] + (p1[2] - p0[2]) * div(l0 + wlen, l0 + wlen + l1);
        let h = (r1[2] - r0[2]).abs();
        wlen = (wlen * wlen + h * h).sqrt();
    }
    let to_world = |r: Vec3| math::add3(math::mul_mat_vec3(mat, r), pos);
    Some((wlen, to_world(r0), to_world(r1)))
}
