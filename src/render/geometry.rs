//! The static triangles the renderer draws, built once per model on the host: every visible
//! geom tessellated in its own frame (the vertex shader moves it by the geom's pose, read from
//! the simulator's state on the GPU), plus a unit sphere for sites.

use crate::model::{GeomType, Model};

/// One vertex of a geom's surface, in the geom's frame.
#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Vertex {
    /// Position in the geom frame (m).
    pub pos: [f32; 3],
    /// Outward unit normal in the geom frame.
    pub normal: [f32; 3],
    /// Geom id.
    pub geom: u32,
}

/// Per-geom drawing data the shaders read (`GeomLook` in shaders/render/common.wgsl).
#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub struct GeomLook {
    /// Linear RGBA.
    pub rgba: [f32; 4],
    /// 1 for planes (drawn with a checker pattern), else 0.
    pub kind: u32,
    /// Checker square (m) for planes.
    pub checker: f32,
    /// 1 for the world body's geoms (scenery): drawn once, where they are, not per shown world.
    pub scenery: u32,
    /// Padding to 32 bytes.
    pub pad: u32,
}

/// Triangles of every drawn geom: opaque scenery (the world body's geoms), opaque geoms of moving
/// bodies, then translucent geoms.
#[derive(Debug, Default)]
pub struct Geometry {
    /// Vertices of all geoms.
    pub vertices: Vec<Vertex>,
    /// Triangle list indices into `vertices`: `[0, scenery_end)` opaque scenery,
    /// `[scenery_end, opaque_end)` opaque moving geoms, then translucent ones.
    pub indices: Vec<u32>,
    /// End of the opaque scenery's indices. Scenery casts no shadow: a room's walls and ceiling
    /// would shade everything under one directional light.
    pub scenery_end: u32,
    /// End of the opaque geoms' indices.
    pub opaque_end: u32,
    /// (ngeom) Colour and kind of each geom.
    pub looks: Vec<GeomLook>,
}

/// Half size drawn for a plane whose size is 0 (MuJoCo's infinite plane).
const INFINITE_PLANE: f32 = 50.0;
/// Rings and segments of spheres, capsule caps and cylinders.
const SEGMENTS: usize = 24;
const RINGS: usize = 12;

impl Geometry {
    /// The geoms of `m` whose group is shown (`groups[g]`, groups ≥ 6 never) and whose colour is
    /// not fully transparent.
    pub fn build(m: &Model, groups: &[bool; 6]) -> Self {
        let mut scenery = Mesh::default();
        let mut opaque = Mesh::default();
        let mut translucent = Mesh::default();
        let mut looks = Vec::with_capacity(m.ngeom);
        for g in 0..m.ngeom {
            let rgba = m.geom_rgba[g];
            let plane = m.geom_type[g] == GeomType::Plane;
            let size = m.geom_size[g].map(|s| s as f32);
            looks.push(GeomLook {
                rgba,
                kind: plane as u32,
                checker: if plane { checker_square(size) } else { 0.0 },
                scenery: (m.geom_bodyid[g] == 0) as u32,
                pad: 0,
            });
            let group = m.geom_group[g];
            if !(0..6).contains(&group) || !groups[group as usize] || rgba[3] <= 0.0 {
                continue;
            }
            let dst = if rgba[3] < 0.999 {
                &mut translucent
            } else if m.geom_bodyid[g] == 0 {
                &mut scenery
            } else {
                &mut opaque
            };
            dst.geom = g as u32;
            match m.geom_type[g] {
                GeomType::Plane => dst.plane(size),
                GeomType::Sphere => dst.ellipsoid([size[0]; 3]),
                GeomType::Ellipsoid => dst.ellipsoid(size),
                GeomType::Capsule => dst.capsule(size[0], size[1]),
                GeomType::Cylinder => dst.cylinder(size[0], size[1]),
                GeomType::Box => dst.cuboid(size),
                GeomType::Mesh => {
                    if let Some(id) = m.geom_dataid[g] {
                        dst.mesh(m, id);
                    }
                }
                #[allow(unreachable_patterns)]
                _ => {}
            }
        }
        let (mut vertices, mut indices) = (Vec::new(), Vec::new());
        let mut ends = [0u32; 3];
        for (part, end) in [scenery, opaque, translucent].into_iter().zip(&mut ends) {
            let base = vertices.len() as u32;
            vertices.extend(part.vertices);
            indices.extend(part.indices.iter().map(|i| i + base));
            *end = indices.len() as u32;
        }
        Geometry { vertices, indices, scenery_end: ends[0], opaque_end: ends[1], looks }
    }
}

/// The checker square of a plane: MuJoCo's floors are a few metres wide; aim for ~0.5 m
/// squares, at least 8 across.
fn checker_square(size: [f32; 3]) -> f32 {
    let half = if size[0] > 0.0 && size[1] > 0.0 { size[0].min(size[1]) } else { INFINITE_PLANE };
    (2.0 * half / 8.0).min(0.5).max(0.05)
}

/// A unit sphere (positions double as normals) as (vertices, triangle indices), for sites.
pub fn unit_sphere() -> (Vec<[f32; 3]>, Vec<u32>) {
    let mut m = Mesh::default();
    m.ellipsoid([1.0; 3]);
    (m.vertices.iter().map(|v| v.pos).collect(), m.indices)
}

/// Triangles being built for one geom at a time.
#[derive(Default)]
struct Mesh {
    vertices: Vec<Vertex>,
    indices: Vec<u32>,
    geom: u32,
}

impl Mesh {
    fn vertex(&mut self, pos: [f32; 3], normal: [f32; 3]) -> u32 {
        self.vertices.push(Vertex { pos, normal, geom: self.geom });
        self.vertices.len() as u32 - 1
    }

    fn quad(&mut self, a: u32, b: u32, c: u32, d: u32) {
        self.indices.extend([a, b, c, a, c, d]);
    }

    /// A plane's drawn rectangle in its xy plane, normal +z.
    fn plane(&mut self, size: [f32; 3]) {
        let (hx, hy) = if size[0] > 0.0 && size[1] > 0.0 {
            (size[0], size[1])
        } else {
            (INFINITE_PLANE, INFINITE_PLANE)
        };
        let n = [0.0, 0.0, 1.0];
        let a = self.vertex([-hx, -hy, 0.0], n);
        let b = self.vertex([hx, -hy, 0.0], n);
        let c = self.vertex([hx, hy, 0.0], n);
        let d = self.vertex([-hx, hy, 0.0], n);
        self.quad(a, b, c, d);
    }

    /// An ellipsoid of semi-axes `r` (a sphere when equal): a latitude-longitude grid with
    /// normals of the ellipsoid (∝ p / r²).
    fn ellipsoid(&mut self, r: [f32; 3]) {
        let start = self.vertices.len() as u32;
        for i in 0..=RINGS {
            let th = std::f32::consts::PI * i as f32 / RINGS as f32;
            for j in 0..=SEGMENTS {
                let ph = std::f32::consts::TAU * j as f32 / SEGMENTS as f32;
                let u = [th.sin() * ph.cos(), th.sin() * ph.sin(), th.cos()];
                let n = normalize([u[0] / r[0], u[1] / r[1], u[2] / r[2]]);
                self.vertex([u[0] * r[0], u[1] * r[1], u[2] * r[2]], n);
            }
        }
        self.grid(start, RINGS, SEGMENTS);
    }

    /// Index a (rows+1) × (cols+1) vertex grid starting at `start` into quads, outward for a
    /// grid whose rows run from +z down and whose columns run counter-clockwise about z.
    fn grid(&mut self, start: u32, rows: usize, cols: usize) {
        let w = cols as u32 + 1;
        for i in 0..rows as u32 {
            for j in 0..cols as u32 {
                let a = start + i * w + j;
                self.quad(a, a + w, a + w + 1, a + 1);
            }
        }
    }

    /// A capsule along z: a cylinder of half-length `h` with hemispherical caps of radius `r`.
    fn capsule(&mut self, r: f32, h: f32) {
        let start = self.vertices.len() as u32;
        // rings: top cap (RINGS/2 + 1 rings from the pole to the equator), then bottom cap
        let half = RINGS / 2;
        for i in 0..=RINGS + 1 {
            let (th, dz) = if i <= half {
                (std::f32::consts::PI * i as f32 / RINGS as f32, h)
            } else {
                (std::f32::consts::PI * (i - 1) as f32 / RINGS as f32, -h)
            };
            for j in 0..=SEGMENTS {
                let ph = std::f32::consts::TAU * j as f32 / SEGMENTS as f32;
                let n = [th.sin() * ph.cos(), th.sin() * ph.sin(), th.cos()];
                self.vertex([n[0] * r, n[1] * r, n[2] * r + dz], n);
            }
        }
        self.grid(start, RINGS + 1, SEGMENTS);
    }

    /// A cylinder along z of radius `r` and half-length `h`, with flat caps.
    fn cylinder(&mut self, r: f32, h: f32) {
        let start = self.vertices.len() as u32;
        for z in [h, -h] {
            for j in 0..=SEGMENTS {
                let ph = std::f32::consts::TAU * j as f32 / SEGMENTS as f32;
                let n = [ph.cos(), ph.sin(), 0.0];
                self.vertex([n[0] * r, n[1] * r, z], n);
            }
        }
        self.grid(start, 1, SEGMENTS);
        for (z, nz) in [(h, 1.0f32), (-h, -1.0)] {
            let centre = self.vertex([0.0, 0.0, z], [0.0, 0.0, nz]);
            let ring = self.vertices.len() as u32;
            for j in 0..=SEGMENTS {
                let ph = std::f32::consts::TAU * j as f32 / SEGMENTS as f32;
                self.vertex([ph.cos() * r, ph.sin() * r, z], [0.0, 0.0, nz]);
            }
            for j in 0..SEGMENTS as u32 {
                if nz > 0.0 {
                    self.indices.extend([centre, ring + j, ring + j + 1]);
                } else {
                    self.indices.extend([centre, ring + j + 1, ring + j]);
                }
            }
        }
    }

    /// A box of half sizes `s`: six faces with their own normals.
    fn cuboid(&mut self, s: [f32; 3]) {
        for axis in 0..3 {
            for sign in [1.0f32, -1.0] {
                let (u, v) = ((axis + 1) % 3, (axis + 2) % 3);
                let mut n = [0.0; 3];
                n[axis] = sign;
                let corner = |a: f32, b: f32| {
                    let mut p = [0.0; 3];
                    p[axis] = sign * s[axis];
                    p[u] = a * s[u];
                    p[v] = b * s[v];
                    p
                };
                let ids = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
                    .map(|(a, b)| self.vertex(corner(a, b), n));
                if sign > 0.0 {
                    self.quad(ids[0], ids[1], ids[2], ids[3]);
                } else {
                    self.quad(ids[0], ids[3], ids[2], ids[1]);
                }
            }
        }
    }

    /// Mesh `id` of `m` with smooth normals (area-weighted face normals summed per vertex).
    fn mesh(&mut self, m: &Model, id: usize) {
        let (vadr, vnum) = (m.mesh_vertadr[id], m.mesh_vertnum[id]);
        let faces = &m.mesh_face[m.mesh_faceadr[id]..m.mesh_faceadr[id] + m.mesh_facenum[id]];
        let verts = &m.mesh_vert[vadr..vadr + vnum];
        let mut normals = vec![[0.0f64; 3]; vnum];
        for f in faces {
            let [a, b, c] = f.map(|i| verts[i as usize]);
            let e1 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
            let e2 = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
            let n =
                [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
            for i in f {
                for k in 0..3 {
                    normals[*i as usize][k] += n[k];
                }
            }
        }
        let start = self.vertices.len() as u32;
        for (v, n) in verts.iter().zip(&normals) {
            self.vertex(v.map(|x| x as f32), normalize(n.map(|x| x as f32)));
        }
        self.indices.extend(faces.iter().flat_map(|f| f.map(|i| start + i)));
    }
}

fn normalize(v: [f32; 3]) -> [f32; 3] {
    let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    if n > 0.0 { [v[0] / n, v[1] / n, v[2] / n] } else { [0.0, 0.0, 1.0] }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every triangle of a closed primitive faces outward: its normal (by winding) points away
    /// from the centre.
    #[test]
    fn primitives_wind_outward() {
        let shapes: Vec<(&str, Box<dyn Fn(&mut Mesh)>)> = vec![
            ("sphere", Box::new(|m: &mut Mesh| m.ellipsoid([0.1, 0.2, 0.3]))),
            ("capsule", Box::new(|m: &mut Mesh| m.capsule(0.1, 0.3))),
            ("cylinder", Box::new(|m: &mut Mesh| m.cylinder(0.1, 0.3))),
            ("box", Box::new(|m: &mut Mesh| m.cuboid([0.1, 0.2, 0.3]))),
        ];
        for (name, build) in shapes {
            let mut m = Mesh::default();
            build(&mut m);
            let mut area = 0.0;
            for t in m.indices.chunks(3) {
                let [a, b, c] = [t[0], t[1], t[2]].map(|i| m.vertices[i as usize].pos);
                let e1 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
                let e2 = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
                let n = [
                    e1[1] * e2[2] - e1[2] * e2[1],
                    e1[2] * e2[0] - e1[0] * e2[2],
                    e1[0] * e2[1] - e1[1] * e2[0],
                ];
                let centroid =
                    [(a[0] + b[0] + c[0]) / 3.0, (a[1] + b[1] + c[1]) / 3.0, (a[2] + b[2] + c[2]) / 3.0];
                let d = n[0] * centroid[0] + n[1] * centroid[1] + n[2] * centroid[2];
                let len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
                if len > 1e-9 {
                    assert!(d > 0.0, "{name}: an inward triangle at {centroid:?}");
                    area += len / 2.0;
                }
            }
            assert!(area > 0.0, "{name}: no triangles");
        }
    }
}
