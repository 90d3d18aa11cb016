// Where an invocation is in its dispatch. The host lays out more than 65,535 workgroups of 64 as
// (min(g, 65535), ceil(g / 65535)) (`Kernel::record`), so row y starts at y · 65535 · 64: every
// kernel indexes its item (a world, or a world's actuator, tendon, joint or dof) with this, never
// with gid.x alone, and checks it against its count (the last row has spare invocations).
fn flat_index(gid: vec3<u32>) -> u32 {
    return gid.x + gid.y * 65535u * 64u;
}
