//! Mesh assets: read binary STL, scale, and compute volume, centroid and principal inertia the way
//! MuJoCo 4.0's compiler does in its default (`legacy`) inertia mode. The mesh is then stored in
//! its principal frame, and mesh geoms are re-posed by (`center`, `quat`).

use std::collections::HashMap;
use std::path::Path;

use super::spec::MeshSpec;
use crate::error::{Error, Result};
use crate::math::{self, MINVAL, Quat, Vec3};

/// A compiled mesh.
#[derive(Debug, Clone)]
pub struct MeshData {
    /// Vertices in the mesh's principal frame (centroid at the origin), after dedup and scale.
    pub vert: Vec<Vec3>,
    /// Triangles as vertex indices (winding flipped back for mirroring scales).
    pub face: Vec<[usize; 3]>,
    /// Volume (sum of |tetrahedra| about the centroid, MuJoCo's legacy rule).
    pub volume: f64,
    /// Centroid in the scaled file frame (MuJoCo's `mesh_pos`).
    pub center: Vec3,
    /// Principal frame in the scaled file frame (MuJoCo's `mesh_quat`).
    pub quat: Quat,
    /// Half sizes of the box with the mesh's volume and principal inertia (MuJoCo's inertia box:
    /// a mesh geom of mass m has inertia m·(b1²+b2²)/3, ...).
    pub inertia_box: Vec3,
    /// Geom size of a mesh geom: per axis, the largest |coordinate| in the principal frame.
    pub half_extent: Vec3,
}

/// Load the STL file of `spec` (path relative to `dir`) and compute its mass properties.
pub fn load(spec: &MeshSpec, dir: &Path) -> Result<MeshData> {
    let path = if Path::new(&spec.file).is_absolute() {
        Path::new(&spec.file).to_path_buf()
    } else {
        dir.join(&spec.file)
    };
    let err = |msg: String| Error::mjcf(&spec.loc, format!("<mesh> '{}': {msg}", spec.name));
    let bytes = std::fs::read(&path).map_err(|e| err(format!("cannot read '{}': {e}", path.display())))?;
    let is_msh = spec.content_type.as_deref() == Some("model/vnd.mujoco.msh")
        || path.extension().is_some_and(|e| e.eq_ignore_ascii_case("msh"));
    let (vert32, face) =
        if is_msh { read_msh(&bytes, spec.scale) } else { read_binary_stl(&bytes, spec.scale) }
            .map_err(|m| err(format!("'{}': {m}", path.display())))?;
    let vert: Vec<Vec3> = vert32
        .iter()
        .map(|v| [v[0] as f64 * spec.scale[0], v[1] as f64 * spec.scale[1], v[2] as f64 * spec.scale[2]])
        .collect();
    let props = legacy_mass_properties(&vert, &face).map_err(err)?;
    let r = math::quat2mat(props.quat);
    let mut half_extent = [0.0f64; 3];
    let local: Vec<Vec3> = vert
        .iter()
        .map(|v| {
            let d = math::sub3(*v, props.center);
            // Rᵀ d: into the principal frame.
            let p = [
                r[0] * d[0] + r[3] * d[1] + r[6] * d[2],
                r[1] * d[0] + r[4] * d[1] + r[7] * d[2],
                r[2] * d[0] + r[5] * d[1] + r[8] * d[2],
            ];
            for k in 0..3 {
                half_extent[k] = half_extent[k].max(p[k].abs());
            }
            p
        })
        .collect();
    Ok(MeshData {
        vert: local,
        face,
        volume: props.volume,
        center: props.center,
        quat: props.quat,
        inertia_box: props.inertia_box,
        half_extent,
    })
}

/// Binary STL → (deduplicated float32 vertices in first-seen order, faces). A mirroring scale
/// (negative product) swaps each face's last two corners so the winding stays outward.
fn read_binary_stl(
    bytes: &[u8],
    scale: [f64; 3],
) -> std::result::Result<(Vec<[f32; 3]>, Vec<[usize; 3]>), String> {
    if bytes.len() < 84 {
        return Err("not a binary STL file (shorter than 84 bytes)".into());
    }
    let nface = u32::from_le_bytes(bytes[80..84].try_into().unwrap()) as usize;
    if nface == 0 || nface > 200_000 || bytes.len() != 84 + 50 * nface {
        return Err(format!(
            "not a binary STL file ({nface} faces declared for {} bytes; ASCII STL is not supported, as in MuJoCo)",
            bytes.len()
        ));
    }
    let righthand = scale[0] * scale[1] * scale[2] > 0.0;
    let mut index: HashMap<[u32; 3], usize> = HashMap::new();
    let mut vert: Vec<[f32; 3]> = Vec::new();
    let mut face = Vec::with_capacity(nface);
    for i in 0..nface {
        let rec = &bytes[84 + 50 * i..84 + 50 * (i + 1)];
        let mut f = [0usize; 3];
        for j in 0..3 {
            let o = 12 * (j + 1);
            let v: [f32; 3] = std::array::from_fn(|k| {
                f32::from_le_bytes(rec[o + 4 * k..o + 4 * k + 4].try_into().unwrap())
            });
            if v.iter().any(|x| !x.is_finite() || x.abs() > (1u32 << 30) as f32) {
                return Err(format!("face {i}: vertex coordinate out of range"));
            }
            // Exact float equality (+0 and -0 are one vertex).
            let key = v.map(|x| if x == 0.0 { 0u32 } else { x.to_bits() });
            let idx = *index.entry(key).or_insert_with(|| {
                vert.push(v);
                vert.len() - 1
            });
            if righthand || j == 0 {
                f[j] = idx;
            } else {
                f[3 - j] = idx;
            }
        }
        face.push(f);
    }
    if vert.len() < 4 {
        return Err(format!("only {} distinct vertices (at least 4 needed)", vert.len()));
    }
    Ok((vert, face))
}

/// MuJoCo's binary MSH: four i32 counts (vertices, normals, texcoords, faces), then f32 vertices,
/// normals, texcoords and i32 faces. Vertices are kept as they are (no dedup, as MuJoCo).
fn read_msh(bytes: &[u8], scale: [f64; 3]) -> std::result::Result<(Vec<[f32; 3]>, Vec<[usize; 3]>), String> {
    let int = |i: usize| i32::from_le_bytes(bytes[4 * i..4 * i + 4].try_into().unwrap());
    if bytes.len() < 16 {
        return Err("not an MSH file (shorter than its header)".into());
    }
    let (nv, nn, nt, nf) = (int(0), int(1), int(2), int(3));
    if nv < 4 || nn < 0 || nt < 0 || nf < 1 {
        return Err(format!("bad MSH header ({nv} vertices, {nn} normals, {nt} texcoords, {nf} faces)"));
    }
    let (nv, nn, nt, nf) = (nv as usize, nn as usize, nt as usize, nf as usize);
    if bytes.len() != 16 + 12 * nv + 12 * nn + 8 * nt + 12 * nf {
        return Err("MSH file size does not match its header".into());
    }
    let f32_at = |o: usize| f32::from_le_bytes(bytes[o..o + 4].try_into().unwrap());
    let vert: Vec<[f32; 3]> = (0..nv).map(|i| std::array::from_fn(|k| f32_at(16 + 12 * i + 4 * k))).collect();
    if vert.iter().flatten().any(|x| !x.is_finite()) {
        return Err("non-finite vertex".into());
    }
    let face_base = 16 + 12 * nv + 12 * nn + 8 * nt;
    let righthand = scale[0] * scale[1] * scale[2] > 0.0;
    let mut face = Vec::with_capacity(nf);
    for i in 0..nf {
        let mut f = [0usize; 3];
        for j in 0..3 {
            let o = face_base + 12 * i + 4 * j;
            let idx = i32::from_le_bytes(bytes[o..o + 4].try_into().unwrap());
            if idx < 0 || idx as usize >= nv {
                return Err(format!("face {i} has vertex index {idx} out of range"));
            }
            f[if righthand || j == 0 { j } else { 3 - j }] = idx as usize;
        }
        face.push(f);
    }
    Ok((vert, face))
}

struct MassProps {
    volume: f64,
    center: Vec3,
    quat: Quat,
    inertia_box: Vec3,
}

/// Area, unit normal and centroid of a triangle (area 0 if degenerate).
fn triangle(a: Vec3, b: Vec3, c: Vec3) -> (f64, Vec3, Vec3) {
    let center = [(a[0] + b[0] + c[0]) / 3.0, (a[1] + b[1] + c[1]) / 3.0, (a[2] + b[2] + c[2]) / 3.0];
    let mut n = math::cross3(math::sub3(b, a), math::sub3(c, a));
    let len = math::dot3(n, n).sqrt();
    if len < MINVAL {
        return (0.0, n, center);
    }
    n = [n[0] / len, n[1] / len, n[2] / len];
    (0.5 * len, n, center)
}

/// MuJoCo's legacy mesh inertia: pyramids from the area-weighted face centroid give the centre of
/// mass, then |tetrahedra| about the centre of mass give volume and inertia (unit density).
fn legacy_mass_properties(vert: &[Vec3], face: &[[usize; 3]]) -> std::result::Result<MassProps, String> {
    let tri = |f: &[usize; 3]| (vert[f[0]], vert[f[1]], vert[f[2]]);
    // (a) area-weighted face centroid
    let mut fc = [0.0; 3];
    let mut area_sum = 0.0;
    for f in face {
        let (a, b, c) = tri(f);
        let (area, _, cen) = triangle(a, b, c);
        for k in 0..3 {
            fc[k] += area * cen[k];
        }
        area_sum += area;
    }
    if area_sum < MINVAL {
        return Err("mesh surface area is too small".into());
    }
    fc = [fc[0] / area_sum, fc[1] / area_sum, fc[2] / area_sum];
    // (b) centre of mass from pyramids with apex at fc
    let mut v0 = 0.0;
    let mut com = [0.0; 3];
    for f in face {
        let (a, b, c) = tri(f);
        let (area, n, cen) = triangle(a, b, c);
        let vol = (math::dot3(math::sub3(cen, fc), n) * area / 3.0).abs();
        v0 += vol;
        for k in 0..3 {
            com[k] += vol * (cen[k] * 3.0 / 4.0 + fc[k] / 4.0);
        }
    }
    if v0 < MINVAL {
        return Err("mesh volume is too small".into());
    }
    com = [com[0] / v0, com[1] / v0, com[2] / v0];
    // (c) second moments and volume about com
    const PAIRS: [(usize, usize); 6] = [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)];
    let mut p = [0.0; 6];
    let mut volume = 0.0;
    for f in face {
        let (d, e, g) =
            (math::sub3(vert[f[0]], com), math::sub3(vert[f[1]], com), math::sub3(vert[f[2]], com));
        let (area, n, cen) = triangle(d, e, g);
        let vol = (math::dot3(cen, n) * area / 3.0).abs();
        volume += vol;
        for (k, &(i, j)) in PAIRS.iter().enumerate() {
            p[k] += vol / 20.0
                * (2.0 * (d[i] * d[j] + e[i] * e[j] + g[i] * g[j])
                    + d[i] * e[j]
                    + d[j] * e[i]
                    + d[i] * g[j]
                    + d[j] * g[i]
                    + e[i] * g[j]
                    + e[j] * g[i]);
        }
    }
    let i6 = [p[1] + p[2], p[0] + p[2], p[0] + p[1], -p[3], -p[4], -p[5]];
    let full = [i6[0], i6[3], i6[4], i6[3], i6[1], i6[5], i6[4], i6[5], i6[2]];
    let (val, quat) = math::eig3(&full, math::EIG_TOL_MESH);
    if val[2] <= 0.0 {
        return Err("eigenvalue of mesh inertia must be positive".into());
    }
    let inertia_box = [
        0.5 * (6.0 * (val[1] + val[2] - val[0]) / volume).sqrt(),
        0.5 * (6.0 * (val[0] + val[2] - val[1]) / volume).sqrt(),
        0.5 * (6.0 * (val[0] + val[1] - val[2]) / volume).sqrt(),
    ];
    Ok(MassProps { volume, center: com, quat, inertia_box })
}
