//! Mass properties as MuJoCo 4.0's compiler computes them: each geom's volume, mass and diagonal
//! inertia, and a body's mass, centre of mass and principal inertia, from `<inertial>` or geoms.

use std::f64::consts::PI;

use super::attrs::TriState;
use super::mesh::MeshData;
use super::spec::{BodySpec, CompilerSpec, GeomSpec};
use crate::error::{Error, Result};
use crate::math::{self, EPS, Quat, Vec3};
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
            format!(
                "geom '{}': size must be positive in its first {need} values, got {:?}",
                g.name,
                &g.size[..need]
            ),
        ));
    }
    Ok(())
}

/// Volume of a geom (mesh: the legacy |tetrahedra| volume).
fn volume(kind: GeomType, s: [f64; 3], mesh: Option<&MeshData>) -> f64 {
    let (r, h) = (s[0], 2.0 * s[1]);
    match kind {
        GeomType::Sphere => 4.0 * PI * r * r * r / 3.0,
        GeomType::Capsule => PI * (r * r * h + 4.0 * r * r * r / 3.0),
        GeomType::Cylinder => PI * r * r * h,
        GeomType::Ellipsoid => 4.0 * PI * s[0] * s[1] * s[2] / 3.0,
        GeomType::Box => s[0] * s[1] * s[2] * 8.0,
        GeomType::Mesh => mesh.map_or(0.0, |md| md.volume),
        GeomType::Plane | GeomType::Hfield => 0.0,
    }
}

/// Diagonal inertia of a geom of mass `m` in its own frame.
fn diag_inertia(kind: GeomType, s: [f64; 3], mesh: Option<&MeshData>, m: f64) -> Vec3 {
    let (r, h) = (s[0], 2.0 * s[1]);
    match kind {
        GeomType::Sphere => [2.0 * m * r * r / 5.0; 3],
        GeomType::Capsule => {
            let ms = m * 4.0 * r / (4.0 * r + 3.0 * h);
            let mc = m - ms;
            let is = 2.0 * ms * r * r / 5.0;
            let ix = mc * (3.0 * r * r + h * h) / 12.0 + is + ms * h * (3.0 * r + 2.0 * h) / 8.0;
            let iz = mc * r * r / 2.0 + is;
            [ix, ix, iz]
        }
        GeomType::Cylinder => {
            let ix = m * (3.0 * r * r + h * h) / 12.0;
            [ix, ix, m * r * r / 2.0]
        }
        GeomType::Ellipsoid => {
            let [a, b, c] = s;
            [m * (b * b + c * c) / 5.0, m * (a * a + c * c) / 5.0, m * (a * a + b * b) / 5.0]
        }
        GeomType::Box => {
            let [a, b, c] = s;
            [m * (b * b + c * c) / 3.0, m * (a * a + c * c) / 3.0, m * (a * a + b * b) / 3.0]
        }
        GeomType::Mesh => {
            let b = mesh.map_or([0.0; 3], |md| md.inertia_box);
            [
                m * (b[1] * b[1] + b[2] * b[2]) / 3.0,
                m * (b[0] * b[0] + b[2] * b[2]) / 3.0,
                m * (b[0] * b[0] + b[1] * b[1]) / 3.0,
            ]
        }
        GeomType::Plane | GeomType::Hfield => [0.0; 3],
    }
}

/// Geom mass: `mass` if given (ignored for a geom of negligible volume, as MuJoCo does), else
/// density × volume.
fn geom_mass(g: &GeomSpec, vol: f64) -> Result<f64> {
    let m = match g.mass {
        Some(m) if m == 0.0 => 0.0,
        Some(m) if vol > EPS => m,
        Some(_) => 0.0,
        None => g.density * vol,
    };
    if m < 0.0 || g.density < 0.0 || !m.is_finite() {
        return Err(Error::mjcf(&g.loc, format!("geom '{}': mass and density cannot be negative", g.name)));
    }
    Ok(m)
}

/// Mass properties of body `id` (whose geoms are already compiled into `m`).
pub fn body_inertia(
    b: &BodySpec,
    id: usize,
    m: &Model,
    meshes: &[MeshData],
    cs: &CompilerSpec,
) -> Result<BodyInertia> {
    if id == 0 {
        return Ok(BodyInertia { mass: 0.0, ipos: [0.0; 3], iquat: math::QUAT_IDENTITY, inertia: [0.0; 3] });
    }
    let mut out: Option<BodyInertia> = None;
    if let Some(inr) = &b.inertial {
        out = Some(match (inr.diaginertia, inr.fullinertia) {
            (Some(d), _) => BodyInertia { mass: inr.mass, ipos: inr.pos, iquat: inr.quat, inertia: d },
            (None, Some(f)) => {
                let full = [f[0], f[3], f[4], f[3], f[1], f[5], f[4], f[5], f[2]];
                let (val, q) = math::eig3(&full, math::EIG_TOL_BODY);
                if val[2] < EPS {
                    return Err(Error::mjcf(
                        &inr.loc,
                        format!("body '{}': fullinertia must have positive eigenvalues", b.name),
                    ));
                }
                BodyInertia { mass: inr.mass, ipos: inr.pos, iquat: q, inertia: val }
            }
            (None, None) => unreachable!("the parser requires diaginertia or fullinertia"),
        });
    }
    let from_geoms = match cs.inertiafromgeom {
        TriState::True => true,
        TriState::False => false,
        TriState::Auto => b.inertial.is_none(),
    };
    if from_geoms && let Some(g) = from_body_geoms(b, id, m, meshes, cs)? {
        out = Some(g);
    }
    // No inertial and nothing from geoms: MuJoCo takes the body's pose as written (before any
    // enclosing frame) as its inertial frame.
    let (wpos, wquat) = b.written_pose;
    let mut out = out.unwrap_or(BodyInertia { mass: 0.0, ipos: wpos, iquat: wquat, inertia: [0.0; 3] });

    out.mass = out.mass.max(cs.boundmass);
    for v in out.inertia.iter_mut() {
        *v = v.max(cs.boundinertia);
    }
    let i = out.inertia;
    if out.mass < 0.0 || i.iter().any(|v| *v < 0.0) {
        return Err(Error::mjcf(&b.loc, format!("body '{}': mass and inertia cannot be negative", b.name)));
    }
    if i[0] + i[1] < i[2] || i[0] + i[2] < i[1] || i[1] + i[2] < i[0] {
        if !cs.balanceinertia {
            return Err(Error::mjcf(
                &b.loc,
                format!(
                    "body '{}': inertia must satisfy A + B >= C (compiler balanceinertia fixes it)",
                    b.name
                ),
            ));
        }
        let mean = (i[0] + i[1] + i[2]) / 3.0;
        out.inertia = [mean; 3];
    }
    Ok(out)
}

/// Combine the body's geoms (group within `inertiagrouprange`); `None` if no geom qualifies.
fn from_body_geoms(
    b: &BodySpec,
    id: usize,
    m: &Model,
    meshes: &[MeshData],
    cs: &CompilerSpec,
) -> Result<Option<BodyInertia>> {
    let adr = m.body_geomadr[id];
    let mut parts: Vec<(f64, Vec3, Quat, Vec3)> = Vec::new();
    for (k, g) in b.geoms.iter().enumerate() {
        if g.group < cs.inertiagrouprange[0] || g.group > cs.inertiagrouprange[1] {
            continue;
        }
        let gid = adr + k;
        let mesh = m.geom_dataid[gid].map(|i| &meshes[i]);
        let size = m.geom_size[gid];
        let mass = geom_mass(g, volume(g.kind, size, mesh))?;
        let inertia = if mass > 0.0 { diag_inertia(g.kind, size, mesh, mass) } else { [0.0; 3] };
        parts.push((mass, m.geom_pos[gid], m.geom_quat[gid], inertia));
    }
    match parts.len() {
        0 => Ok(None),
        // One geom: its frame and diagonal inertia are taken as they are.
        1 => {
            let (mass, ipos, iquat, inertia) = parts[0];
            Ok(Some(BodyInertia { mass, ipos, iquat, inertia }))
        }
        _ => {
            let mut mass = 0.0;
            let mut c = [0.0; 3];
            for (gm, pos, _, _) in &parts {
                mass += gm;
                for k in 0..3 {
                    c[k] += gm * pos[k];
                }
            }
            if mass < EPS {
                return Err(Error::mjcf(
                    &b.loc,
                    format!("body '{}': mass too small to compute its centre of mass", b.name),
                ));
            }
            let ipos = [c[0] / mass, c[1] / mass, c[2] / mass];
            let mut t = [0.0; 6];
            for (gm, pos, quat, inr) in &parts {
                let a = global_inertia(*inr, *quat);
                let bb = offcenter(*gm, math::sub3(*pos, ipos));
                for j in 0..6 {
                    t[j] = t[j] + a[j] + bb[j];
                }
            }
            let full = [t[0], t[3], t[4], t[3], t[1], t[5], t[4], t[5], t[2]];
            let (val, q) = math::eig3(&full, math::EIG_TOL_BODY);
            if val[2] < EPS {
                return Err(Error::mjcf(
                    &b.loc,
                    format!("body '{}': inertia from geoms is not positive-definite", b.name),
                ));
            }
            Ok(Some(BodyInertia { mass, ipos, iquat: q, inertia: val }))
        }
    }
}

/// R·diag(i)·Rᵀ as (xx, yy, zz, xy, xz, yz).
fn global_inertia(i: Vec3, q: Quat) -> [f64; 6] {
    let r = math::quat2mat(q);
    let t = [
        r[0] * i[0],
        r[3] * i[0],
        r[6] * i[0],
        r[1] * i[1],
        r[4] * i[1],
        r[7] * i[1],
        r[2] * i[2],
        r[5] * i[2],
        r[8] * i[2],
    ];
    [
        r[0] * t[0] + r[1] * t[3] + r[2] * t[6],
        r[3] * t[1] + r[4] * t[4] + r[5] * t[7],
        r[6] * t[2] + r[7] * t[5] + r[8] * t[8],
        r[0] * t[1] + r[1] * t[4] + r[2] * t[7],
        r[0] * t[2] + r[1] * t[5] + r[2] * t[8],
        r[3] * t[2] + r[4] * t[5] + r[5] * t[8],
    ]
}

/// Parallel-axis term of mass `m` at offset `d`, as (xx, yy, zz, xy, xz, yz).
fn offcenter(m: f64, d: Vec3) -> [f64; 6] {
    [
        m * (d[1] * d[1] + d[2] * d[2]),
        m * (d[0] * d[0] + d[2] * d[2]),
        m * (d[0] * d[0] + d[1] * d[1]),
        -m * d[0] * d[1],
        -m * d[0] * d[2],
        -m * d[1] * d[2],
    ]
}

/// MuJoCo's final check: every jointed body, or a joint-less descendant chain of it, must carry
/// mass and inertia of at least MINVAL.
pub fn check_moving_bodies(m: &Model, locs: &[crate::error::Location]) -> Result<()> {
    fn ok(m: &Model, b: usize) -> bool {
        let own = m.body_mass[b] >= math::MINVAL && m.body_inertia[b].iter().all(|v| *v >= math::MINVAL);
        own || (b + 1..m.nbody).any(|c| m.body_parentid[c] == b && m.body_jntnum[c] == 0 && ok(m, c))
    }
    for b in 1..m.nbody {
        if m.body_jntnum[b] > 0 && !ok(m, b) {
            return Err(Error::mjcf(
                &locs[b],
                format!(
                    "body '{}': mass and inertia of moving bodies must be larger than 1e-15",
                    m.body_name[b]
                ),
            ));
        }
    }
    Ok(())
}
