// com: subtree centres of mass, dof motion axes (cdof) and body inertias at each tree's com frame
// (MuJoCo's mj_comPos). One invocation per world. cinert per body is (m·d, m), (Ixx, Iyy, Izz),
// (Ixy, Ixz, Iyz) about the com-frame origin (d: body centre of mass minus that origin), a form
// that adds up over bodies.

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<storage, read> bodies: array<Body>;
@group(0) @binding(3) var<storage, read> joints: array<Joint>;
@group(0) @binding(4) var<storage, read> xpos: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> xquat: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> xanchor: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> xaxis: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> subtree_com: array<vec4<f32>>;
@group(0) @binding(9) var<storage, read_write> cdof: array<vec4<f32>>;
@group(0) @binding(10) var<storage, read_write> cinert: array<vec4<f32>>;
@group(0) @binding(11) var<storage, read> world_scale: array<vec4<f32>>;  // nworld: (strength, mass, -, -)

fn xipos(bb: u32, b: u32) -> vec3<f32> {
    return xpos[at(bb, b)].xyz + quat_rot(xquat[at(bb, b)], bodies[b].ipos.xyz);
}

// dof d's (angular, linear) axis in a world's cdof from cb = world_at(w, 2·nv)
fn set_cdof(cb: u32, d: u32, ang: vec3<f32>, lin: vec3<f32>) {
    cdof[at(cb, 2u * d)] = vec4<f32>(ang, 0.0);
    cdof[at(cb, 2u * d + 1u)] = vec4<f32>(lin, 0.0);
}

// World w's part of the fused stage position.wgsl (which calls it for every world).
fn com_world(w: u32) {
    let bb = world_at(w, sizes.nbody);
    // Mass-weighted positions, summed from the leaves up (children have larger ids).
    for (var b = 0u; b < sizes.nbody; b++) {
        subtree_com[at(bb, b)] = vec4<f32>(bodies[b].pos.w * xipos(bb, b), 0.0);
    }
    for (var b = sizes.nbody - 1u; b > 0u; b--) {
        let p = bodies[b].parent;
        subtree_com[at(bb, p)] = subtree_com[at(bb, p)] + subtree_com[at(bb, b)];
    }
    for (var b = 0u; b < sizes.nbody; b++) {
        let mass = bodies[b].ipos.w;
        if (mass < MINVAL) {
            subtree_com[at(bb, b)] = vec4<f32>(xipos(bb, b), 0.0);
        } else {
            subtree_com[at(bb, b)] = subtree_com[at(bb, b)] / mass;
        }
    }
    // Dof axes at the com frame of the dof's tree.
    let jb = world_at(w, sizes.njnt);
    let cb = world_at(w, 2u * sizes.nv);
    for (var j = 0u; j < sizes.njnt; j++) {
        let jnt = joints[j];
        let body = bodies[jnt.body];
        let offset = subtree_com[at(bb, body.root)].xyz - xanchor[at(jb, j)].xyz;
        let d = jnt.dof_adr;
        switch (jnt.kind) {
            case 3u: {  // hinge
                let axis = xaxis[at(jb, j)].xyz;
                set_cdof(cb, d, axis, cross(axis, offset));
            }
            case 2u: {  // slide
                set_cdof(cb, d, vec3<f32>(0.0), xaxis[at(jb, j)].xyz);
            }
            default: {  // ball, free: rotations about the body's own axes
                var r = d;
                if (jnt.kind == 0u) {
                    set_cdof(cb, d, vec3<f32>(0.0), vec3<f32>(1.0, 0.0, 0.0));
                    set_cdof(cb, d + 1u, vec3<f32>(0.0), vec3<f32>(0.0, 1.0, 0.0));
                    set_cdof(cb, d + 2u, vec3<f32>(0.0), vec3<f32>(0.0, 0.0, 1.0));
                    r = d + 3u;
                }
                let q = xquat[at(bb, jnt.body)];
                for (var k = 0u; k < 3u; k++) {
                    var e = vec3<f32>(0.0);
                    e[k] = 1.0;
                    let axis = quat_rot(q, e);
                    set_cdof(cb, r + k, axis, cross(axis, offset));
                }
            }
        }
    }
    // Body inertias in world axes about each body's centre of mass, offset from the com frame.
    for (var b = 0u; b < sizes.nbody; b++) {
        let body = bodies[b];
        let q = quat_mul(xquat[at(bb, b)], body.iquat);
        let c0 = quat_rot(q, vec3<f32>(1.0, 0.0, 0.0));
        let c1 = quat_rot(q, vec3<f32>(0.0, 1.0, 0.0));
        let c2 = quat_rot(q, vec3<f32>(0.0, 0.0, 1.0));
        // a world's mass scale multiplies every body's mass and inertia (the centres of mass
        // stay where they are)
        let ms = world_scale[w].y;
        let i = ms * body.inertia.xyz;
        // I = Σ_k i_k c_k c_kᵀ
        let xx = i.x * c0.x * c0.x + i.y * c1.x * c1.x + i.z * c2.x * c2.x;
        let yy = i.x * c0.y * c0.y + i.y * c1.y * c1.y + i.z * c2.y * c2.y;
        let zz = i.x * c0.z * c0.z + i.y * c1.z * c1.z + i.z * c2.z * c2.z;
        let xy = i.x * c0.x * c0.y + i.y * c1.x * c1.y + i.z * c2.x * c2.y;
        let xz = i.x * c0.x * c0.z + i.y * c1.x * c1.z + i.z * c2.x * c2.z;
        let yz = i.x * c0.y * c0.z + i.y * c1.y * c1.z + i.z * c2.y * c2.z;
        // About the com-frame origin (additive over bodies of a tree): I_o = I_c + m(|d|² E - d dᵀ).
        let d = xipos(bb, b) - subtree_com[at(bb, body.root)].xyz;
        let m = ms * body.pos.w;
        let dd = dot(d, d);
        let c = world_at(w, 3u * sizes.nbody);
        cinert[at(c, 3u * b)] = vec4<f32>(m * d, m);
        cinert[at(c, 3u * b + 1u)] = vec4<f32>(xx + m * (dd - d.x * d.x), yy + m * (dd - d.y * d.y), zz + m * (dd - d.z * d.z), 0.0);
        cinert[at(c, 3u * b + 2u)] = vec4<f32>(xy - m * d.x * d.y, xz - m * d.x * d.z, yz - m * d.y * d.z, 0.0);
    }
}
