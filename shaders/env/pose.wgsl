// env/pose.wgsl: hold a target joint configuration (MyoSuite's myoElbowPose / myoHandPose). Each
// episode draws a target for every pose joint inside its range and starts from the model's qpos0
// (with the configured noise). Reward: −w·|q − q*| (Euclidean over the pose joints) + bonus·(one
// per threshold met: |q − q*| < thd and < 1.5·thd) − effort·mean(act²). No termination but a
// broken world; an episode whose last step is within the threshold counts a success.

@group(0) @binding(28) var<uniform> task: PoseParams;
@group(0) @binding(29) var<storage, read> pose_joints: array<PoseJoint>;
@group(0) @binding(30) var<storage, read_write> pose_target: array<f32>;

fn pose_error(w: u32) -> f32 {
    var e = 0.0;
    for (var i = 0u; i < task.npose; i++) {
        let d = qpos[at(world_at(w, sizes.nq), pose_joints[i].qpos_adr)] - pose_target[w * task.npose + i];
        e += d * d;
    }
    return sqrt(e);
}

@compute @workgroup_size(64)
fn evaluate(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    let err = pose_error(w);
    let thd = task.goal.x;
    let bonus = select(0.0, 1.0, err < thd) + select(0.0, 1.0, err < 1.5 * thd);
    let r = -task.weight.x * err + task.weight.y * bonus - task.weight.z * effort(w);
    let broken = world_broken(w);
    if (!broken && world[w].step + 1u >= env.max_steps && err < thd) {
        world[w].successes += 1u;
    }
    finish_step(w, r, broken, false);
}

@compute @workgroup_size(64)
fn reset(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld || done[w] == 0u) {
        return;
    }
    var rng = reset_common(w);
    reset_standing(w, &rng);
    let f = task.goal.y;
    for (var i = 0u; i < task.npose; i++) {
        let j = pose_joints[i];
        let u = 0.5 + f * (rand(&rng) - 0.5);
        pose_target[w * task.npose + i] = j.lo + (j.hi - j.lo) * u;
    }
    world[w].rng = rng;
}

// Observation: proprioception; the target of each pose joint, then its error q* − q.
@compute @workgroup_size(64)
fn observe(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    let k = write_proprio(w, w * env.nobs);
    for (var i = 0u; i < task.npose; i++) {
        let t = pose_target[w * task.npose + i];
        obs[k + i] = t;
        obs[k + task.npose + i] = t - qpos[at(world_at(w, sizes.nq), pose_joints[i].qpos_adr)];
    }
}
