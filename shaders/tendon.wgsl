// tendon: lengths and sparse Jacobians of every tendon (MuJoCo's mj_tendon), and from them the
// tendon velocities J · qvel (the tendon part of mj_fwdVelocity: qvel does not change in between,
// so the row is used while it is at hand instead of in a dispatch of its own), one invocation per
// (world, tendon). Row t of the Jacobian holds rows_num[t] entries at rows_adr[t], for the dofs
// listed in ten_row_dof (the union of the path's body chains, built on the host).

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<storage, read> tendons: array<Tendon>;
@group(0) @binding(3) var<storage, read> wraps: array<Wrap>;
@group(0) @binding(4) var<storage, read> sites: array<Site>;
@group(0) @binding(5) var<storage, read> geoms: array<Geom>;
@group(0) @binding(6) var<storage, read> bodies: array<Body>;
@group(0) @binding(7) var<storage, read> dofs: array<Dof>;
@group(0) @binding(8) var<storage, read> ten_rows: array<vec2<u32>>;     // (adr, num) per tendon
@group(0) @binding(9) var<storage, read> ten_row_dof: array<u32>;        // nnz
@group(0) @binding(10) var<storage, read> joints: array<Joint>;
@group(0) @binding(11) var<storage, read> qpos: array<f32>;
@group(0) @binding(12) var<storage, read> site_xpos: array<vec4<f32>>;
@group(0) @binding(13) var<storage, read> geom_xpos: array<vec4<f32>>;
@group(0) @binding(14) var<storage, read> geom_xquat: array<vec4<f32>>;
@group(0) @binding(15) var<storage, read> subtree_com: array<vec4<f32>>;
@group(0) @binding(16) var<storage, read> cdof: array<vec4<f32>>;
@group(0) @binding(17) var<storage, read_write> ten_length: array<f32>;   // nworld × ntendon
@group(0) @binding(18) var<storage, read_write> ten_j: array<f32>;        // nworld × nnz
// Path points like MuJoCo's wrap_xpos (each site, a zero point per pulley, two tangent points per
// wrapped geom), at most 2 per path element: tendon t's start at 2·adr; ten_wrapnum counts them.
@group(0) @binding(19) var<storage, read_write> wrap_xpos: array<vec4<f32>>; // nworld × 2·nwrap
@group(0) @binding(20) var<storage, read_write> ten_wrapnum: array<u32>;     // nworld × ntendon
@group(0) @binding(21) var<storage, read> body_subtree_end: array<u32>;     // nbody
@group(0) @binding(22) var<storage, read> qvel: array<f32>;
@group(0) @binding(23) var<storage, read_write> ten_velocity: array<f32>;   // nworld × ntendon

// Does `dof` move `body`? Bodies are numbered depth-first, so the dof's body is an ancestor of
// `body` (or `body` itself) exactly when `body` lies in its subtree range.
fn moves(dof: u32, body: u32) -> bool {
    let db = dofs[dof].body;
    return body >= db && body < body_subtree_end[db];
}

// Velocity of point p (moved by `dof`, on `body`) per unit velocity of `dof`.
fn point_vel(w: u32, dof: u32, body: u32, p: vec3<f32>) -> vec3<f32> {
    let i = at(world_at(w, 2u * sizes.nv), 2u * dof);
    let com = subtree_com[at(world_at(w, sizes.nbody), bodies[body].root)].xyz;
    return cdof[at(i, 1u)].xyz + cross(cdof[i].xyz, p - com);
}

// Add the straight piece a (on body ba) → b (on body bb) to the length and Jacobian row. A dof
// that moves both ends (a common ancestor) turns the piece rigidly and changes no length, so only
// dofs moving exactly one end contribute (as MuJoCo's mj_jacDifPair).
fn segment(w: u32, row: vec2<u32>, jb: u32, a: vec3<f32>, ba: u32, b: vec3<f32>, bb: u32, divisor: f32) -> f32 {
    let d = b - a;
    let len = length(d);
    if (ba != bb) {
        var dir = vec3<f32>(1.0, 0.0, 0.0);
        if (len >= MINVAL) {
            dir = d / len;
        }
        for (var k = 0u; k < row.y; k++) {
            let dof = ten_row_dof[row.x + k];
            let ma = moves(dof, ba);
            let mb = moves(dof, bb);
            if (ma != mb) {
                if (mb) {
                    ten_j[at(jb, row.x + k)] += dot(dir, point_vel(w, dof, bb, b)) / divisor;
                } else {
                    ten_j[at(jb, row.x + k)] -= dot(dir, point_vel(w, dof, ba, a)) / divisor;
                }
            }
        }
    }
    return len / divisor;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    // item i is (world, tendon) as tiles number them: ten_length[i] is this tendon's
    let i = flat_index(gid);
    let wt = world_item(i, sizes.ntendon);
    let w = wt.x;
    let t = wt.y;
    if (w >= run.nworld) {
        return;
    }
    let ten = tendons[t];
    let row = ten_rows[t];
    let jb = world_at(w, run.ten_nnz);
    for (var k = 0u; k < row.y; k++) {
        ten_j[at(jb, row.x + k)] = 0.0;
    }
    let sb = world_at(w, sizes.nsite);
    let gb = world_at(w, sizes.ngeom);
    var total = 0.0;
    var divisor = 1.0;
    // this tendon's path points: 2·adr on in the world's 2·nwrap
    let pb = at(world_at(w, 2u * sizes.nwrap), 2u * ten.adr);
    var npts = 0u;
    var k = ten.adr;
    let end = ten.adr + ten.num;
    while (k < end) {
        let wr = wraps[k];
        if (wr.kind == 1u) {  // joint of a fixed tendon
            let jnt = joints[wr.objid];
            total += wr.prm * qpos[at(world_at(w, sizes.nq), jnt.qpos_adr)];
            for (var e = 0u; e < row.y; e++) {
                if (ten_row_dof[row.x + e] == jnt.dof_adr) {
                    ten_j[at(jb, row.x + e)] += wr.prm;
                }
            }
        } else if (wr.kind == 2u) {  // pulley
            divisor = wr.prm;
            wrap_xpos[at(pb, npts)] = vec4<f32>(0.0);
            npts += 1u;
        } else if (wr.kind == 3u) {  // site, followed by a site or a wrap geom
            let x0 = site_xpos[at(sb, wr.objid)].xyz;
            let b0 = sites[wr.objid].body;
            wrap_xpos[at(pb, npts)] = vec4<f32>(x0, 0.0);
            npts += 1u;
            if (k + 1u >= end) {
                break;
            }
            let next = wraps[k + 1u];
            if (next.kind == 3u) {
                total += segment(w, row, jb, x0, b0, site_xpos[at(sb, next.objid)].xyz, sites[next.objid].body, divisor);
            } else if (next.kind == 4u || next.kind == 5u) {
                let g = next.objid;
                let s1 = wraps[k + 2u].objid;
                let x1 = site_xpos[at(sb, s1)].xyz;
                let b1 = sites[s1].body;
                let has_side = next.prm >= 0.0;
                var side = vec3<f32>(0.0);
                if (has_side) {
                    side = site_xpos[at(sb, u32(next.prm))].xyz;
                }
                let r = wrap_geom(x0, x1, geom_xpos[at(gb, g)].xyz, geom_xquat[at(gb, g)], geoms[g].size.x, next.kind == 5u, has_side, side);
                if (r.len >= 0.0) {
                    wrap_xpos[at(pb, npts)] = vec4<f32>(r.p0, 0.0);
                    wrap_xpos[at(pb, npts + 1u)] = vec4<f32>(r.p1, 0.0);
                    npts += 2u;
                    let bg = geoms[g].body;
                    total += segment(w, row, jb, x0, b0, r.p0, bg, divisor);
                    total += r.len / divisor;
                    total += segment(w, row, jb, r.p1, bg, x1, b1, divisor);
                } else {
                    total += segment(w, row, jb, x0, b0, x1, b1, divisor);
                }
                k += 1u;
            }
        }
        k += 1u;
    }
    ten_length[i] = total;
    ten_wrapnum[i] = npts;
    // velocity: the row just written, dot qvel
    let vb = world_at(w, sizes.nv);
    var v = 0.0;
    for (var e = 0u; e < row.y; e++) {
        v += ten_j[at(jb, row.x + e)] * qvel[at(vb, ten_row_dof[row.x + e])];
    }
    ten_velocity[i] = v;
}
