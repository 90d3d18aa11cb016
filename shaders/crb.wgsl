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


// World w's part of the fused stage mass_bias.wgsl (which calls it for every world).
fn crb_world(w: u32) {
    // crb and cinert: 3 vec4 per body; cdof: 2 per dof (tiled, common/worlds.wgsl)
    let ib = world_at(w, 3u * sizes.nbody);
    let cb = world_at(w, 2u * sizes.nv);
    for (var i = 0u; i < 3u * sizes.nbody; i++) {
        crb[at(ib, i)] = cinert[at(ib, i)];
    }
    // Inertias about one origin per tree simply add up toward the root (not into the world).
    for (var b = sizes.nbody - 1u; b > 0u; b--) {
        let p = bodies[b].parent;
        if (p > 0u) {
            for (var k = 0u; k < 3u; k++) {
                crb[at(ib, 3u * p + k)] = crb[at(ib, 3u * p + k)] + crb[at(ib, 3u * b + k)];
            }
        }
    }
    let mb = w * run.nm;  // qm is world-major (Newton's workgroup reads it every iteration)
    for (var d = 0u; d < sizes.nv; d++) {
        let dof = dofs[d];
        let c = 3u * dof.body;
        let f = inertia_mul(crb[at(ib, c)], crb[at(ib, c + 1u)], crb[at(ib, c + 2u)], cdof[at(cb, 2u * d)].xyz, cdof[at(cb, 2u * d + 1u)].xyz);
        var adr = dof_madr[d];
        qm[mb + adr] = dot(cdof[at(cb, 2u * d)].xyz, f[0]) + dot(cdof[at(cb, 2u * d + 1u)].xyz, f[1]) + dof.armature;
        var p = dof.parent;
        while (p >= 0) {
            adr += 1u;
            let pd = u32(p);
            qm[mb + adr] = dot(cdof[at(cb, 2u * pd)].xyz, f[0]) + dot(cdof[at(cb, 2u * pd + 1u)].xyz, f[1]);
            p = dofs[pd].parent;
        }
    }
}
