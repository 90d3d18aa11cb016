// rne: body velocities (mj_comVel) and the bias force qfrc_bias = C(q, q̇)q̇ + g(q) by recursive
// Newton-Euler at zero acceleration (mj_rne), one invocation per world. Spatial vectors are
// (angular, linear) pairs offd vec4 at each tree's com frame.

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<uniform> options: ModelOptions;
@group(0) @binding(3) var<storage, read> bodies: array<Body>;
@group(0) @binding(4) var<storage, read> joints: array<Joint>;
@group(0) @binding(5) var<storage, read> dofs: array<Dof>;
@group(0) @binding(6) var<storage, read> cinert: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> cdof: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read> qvel: array<f32>;
@group(0) @binding(9) var<storage, read_write> cvel: array<vec4<f32>>;      // nworld × nbody × 2
@group(0) @binding(10) var<storage, read_write> cdof_dot: array<vec4<f32>>; // nworld × nv × 2
@group(0) @binding(11) var<storage, read_write> cacc: array<vec4<f32>>;     // nworld × nbody × 2
@group(0) @binding(12) var<storage, read_write> cfrc: array<vec4<f32>>;     // nworld × nbody × 2
@group(0) @binding(13) var<storage, read_write> qfrc_bias: array<f32>;      // nworld × nv

const DISABLE_GRAVITY: u32 = 128u;

fn cross_motion(vw: vec3<f32>, vl: vec3<f32>, uw: vec3<f32>, ul: vec3<f32>) -> array<vec3<f32>, 2> {
    return array<vec3<f32>, 2>(cross(vw, uw), cross(vw, ul) + cross(vl, uw));
}

fn cross_force(vw: vec3<f32>, vl: vec3<f32>, fw: vec3<f32>, fl: vec3<f32>) -> array<vec3<f32>, 2> {
    return array<vec3<f32>, 2>(cross(vw, fw) + cross(vl, fl), cross(vw, fl));
}


// World w's part of the fused stage mass_bias.wgsl (which calls it for every world).
fn rne_world(w: u32) {
    // tiled (common/worlds.wgsl): 2 vec4 per body (cvel, cacc, cfrc) or dof (cdof, cdof_dot),
    // 3 per body (cinert), 1 f32 per dof (qvel, qfrc_bias)
    let b2 = world_at(w, 2u * sizes.nbody);
    let d2 = world_at(w, 2u * sizes.nv);
    let b3 = world_at(w, 3u * sizes.nbody);
    let vb = world_at(w, sizes.nv);
    // velocities and dof-axis derivatives, root to leaves
    cvel[b2] = vec4<f32>(0.0);
    cvel[at(b2, 1u)] = vec4<f32>(0.0);
    for (var b = 1u; b < sizes.nbody; b++) {
        let body = bodies[b];
        var vw = cvel[at(b2, 2u * body.parent)].xyz;
        var vl = cvel[at(b2, 2u * body.parent + 1u)].xyz;
        for (var j = body.jnt_adr; j < body.jnt_adr + body.jnt_num; j++) {
            let jnt = joints[j];
            var first = jnt.dof_adr;
            var n = 1u;
            if (jnt.kind == 0u) {
                // free: translations move the frame first and do not change the axes
                for (var k = 0u; k < 3u; k++) {
                    let i = at(d2, 2u * (first + k));
                    cdof_dot[i] = vec4<f32>(0.0);
                    cdof_dot[at(i, 1u)] = vec4<f32>(0.0);
                    vw += cdof[i].xyz * qvel[at(vb, first + k)];
                    vl += cdof[at(i, 1u)].xyz * qvel[at(vb, first + k)];
                }
                first += 3u;
                n = 3u;
            } else if (jnt.kind == 1u) {
                n = 3u;
            }
            for (var k = 0u; k < n; k++) {
                let i = at(d2, 2u * (first + k));
                let cm = cross_motion(vw, vl, cdof[i].xyz, cdof[at(i, 1u)].xyz);
                cdof_dot[i] = vec4<f32>(cm[0], 0.0);
                cdof_dot[at(i, 1u)] = vec4<f32>(cm[1], 0.0);
            }
            for (var k = 0u; k < n; k++) {
                let i = at(d2, 2u * (first + k));
                vw += cdof[i].xyz * qvel[at(vb, first + k)];
                vl += cdof[at(i, 1u)].xyz * qvel[at(vb, first + k)];
            }
        }
        cvel[at(b2, 2u * b)] = vec4<f32>(vw, 0.0);
        cvel[at(b2, 2u * b + 1u)] = vec4<f32>(vl, 0.0);
    }
    // accelerations (gravity as an upward acceleration offd the world) and body forces
    var g = vec3<f32>(0.0);
    if ((options.disableflags & DISABLE_GRAVITY) == 0u) {
        g = -options.gravity.xyz;
    }
    cacc[b2] = vec4<f32>(0.0);
    cacc[at(b2, 1u)] = vec4<f32>(g, 0.0);
    for (var b = 1u; b < sizes.nbody; b++) {
        let body = bodies[b];
        var aw = cacc[at(b2, 2u * body.parent)].xyz;
        var al = cacc[at(b2, 2u * body.parent + 1u)].xyz;
        for (var d = body.dof_adr; d < body.dof_adr + body.dof_num; d++) {
            aw += cdof_dot[at(d2, 2u * (d))].xyz * qvel[at(vb, d)];
            al += cdof_dot[at(d2, 2u * d + 1u)].xyz * qvel[at(vb, d)];
        }
        cacc[at(b2, 2u * b)] = vec4<f32>(aw, 0.0);
        cacc[at(b2, 2u * b + 1u)] = vec4<f32>(al, 0.0);
        let c = at(b3, 3u * b);
        let vw = cvel[at(b2, 2u * b)].xyz;
        let vl = cvel[at(b2, 2u * b + 1u)].xyz;
        let f = inertia_mul(cinert[c], cinert[at(c, 1u)], cinert[at(c, 2u)], aw, al);
        let mom = inertia_mul(cinert[c], cinert[at(c, 1u)], cinert[at(c, 2u)], vw, vl);
        let gy = cross_force(vw, vl, mom[0], mom[1]);
        cfrc[at(b2, 2u * b)] = vec4<f32>(f[0] + gy[0], 0.0);
        cfrc[at(b2, 2u * b + 1u)] = vec4<f32>(f[1] + gy[1], 0.0);
    }
    for (var b = sizes.nbody - 1u; b > 0u; b--) {
        let p = bodies[b].parent;
        if (p > 0u) {
            cfrc[at(b2, 2u * p)] = cfrc[at(b2, 2u * p)] + cfrc[at(b2, 2u * b)];
            cfrc[at(b2, 2u * p + 1u)] = cfrc[at(b2, 2u * p + 1u)] + cfrc[at(b2, 2u * b + 1u)];
        }
    }
    for (var d = 0u; d < sizes.nv; d++) {
        let b = dofs[d].body;
        qfrc_bias[at(vb, d)] = dot(cdof[at(d2, 2u * (d))].xyz, cfrc[at(b2, 2u * b)].xyz)
            + dot(cdof[at(d2, 2u * d + 1u)].xyz, cfrc[at(b2, 2u * b + 1u)].xyz);
    }
}
