// contact rows: MuJoCo's pyramidal rows for the contacts `collision` found, appended per world after
// the equality and limit rows of `constraint` (nefc[w] on entry): condim 1 one row J_n; condim 3
// four rows J_n ± f0·J_t1, J_n ± f1·J_t2, all with the contact's distance, margin and regulariser.
// Rows per world are capped at params.nefc_max (and contacts at cparams.ncon_max): a contact that
// does not fit is dropped and the world's overflow counter goes up (reported, never silent).
// Mesa 22.3's llvmpipe crashed compiling an earlier form of this loop (the capacity test as one
// `let fits = a && b` with `continue`s): keep it as plain ifs.

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<uniform> options: ModelOptions;
@group(0) @binding(3) var<uniform> params: SolverParams;
@group(0) @binding(4) var<uniform> cparams: CollisionParams;
@group(0) @binding(5) var<storage, read> pairs: array<ContactPair>;
// (nworld × nslot × 3) contact slots (collision.wgsl).
@group(0) @binding(6) var<storage, read> con: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> dofs: array<Dof>;
@group(0) @binding(8) var<storage, read> bodies: array<Body>;
@group(0) @binding(9) var<storage, read> cdof: array<vec4<f32>>;
@group(0) @binding(10) var<storage, read> subtree_com: array<vec4<f32>>;
@group(0) @binding(11) var<storage, read> qvel: array<f32>;
@group(0) @binding(12) var<storage, read_write> efc_j: array<f32>;
@group(0) @binding(13) var<storage, read_write> efc_aref: array<f32>;
@group(0) @binding(14) var<storage, read_write> efc_d: array<f32>;
@group(0) @binding(15) var<storage, read_write> efc_side: array<u32>;
@group(0) @binding(16) var<storage, read_write> nefc: array<u32>;
// (nworld × 2): active contacts this step, and steps on which contacts were dropped (sticky).
@group(0) @binding(17) var<storage, read_write> con_count: array<u32>;

fn row_start(w: u32, r: u32) {
    let base = (w * params.nefc_max + r) * sizes.nv;
    for (var d = 0u; d < sizes.nv; d++) {
        efc_j[base + d] = 0.0;
    }
}

@compute @workgroup_size(64)
fn rows(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    nefc[w] = contact_rows(w, nefc[w]);
}

// Velocity of the point p carried by `dof` per unit velocity of the dof.
fn point_vel(w: u32, dof: u32, p: vec3<f32>) -> vec3<f32> {
    let i = 2u * (w * sizes.nv + dof);
    let com = subtree_com[w * sizes.nbody + bodies[dofs[dof].body].root].xyz;
    return cdof[i + 1u].xyz + cross(cdof[i].xyz, p - com);
}

// Add sign × the contact's Jacobian rows at p along the dof chain from `start` (-1: none). Dofs
// shared by both chains add and subtract the same value, cancelling exactly (mj_jacDifPair).
fn add_chain(w: u32, r0: u32, start: i32, sgn: f32, p: vec3<f32>, nrm: vec3<f32>, t1: vec3<f32>,
             t2: vec3<f32>, condim: u32, f0: f32, f1: f32) {
    var d = start;
    for (var guard = 0u; guard < sizes.nv && d >= 0; guard++) {
        let dof = u32(d);
        let jp = point_vel(w, dof, p);
        let jn = sgn * dot(nrm, jp);
        if (condim == 1u) {
            efc_j[(w * params.nefc_max + r0) * sizes.nv + dof] += jn;
        } else {
            let j1 = sgn * f0 * dot(t1, jp);
            let j2 = sgn * f1 * dot(t2, jp);
            efc_j[(w * params.nefc_max + r0) * sizes.nv + dof] += jn + j1;
            efc_j[(w * params.nefc_max + r0 + 1u) * sizes.nv + dof] += jn - j1;
            efc_j[(w * params.nefc_max + r0 + 2u) * sizes.nv + dof] += jn + j2;
            efc_j[(w * params.nefc_max + r0 + 3u) * sizes.nv + dof] += jn - j2;
        }
        d = dofs[dof].parent;
    }
}

// The pyramidal rows of world w's active contacts, from row n on; returns the new row count.
// Slots are visited in order (= MuJoCo's contact order); a slot's tangent .w names its pair.
fn contact_rows(w: u32, first: u32) -> u32 {
    var n = first;
    var ncon = 0u;
    var dropped = 0u;
    let vb = w * sizes.nv;
    for (var slot = 0u; slot < cparams.nslot; slot++) {
        let base = 3u * (w * cparams.nslot + slot);
        let nf = con[base + 1u];
        let tw = con[base + 2u];
        let pr = pairs[u32(tw.w)];
        let rows = select(4u, 1u, pr.condim == 1u);
        // room for this contact's rows? (else it is dropped and counted)
        var fits = ncon < cparams.ncon_max;
        if (n + rows > params.nefc_max) {
            fits = false;
        }
        if (nf.w == 1.0 && !fits) {
            dropped = 1u;
        }
        if (nf.w == 1.0 && fits) {
            let pd = con[base];
            let t2 = cross(nf.xyz, tw.xyz);
            for (var r = 0u; r < rows; r++) {
                row_start(w, n + r);
            }
            add_chain(w, n, pr.dof2, 1.0, pd.xyz, nf.xyz, tw.xyz, t2, pr.condim, pr.friction.x, pr.friction.y);
            add_chain(w, n, pr.dof1, -1.0, pd.xyz, nf.xyz, tw.xyz, t2, pr.condim, pr.friction.x, pr.friction.y);
            for (var r = 0u; r < rows; r++) {
                let jb = (w * params.nefc_max + n + r) * sizes.nv;
                var vel = 0.0;
                for (var d = 0u; d < sizes.nv; d++) {
                    vel += efc_j[jb + d] * qvel[vb + d];
                }
                let i = w * params.nefc_max + n + r;
                let sr = soft_row(options, array<f32, 2>(pr.solref.x, pr.solref.y),
                                  array<f32, 5>(pr.solimp.x, pr.solimp.y, pr.solimp.z, pr.solimp.w, pr.misc.x),
                                  pr.misc.zw, pr.misc.y, pd.w, pr.friction.z, vel);
                efc_aref[i] = sr.x;
                efc_d[i] = sr.y;
                efc_side[i] = 1u;
            }
            n += rows;
            ncon += 1u;
        }
    }
    con_count[2u * w] = ncon;
    con_count[2u * w + 1u] += dropped;
    return n;
}
