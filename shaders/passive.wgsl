// passive: joint springs/dampers and tendon springs/dampers (MuJoCo's mj_passive), one invocation
// per (world, joint); tendon forces are gathered through the dof → tendon pairs.

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<uniform> options: ModelOptions;
@group(0) @binding(3) var<storage, read> joints: array<Joint>;
@group(0) @binding(4) var<storage, read> dofs: array<Dof>;
@group(0) @binding(5) var<storage, read> tendons: array<Tendon>;
@group(0) @binding(6) var<storage, read> qpos_spring: array<f32>;
@group(0) @binding(7) var<storage, read> dof_ten_rows: array<vec2<u32>>;
@group(0) @binding(8) var<storage, read> dof_ten_pairs: array<vec2<u32>>;
@group(0) @binding(9) var<storage, read> qpos: array<f32>;
@group(0) @binding(10) var<storage, read> qvel: array<f32>;
@group(0) @binding(11) var<storage, read> ten_length: array<f32>;
@group(0) @binding(12) var<storage, read> ten_velocity: array<f32>;
@group(0) @binding(13) var<storage, read> ten_j: array<f32>;
@group(0) @binding(14) var<storage, read_write> qfrc_passive: array<f32>;

const DISABLE_SPRING: u32 = 32u;
const DISABLE_DAMPER: u32 = 64u;

// Rotation vector taking unit quaternion b to a, in b's frame (MuJoCo's mju_subQuat).
fn quat_difference(a: vec4<f32>, b: vec4<f32>) -> vec3<f32> {
    let q = quat_mul(vec4<f32>(b.x, -b.yzw), a);
    let s = length(q.yzw);
    if (s < MINVAL) {
        return vec3<f32>(0.0);
    }
    var angle = 2.0 * atan2(s, q.x);
    if (angle > 3.14159265358979) {
        angle -= 2.0 * 3.14159265358979;
    }
    return q.yzw / s * angle;
}

fn tendon_force(w: u32, t: u32) -> f32 {
    let ten = tendons[t];
    let i = at(world_at(w, sizes.ntendon), t);
    var f = 0.0;
    if ((options.disableflags & DISABLE_SPRING) == 0u && ten.stiffness != 0.0) {
        let l = ten_length[i];
        if (l > ten.lengthspring_hi) {
            f -= ten.stiffness * (l - ten.lengthspring_hi);
        } else if (l < ten.lengthspring_lo) {
            f -= ten.stiffness * (l - ten.lengthspring_lo);
        }
    }
    if ((options.disableflags & DISABLE_DAMPER) == 0u) {
        f -= ten.damping * ten_velocity[i];
    }
    return f;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    // item is (world, joint) as tiles number them (common/worlds.wgsl)
    let item = flat_index(gid);
    let wj = world_item(item, sizes.njnt);
    let w = wj.x;
    let j = wj.y;
    if (w >= run.nworld) {
        return;
    }
    let jnt = joints[j];
    // the joint's first qpos and dof in the world's tiled qpos, qvel and qfrc_passive
    let qa = at(world_at(w, sizes.nq), jnt.qpos_adr);
    let da = at(world_at(w, sizes.nv), jnt.dof_adr);
    var n = 1u;
    var f = array<f32, 6>(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let k = jnt.pos.w;
    let spring = (options.disableflags & DISABLE_SPRING) == 0u && k != 0.0;
    switch (jnt.kind) {
        case 0u, 1u: {  // free, ball
            var r = 0u;
            var qr = jnt.qpos_adr;
            if (jnt.kind == 0u) {
                n = 6u;
                r = 3u;
                qr += 3u;
                if (spring) {
                    for (var i = 0u; i < 3u; i++) {
                        f[i] = -k * (qpos[at(qa, i)] - qpos_spring[jnt.qpos_adr + i]);
                    }
                }
            } else {
                n = 3u;
            }
            if (spring) {
                let qb = at(world_at(w, sizes.nq), qr);
                let q = quat_normalize(vec4<f32>(qpos[qb], qpos[at(qb, 1u)], qpos[at(qb, 2u)], qpos[at(qb, 3u)]));
                let s = vec4<f32>(qpos_spring[qr], qpos_spring[qr + 1u], qpos_spring[qr + 2u], qpos_spring[qr + 3u]);
                let dif = quat_difference(q, s);
                for (var i = 0u; i < 3u; i++) {
                    f[r + i] = -k * dif[i];
                }
            }
        }
        default: {  // hinge, slide
            if (spring) {
                f[0] = -k * (qpos[qa] - qpos_spring[jnt.qpos_adr]);
            }
        }
    }
    for (var i = 0u; i < n; i++) {
        let d = jnt.dof_adr + i;
        var total = f[i];
        if ((options.disableflags & DISABLE_DAMPER) == 0u) {
            total -= dofs[d].damping * qvel[at(da, i)];
        }
        let rows = dof_ten_rows[d];
        for (var e = 0u; e < rows.y; e++) {
            let pair = dof_ten_pairs[rows.x + e];
            total += ten_j[at(world_at(w, run.ten_nnz), pair.y)] * tendon_force(w, pair.x);
        }
        qfrc_passive[at(da, i)] = total;
    }
}
