//! Small f64 spatial math in MuJoCo's conventions: quaternions (w, x, y, z), row-major 3×3 matrices.

/// Minimum value used to guard divisions (MuJoCo's `mjMINVAL`).
pub const MINVAL: f64 = 1e-15;

/// 3-vector.
pub type Vec3 = [f64; 3];
/// Quaternion (w, x, y, z).
pub type Quat = [f64; 4];
/// Row-major 3×3 matrix.
pub type Mat3 = [f64; 9];

/// Identity quaternion.
pub const QUAT_IDENTITY: Quat = [1.0, 0.0, 0.0, 0.0];

/// a + b.
pub fn add3(a: Vec3, b: Vec3) -> Vec3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}
/// a - b.
pub fn sub3(a: Vec3, b: Vec3) -> Vec3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
/// s · a.
pub fn scale3(a: Vec3, s: f64) -> Vec3 {
    [a[0] * s, a[1] * s, a[2] * s]
}
/// a · b.
pub fn dot3(a: Vec3, b: Vec3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
/// a × b.
pub fn cross3(a: Vec3, b: Vec3) -> Vec3 {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}
/// |a|.
pub fn norm3(a: Vec3) -> f64 {
    dot3(a, a).sqrt()
}
/// Normalise `a` in place; returns its original norm. Below MINVAL it becomes (1, 0, 0).
pub fn normalize3(a: &mut Vec3) -> f64 {
    let n = norm3(*a);
    if n < MINVAL {
        *a = [1.0, 0.0, 0.0];
    } else {
        *a = scale3(*a, 1.0 / n);
    }
    n
}

/// Normalise `q` in place; returns its original norm. Below MINVAL it becomes the identity.
pub fn normalize4(q: &mut Quat) -> f64 {
    let n = (q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]).sqrt();
    if n < MINVAL {
        *q = QUAT_IDENTITY;
    } else {
        for v in q.iter_mut() {
            *v /= n;
        }
    }
    n
}

/// Quaternion product a ⊗ b.
pub fn mul_quat(a: Quat, b: Quat) -> Quat {
    [
        a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3],
        a[0] * b[1] + a[1] * b[0] + a[2] * b[3] - a[3] * b[2],
        a[0] * b[2] - a[1] * b[3] + a[2] * b[0] + a[3] * b[1],
        a[0] * b[3] + a[1] * b[2] - a[2] * b[1] + a[3] * b[0],
    ]
}

/// Conjugate (inverse of a unit quaternion).
pub fn neg_quat(q: Quat) -> Quat {
    [q[0], -q[1], -q[2], -q[3]]
}

/// Rotate v by unit quaternion q.
pub fn rot_vec_quat(v: Vec3, q: Quat) -> Vec3 {
    mul_mat_vec3(&quat2mat(q), v)
}

/// Rotation matrix of a unit quaternion (exactly the identity for (1, 0, 0, 0)).
pub fn quat2mat(q: Quat) -> Mat3 {
    if q == QUAT_IDENTITY {
        return [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
    }
    let (w, x, y, z) = (q[0], q[1], q[2], q[3]);
    let (ww, xx, yy, zz) = (w * w, x * x, y * y, z * z);
    [
        ww + xx - yy - zz,
        2.0 * (x * y - w * z),
        2.0 * (x * z + w * y),
        2.0 * (x * y + w * z),
        ww - xx + yy - zz,
        2.0 * (y * z - w * x),
        2.0 * (x * z - w * y),
        2.0 * (y * z + w * x),
        ww - xx - yy + zz,
    ]
}

/// m · v.
pub fn mul_mat_vec3(m: &Mat3, v: Vec3) -> Vec3 {
    [
        m[0] * v[0] + m[1] * v[1] + m[2] * v[2],
        m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
        m[6] * v[0] + m[7] * v[1] + m[8] * v[2],
    ]
}

/// a · b (3×3).
pub fn mul_mat3(a: &Mat3, b: &Mat3) -> Mat3 {
    let mut r = [0.0; 9];
    for i in 0..3 {
        for j in 0..3 {
            r[3 * i + j] = (0..3).map(|k| a[3 * i + k] * b[3 * k + j]).sum();
        }
    }
    r
}

/// aᵀ · b (3×3).
pub fn mul_mat_t_mat3(a: &Mat3, b: &Mat3) -> Mat3 {
    let mut r = [0.0; 9];
    for i in 0..3 {
        for j in 0..3 {
            r[3 * i + j] = (0..3).map(|k| a[3 * k + i] * b[3 * k + j]).sum();
        }
    }
    r
}

/// Quaternion for a rotation of `angle` radians about `axis` (normalised here).
pub fn axis_angle2quat(axis: Vec3, angle: f64) -> Quat {
    let mut a = axis;
    normalize3(&mut a);
    let s = (angle * 0.5).sin();
    [(angle * 0.5).cos(), a[0] * s, a[1] * s, a[2] * s]
}

/// Compose frames: (p1, q1) ∘ (p2, q2) = (p1 + q1·p2, q1 ⊗ q2).
pub fn compose(p1: Vec3, q1: Quat, p2: Vec3, q2: Quat) -> (Vec3, Quat) {
    (add3(p1, rot_vec_quat(p2, q1)), mul_quat(q1, q2))
}

/// MuJoCo's compiler epsilon (`mjEPS`).
pub const EPS: f64 = 1e-14;

/// The compiler's normalisation: returns the norm; leaves `v` untouched when its squared norm is
/// below [`EPS`] or its norm is within [`EPS`] of 1 (so nearly-unit input keeps its last bits).
pub fn normalize_compiler(v: &mut [f64]) -> f64 {
    let s: f64 = v.iter().map(|x| x * x).sum();
    if s < EPS {
        return 0.0;
    }
    let n = s.sqrt();
    if (n - 1.0).abs() > EPS {
        for x in v.iter_mut() {
            *x /= n;
        }
    }
    n
}

/// The compiler's quaternion product: a ⊗ b, normalised with [`normalize_compiler`].
pub fn mul_quat_compiler(a: Quat, b: Quat) -> Quat {
    let mut q = mul_quat(a, b);
    normalize_compiler(&mut q);
    q
}

/// The compiler's frame composition: (pos + R(quat)·cpos, quat ⊗ cquat normalised).
pub fn frame_accum(pos: Vec3, quat: Quat, cpos: Vec3, cquat: Quat) -> (Vec3, Quat) {
    (add3(pos, mul_mat_vec3(&quat2mat(quat), cpos)), mul_quat_compiler(quat, cquat))
}

/// The compiler's quaternion taking z to the unit vector `v` (used for `zaxis` and `fromto`;
/// differs from the engine's `mju_quatZ2Vec` in the antiparallel case).
pub fn z2quat_compiler(v: Vec3) -> Quat {
    let mut ax = [-v[1], v[0], 0.0];
    let s = normalize_compiler(&mut ax);
    if s < 1e-10 {
        ax = [1.0, 0.0, 0.0];
    }
    let h = s.atan2(v[2]) / 2.0;
    let sh = h.sin();
    [h.cos(), ax[0] * sh, ax[1] * sh, ax[2] * sh]
}

/// The compiler's quaternion of a right-handed frame given by its axes x, y, z (unit).
pub fn frame2quat(x: Vec3, y: Vec3, z: Vec3) -> Quat {
    let mut q = if x[0] + y[1] + z[2] > 0.0 {
        let w = 0.5 * (1.0 + x[0] + y[1] + z[2]).sqrt();
        [w, 0.25 * (y[2] - z[1]) / w, 0.25 * (z[0] - x[2]) / w, 0.25 * (x[1] - y[0]) / w]
    } else if x[0] > y[1] && x[0] > z[2] {
        let qx = 0.5 * (1.0 + x[0] - y[1] - z[2]).sqrt();
        [0.25 * (y[2] - z[1]) / qx, qx, 0.25 * (y[0] + x[1]) / qx, 0.25 * (z[0] + x[2]) / qx]
    } else if y[1] > z[2] {
        let qy = 0.5 * (1.0 - x[0] + y[1] - z[2]).sqrt();
        [0.25 * (z[0] - x[2]) / qy, 0.25 * (y[0] + x[1]) / qy, qy, 0.25 * (z[1] + y[2]) / qy]
    } else {
        let qz = 0.5 * (1.0 - x[0] - y[1] + z[2]).sqrt();
        [0.25 * (x[1] - y[0]) / qz, 0.25 * (z[0] + x[2]) / qz, 0.25 * (z[1] + y[2]) / qz, qz]
    };
    normalize_compiler(&mut q);
    q
}

/// Stopping tolerance (relative to the largest entry) MuJoCo 4's compiler uses for mesh principal
/// frames.
pub const EIG_TOL_MESH: f64 = 1e-7;
/// Stopping tolerance for body inertias (`fullinertia`, several geoms): run to convergence.
pub const EIG_TOL_BODY: f64 = 4e-15;

/// Eigen-decomposition of a symmetric 3×3 matrix by Jacobi rotations accumulated in a quaternion,
/// as MuJoCo 4.0's compiler does it: stop when the largest off-diagonal entry is below
/// `reltol`·max|M|, then sort the eigenvalues in decreasing order with 90° frame rotations.
/// Returns (eigenvalues, quaternion whose rotation matrix has the eigenvectors as columns).
pub fn eig3(mat: &Mat3, reltol: f64) -> (Vec3, Quat) {
    let tol = reltol * mat.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let mut quat = QUAT_IDENTITY;
    let mut eigval = [0.0; 3];
    for _ in 0..500 {
        let v = quat2mat(quat);
        let d = mul_mat3(&mul_mat_t_mat3(&v, mat), &v);
        eigval = [d[0], d[4], d[8]];
        let (rk, ck, rotk) = if d[1].abs() > d[2].abs() && d[1].abs() > d[5].abs() {
            (0, 1, 2)
        } else if d[2].abs() > d[5].abs() {
            (0, 2, 1)
        } else {
            (1, 2, 0)
        };
        let off = d[3 * rk + ck];
        if off.abs() < tol || off == 0.0 {
            break;
        }
        let tau = (d[4 * ck] - d[4 * rk]) / (2.0 * off);
        let t = if tau >= 0.0 {
            1.0 / (tau + (1.0 + tau * tau).sqrt())
        } else {
            -1.0 / (-tau + (1.0 + tau * tau).sqrt())
        };
        let cs = 1.0 / (1.0 + t * t).sqrt();
        // Half-angle without cancellation.
        let s = t * cs;
        let ch = (0.5 * (1.0 + cs)).sqrt();
        let sh = s / (2.0 * ch);
        let mut r = [ch, 0.0, 0.0, 0.0];
        r[rotk + 1] = if rotk == 1 { sh } else { -sh };
        normalize_compiler(&mut r);
        quat = mul_quat_compiler(quat, r);
        normalize_compiler(&mut quat);
    }
    // Sort decreasing with the bubble order 0,1,0, rotating the frame by 90° per swap.
    for j in 0..3 {
        let j1 = j % 2;
        if eigval[j1] < eigval[j1 + 1] {
            eigval.swap(j1, j1 + 1);
            let mut r = [0.707106781186548, 0.0, 0.0, 0.0];
            r[(j1 + 2) % 3 + 1] = r[0];
            quat = mul_quat_compiler(quat, r);
            normalize_compiler(&mut quat);
        }
    }
    (eigval, quat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eig3_reconstructs_matrix() {
        let m = [3.0, 0.5, 0.2, 0.5, 2.0, 0.1, 0.2, 0.1, 1.0];
        let (val, q) = eig3(&m, EIG_TOL_BODY);
        assert!(val[0] >= val[1] && val[1] >= val[2]);
        let v = quat2mat(q);
        let d = mul_mat3(&mul_mat_t_mat3(&v, &m), &v);
        for i in 0..3 {
            assert!((d[4 * i] - val[i]).abs() < 1e-12);
        }
        assert!(d[1].abs() < 1e-10 && d[2].abs() < 1e-10 && d[5].abs() < 1e-10);
    }
}
