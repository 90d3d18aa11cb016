// env/locomotion.wgsl: walk at a target velocity (MyoSuite / osim-rl style). Each episode draws a
// target speed along the start's walking direction. Reward: alive + velocity tracking
// exp(-scale |v − v*|²) + footstep (per foot touch-down) + upright (root z · world z) + body
// support (root height / standing height, capped at 1) − effort (mean squared activation), each
// weighted. Ends when the root drops below a height or tilts past an angle.

@group(0) @binding(28) var<uniform> task: LocomotionParams;

@compute @workgroup_size(64)
fn evaluate(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    let v = root_vel(w).xy - world[w].goal.xy;
    let feet = foot_contacts(w);
    let touchdowns = countOneBits(feet & ~world[w].feet);
    world[w].feet = feet;
    let up = upright(w);
    let height = root_pos(w).z;
    let wa = task.weight_a;
    let wb = task.weight_b;
    let r = wa.x + wa.y * exp(-task.speed.z * dot(v, v)) + wa.z * f32(touchdowns) + wa.w * up
        + wb.x * min(height / env.stand_height, 1.0) - wb.y * effort(w);
    let tilt = acos(clamp(up, -1.0, 1.0));
    let terminated = world_broken(w) || height < task.terminate.x || tilt > task.terminate.y;
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
    let speed = rand_range(&rng, task.speed.x, task.speed.y);
    let h = heading(w);
    world[w].goal = vec4<f32>(speed * h, 0.0, speed);
    world[w].rng = rng;
}

// Observation: proprioception; the target velocity and the root's velocity in the heading frame
// (forward, left).
@compute @workgroup_size(64)
fn observe(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    let k = write_proprio(w, w * env.nobs);
    let t = to_heading(w, world[w].goal.xy);
    let v = to_heading(w, root_vel(w).xy);
    obs[k] = t.x;
    obs[k + 1u] = t.y;
    obs[k + 2u] = v.x;
    obs[k + 3u] = v.y;
}
