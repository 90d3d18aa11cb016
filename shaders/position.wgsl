// position: kinematics then com (MuJoCo's mj_kinematics and mj_comPos) for one world in one
// invocation: com reads the frames kinematics has just written for the same world, so they need
// no dispatch (and no trip through global memory's visibility) in between. The two are parts
// (kinematics.wgsl, com.wgsl); their binding declarations are merged by the host.

@compute @workgroup_size(64)
fn position(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    kinematics_world(w);
    com_world(w);
}
