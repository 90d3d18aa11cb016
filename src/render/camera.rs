//! Where the renderer's camera looks from: MuJoCo's free-camera parameters (distance, azimuth,
//! elevation about a look-at point), the point either fixed or following a body.

/// What the camera looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CameraMode {
    /// Follow body `body`'s origin (averaged over the shown worlds), as MuJoCo's tracking camera.
    Track {
        /// Body id.
        body: usize,
    },
    /// Look at a fixed point (m, world frame).
    Fixed {
        /// The point.
        lookat: [f32; 3],
    },
}

/// A camera: the look-at point, then MuJoCo's orbit about it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CameraSpec {
    /// Fixed or tracking.
    pub mode: CameraMode,
    /// Distance from the look-at point (m).
    pub distance: f32,
    /// Rotation about +z (degrees; 90 looks along +y, a side view of motion along x).
    pub azimuth_deg: f32,
    /// Angle above the horizontal plane (degrees; negative looks down).
    pub elevation_deg: f32,
    /// Vertical field of view (degrees; MuJoCo's default 45).
    pub fovy_deg: f32,
}

impl Default for CameraSpec {
    fn default() -> Self {
        CameraSpec {
            mode: CameraMode::Track { body: 1 },
            distance: 3.0,
            azimuth_deg: 90.0,
            elevation_deg: -15.0,
            fovy_deg: 45.0,
        }
    }
}

impl CameraSpec {
    /// The eye position and the world-to-clip matrix (column-major, wgpu's depth range) for
    /// a look-at point `target` and aspect `aspect`: what the GPU camera pass computes, for
    /// tests and for placing overlays on the host.
    pub fn eye_and_view_proj(
        &self,
        target: [f32; 3],
        aspect: f32,
        near: f32,
        far: f32,
    ) -> ([f32; 3], [[f32; 4]; 4]) {
        let (az, el) = (self.azimuth_deg.to_radians(), self.elevation_deg.to_radians());
        let f = [el.cos() * az.cos(), el.cos() * az.sin(), el.sin()];
        let eye = [
            target[0] - self.distance * f[0],
            target[1] - self.distance * f[1],
            target[2] - self.distance * f[2],
        ];
        let cross = |a: [f32; 3], b: [f32; 3]| {
            [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
        };
        let norm = |v: [f32; 3]| {
            let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
            [v[0] / n, v[1] / n, v[2] / n]
        };
        let dot = |a: [f32; 3], b: [f32; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
        let mut s = cross(f, [0.0, 0.0, 1.0]);
        if dot(s, s) < 1e-12 {
            s = cross(f, [0.0, 1.0, 0.0]);
        }
        let s = norm(s);
        let u = cross(s, f);
        // view matrix rows: s, u, -f; translation -R·eye
        let view = [
            [s[0], s[1], s[2], -dot(s, eye)],
            [u[0], u[1], u[2], -dot(u, eye)],
            [-f[0], -f[1], -f[2], dot(f, eye)],
            [0.0, 0.0, 0.0, 1.0],
        ];
        let t = 1.0 / (0.5 * self.fovy_deg.to_radians()).tan();
        let proj = [
            [t / aspect, 0.0, 0.0, 0.0],
            [0.0, t, 0.0, 0.0],
            [0.0, 0.0, far / (near - far), near * far / (near - far)],
            [0.0, 0.0, -1.0, 0.0],
        ];
        // row-major product, returned as rows
        let mut m = [[0.0f32; 4]; 4];
        for i in 0..4 {
            for j in 0..4 {
                m[i][j] = (0..4).map(|k| proj[i][k] * view[k][j]).sum();
            }
        }
        (eye, m)
    }

    /// The pixel (x right, y down, in a `width` × `height` frame) where world point `p` lands,
    /// or `None` behind the camera.
    pub fn project(&self, target: [f32; 3], p: [f32; 3], width: u32, height: u32) -> Option<(f32, f32)> {
        let (_, m) = self.eye_and_view_proj(target, width as f32 / height as f32, 0.02, 200.0);
        let c: Vec<f32> =
            (0..4).map(|i| m[i][0] * p[0] + m[i][1] * p[1] + m[i][2] * p[2] + m[i][3]).collect();
        if c[3] <= 0.0 {
            return None;
        }
        let (x, y) = (c[0] / c[3], c[1] / c[3]);
        Some(((0.5 * x + 0.5) * width as f32, (0.5 - 0.5 * y) * height as f32))
    }
}
