// rows: the constraint rows of one world, equalities and limits (constraint.wgsl, MuJoCo's
// mj_makeConstraint without contacts) then its contacts' rows appended and the rows indexed by dof
// (contact.wgsl), in one invocation: contact rows start where the world's other rows end.
// Binding declarations are merged by the host.

@compute @workgroup_size(64)
fn rows(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    constraint_world(w);
    contact_world(w);
}
