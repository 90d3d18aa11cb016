// Spatial math in f32. Quaternions are vec4 holding (w, x, y, z) in (.x, .y, .z, .w).

const MINVAL: f32 = 1e-15;

fn quat_mul(a: vec4<f32>, b: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(
        a.x * b.x - a.y * b.y - a.z * b.z - a.w * b.w,
        a.x * b.y + a.y * b.x + a.z * b.w - a.w * b.z,
        a.x * b.z - a.y * b.w + a.z * b.x + a.w * b.y,
        a.x * b.w + a.y * b.z - a.z * b.y + a.w * b.x,
    );
}

// Rotate v by the unit quaternion q.
fn quat_rot(q: vec4<f32>, v: vec3<f32>) -> vec3<f32> {
    let u = q.yzw;
    let t = 2.0 * cross(u, v);
    return v + q.x * t + cross(u, t);
}

fn quat_normalize(q: vec4<f32>) -> vec4<f32> {
    let n = length(q);
    if (n < MINVAL) {
        return vec4<f32>(1.0, 0.0, 0.0, 0.0);
    }
    return q / n;
}

// Rotation of `angle` radians about the unit `axis`.
fn quat_axis_angle(axis: vec3<f32>, angle: f32) -> vec4<f32> {
    let h = 0.5 * angle;
    return vec4<f32>(cos(h), sin(h) * axis);
}

// Spatial inertia about a frame origin, stored as (h = m·d, m), (Ixx, Iyy, Izz, ·), (Ixy, Ixz, Iyz, ·),
// times a motion (ang, lin): returns the force (ang, lin) = (I_o ω + h × v, m v − h × ω).
fn inertia_mul(c0: vec4<f32>, c1: vec4<f32>, c2: vec4<f32>, ang: vec3<f32>, lin: vec3<f32>) -> array<vec3<f32>, 2> {
    let iw = vec3<f32>(
        c1.x * ang.x + c2.x * ang.y + c2.y * ang.z,
        c2.x * ang.x + c1.y * ang.y + c2.z * ang.z,
        c2.y * ang.x + c2.z * ang.y + c1.z * ang.z,
    );
    return array<vec3<f32>, 2>(iw + cross(c0.xyz, lin), c0.w * lin - cross(c0.xyz, ang));
}
