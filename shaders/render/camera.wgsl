// The camera pass: one invocation computes this frame's view and light matrices from the view
// settings and, when tracking, the tracked body's position in the shown worlds (read on the GPU).

@group(1) @binding(0) var<storage, read_write> camera: Camera;

fn look_at(eye: vec3<f32>, target_pos: vec3<f32>, up: vec3<f32>) -> mat4x4<f32> {
    let f = normalize(target_pos - eye);
    var s = cross(f, up);
    if (length(s) < 1e-6) {
        s = cross(f, vec3<f32>(0.0, 1.0, 0.0));
    }
    s = normalize(s);
    let u = cross(s, f);
    return mat4x4<f32>(
        vec4<f32>(s.x, u.x, -f.x, 0.0),
        vec4<f32>(s.y, u.y, -f.y, 0.0),
        vec4<f32>(s.z, u.z, -f.z, 0.0),
        vec4<f32>(-dot(s, eye), -dot(u, eye), dot(f, eye), 1.0),
    );
}

// Right-handed perspective to wgpu's clip space (depth 0 at near, 1 at far).
fn perspective(fovy: f32, aspect: f32, near: f32, far: f32) -> mat4x4<f32> {
    let t = 1.0 / tan(0.5 * fovy);
    return mat4x4<f32>(
        vec4<f32>(t / aspect, 0.0, 0.0, 0.0),
        vec4<f32>(0.0, t, 0.0, 0.0),
        vec4<f32>(0.0, 0.0, far / (near - far), -1.0),
        vec4<f32>(0.0, 0.0, near * far / (near - far), 0.0),
    );
}

fn orthographic(half: f32, near: f32, far: f32) -> mat4x4<f32> {
    return mat4x4<f32>(
        vec4<f32>(1.0 / half, 0.0, 0.0, 0.0),
        vec4<f32>(0.0, 1.0 / half, 0.0, 0.0),
        vec4<f32>(0.0, 0.0, 1.0 / (near - far), 0.0),
        vec4<f32>(0.0, 0.0, near / (near - far), 1.0),
    );
}

@compute @workgroup_size(1)
fn camera_main() {
    var target_pos = view.lookat.xyz;
    if (view.mode.x == 0u) {
        // the tracked body, averaged over the shown worlds where they stand on the grid
        let n = max(view.mode.z, 1u);
        var sum = vec3<f32>(0.0);
        for (var i = 0u; i < n; i++) {
            let w = shown[i];
            sum += xpos[at(world_at(w, view.counts.y), view.counts.x)].xyz + grid_offset(i);
        }
        target_pos = sum / f32(n);
    }
    let dist = view.orbit.x;
    let az = view.orbit.y;
    let el = view.orbit.z;
    // MuJoCo's free camera: forward (cos el cos az, cos el sin az, sin el); the eye sits behind
    let forward = vec3<f32>(cos(el) * cos(az), cos(el) * sin(az), sin(el));
    let eye = target_pos - dist * forward;
    let up = vec3<f32>(0.0, 0.0, 1.0);
    camera.view_proj = perspective(view.orbit.w, view.frustum.x, view.frustum.y, view.frustum.z)
        * look_at(eye, target_pos, up);
    // the shadow map: an orthographic view along the light, centred on the target, covering
    // what the camera sees near it
    let half = max(2.0, 1.5 * dist) + 0.5 * view.lookat.w * f32(max(view.mode.w, 1u));
    let light = normalize(view.light.xyz);
    let light_eye = target_pos + light * (4.0 * half);
    camera.light_view_proj = orthographic(half, 0.0, 8.0 * half) * look_at(light_eye, target_pos, up);
    camera.eye = vec4<f32>(eye, 1.0);
    camera.target_pos = vec4<f32>(target_pos, 1.0);
}
