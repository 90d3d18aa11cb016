// env/reaching.wgsl: walk to a target point on the floor (KINESIS). A target is drawn at a random
// direction and distance from the root; reaching it (horizontal distance under the radius) pays a
// bonus, counts a success and draws the next target from where the body is. Reward: alive +
// progress (metres per second gained towards the target) + upright − effort, weighted. Ends like
// locomotion (root too low or too tilted).

@group(0) @binding(28) var<uniform> task: ReachingParams;

fn new_target(w: u32, rng: ptr<function, u32>) {
    let angle = rand_range(rng, 0.0, 6.283185307);
    let dist = rand_range(rng, task.goal.x, task.goal.y);
    let p = root_pos(w).xy + dist * vec2<f32>(cos(angle), sin(angle));
    world[w].goal = vec4<f32>(p, 0.0, dist);
}

@compute @workgroup_size(64)
fn evaluate(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    let dist = length(world[w].goal.xy - root_pos(w).xy);
    let progress = (world[w].goal.w - dist) / env.ctrl_dt;
    let up = upright(w);
    let wa = task.weight_a;
    var r = wa.x + wa.y * progress + wa.w * up - task.weight_b.x * effort(w);
    world[w].goal.w = dist;
    if (dist < task.goal.z) {
        r += wa.z;
        world[w].successes += 1u;
        var rng = world[w].rng;
        new_target(w, &rng);
        world[w].rng = rng;
    }
    let tilt = acos(clamp(up, -1.0, 1.0));
    let terminated = world_broken(w) || root_pos(w).z < task.terminate.x || tilt > task.terminate.y;
    finish_step(w, r, terminated, false);
}

@compute @workgroup_size(64)
fn reset(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld || done[w] == 0u) {
        return;
    }
    var rng = reset_common(w);
    reset_standing(w, &rng);
    new_target(w, &rng);
    world[w].rng = rng;
}

// Observation: proprioception; the target relative to the root in the heading frame (forward,
// left) and its distance.
@compute @workgroup_size(64)
fn observe(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    let k = write_proprio(w, w * env.nobs);
    let d = world[w].goal.xy - root_pos(w).xy;
    let t = to_heading(w, d);
    obs[k] = t.x;
    obs[k + 1u] = t.y;
    obs[k + 2u] = length(d);
}
