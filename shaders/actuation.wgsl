// actuation: actuator length/velocity (transmission), activation dynamics, gain/bias with
// MuJoCo's Hill-type muscle, actuator force (mj_transmission + mj_fwdActuation), one invocation
// per (world, actuator); then `qfrc` gathers momentᵀ·force per (world, dof).
// Formulas: shared/muscle_model.md; f64 twin: src/reference/actuation.rs.

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<storage, read> actuators: array<Actuator>;
@group(0) @binding(3) var<storage, read> joints: array<Joint>;
@group(0) @binding(4) var<storage, read> actuator_acc0: array<f32>;                 // nu
@group(0) @binding(5) var<storage, read> dof_act_rows: array<vec2<u32>>;   // nv
@group(0) @binding(6) var<storage, read> dof_act_pairs: array<vec2<u32>>;
@group(0) @binding(7) var<storage, read> qpos: array<f32>;
@group(0) @binding(8) var<storage, read> qvel: array<f32>;
@group(0) @binding(9) var<storage, read> act: array<f32>;
@group(0) @binding(10) var<storage, read> ctrl: array<f32>;
@group(0) @binding(11) var<storage, read> ten_length: array<f32>;
@group(0) @binding(12) var<storage, read> ten_velocity: array<f32>;
@group(0) @binding(13) var<storage, read> ten_j: array<f32>;
@group(0) @binding(14) var<storage, read_write> actuator_length: array<f32>;
@group(0) @binding(15) var<storage, read_write> actuator_velocity: array<f32>;
@group(0) @binding(16) var<storage, read_write> act_dot: array<f32>;
@group(0) @binding(17) var<storage, read_write> actuator_force: array<f32>;
@group(0) @binding(18) var<storage, read_write> qfrc_actuator: array<f32>;
@group(0) @binding(19) var<storage, read> world_scale: array<vec4<f32>>;  // nworld: (strength, mass, -, -)

fn muscle_fl(l: f32, lmin: f32, lmax: f32) -> f32 {
    let a = 0.5 * (lmin + 1.0);
    let b = 0.5 * (1.0 + lmax);
    if (l < lmin || l > lmax) {
        return 0.0;
    } else if (l <= a) {
        let x = (l - lmin) / max(MINVAL, a - lmin);
        return 0.5 * x * x;
    } else if (l <= 1.0) {
        let x = (1.0 - l) / max(MINVAL, 1.0 - a);
        return 1.0 - 0.5 * x * x;
    } else if (l <= b) {
        let x = (l - 1.0) / max(MINVAL, b - 1.0);
        return 1.0 - 0.5 * x * x;
    }
    let x = (lmax - l) / max(MINVAL, lmax - b);
    return 0.5 * x * x;
}

fn muscle_fv(v: f32, fvmax: f32) -> f32 {
    let y = fvmax - 1.0;
    if (v <= -1.0) {
        return 0.0;
    } else if (v <= 0.0) {
        return (v + 1.0) * (v + 1.0);
    } else if (v <= y) {
        return fvmax - (y - v) * (y - v) / max(MINVAL, y);
    }
    return fvmax;
}

fn muscle_fp(l: f32, lmax: f32, fpmax: f32) -> f32 {
    let b = 0.5 * (1.0 + lmax);
    if (l <= 1.0) {
        return 0.0;
    } else if (l <= b) {
        let x = (l - 1.0) / max(MINVAL, b - 1.0);
        return fpmax * 0.5 * x * x;
    }
    let x = (l - b) / max(MINVAL, b - 1.0);
    return fpmax * (0.5 + x);
}

// (F0, normalised length, normalised velocity) for muscle parameters p.
fn muscle_state(p: array<f32, 10>, lr: array<f32, 2>, a0: f32, len: f32, vel: f32) -> vec3<f32> {
    var f0 = p[2];
    if (f0 < 0.0) {
        f0 = p[3] / max(MINVAL, a0);
    }
    let l0 = (lr[1] - lr[0]) / max(MINVAL, p[1] - p[0]);
    let l = p[0] + (len - lr[0]) / max(MINVAL, l0);
    let v = vel / max(MINVAL, l0 * p[6]);
    return vec3<f32>(f0, l, v);
}

fn smoothstep5(x: f32) -> f32 {
    if (x <= 0.0) {
        return 0.0;
    } else if (x >= 1.0) {
        return 1.0;
    }
    return x * x * x * (6.0 * x * x - 15.0 * x + 10.0);
}

fn muscle_dynamics(ctrl_in: f32, a: f32, dp: array<f32, 10>) -> f32 {
    let c = clamp(ctrl_in, 0.0, 1.0);
    let ac = clamp(a, 0.0, 1.0);
    let tau_act = dp[0] * (0.5 + 1.5 * ac);
    let tau_deact = dp[1] / (0.5 + 1.5 * ac);
    let d = c - a;
    var tau = tau_deact;
    if (dp[2] < MINVAL) {
        if (d > 0.0) {
            tau = tau_act;
        }
    } else {
        tau = tau_deact + (tau_act - tau_deact) * smoothstep5(d / dp[2] + 0.5);
    }
    return d / max(MINVAL, tau);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    // item i is (world, actuator) as tiles number them (common/worlds.wgsl)
    let i = flat_index(gid);
    let wu = world_item(i, sizes.nu);
    let w = wu.x;
    let u = wu.y;
    if (w >= run.nworld) {
        return;
    }
    let a = actuators[u];
    var len = 0.0;
    var vel = 0.0;
    if (a.trntype == 0u) {  // joint
        let j = joints[a.trnid];
        len = a.gear * qpos[at(world_at(w, sizes.nq), j.qpos_adr)];
        vel = a.gear * qvel[at(world_at(w, sizes.nv), j.dof_adr)];
    } else {  // tendon
        let tb = world_at(w, sizes.ntendon);
        len = a.gear * ten_length[at(tb, a.trnid)];
        vel = a.gear * ten_velocity[at(tb, a.trnid)];
    }
    actuator_length[i] = len;
    actuator_velocity[i] = vel;
    var c = ctrl[i];
    if ((a.flags & 1u) != 0u) {
        c = clamp(c, a.ctrlrange[0], a.ctrlrange[1]);
    }
    var input = c;
    if (a.act_adr >= 0) {
        let ai = at(world_at(w, sizes.na), u32(a.act_adr));
        let x = act[ai];
        var rate = 0.0;
        switch (a.dyntype) {
            case 1u: { rate = c; }
            case 2u, 3u: { rate = (c - x) / max(MINVAL, a.dynprm[0]); }
            case 4u: { rate = muscle_dynamics(c, x, a.dynprm); }
            default: {}
        }
        act_dot[ai] = rate;
        input = x;
    }
    var gain = a.gainprm[0];
    if (a.gaintype == 1u) {
        gain = a.gainprm[0] + a.gainprm[1] * len + a.gainprm[2] * vel;
    } else if (a.gaintype == 2u) {
        let s = muscle_state(a.gainprm, a.lengthrange, actuator_acc0[u], len, vel);
        gain = -s.x * muscle_fl(s.y, a.gainprm[4], a.gainprm[5]) * muscle_fv(s.z, a.gainprm[8]);
    }
    var bias = 0.0;
    if (a.biastype == 1u) {
        bias = a.biasprm[0] + a.biasprm[1] * len + a.biasprm[2] * vel;
    } else if (a.biastype == 2u) {
        let s = muscle_state(a.biasprm, a.lengthrange, actuator_acc0[u], len, vel);
        bias = -s.x * muscle_fp(s.y, a.biasprm[5], a.biasprm[7]);
    }
    var force = gain * input + bias;
    if (a.gaintype == 2u) {
        force *= world_scale[w].x;  // the world's muscle strength scale (1 unless randomised)
    }
    if ((a.flags & 2u) != 0u) {
        force = clamp(force, a.forcerange[0], a.forcerange[1]);
    }
    actuator_force[i] = force;
}

// qfrc_actuator[w, d] = Σ over actuators pushing on dof d of moment · force.
@compute @workgroup_size(64)
fn qfrc(@builtin(global_invocation_id) gid: vec3<u32>) {
    // item i is (world, dof) as tiles number them (common/worlds.wgsl)
    let i = flat_index(gid);
    let wd = world_item(i, sizes.nv);
    let w = wd.x;
    let d = wd.y;
    if (w >= run.nworld) {
        return;
    }
    let jb = world_at(w, run.ten_nnz);
    let ub = world_at(w, sizes.nu);
    let rows = dof_act_rows[d];
    var f = 0.0;
    for (var k = 0u; k < rows.y; k++) {
        let pair = dof_act_pairs[rows.x + k];
        let a = actuators[pair.x];
        var moment = a.gear;
        if (pair.y != 0xffffffffu) {
            moment = a.gear * ten_j[at(jb, pair.y)];
        }
        f += moment * actuator_force[at(ub, pair.x)];
    }
    qfrc_actuator[i] = f;
}
