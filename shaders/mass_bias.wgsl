// mass_bias: the joint-space inertia M (crb.wgsl, MuJoCo's mj_crb) and the bias forces (rne.wgsl,
// mj_rne) for one world in one invocation: both read com's outputs and neither reads the other's,
// so one dispatch does both. Binding declarations are merged by the host.

@compute @workgroup_size(64)
fn mass_bias(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    crb_world(w);
    rne_world(w);
}
