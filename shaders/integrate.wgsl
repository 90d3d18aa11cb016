// integrate: MuJoCo's Euler step with implicit joint damping (qvel += h·dv, dv from `solve`),
// quaternion integration of ball/free joints, and the activation update (mj_Euler), one
// invocation per world.

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<uniform> options: ModelOptions;
@group(0) @binding(3) var<storage, read> joints: array<Joint>;
@group(0) @binding(4) var<storage, read> actuators: array<Actuator>;
@group(0) @binding(5) var<storage, read> act_dot: array<f32>;
@group(0) @binding(6) var<storage, read> dv: array<f32>;
@group(0) @binding(7) var<storage, read_write> qpos: array<f32>;
@group(0) @binding(8) var<storage, read_write> qvel: array<f32>;
@group(0) @binding(9) var<storage, read_write> act: array<f32>;
// Per world: 1 once its state has gone non-finite (sticky), so a blown-up world is flagged and
// counted while the others run on untouched.
@group(0) @binding(10) var<storage, read_write> nonfinite: array<u32>;

// Inf or NaN, by bits (comparisons with NaN may be optimised away).
fn bad(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}

// q ← q ⊗ exp(ω h): rotate by the local angular velocity ω over h.
fn quat_integrate(q: vec4<f32>, omega: vec3<f32>, h: f32) -> vec4<f32> {
    let speed = length(omega);
    var r = q;
    if (speed >= MINVAL) {
        r = quat_mul(q, quat_axis_angle(omega / speed, speed * h));
    }
    return quat_normalize(r);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    let h = options.gravity.w;
    for (var u = 0u; u < sizes.nu; u++) {
        let a = actuators[u];
        if (a.act_adr < 0) {
            continue;
        }
        let i = w * sizes.na + u32(a.act_adr);
        var next = act[i] + h * act_dot[i];
        if (a.dyntype == 3u) {  // filterexact
            let tau = max(MINVAL, a.dynprm[0]);
            next = act[i] + act_dot[i] * tau * (1.0 - exp(-h / tau));
        }
        if ((a.flags & 4u) != 0u) {
            next = clamp(next, a.actrange[0], a.actrange[1]);
        }
        act[i] = next;
    }
    let vb = w * sizes.nv;
    for (var d = 0u; d < sizes.nv; d++) {
        qvel[vb + d] += h * dv[vb + d];
    }
    let qb = w * sizes.nq;
    for (var j = 0u; j < sizes.njnt; j++) {
        let jnt = joints[j];
        let a = qb + jnt.qpos_adr;
        let d = vb + jnt.dof_adr;
        switch (jnt.kind) {
            case 0u, 1u: {
                var qa = a;
                var da = d;
                if (jnt.kind == 0u) {
                    for (var k = 0u; k < 3u; k++) {
                        qpos[a + k] += h * qvel[d + k];
                    }
                    qa = a + 3u;
                    da = d + 3u;
                }
                let q = vec4<f32>(qpos[qa], qpos[qa + 1u], qpos[qa + 2u], qpos[qa + 3u]);
                let r = quat_integrate(q, vec3<f32>(qvel[da], qvel[da + 1u], qvel[da + 2u]), h);
                qpos[qa] = r.x;
                qpos[qa + 1u] = r.y;
                qpos[qa + 2u] = r.z;
                qpos[qa + 3u] = r.w;
            }
            default: {
                qpos[a] += h * qvel[d];
            }
        }
    }
    var any_bad = false;
    for (var i = 0u; i < sizes.nq; i++) {
        any_bad = any_bad || bad(qpos[qb + i]);
    }
    for (var i = 0u; i < sizes.nv; i++) {
        any_bad = any_bad || bad(qvel[vb + i]);
    }
    for (var i = 0u; i < sizes.na; i++) {
        any_bad = any_bad || bad(act[w * sizes.na + i]);
    }
    if (any_bad) {
        nonfinite[w] = 1u;
    }
}
