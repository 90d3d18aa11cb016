//! Mesh assets: read STL, scale, and compute volume, centroid and principal inertia the way
//! MuJoCo's compiler does; the mesh is then stored in its principal frame.

use std::path::Path;

use super::spec::MeshSpec;
use crate::error::{Error, Result};
use crate::math::{self, Quat, Vec3};

/// A compiled mesh.
#[derive(Debug, Clone)]
pub struct MeshData {
    /// Vertices in the mesh's principal frame (centroid at the origin).
    pub vert: Vec<Vec3>,
    /// Triangles as vertex indices.
    pub face: Vec<[usize; 3]>,
    /// Volume.
    pub volume: f64,
    /// Centroid in the file's (scaled) frame.
    pub center: Vec3,
    /// Principal frame in the file's (scaled) frame.
    pub quat: Quat,
    /// Principal moments of inertia per unit density.
    pub inertia: Vec3,
    /// Half extents of the bounding box in the principal frame (MuJoCo's mesh geom size).
    pub half_extent: Vec3,
}

/// Load the STL file of `spec` (relative to `dir`) and compute its mass properties.
pub fn load(spec: &MeshSpec, dir: &Path) -> Result<MeshData> {
    let path = dir.join(&spec.file);
    let file = std::fs::File::open(&path).map_err(|e| {
        Error::mjcf(&spec.loc, format!("<mesh> '{}': cannot open '{}': {e}", spec.name, path.display()))
    })?;
    let mut reader = std::io::BufReader::new(file);
    let stl = stl_io::read_stl(&mut reader).map_err(|e| {
        Error::mjcf(&spec.loc, format!("<mesh> '{}': bad STL file '{}': {e}", spec.name, path.display()))
    })?;
    let vert: Vec<Vec3> = stl
        .vertices
        .iter()
        .map(|v| [v[0] as f64 * spec.scale[0], v[1] as f64 * spec.scale[1], v[2] as f64 * spec.scale[2]])
        .collect();
    // A mirroring scale turns the faces inside out: restore outward winding.
    let flip = spec.scale[0] * spec.scale[1] * spec.scale[2] < 0.0;
    let face: Vec<[usize; 3]> = stl
        .faces
        .iter()
        .map(|f| if flip { [f.vertices[0], f.vertices[2], f.vertices[1]] } else { f.vertices })
        .collect();
    if face.is_empty() {
        return Err(Error::mjcf(&spec.loc, format!("<mesh> '{}': '{}' has no faces", spec.name, path.display())));
    }
    let props = mass_properties(&vert, &face).ok_or_else(|| {
        Error::mjcf(&spec.loc, format!("<mesh> '{}': volume is zero or negative (open or inverted mesh?)", spec.name))
    })?;
    let r = math::quat2mat(props.quat);
    let mut lo = [f64::INFINITY; 3];
    let mut hi = [f64::NEG_INFINITY; 3];
    let local: Vec<Vec3> = vert
        .iter()
        .map(|v| {
            let d = math::sub3(*v, props.center);
            // Into the principal frame: Rᵀ d.
            let p = [
                r[0] * d[0] + r[3] * d[1] + r[6] * d[2],
                r[1] * d[0] + r[4] * d[1] + r[7] * d[2],
                r[2] * d[0] + r[5] * d[1] + r[8] * d[2],
            ];
            for k in 0..3 {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
            p
        })
        .collect();
    let half_extent = [0.5 * (hi[0] - lo[0]), 0.5 * (hi[1] - lo[1]), 0.5 * (hi[2] - lo[2])];
    Ok(MeshData {
        vert: local,
        face,
        volume: props.volume,
        center: props.center,
        quat: props.quat,
        inertia: props.inertia,
        half_extent,
    })
}

struct MassProps {
    volume: f64,
    center: Vec3,
    quat: Quat,
    inertia: Vec3,
}

/// Volume, centroid and principal inertia (unit density) of a closed triangle mesh, from signed
/// tetrahedra against the origin.
fn mass_properties(vert: &[Vec3], face: &[[usize; 3]]) -> Option<MassProps> {
    let mut volume = 0.0;
    let mut center = [0.0; 3];
    for f in face {
        let (a, b, c) = (vert[f[0]], vert[f[1]], vert[f[2]]);
        let v = math::dot3(a, math::cross3(b, c)) / 6.0;
        volume += v;
        for k in 0..3 {
            center[k] += v * (a[k] + b[k] + c[k]) / 4.0;
        }
    }
    if volume <= math::MINVAL {
        return None;
    }
    center = math::scale3(center, 1.0 / volume);
    // Second moments about the centroid: for a tetrahedron (0, a, b, c) with signed volume v,
    // ∫ x_i x_j = v/20 (Σ_k p_ki p_kj + (Σ_k p_ki)(Σ_k p_kj)) over its vertices p (incl. origin).
    let mut s = [0.0; 9];
    for f in face {
        let (a, b, c) = (
            math::sub3(vert[f[0]], center),
            math::sub3(vert[f[1]], center),
            math::sub3(vert[f[2]], center),
        );
        let v = math::dot3(a, math::cross3(b, c)) / 6.0;
        for i in 0..3 {
            for j in 0..3 {
                let sum_i = a[i] + b[i] + c[i];
                let sum_j = a[j] + b[j] + c[j];
                s[3 * i + j] += v / 20.0 * (a[i] * a[j] + b[i] * b[j] + c[i] * c[j] + sum_i * sum_j);
            }
        }
    }
    let tr = s[0] + s[4] + s[8];
    let mut inertia = [0.0; 9];
    for i in 0..3 {
        for j in 0..3 {
            inertia[3 * i + j] = if i == j { tr - s[3 * i + j] } else { -s[3 * i + j] };
        }
    }
    let (val, quat) = math::eig3(&inertia);
    Some(MassProps { volume, center, quat, inertia: val })
}
