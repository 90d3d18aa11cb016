//! Mass properties: each geom's volume and inertia, and a body's mass, centre of mass and
//! principal inertia (from `<inertial>` or from its geoms), as MuJoCo's compiler computes them.

use std::f64::consts::PI;

use super::attrs::TriState;
use super::mesh::MeshData;
use super::spec::{BodySpec, CompilerSpec, GeomSpec};
use crate::error::{Error, Result};
use crate::math::{self, Mat3, Quat, Vec3};
use crate::model::{GeomType, Model};

/// A body's compiled mass properties.
#[derive(Debug, Clone, Copy)]
pub struct BodyInertia {
    /// Mass.
    pub mass: f64,
    /// Centre of mass in the body frame.
    pub ipos: Vec3,
    /// Principal frame in the body frame.
    pub iquat: Quat,
    /// Principal moments.
    pub inertia: Vec3,
}

/// Reject sizes a geom type cannot have (zero radius etc.).
pub fn check_geom_size(g: &GeomSpec) -> Result<()> {
    let need = match g.kind {
        GeomType::Sphere => 1,
        GeomType::Capsule | GeomType::Cylinder => 2,
        GeomType::Ellipsoid | GeomType::Box => 3,
        _ => 0,
    };
    if g.size[..need].iter().any(|s| *s <= 0.0) {
        return Err(Error::mjcf(
            &g.loc,
            format!("geom '{}': size must be positive in its first {need} values, got {:?}", g.name, &g.size[..need]),
        ));
    }
    Ok(())
}

/// Volume and principal inertia per unit density of a primitive or mesh geom, in the geom frame.
fn unit_density_props(kind: GeomType, size: [f64; 3], mesh: Option<&MeshData>) -> (f64, Vec3) {
    let [a, b, c] = size;
    match kind {
        GeomType::Sphere => {
            let v = 4.0 / 3.0 * PI * a * a * a;
            let i = 0.4 * v * a * a;
            (v, [i, i, i])
        }
        GeomType::Capsule => {
            let (r, h) = (a, 2.0 * b);
            let v = PI * r * r * h + 4.0 / 3.0 * PI * r * r * r;
            let sphere = v * 4.0 * r / (4.0 * r + 3.0 * h);
            let cyl = v - sphere;
            let mut ixx = cyl * (3.0 * r * r + h * h) / 12.0;
            let mut izz = cyl * r * r / 2.0;
            let si = 2.0 * sphere * r * r / 5.0;
            ixx += si + sphere * h * (3.0 * r + 2.0 * h) / 8.0;
            izz += si;
            (v, [ixx, ixx, izz])
        }
        GeomType::Cylinder => {
            let (r, h) = (a, 2.0 * b);
            let v = PI * r * r * h;
            (v, [v * (3.0 * r * r + h * h) / 12.0, v * (3.0 * r * r + h * h) / 12.0, v * r * r / 2.0])
        }
        GeomType::Ellipsoid => {
            let v = 4.0 / 3.0 * PI * a * b * c;
            (v, [v * (b * b + c * c) / 5.0, v * (a * a + c * c) / 5.0, v * (a * a + b * b) / 5.0])
        }
        GeomType::Box => {
            let v = 8.0 * a * b * c;
            (v, [v * (b * b + c * c) / 3.0, v * (a * a + c * c) / 3.0, v * (a * a + b * b) / 3.0])
        }
        GeomType::Mesh => {
            let md = mesh.expect("mesh geom has mesh data");
            (md.volume, md.inertia)
        }
        GeomType::Plane | GeomType::Hfield => (0.0, [0.0; 3]),
    }
}

/// Mass properties of body `id` (whose geoms are already in `m`).
pub fn body_inertia(b: &BodySpec, id: usize, m: &Model, meshes: &[MeshData], cs: &CompilerSpec) -> Result<BodyInertia> {
    let zero = BodyInertia { mass: 0.0, ipos: [0.0; 3], iquat: math::QUAT_IDENTITY, inertia: [0.0; 3] };
    if id == 0 {
        return Ok(zero);
    }
    let from_geoms = match cs.inertiafromgeom {
        TriState::True => true,
        TriState::False => false,
        TriState::Auto => b.inertial.is_none(),
    };
    let mut out = if from_geoms {
        from_body_geoms(b, id, m, meshes, cs)?
    } else if let Some(inr) = &b.inertial {
        if let Some(d) = inr.diaginertia {
            BodyInertia { mass: inr.mass, ipos: inr.pos, iquat: inr.quat, inertia: d }
        } else {
            let f = inr.fullinertia.expect("parser requires one of diag/full inertia");
            let full = [f[0], f[3], f[4], f[3], f[1], f[5], f[4], f[5], f[2]];
            let (val, q) = math::eig3(&full);
            if val[2] <= 0.0 {
                return Err(Error::mjcf(&inr.loc, format!("body '{}': fullinertia must be positive-definite", b.name)));
            }
            BodyInertia { mass: inr.mass, ipos: inr.pos, iquat: q, inertia: val }
        }
    } else {
        zero
    };
    if let Some(inr) = &b.inertial
        && !from_geoms
    {
        let i = out.inertia;
        if inr.mass < 0.0 || i.iter().any(|v| *v < 0.0) {
            return Err(Error::mjcf(&inr.loc, format!("body '{}': mass and inertia cannot be negative", b.name)));
        }
        if i[0] + i[1] < i[2] || i[0] + i[2] < i[1] || i[1] + i[2] < i[0] {
            if !cs.balanceinertia {
                return Err(Error::mjcf(&inr.loc, format!(
                    "body '{}': inertia must satisfy A + B >= C (set compiler balanceinertia)", b.name)));
            }
        }
    }
    // Compiler bounds and balancing (MuJoCo applies them after inertia is known).
    if out.mass < cs.boundmass {
        out.mass = cs.boundmass;
    }
    for v in out.inertia.iter_mut() {
        if *v < cs.boundinertia {
            *v = cs.boundinertia;
        }
    }
    if cs.balanceinertia {
        let i = out.inertia;
        if i[0] + i[1] < i[2] || i[0] + i[2] < i[1] || i[1] + i[2] < i[0] {
            let mean = (i[0] + i[1] + i[2]) / 3.0;
            out.inertia = [mean; 3];
        }
    }
    Ok(out)
}

fn from_body_geoms(b: &BodySpec, id: usize, m: &Model, meshes: &[MeshData], cs: &CompilerSpec) -> Result<BodyInertia> {
    let adr = m.body_geomadr[id];
    let mut parts: Vec<(f64, Vec3, Quat, Vec3)> = Vec::new();
    for (k, g) in b.geoms.iter().enumerate() {
        let gid = adr + k;
        if g.group < cs.inertiagrouprange[0] || g.group > cs.inertiagrouprange[1] {
            continue;
        }
        if matches!(g.kind, GeomType::Plane | GeomType::Hfield) {
            continue;
        }
        let mesh = m.geom_dataid[gid].map(|i| &meshes[i]);
        let (vol, unit_i) = unit_density_props(g.kind, m.geom_size[gid], mesh);
        let (mass, density) = match g.mass {
            Some(mass) => (mass, if vol > 0.0 { mass / vol } else { 0.0 }),
            None => (g.density * vol, g.density),
        };
        if mass < 0.0 || !mass.is_finite() {
            return Err(Error::mjcf(&g.loc, format!("geom '{}': negative or invalid mass", g.name)));
        }
        let inertia = math::scale3(unit_i, density);
        parts.push((mass, m.geom_pos[gid], m.geom_quat[gid], inertia));
    }
    let mass: f64 = parts.iter().map(|p| p.0).sum();
    if mass < math::MINVAL {
        return Ok(BodyInertia { mass: 0.0, ipos: [0.0; 3], iquat: math::QUAT_IDENTITY, inertia: [0.0; 3] });
    }
    let mut ipos = [0.0; 3];
    for p in &parts {
        ipos = math::add3(ipos, math::scale3(p.1, p.0));
    }
    ipos = math::scale3(ipos, 1.0 / mass);
    let mut full: Mat3 = [0.0; 9];
    for (gm, pos, quat, inr) in &parts {
        let r = math::quat2mat(*quat);
        let d = math::sub3(*pos, ipos);
        let dd = math::dot3(d, d);
        for i in 0..3 {
            for j in 0..3 {
                let rot: f64 = (0..3).map(|k| r[3 * i + k] * inr[k] * r[3 * j + k]).sum();
                let shift = gm * (if i == j { dd } else { 0.0 } - d[i] * d[j]);
                full[3 * i + j] += rot + shift;
            }
        }
    }
    let (val, q) = math::eig3(&full);
    Ok(BodyInertia { mass, ipos, iquat: q, inertia: val })
}
