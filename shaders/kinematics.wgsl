// kinematics: body frames, joint anchors/axes, the listed sites' positions and geom frames from
// qpos (MuJoCo's mj_kinematics).
// One invocation per world walks that world's bodies in tree order (parents come first).
// Layout: per-world arrays are tiled (common/worlds.wgsl): xpos[at(world_at(w, nbody), b)], ...

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<storage, read> bodies: array<Body>;
@group(0) @binding(3) var<storage, read> joints: array<Joint>;
@group(0) @binding(4) var<storage, read> sites: array<Site>;
@group(0) @binding(5) var<storage, read> qpos0: array<f32>;
@group(0) @binding(6) var<storage, read> qpos: array<f32>;
@group(0) @binding(7) var<storage, read_write> xpos: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> xquat: array<vec4<f32>>;
// (xanchor.xyz, 0) and (xaxis.xyz, 0) per joint: what com and tendon Jacobians need.
@group(0) @binding(9) var<storage, read_write> xanchor: array<vec4<f32>>;
@group(0) @binding(10) var<storage, read_write> xaxis: array<vec4<f32>>;
@group(0) @binding(11) var<storage, read_write> site_xpos: array<vec4<f32>>;
@group(0) @binding(12) var<storage, read> geoms: array<Geom>;
@group(0) @binding(13) var<storage, read_write> geom_xpos: array<vec4<f32>>;
@group(0) @binding(14) var<storage, read_write> geom_xquat: array<vec4<f32>>;
// The sites to place (src/sim/sites.rs): their count, then their ids. The others stay at 0.
@group(0) @binding(15) var<storage, read> site_list: array<u32>;

// World w's part of the fused stage position.wgsl (which calls it for every world).
fn kinematics_world(w: u32) {
    let qa = world_at(w, sizes.nq);
    let bb = world_at(w, sizes.nbody);
    let jb = world_at(w, sizes.njnt);
    xpos[bb] = vec4<f32>(0.0);
    xquat[bb] = vec4<f32>(1.0, 0.0, 0.0, 0.0);
    for (var b = 1u; b < sizes.nbody; b++) {
        let body = bodies[b];
        let pq = xquat[at(bb, body.parent)];
        var pos = xpos[at(bb, body.parent)].xyz + quat_rot(pq, body.pos.xyz);
        var quat = quat_mul(pq, body.quat);
        for (var j = body.jnt_adr; j < body.jnt_adr + body.jnt_num; j++) {
            let jnt = joints[j];
            let a = at(qa, jnt.qpos_adr);
            var anchor = pos + quat_rot(quat, jnt.pos.xyz);
            let axis = quat_rot(quat, jnt.axis.xyz);
            switch (jnt.kind) {
                case 0u: {  // free
                    pos = vec3<f32>(qpos[a], qpos[at(a, 1u)], qpos[at(a, 2u)]);
                    quat = quat_normalize(vec4<f32>(qpos[at(a, 3u)], qpos[at(a, 4u)], qpos[at(a, 5u)], qpos[at(a, 6u)]));
                    anchor = pos;
                }
                case 1u: {  // ball
                    let q = quat_normalize(vec4<f32>(qpos[a], qpos[at(a, 1u)], qpos[at(a, 2u)], qpos[at(a, 3u)]));
                    quat = quat_mul(quat, q);
                    pos = anchor - quat_rot(quat, jnt.pos.xyz);
                }
                case 2u: {  // slide
                    pos = pos + axis * (qpos[a] - qpos0[jnt.qpos_adr]);
                }
                default: {  // hinge
                    quat = quat_mul(quat, quat_axis_angle(jnt.axis.xyz, qpos[a] - qpos0[jnt.qpos_adr]));
                    pos = anchor - quat_rot(quat, jnt.pos.xyz);
                }
            }
            quat = quat_normalize(quat);
            xanchor[at(jb, j)] = vec4<f32>(anchor, 0.0);
            xaxis[at(jb, j)] = vec4<f32>(axis, 0.0);
        }
        xpos[at(bb, b)] = vec4<f32>(pos, 0.0);
        xquat[at(bb, b)] = quat;
    }
    let sb = world_at(w, sizes.nsite);
    for (var k = 0u; k < site_list[0]; k++) {
        let s = site_list[1u + k];
        let site = sites[s];
        site_xpos[at(sb, s)] = vec4<f32>(xpos[at(bb, site.body)].xyz + quat_rot(xquat[at(bb, site.body)], site.pos.xyz), 0.0);
    }
    let gb = world_at(w, sizes.ngeom);
    for (var g = 0u; g < sizes.ngeom; g++) {
        let geom = geoms[g];
        let q = xquat[at(bb, geom.body)];
        geom_xpos[at(gb, g)] = vec4<f32>(xpos[at(bb, geom.body)].xyz + quat_rot(q, geom.pos.xyz), 0.0);
        geom_xquat[at(gb, g)] = quat_normalize(quat_mul(q, geom.quat));
    }
}
