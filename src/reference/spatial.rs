//! 6D spatial algebra in MuJoCo's convention: motion and force vectors are [angular; linear],
//! expressed in world orientation at a body tree's "com frame" origin (its root's subtree com).

use crate::math::{self, Vec3};

/// A spatial vector: [angular (3); linear (3)].
pub type Spatial = [f64; 6];

fn ang(v: &Spatial) -> Vec3 {
    [v[0], v[1], v[2]]
}
fn lin(v: &Spatial) -> Vec3 {
    [v[3], v[4], v[5]]
}
fn join(a: Vec3, l: Vec3) -> Spatial {
    [a[0], a[1], a[2], l[0], l[1], l[2]]
}

/// Motion cross product v ×ₘ u (how motion u changes when carried by velocity v).
pub fn cross_motion(v: &Spatial, u: &Spatial) -> Spatial {
    let (w, vl) = (ang(v), lin(v));
    join(math::cross3(w, ang(u)), math::add3(math::cross3(w, lin(u)), math::cross3(vl, ang(u))))
}

/// Force cross product v ×f f.
pub fn cross_force(v: &Spatial, f: &Spatial) -> Spatial {
    let (w, vl) = (ang(v), lin(v));
    join(math::add3(math::cross3(w, ang(f)), math::cross3(vl, lin(f))), math::cross3(w, lin(f)))
}

/// v + s·u.
pub fn add_scaled(v: &Spatial, u: &Spatial, s: f64) -> Spatial {
    std::array::from_fn(|i| v[i] + s * u[i])
}

/// u · f (motion · force: power).
pub fn dot(u: &Spatial, f: &Spatial) -> f64 {
    (0..6).map(|i| u[i] * f[i]).sum()
}

/// A rigid body's inertia about the com-frame origin: mass, offset `d` of its centre of mass from
/// that origin, and rotational inertia about its centre of mass (world orientation, row-major).
#[derive(Debug, Clone, Copy)]
pub struct SpatialInertia {
    /// Mass.
    pub mass: f64,
    /// Centre of mass minus the frame origin.
    pub d: Vec3,
    /// Inertia about the centre of mass, world axes.
    pub icom: math::Mat3,
}

impl SpatialInertia {
    /// Momentum of motion v: [I_c ω + d × m(v + ω × d); m(v + ω × d)].
    pub fn mul(&self, v: &Spatial) -> Spatial {
        let w = ang(v);
        let vc = math::add3(lin(v), math::cross3(w, self.d));
        let p = math::scale3(vc, self.mass);
        join(math::add3(math::mul_mat_vec3(&self.icom, w), math::cross3(self.d, p)), p)
    }
}
