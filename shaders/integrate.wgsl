// integrate: MuJoCo's Euler step with implicit joint damping (qvel += h·dv, dv from `solve`;
// without implicit damping dv is qacc itself, read here rather than copied by a dispatch),
// quaternion integration of ball/free joints, and the activation update (mj_Euler), one
// invocation per world.

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<uniform> options: ModelOptions;
@group(0) @binding(3) var<storage, read> joints: array<Joint>;
@group(0) @binding(4) var<storage, read> actuators: array<Actuator>;
@group(0) @binding(5) var<storage, read> act_dot: array<f32>;
@group(0) @binding(6) var<storage, read> dv: array<f32>;
@group(0) @binding(11) var<storage, read> qacc: array<f32>;
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
        let i = at(world_at(w, sizes.na), u32(a.act_adr));
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
    // the state is tiled (common/worlds.wgsl)
    let vb = world_at(w, sizes.nv);
    for (var d = 0u; d < sizes.nv; d++) {
        let a = select(qacc[at(vb, d)], dv[at(vb, d)], options.implicit != 0u);
        qvel[at(vb, d)] += h * a;
    }
    let qb = world_at(w, sizes.nq);
    for (var j = 0u; j < sizes.njnt; j++) {
        let jnt = joints[j];
        let a = at(qb, jnt.qpos_adr);
        let d = at(vb, jnt.dof_adr);
        switch (jnt.kind) {
            case 0u, 1u: {
                var qa = a;
                var da = d;
                if (jnt.kind == 0u) {
                    for (var k = 0u; k < 3u; k++) {
                        qpos[at(a, k)] += h * qvel[at(d, k)];
                    }
                    qa = at(a, 3u);
                    da = at(d, 3u);
                }
                let q = vec4<f32>(qpos[qa], qpos[at(qa, 1u)], qpos[at(qa, 2u)], qpos[at(qa, 3u)]);
                let r = quat_integrate(q, vec3<f32>(qvel[da], qvel[at(da, 1u)], qvel[at(da, 2u)]), h);
                qpos[qa] = r.x;
                qpos[at(qa, 1u)] = r.y;
                qpos[at(qa, 2u)] = r.z;
                qpos[at(qa, 3u)] = r.w;
            }
            default: {
                qpos[a] += h * qvel[d];
            }
        }
    }
    var any_bad = false;
    for (var i = 0u; i < sizes.nq; i++) {
        any_bad = any_bad || bad(qpos[at(qb, i)]);
    }
    for (var i = 0u; i < sizes.nv; i++) {
        any_bad = any_bad || bad(qvel[at(vb, i)]);
    }
    let ab = world_at(w, sizes.na);
    for (var i = 0u; i < sizes.na; i++) {
        any_bad = any_bad || bad(act[at(ab, i)]);
    }
    if (any_bad) {
        nonfinite[w] = 1u;
    }
}
