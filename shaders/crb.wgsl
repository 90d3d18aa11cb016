// crb: composite rigid-body inertias and the joint-space inertia M with armature (MuJoCo's mj_crb),
// one invocation per world. M is stored sparse like MuJoCo's: row d holds M[d, d] then M[d, p] for
// each ancestor dof p offd d, at dof_madr[d]; per world nm entries.

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<storage, read> bodies: array<Body>;
@group(0) @binding(3) var<storage, read> dofs: array<Dof>;
@group(0) @binding(4) var<storage, read> dof_madr: array<u32>;
@group(0) @binding(5) var<storage, read> cinert: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> cdof: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> crb: array<vec4<f32>>;   // nworld × nbody × 3
@group(0) @binding(8) var<storage, read_write> qm: array<f32>;          // nworld × nm


@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    let bb = w * sizes.nbody;
    for (var i = 0u; i < 3u * sizes.nbody; i++) {
        crb[3u * bb + i] = cinert[3u * bb + i];
    }
    // Inertias about one origin per tree simply add up toward the root (not into the world).
    for (var b = sizes.nbody - 1u; b > 0u; b--) {
        let p = bodies[b].parent;
        if (p > 0u) {
            for (var k = 0u; k < 3u; k++) {
                crb[3u * (bb + p) + k] = crb[3u * (bb + p) + k] + crb[3u * (bb + b) + k];
            }
        }
    }
    let db = w * sizes.nv;
    for (var d = 0u; d < sizes.nv; d++) {
        let dof = dofs[d];
        let c = 3u * (bb + dof.body);
        let f = inertia_mul(crb[c], crb[c + 1u], crb[c + 2u], cdof[2u * (db + d)].xyz, cdof[2u * (db + d) + 1u].xyz);
        var adr = w * run.nm + dof_madr[d];
        qm[adr] = dot(cdof[2u * (db + d)].xyz, f[0]) + dot(cdof[2u * (db + d) + 1u].xyz, f[1]) + dof.armature;
        var p = dof.parent;
        while (p >= 0) {
            adr += 1u;
            let pd = u32(p);
            qm[adr] = dot(cdof[2u * (db + pd)].xyz, f[0]) + dot(cdof[2u * (db + pd) + 1u].xyz, f[1]);
            p = dofs[pd].parent;
        }
    }
}
