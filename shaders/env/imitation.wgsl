// env/imitation.wgsl: motion imitation (MuscleMimic / KINESIS). Reward: weighted exponential
// kernels exp(-scale · error) on joint positions and velocities, root position and velocity, and
// mimic-site positions, orientations and velocities relative to the pelvis. Each world tracks one
// motion of the library (src/env/motion_library.rs), drawn at reset from the sampling
// distribution, from a random frame of it (reference-state initialisation); the episode ends when
// the mean site deviation or the root deviation passes its threshold, or when the motion runs out.
// Reference arrays hold every motion at the control rate, motion after motion: frame f of motion
// m (f matches control step f of the motion) is library frame motions[m].start + f. `evaluate`
// counts each motion's ended and early-terminated episodes; `adapt` (one workgroup, between
// rollouts, adaptive sampling only) folds them into the sampling probabilities
// (src/env/sampling.rs has the rule and its host twin).

@group(0) @binding(28) var<uniform> task: ImitationParams;
@group(0) @binding(29) var<storage, read> mimic_sites: array<u32>;   // nmimic site ids
@group(0) @binding(30) var<storage, read> sites: array<Site>;
@group(0) @binding(31) var<storage, read> ref_qpos: array<f32>;       // nframe × nq
@group(0) @binding(32) var<storage, read> ref_qvel: array<f32>;       // nframe × nv
@group(0) @binding(33) var<storage, read> ref_site: array<vec4<f32>>; // nframe × nmimic × 3: pos, quat, vel
@group(0) @binding(34) var<storage, read_write> motions: array<MotionRow>; // nmotion

fn quat_conj(q: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(q.x, -q.yzw);
}

fn is_root_qpos(i: u32) -> bool {
    return i >= env.root_qpos && i < env.root_qpos + 7u;
}

fn is_root_dof(d: u32) -> bool {
    return d >= env.root_dof && d < env.root_dof + 6u;
}

// Frames of the world's motion.
fn motion_frames(w: u32) -> u32 {
    return motions[world[w].motion].nframe;
}

// Library frame of frame f of the world's motion (f clamped to the motion).
fn library_frame(w: u32, f: u32) -> u32 {
    let m = world[w].motion;
    return motions[m].start + min(f, motions[m].nframe - 1u);
}

// The frame of its motion the world should be at now (clamped to the motion).
fn frame_now(w: u32) -> u32 {
    return min(world[w].frame0 + world[w].step, motion_frames(w) - 1u);
}

// The pelvis frame of a world: position, inverse orientation, velocity of its origin.
struct Pelvis {
    pos: vec3<f32>,
    inv: vec4<f32>,
    vel: vec3<f32>,
}

fn pelvis_frame(w: u32) -> Pelvis {
    let pb = at(world_at(w, sizes.nbody), env.pelvis);
    var p: Pelvis;
    p.pos = xpos[pb].xyz;
    p.inv = quat_conj(xquat[pb]);
    p.vel = point_velocity(w, env.pelvis, p.pos);
    return p;
}

// Mimic site i's position relative to the pelvis, in the pelvis frame.
fn relative_pos(w: u32, i: u32, pel: Pelvis) -> vec3<f32> {
    return quat_rot(pel.inv, site_xpos[at(world_at(w, sizes.nsite), mimic_sites[i])].xyz - pel.pos);
}

// Mimic site i's orientation and velocity relative to the pelvis, in the pelvis frame.
struct Relative {
    quat: vec4<f32>,
    vel: vec3<f32>,
}

fn relative_motion(w: u32, i: u32, pel: Pelvis) -> Relative {
    let s = mimic_sites[i];
    let site = sites[s];
    var r: Relative;
    r.quat = quat_mul(pel.inv, quat_mul(xquat[at(world_at(w, sizes.nbody), site.body)], site.quat));
    r.vel = quat_rot(pel.inv, point_velocity(w, site.body, site_xpos[at(world_at(w, sizes.nsite), s)].xyz) - pel.vel);
    return r;
}

// The largest look-ahead offset (frames the reference must have left).
fn max_look() -> u32 {
    var m = 0u;
    for (var l = 0u; l < task.nlook; l++) {
        m = max(m, task.look[l]);
    }
    return m;
}

@compute @workgroup_size(64)
fn evaluate(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    // the state after this control step matches frame frame0 + step + 1 of the world's motion
    let nf = motion_frames(w);
    let local = min(world[w].frame0 + world[w].step + 1u, nf - 1u);
    let f = library_frame(w, local);
    var e_qpos = 0.0;
    var n = 0.0;
    for (var i = 0u; i < sizes.nq; i++) {
        if (!is_root_qpos(i)) {
            let d = qpos[at(world_at(w, sizes.nq), i)] - ref_qpos[f * sizes.nq + i];
            e_qpos += d * d;
            n += 1.0;
        }
    }
    e_qpos /= max(n, 1.0);
    var e_qvel = 0.0;
    n = 0.0;
    for (var d = 0u; d < sizes.nv; d++) {
        if (!is_root_dof(d)) {
            let x = qvel[at(world_at(w, sizes.nv), d)] - ref_qvel[f * sizes.nv + d];
            e_qvel += x * x;
            n += 1.0;
        }
    }
    e_qvel /= max(n, 1.0);
    let ra = f * sizes.nq + env.root_qpos;
    let root_err = root_pos(w) - vec3<f32>(ref_qpos[ra], ref_qpos[ra + 1u], ref_qpos[ra + 2u]);
    let e_root_pos = dot(root_err, root_err);
    let va = f * sizes.nv + env.root_dof;
    let vel_err = root_vel(w) - vec3<f32>(ref_qvel[va], ref_qvel[va + 1u], ref_qvel[va + 2u]);
    let e_root_vel = dot(vel_err, vel_err);
    var e_pos = 0.0;
    var e_quat = 0.0;
    var e_vel = 0.0;
    var deviation = 0.0;
    let pel = pelvis_frame(w);
    for (var i = 0u; i < task.nmimic; i++) {
        let r = relative_motion(w, i, pel);
        let k = 3u * (f * task.nmimic + i);
        let dp = relative_pos(w, i, pel) - ref_site[k].xyz;
        e_pos += dot(dp, dp);
        deviation += length(dp);
        let c = clamp(abs(dot(r.quat, ref_site[k + 1u])), 0.0, 1.0);
        let angle = 2.0 * acos(c);
        e_quat += angle * angle;
        let dv = r.vel - ref_site[k + 2u].xyz;
        e_vel += dot(dv, dv);
    }
    let nm = f32(max(task.nmimic, 1u));
    e_pos /= nm;
    e_quat /= nm;
    e_vel /= nm;
    deviation /= nm;
    let wa = task.weight_a;
    let wb = task.weight_b;
    let sa = task.scale_a;
    let sb = task.scale_b;
    let r = wa.x * exp(-sa.x * e_qpos) + wa.y * exp(-sa.y * e_qvel) + wa.z * exp(-sa.z * e_root_pos)
        + wa.w * exp(-sa.w * e_root_vel) + wb.x * exp(-sb.x * e_pos) + wb.y * exp(-sb.y * e_quat)
        + wb.z * exp(-sb.z * e_vel);
    let terminated = world_broken(w) || deviation > task.terminate.x || sqrt(e_root_pos) > task.terminate.y;
    let truncated = local + max_look() + 1u >= nf;
    finish_step(w, r, terminated, truncated);
    let flags = done[w];
    if (flags != 0u) {
        let m = world[w].motion;
        atomicAdd(&motions[m].ended, 1u);
        if ((flags & DONE_TERMINATED) != 0u) {
            atomicAdd(&motions[m].early, 1u);
        }
    }
}

// The motion whose cumulative weight first reaches u ∈ [0, 1) (binary search).
fn draw_motion(u: f32) -> u32 {
    var lo = 0u;
    var hi = task.nmotion - 1u;
    while (lo < hi) {
        let mid = (lo + hi) / 2u;
        if (motions[mid].cdf > u) {
            hi = mid;
        } else {
            lo = mid + 1u;
        }
    }
    return lo;
}

@compute @workgroup_size(64)
fn reset(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld || done[w] == 0u) {
        return;
    }
    var rng = reset_common(w);
    var f0 = 0u;
    if (task.fixed == 0u) {
        world[w].motion = draw_motion(rand(&rng));
        // a start frame that leaves at least two control steps and the look-ahead (the library
        // keeps max_look + 4 frames per motion at least)
        let last = motion_frames(w) - max_look() - 2u;
        f0 = min(u32(rand(&rng) * f32(last)), last - 1u);
    }
    world[w].frame0 = f0;
    let g = library_frame(w, f0);
    for (var i = 0u; i < sizes.nq; i++) {
        qpos[at(world_at(w, sizes.nq), i)] = ref_qpos[g * sizes.nq + i];
    }
    for (var d = 0u; d < sizes.nv; d++) {
        qvel[at(world_at(w, sizes.nv), d)] = ref_qvel[g * sizes.nv + d];
    }
    if (task.fixed == 0u) {
        add_noise(w, &rng);
    }
    world[w].rng = rng;
}

// Observation: proprioception; mimic-site position errors (3 per site, pelvis frame); phase
// (sin, cos of 2π t / period, and progress through the motion); per look-ahead offset, the
// reference's non-root joint positions and its root position relative to the world's root, in
// the root's frame.
@compute @workgroup_size(64)
fn observe(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    var k = write_proprio(w, w * env.nobs);
    let local = frame_now(w);
    let nf = motion_frames(w);
    let f = library_frame(w, local);
    let pel = pelvis_frame(w);
    for (var i = 0u; i < task.nmimic; i++) {
        let d = relative_pos(w, i, pel) - ref_site[3u * (f * task.nmimic + i)].xyz;
        obs[k] = d.x;
        obs[k + 1u] = d.y;
        obs[k + 2u] = d.z;
        k += 3u;
    }
    // phase over the world's motion (its duration the period), and progress through it
    let angle = 6.283185307 * f32(local) / f32(nf - 1u);
    obs[k] = sin(angle);
    obs[k + 1u] = cos(angle);
    obs[k + 2u] = f32(local) / f32(nf - 1u);
    k += 3u;
    let inv = quat_conj(root_quat(w));
    let here = root_pos(w);
    for (var l = 0u; l < task.nlook; l++) {
        let g = library_frame(w, local + task.look[l]);
        for (var i = 0u; i < sizes.nq; i++) {
            if (!is_root_qpos(i)) {
                obs[k] = ref_qpos[g * sizes.nq + i];
                k++;
            }
        }
        let a = g * sizes.nq + env.root_qpos;
        let d = quat_rot(inv, vec3<f32>(ref_qpos[a], ref_qpos[a + 1u], ref_qpos[a + 2u]) - here);
        obs[k] = d.x;
        obs[k + 1u] = d.y;
        obs[k + 2u] = d.z;
        k += 3u;
    }
}

const ADAPT_WG: u32 = 256u;
var<workgroup> partial: array<f32, ADAPT_WG>;

// Inclusive prefix sum of partial[] across the workgroup (Hillis-Steele); every invocation calls it.
fn scan_partial(lid: u32) {
    for (var off = 1u; off < ADAPT_WG; off *= 2u) {
        var x = 0.0;
        if (lid >= off) {
            x = partial[lid - off];
        }
        workgroupBarrier();
        partial[lid] += x;
        workgroupBarrier();
    }
}

// Adaptive sampling between rollouts (one workgroup): fold each motion's episode counts into its
// moving averages (a motion with no ended episode keeps its own), zero the counts, then the
// probabilities (1 - floor) · w / Σw + floor / nmotion with w = (early / ended + 1e-6)^alpha, and
// their running sum 256 motions at a time. Every motion's row is read and written by the same
// invocation (motion m by invocation m mod 256), so only the partial sums cross invocations.
@compute @workgroup_size(256)
fn adapt(@builtin(local_invocation_index) lid: u32) {
    let beta = task.adaptive.x;
    let alpha = task.adaptive.y;
    let floor_share = task.adaptive.z;
    var total = 0.0;
    for (var m = lid; m < task.nmotion; m += ADAPT_WG) {
        let ended = atomicExchange(&motions[m].ended, 0u);
        let early = atomicExchange(&motions[m].early, 0u);
        if (ended > 0u) {
            motions[m].ema_ended = (1.0 - beta) * motions[m].ema_ended + beta * f32(ended);
            motions[m].ema_early = (1.0 - beta) * motions[m].ema_early + beta * f32(early);
        }
        let w = pow(motions[m].ema_early / max(motions[m].ema_ended, 1e-12) + 1e-6, alpha);
        motions[m].prob = w;
        total += w;
    }
    partial[lid] = total;
    workgroupBarrier();
    for (var stride = ADAPT_WG / 2u; stride > 0u; stride /= 2u) {
        if (lid < stride) {
            partial[lid] += partial[lid + stride];
        }
        workgroupBarrier();
    }
    let sum = partial[0];
    workgroupBarrier();
    let uniform_share = floor_share / f32(task.nmotion);
    var carry = 0.0;
    let rounds = (task.nmotion + ADAPT_WG - 1u) / ADAPT_WG;
    for (var k = 0u; k < rounds; k++) {
        let m = k * ADAPT_WG + lid;
        var p = 0.0;
        if (m < task.nmotion) {
            p = (1.0 - floor_share) * motions[m].prob / sum + uniform_share;
            motions[m].prob = p;
        }
        partial[lid] = p;
        workgroupBarrier();
        scan_partial(lid);
        if (m + 1u == task.nmotion) {
            motions[m].cdf = 1.0;  // every draw in [0, 1) finds a motion
        } else if (m < task.nmotion) {
            motions[m].cdf = carry + partial[lid];
        }
        carry += partial[ADAPT_WG - 1u];
        workgroupBarrier();
    }
}
