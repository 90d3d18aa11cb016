// contact rows: MuJoCo's pyramidal rows for the contacts `collision` found, appended per world after
// the equality and limit rows of `constraint` (nefc[w] on entry): condim 1 one row J_n; condim 3
// four rows J_n ± f0·J_t1, J_n ± f1·J_t2, all with the contact's distance, margin and regulariser.
// A row holds one value per dof of its candidate's list (the union of the two bodies' dof chains,
// ascending), packed after the world's earlier rows.
// Rows per world are capped at params.nefc_max (and contacts at cparams.ncon_max): a contact that
// does not fit is dropped and the world's overflow counter goes up (reported, never silent).
// Then, with every row of the world made, it indexes them by dof (efc_jt), the transposed view
// Newton's gradient, Hessian and constraint force read.
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
// (nworld × jpool) the rows' Jacobian values, row after row (constraint.wgsl's layout).
@group(0) @binding(12) var<storage, read_write> efc_jval: array<f32>;
// (nworld × nefc_max) per row: its first value in the world's efc_jval, and its dof list.
@group(0) @binding(13) var<storage, read_write> efc_jrow: array<vec2<u32>>;
// The dof lists (EfcTable::lists): list l's dofs at [lists[l], lists[l + 1]); contact pair p
// has list nsource + p.
@group(0) @binding(14) var<storage, read> lists: array<u32>;
// (nworld × (nv + 1 + jpool)) the rows by dof: (nv + 1) offsets, then per dof its entries
// (row << 16 | position in the row), in row order.
@group(0) @binding(15) var<storage, read_write> efc_jt: array<u32>;
@group(0) @binding(16) var<storage, read_write> efc_aref: array<f32>;
@group(0) @binding(17) var<storage, read_write> efc_d: array<f32>;
@group(0) @binding(18) var<storage, read_write> efc_side: array<u32>;
@group(0) @binding(19) var<storage, read_write> nefc: array<u32>;
// (nworld × 2): active contacts this step, and steps on which contacts were dropped (sticky).
@group(0) @binding(20) var<storage, read_write> con_count: array<u32>;
// (nworld × nslot) each slot's first row in its world (NO_ROW: no rows), so the solver's forces
// can be read back per contact (contact_force.wgsl).
@group(0) @binding(21) var<storage, read_write> con_row: array<u32>;

const NO_ROW: u32 = 0xffffffffu;

// World w's part of the fused stage rows.wgsl (which calls it for every world).
fn contact_world(w: u32) {
    let n = contact_rows(w, nefc[w]);
    nefc[w] = n;
    index_by_dof(w, n);
}

// Values in row i's list (i a global row index).
fn row_width(i: u32) -> u32 {
    let l = efc_jrow[i].y;
    return lists[l + 1u] - lists[l];
}

// Velocity of the point p carried by `dof` per unit velocity of the dof.
fn point_vel(w: u32, dof: u32, p: vec3<f32>) -> vec3<f32> {
    let i = at(world_at(w, 2u * sizes.nv), 2u * dof);
    let com = subtree_com[at(world_at(w, sizes.nbody), bodies[dofs[dof].body].root)].xyz;
    return cdof[at(i, 1u)].xyz + cross(cdof[i].xyz, p - com);
}

// The contact's rows at p, `width` values each from `jat` on (row q at jat + q·width): both dof
// chains walked together from their last dofs (-1: none) down to the root, so their union comes
// out in descending order and is stored from the end of the ascending list. A dof on both chains
// gets exactly 0 (mj_jacDifPair's difference).
fn chain_rows(w: u32, jat: u32, width: u32, dof1: i32, dof2: i32, p: vec3<f32>, nrm: vec3<f32>,
              t1: vec3<f32>, t2: vec3<f32>, condim: u32, f0: f32, f1: f32) {
    var a = dof1;
    var b = dof2;
    for (var k = width; k > 0u && (a >= 0 || b >= 0); k--) {
        let d = max(a, b);
        // +1 for body 2's chain, −1 for body 1's
        var sgn = 0.0;
        if (b == d) {
            sgn += 1.0;
            b = dofs[b].parent;
        }
        if (a == d) {
            sgn -= 1.0;
            a = dofs[a].parent;
        }
        let jp = point_vel(w, u32(d), p);
        let jn = sgn * dot(nrm, jp);
        let e = jat + k - 1u;
        if (condim == 1u) {
            efc_jval[e] = jn;
        } else {
            let j1 = sgn * f0 * dot(t1, jp);
            let j2 = sgn * f1 * dot(t2, jp);
            efc_jval[e] = jn + j1;
            efc_jval[e + width] = jn - j1;
            efc_jval[e + 2u * width] = jn + j2;
            efc_jval[e + 3u * width] = jn - j2;
        }
    }
}

// The pyramidal rows of world w's active contacts, from row n on; returns the new row count.
// Slots are visited in order (= MuJoCo's contact order); a slot's tangent .w names its pair.
fn contact_rows(w: u32, first: u32) -> u32 {
    var n = first;
    var ncon = 0u;
    var dropped = 0u;
    let vb = world_at(w, sizes.nv);
    let pool = w * params.jpool;
    // the next row's first value: after the world's last row so far
    var jat = pool;
    if (first > 0u) {
        let last = w * params.nefc_max + first - 1u;
        jat = pool + efc_jrow[last].x + row_width(last);
    }
    for (var slot = 0u; slot < cparams.nslot; slot++) {
        let base = 3u * (w * cparams.nslot + slot);
        let nf = con[base + 1u];
        let tw = con[base + 2u];
        let pr = pairs[u32(tw.w)];
        let rows = select(4u, 1u, pr.condim == 1u);
        con_row[w * cparams.nslot + slot] = NO_ROW;
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
            con_row[w * cparams.nslot + slot] = n;
            let list = params.nsource + u32(tw.w);
            let l0 = lists[list];
            let width = lists[list + 1u] - l0;
            chain_rows(w, jat, width, pr.dof1, pr.dof2, pd.xyz, nf.xyz, tw.xyz, t2, pr.condim, pr.friction.x,
                       pr.friction.y);
            for (var r = 0u; r < rows; r++) {
                var vel = 0.0;
                for (var k = 0u; k < width; k++) {
                    vel += efc_jval[jat + k] * qvel[at(vb, lists[l0 + k])];
                }
                let i = w * params.nefc_max + n + r;
                efc_jrow[i] = vec2<u32>(jat - pool, list);
                jat += width;
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

// efc_jt for world w's n rows: count each dof's entries, turn the counts into offsets, place
// the entries row by row (each offset used as a cursor, so it ends at the next dof's start),
// then shift the offsets back. Rows come in order, so every dof's entries are in row order.
fn index_by_dof(w: u32, n: u32) {
    let nv = sizes.nv;
    let tb = w * (nv + 1u + params.jpool);
    let eb = tb + nv + 1u;
    for (var d = 0u; d <= nv; d++) {
        efc_jt[tb + d] = 0u;
    }
    for (var r = 0u; r < n; r++) {
        let l = efc_jrow[w * params.nefc_max + r].y;
        for (var q = lists[l]; q < lists[l + 1u]; q++) {
            efc_jt[tb + lists[q] + 1u] += 1u;
        }
    }
    for (var d = 1u; d <= nv; d++) {
        efc_jt[tb + d] += efc_jt[tb + d - 1u];
    }
    for (var r = 0u; r < n; r++) {
        let l = efc_jrow[w * params.nefc_max + r].y;
        for (var q = lists[l]; q < lists[l + 1u]; q++) {
            let c = tb + lists[q];
            efc_jt[eb + efc_jt[c]] = (r << 16u) | (q - lists[l]);
            efc_jt[c] += 1u;
        }
    }
    for (var d = nv; d > 0u; d--) {
        efc_jt[tb + d] = efc_jt[tb + d - 1u];
    }
    efc_jt[tb] = 0u;
}
