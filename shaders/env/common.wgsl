// env/common.wgsl: the bindings and helpers every task's kernels share (after the model prelude
// and env/params.wgsl). A task file adds its own bindings (from 28) after these and defines `evaluate`,
// `reset` and `observe`, each one invocation per world.
//
// done[w] flags: 1 terminated, 2 truncated (set by `evaluate`), 4 reset requested by the host.
// A world with any flag is reset by `reset` in the same step (auto-reset); its reward and flags
// describe the transition that ended the episode, its observation the new episode's start.

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> env: EnvParams;
@group(0) @binding(2) var<storage, read_write> world: array<WorldEnv>;
@group(0) @binding(3) var<storage, read> bodies: array<Body>;
@group(0) @binding(4) var<storage, read> joints: array<Joint>;
@group(0) @binding(5) var<storage, read> dofs: array<Dof>;
@group(0) @binding(6) var<storage, read_write> qpos: array<f32>;
@group(0) @binding(7) var<storage, read_write> qvel: array<f32>;
@group(0) @binding(8) var<storage, read_write> act: array<f32>;
@group(0) @binding(9) var<storage, read_write> qacc_warmstart: array<f32>;
@group(0) @binding(10) var<storage, read> xpos: array<vec4<f32>>;
@group(0) @binding(11) var<storage, read> xquat: array<vec4<f32>>;
@group(0) @binding(12) var<storage, read> cdof: array<vec4<f32>>;
@group(0) @binding(13) var<storage, read> subtree_com: array<vec4<f32>>;
@group(0) @binding(14) var<storage, read> actuator_length: array<f32>;
@group(0) @binding(15) var<storage, read> actuator_velocity: array<f32>;
@group(0) @binding(16) var<storage, read> actuator_force: array<f32>;
@group(0) @binding(17) var<storage, read> con: array<vec4<f32>>;          // nworld × nslot × 3
@group(0) @binding(18) var<storage, read> slot_feet: array<u32>;          // nslot: foot bits
@group(0) @binding(19) var<storage, read_write> obs: array<f32>;          // nworld × nobs
@group(0) @binding(20) var<storage, read_write> reward: array<f32>;       // nworld
@group(0) @binding(21) var<storage, read_write> done: array<u32>;         // nworld
@group(0) @binding(22) var<storage, read_write> last_action: array<f32>;  // nworld × nu
@group(0) @binding(23) var<storage, read_write> world_scale: array<vec4<f32>>;
@group(0) @binding(24) var<storage, read_write> fatigue: array<vec4<f32>>; // nworld × nu: MA, MR, MF
@group(0) @binding(25) var<storage, read> init_qpos: array<f32>;          // nq: standing start
@group(0) @binding(26) var<storage, read_write> nonfinite: array<u32>;    // nworld
@group(0) @binding(27) var<storage, read> site_xpos: array<vec4<f32>>;    // nworld × nsite
@group(0) @binding(40) var<uniform> run: RunParams;  // this chunk of worlds

const DONE_TERMINATED: u32 = 1u;
const DONE_TRUNCATED: u32 = 2u;
const DONE_RESET: u32 = 4u;

// PCG hash: the next state of a world's random stream.
fn pcg(v: u32) -> u32 {
    let s = v * 747796405u + 2891336453u;
    let word = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
    return (word >> 22u) ^ word;
}

// Uniform in [0, 1).
fn rand(state: ptr<function, u32>) -> f32 {
    *state = pcg(*state);
    return f32(*state >> 8u) * (1.0 / 16777216.0);
}

fn rand_range(state: ptr<function, u32>, lo: f32, hi: f32) -> f32 {
    return lo + (hi - lo) * rand(state);
}

fn root_pos(w: u32) -> vec3<f32> {
    let a = at(world_at(w, sizes.nq), env.root_qpos);
    return vec3<f32>(qpos[a], qpos[at(a, 1u)], qpos[at(a, 2u)]);
}

fn root_quat(w: u32) -> vec4<f32> {
    let a = at(world_at(w, sizes.nq), env.root_qpos + 3u);
    return vec4<f32>(qpos[a], qpos[at(a, 1u)], qpos[at(a, 2u)], qpos[at(a, 3u)]);
}

// The root's linear velocity (world frame, as MuJoCo's free joint).
fn root_vel(w: u32) -> vec3<f32> {
    let a = at(world_at(w, sizes.nv), env.root_dof);
    return vec3<f32>(qvel[a], qvel[at(a, 1u)], qvel[at(a, 2u)]);
}

// Cosine of the root's tilt from upright (its z axis · world z).
fn upright(w: u32) -> f32 {
    return quat_rot(root_quat(w), vec3<f32>(0.0, 0.0, 1.0)).z;
}

// Unit walking direction in the floor plane.
fn heading(w: u32) -> vec2<f32> {
    let f = quat_rot(root_quat(w), env.forward.xyz);
    let h = vec2<f32>(f.x, f.y);
    let n = length(h);
    if (n < 1e-6) {
        return vec2<f32>(1.0, 0.0);
    }
    return h / n;
}

// A world-frame floor vector in the heading frame: (forward, left).
fn to_heading(w: u32, v: vec2<f32>) -> vec2<f32> {
    let h = heading(w);
    return vec2<f32>(h.x * v.x + h.y * v.y, -h.y * v.x + h.x * v.y);
}

// Velocity of point p fixed to body b: Σ over the dofs moving b of cdof · qvel.
fn point_velocity(w: u32, b: u32, p: vec3<f32>) -> vec3<f32> {
    var body = b;
    while (body > 0u && bodies[body].dof_num == 0u) {
        body = bodies[body].parent;
    }
    if (body == 0u) {
        return vec3<f32>(0.0);
    }
    let com = subtree_com[at(world_at(w, sizes.nbody), bodies[body].root)].xyz;
    var d = i32(bodies[body].dof_adr + bodies[body].dof_num - 1u);
    var v = vec3<f32>(0.0);
    while (d >= 0) {
        let i = at(world_at(w, 2u * sizes.nv), 2u * u32(d));
        v += (cdof[at(i, 1u)].xyz + cross(cdof[i].xyz, p - com)) * qvel[at(world_at(w, sizes.nv), u32(d))];
        d = dofs[u32(d)].parent;
    }
    return v;
}

// Foot-contact bits: bit i when foot i has an active contact.
fn foot_contacts(w: u32) -> u32 {
    var bits = 0u;
    for (var s = 0u; s < env.nslot; s++) {
        if (con[3u * (w * env.nslot + s) + 1u].w == 1.0) {
            bits = bits | slot_feet[s];
        }
    }
    return bits;
}

// Mean squared muscle activation (the effort term).
fn effort(w: u32) -> f32 {
    if (sizes.na == 0u) {
        return 0.0;
    }
    var e = 0.0;
    for (var a = 0u; a < sizes.na; a++) {
        let x = act[at(world_at(w, sizes.na), a)];
        e += x * x;
    }
    return e / f32(sizes.na);
}

// Whether any qpos/qvel of the world is non-finite (or the step flagged it).
fn world_broken(w: u32) -> bool {
    if (nonfinite[w] != 0u) {
        return true;
    }
    for (var i = 0u; i < sizes.nq; i++) {
        let x = qpos[at(world_at(w, sizes.nq), i)];
        if (x != x || abs(x) > 1e6) {
            return true;
        }
    }
    return false;
}

// Close the control step: reward, episode counters, done flags.
fn finish_step(w: u32, r_in: f32, terminated: bool, truncated: bool) {
    var r = r_in;
    if (r != r || abs(r) > 1e9) {
        r = 0.0;  // a broken world's reward is 0, never NaN
    }
    var e = world[w];
    e.step += 1u;
    e.ret += r;
    var flags = 0u;
    if (terminated) {
        flags = DONE_TERMINATED;
        e.terminations += 1u;
    } else if (truncated || e.step >= env.max_steps) {
        flags = DONE_TRUNCATED;
    }
    if (flags != 0u) {
        e.last_return = e.ret;
        e.last_length = e.step;
        e.episodes += 1u;
    }
    world[w] = e;
    reward[w] = r;
    done[w] = flags;
}

// Reset what every task resets: episode counters, activations, fatigue, last action, warm start,
// the non-finite flag, and the per-world strength and mass scales. Returns the random state.
fn reset_common(w: u32) -> u32 {
    var rng = world[w].rng;
    world_scale[w] = vec4<f32>(
        rand_range(&rng, env.scale_range.x, env.scale_range.y),
        rand_range(&rng, env.scale_range.z, env.scale_range.w),
        1.0,
        1.0,
    );
    for (var a = 0u; a < sizes.na; a++) {
        act[at(world_at(w, sizes.na), a)] = 0.0;
    }
    for (var u = 0u; u < sizes.nu; u++) {
        last_action[w * sizes.nu + u] = 0.0;
        fatigue[w * sizes.nu + u] = vec4<f32>(0.0, 1.0, 0.0, 0.0);
    }
    for (var d = 0u; d < sizes.nv; d++) {
        qacc_warmstart[at(world_at(w, sizes.nv), d)] = 0.0;
    }
    nonfinite[w] = 0u;
    world[w].step = 0u;
    world[w].ret = 0.0;
    world[w].feet = 0u;
    return rng;
}

// Uniform noise on hinge and slide positions (kept inside limited ranges) and on every velocity;
// without position noise the start is left exactly as given.
fn add_noise(w: u32, rng: ptr<function, u32>) {
    for (var j = 0u; j < sizes.njnt; j++) {
        let jnt = joints[j];
        if ((jnt.kind == 2u || jnt.kind == 3u) && env.qpos_noise > 0.0) {
            let i = at(world_at(w, sizes.nq), jnt.qpos_adr);
            var x = qpos[i] + rand_range(rng, -env.qpos_noise, env.qpos_noise);
            if (jnt.limited != 0u) {
                x = clamp(x, jnt.range_lo, jnt.range_hi);
            }
            qpos[i] = x;
        }
    }
    for (var d = 0u; d < sizes.nv; d++) {
        qvel[at(world_at(w, sizes.nv), d)] += rand_range(rng, -env.qvel_noise, env.qvel_noise);
    }
}

// Put the world at the standing start (init_qpos, at rest) with noise.
fn reset_standing(w: u32, rng: ptr<function, u32>) {
    for (var i = 0u; i < sizes.nq; i++) {
        qpos[at(world_at(w, sizes.nq), i)] = init_qpos[i];
    }
    for (var d = 0u; d < sizes.nv; d++) {
        qvel[at(world_at(w, sizes.nv), d)] = 0.0;
    }
    add_noise(w, rng);
}

// Proprioception at obs[o..]: qpos without the root's x and y, qvel, activations, actuator length,
// velocity and force (kN), foot contacts, last action. Returns the next index.
fn write_proprio(w: u32, o: u32) -> u32 {
    var k = o;
    for (var i = 0u; i < sizes.nq; i++) {
        if (i != env.root_qpos && i != env.root_qpos + 1u) {
            obs[k] = qpos[at(world_at(w, sizes.nq), i)];
            k++;
        }
    }
    for (var d = 0u; d < sizes.nv; d++) {
        obs[k] = qvel[at(world_at(w, sizes.nv), d)];
        k++;
    }
    for (var a = 0u; a < sizes.na; a++) {
        obs[k] = act[at(world_at(w, sizes.na), a)];
        k++;
    }
    for (var u = 0u; u < sizes.nu; u++) {
        let i = at(world_at(w, sizes.nu), u);
        obs[k] = actuator_length[i];
        obs[k + sizes.nu] = actuator_velocity[i];
        obs[k + 2u * sizes.nu] = 1e-3 * actuator_force[i];
        k++;
    }
    k += 2u * sizes.nu;
    let feet = foot_contacts(w);
    for (var f = 0u; f < env.nfoot; f++) {
        obs[k] = f32((feet >> f) & 1u);
        k++;
    }
    for (var u = 0u; u < sizes.nu; u++) {
        obs[k] = last_action[w * sizes.nu + u];
        k++;
    }
    return k;
}

// Host-requested reset of every world.
@compute @workgroup_size(64)
fn mark_all(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w < run.nworld) {
        done[w] = DONE_RESET;
    }
}
