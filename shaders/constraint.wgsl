// constraint: MuJoCo's constraint rows (mj_makeConstraint) for joint equalities, joint limits and
// tendon limits, one invocation per world: each active source of the EfcSource table appends a
// row (reference acceleration aref, inverse regulariser D, one-sided flag, and its Jacobian as
// one value per dof of the source's ascending dof list, packed after the world's earlier rows).
// Rows per world are capped at params.nefc_max; contact rows (contact.wgsl) append after these.

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<uniform> options: ModelOptions;
@group(0) @binding(3) var<uniform> params: SolverParams;
@group(0) @binding(4) var<storage, read> sources: array<EfcSource>;
@group(0) @binding(5) var<storage, read> ten_rows: array<vec2<u32>>;
@group(0) @binding(6) var<storage, read> ten_row_dof: array<u32>;
@group(0) @binding(7) var<storage, read> qpos: array<f32>;
@group(0) @binding(8) var<storage, read> qvel: array<f32>;
@group(0) @binding(9) var<storage, read> ten_length: array<f32>;
@group(0) @binding(10) var<storage, read> ten_j: array<f32>;
// (nworld × jpool) the rows' Jacobian values, row after row.
@group(0) @binding(11) var<storage, read_write> efc_jval: array<f32>;
// (nworld × nefc_max) per row: its first value in the world's efc_jval, and its dof list.
@group(0) @binding(12) var<storage, read_write> efc_jrow: array<vec2<u32>>;
// The dof lists (EfcTable::lists): list l's dofs at [lists[l], lists[l + 1]); source s has list s.
@group(0) @binding(13) var<storage, read> lists: array<u32>;
// (nworld × nefc_max) per row: aref, D, and 1 for one-sided rows (limits, contacts) else 0.
@group(0) @binding(14) var<storage, read_write> efc_aref: array<f32>;
@group(0) @binding(15) var<storage, read_write> efc_d: array<f32>;
@group(0) @binding(16) var<storage, read_write> efc_side: array<u32>;
// (nworld) rows in use.
@group(0) @binding(17) var<storage, read_write> nefc: array<u32>;

// World w's part of the fused stage rows.wgsl (which calls it for every world).
fn constraint_world(w: u32) {
    // the state is tiled (common/worlds.wgsl); the rows are world-major
    let qb = world_at(w, sizes.nq);
    let vb = world_at(w, sizes.nv);
    var n = 0u;
    // the next row's first value in the world's pool
    var jat = w * params.jpool;
    for (var s = 0u; s < params.nsource; s++) {
        if (n >= params.nefc_max) {
            break;
        }
        let src = sources[s];
        // the source's list: its dofs ascending, the row's values in the same order
        let l0 = lists[s];
        var pos = 0.0;
        var vel = 0.0;
        if (src.kind == 0u) {
            // joint equality: q1 − q1₀ = poly(q2 − q2₀); the list is dof1 and dof2, ascending
            let k1 = select(1u, 0u, lists[l0] == src.dadr1);
            efc_jval[jat + k1] = 1.0;
            var rhs = src.data[0];
            var deriv = 0.0;
            var v2 = 0.0;
            if (src.qadr2 >= 0) {
                let dif = qpos[at(qb, u32(src.qadr2))] - src.data[6];
                rhs = src.data[0] + dif * (src.data[1] + dif * (src.data[2] + dif * (src.data[3] + dif * src.data[4])));
                deriv = src.data[1] + dif * (2.0 * src.data[2] + dif * (3.0 * src.data[3] + dif * 4.0 * src.data[4]));
                efc_jval[jat + 1u - k1] = -deriv;
                v2 = qvel[at(vb, u32(src.dadr2))];
            }
            pos = qpos[at(qb, src.qadr1)] - src.data[5] - rhs;
            vel = qvel[at(vb, src.dadr1)] - v2 * deriv;
        } else if (src.kind == 1u) {
            let q = qpos[at(qb, src.qadr1)];
            let dmin = q - src.data[0];
            let dmax = src.data[1] - q;
            let sgn = select(-1.0, 1.0, dmin < dmax);
            pos = min(dmin, dmax);
            if (pos - src.margin >= 0.0) {
                continue;
            }
            efc_jval[jat] = sgn;
            vel = sgn * qvel[at(vb, src.dadr1)];
        } else if (src.kind == 2u) {
            // ball: rotation angle against the cone's half-angle, pushed back along its axis
            let a = at(qb, src.qadr1);
            let quat = quat_normalize(vec4<f32>(qpos[a], qpos[at(a, 1u)], qpos[at(a, 2u)], qpos[at(a, 3u)]));
            let v = quat.yzw;
            let sn = length(v);
            var axis = vec3<f32>(1.0, 0.0, 0.0);
            var angle = 0.0;
            if (sn > 0.0) {
                var ang = 2.0 * atan2(sn, quat.x);
                if (ang > 3.14159265358979) {
                    ang -= 6.28318530717959;
                }
                let rv = v * (ang / sn);
                let nrm = length(rv);
                if (nrm >= MINVAL) {
                    axis = rv / nrm;
                    angle = nrm;
                }
            }
            pos = max(src.data[0], src.data[1]) - angle;
            if (pos - src.margin >= 0.0) {
                continue;
            }
            for (var k = 0u; k < 3u; k++) {
                efc_jval[jat + k] = -axis[k];
                vel -= axis[k] * qvel[at(vb, src.dadr1 + k)];
            }
        } else {
            // tendon limit
            let len = ten_length[at(world_at(w, sizes.ntendon), src.id)];
            let dmin = len - src.data[0];
            let dmax = src.data[1] - len;
            let sgn = select(-1.0, 1.0, dmin < dmax);
            pos = min(dmin, dmax);
            if (pos - src.margin >= 0.0) {
                continue;
            }
            // the list is the tendon's sparse row (TendonRows), entry for entry
            let tr = ten_rows[src.id];
            for (var k = 0u; k < tr.y; k++) {
                let d = ten_row_dof[tr.x + k];
                let jv = sgn * ten_j[at(world_at(w, run.ten_nnz), tr.x + k)];
                efc_jval[jat + k] = jv;
                vel += jv * qvel[at(vb, d)];
            }
        }
        let i = w * params.nefc_max + n;
        let comp = vec2<f32>(src.data[7], src.data[8]);
        let r = soft_row(options, src.solref, src.solimp, comp, src.invweight, pos, src.margin, vel);
        efc_aref[i] = r.x;
        efc_d[i] = r.y;
        efc_side[i] = select(1u, 0u, src.kind == 0u);
        efc_jrow[i] = vec2<u32>(jat - w * params.jpool, s);
        jat += lists[s + 1u] - l0;
        n += 1u;
    }
    nefc[w] = n;
}
