// newton: MuJoCo's convex constraint problem solved for qacc by Newton's method with an exact line
// search (mj_solNewton), one workgroup of WG invocations per world:
//
//   minimise  ½ (a − a₀)ᵀ M (a − a₀) + Σᵢ ½ Dᵢ (Jᵢ a − arefᵢ)²   over rows that are active,
//
// with a₀ = qacc_smooth; equality rows are always active, one-sided rows (limits, contact pyramid
// edges) only where Jᵢ a − arefᵢ < 0. The cost is convex and piecewise quadratic, so Newton
// steps with the active set's exact Hessian H = M + Jᵀ D J, and a line search that finds the
// exact zero of the (piecewise-linear, increasing) slope, reach MuJoCo's unique minimiser.
// Stops as MuJoCo does: scaled cost improvement (summed term by term, `decrease`) or gradient
// below `tolerance`, or `iterations`.
//
// Entry points: `start` (warm start, first evaluation), `iterate` (up to
// params.iterations_per_dispatch Newton steps of each world still going, dispatched indirectly
// over the list pending.wgsl compacts before each dispatch, until `iterations` are covered),
// `finish` (qacc, qfrc_constraint). H is assembled and factorised (LDLᵀ) only where the host's
// symbolic factorisation (src/sim/hessian_pattern.rs) says it can be nonzero: M's tree plus the
// fill of rows that join branches. The factorisation and both substitutions go a column at a
// time (in elimination order, the backward substitution in reverse), one barrier a column, and
// share out the column's work across the
// workgroup: its pairs of rows (the factor's updates), its rows (the forward substitution's)
// or its row's columns (the backward one's) — the fill makes the elimination tree nearly a
// chain (MuscleMimic's full body: 75 levels for 128 columns), so a column's own work is what
// there is to share. Rows are sparse (constraint.wgsl, contact.wgsl): a row's products walk its
// dof list, and the gradient, the Hessian's columns and the constraint force walk each dof's
// rows (efc_jt, in row order), so every sum over rows runs in the order a dense row loop would.
// The cost, the gradient's norm and every
// line-search slope are sums over the workgroup's invocations, reduced in workgroup memory in a
// fixed tree order (`workgroup_sum`), and the line search runs in every invocation on those
// uniform sums.
//
// Per world, `work` (real) holds: H's packed factor (nl: U = L·D, D on the diagonal) and 1/D
// (nv) unless workgroup memory holds them for the whole step (HOT below and one dispatch a
// step), then the world's vectors: a,
// d = a − a₀, Md, g, p, the previous point's Md, |M|·|a| and a₀ = qacc_smooth (nv each),
// jar = J a − aref, Jp, the previous point's jar and |J|·|a| + |aref| (nefc_max each), then
// whether the factor is current (update_factor), cost, done flag, iterations. Where workgroup memory holds the vectors too (VHOT), every
// dispatch copies them in at its start and back at its end, and the phases between read and
// write only workgroup memory.
//
// In f32 (no shader f64) MuJoCo's tolerance can be below what the arithmetic resolves: a is
// itself rounded to 2⁻²⁴ of its size, and with stiff rows the gradient at the best f32 point is
// far above the tolerance, so the solve would run to its iteration limit on rounding noise
// (myolegs did). There the gradient test also stops once every component of g is within its
// own rounding bound, |g_d| ≤ ROUNDING_SLACK · eps · (|M|·|a| + Σ_active D |J| (|J|·|a| +
// |aref|))_d, from the same sums (f32 only; f64 keeps MuJoCo's tests alone). Component by
// component, not as norms: the norm of the bound is the stiff rows' (contacts with large D and
// aref), and a solve stopped on it could leave a soft dof's gradient far above that dof's own
// rounding — myolegs with the factor's rank-one updates stopped with 40 N on a contact between
// the legs that MuJoCo leaves free (step 91 of its contacts-on trajectory), and so did a slack
// of 32 here.
const ROUNDING_SLACK: real = real(4.0);

// Invocations per world (set by the host: 64 on GPUs, fewer on CPU adapters, where every
// workgroup barrier costs a pass over all the workgroup's invocations).
override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<uniform> params: SolverParams;
@group(0) @binding(3) var<storage, read> dofs: array<Dof>;
@group(0) @binding(4) var<storage, read> dof_madr: array<u32>;
@group(0) @binding(5) var<storage, read> qm: array<f32>;
@group(0) @binding(6) var<storage, read> qacc_smooth: array<f32>;
// (nworld × jpool) the rows' Jacobian values, row after row.
@group(0) @binding(7) var<storage, read> efc_jval: array<f32>;
@group(0) @binding(8) var<storage, read> efc_aref: array<f32>;
@group(0) @binding(9) var<storage, read> efc_d: array<f32>;
@group(0) @binding(10) var<storage, read> efc_side: array<u32>;
@group(0) @binding(11) var<storage, read> nefc: array<u32>;
@group(0) @binding(12) var<storage, read_write> work: array<real>;
@group(0) @binding(13) var<storage, read_write> qacc: array<f32>;
@group(0) @binding(14) var<storage, read_write> qacc_warmstart: array<f32>;
@group(0) @binding(15) var<storage, read_write> qfrc_constraint: array<f32>;
// M by column: (nv + 1) offsets, then per dof the pairs (descendant dof, address of its entry).
@group(0) @binding(16) var<storage, read> dof_mcol: array<u32>;
// The Hessian factor's tables (HessianPattern::gpu_table): a header of section offsets, then the
// sections named by HP_*.
@group(0) @binding(17) var<storage, read> hpat: array<u32>;

// Header words of hpat: row lists ((nv + 1) offsets, then (column, address) pairs), column
// offsets (nv + 1), entries' rows (nl), each column's update targets (nv + 1 offsets into hpat,
// then per pair of the column's rows the entry it updates), M's entries' addresses in the factor
// (nm), and each row dof list's targets (nlist + 1 offsets into hpat, then per pair of the
// list's dofs the entry they meet in). Looked up on the host once, so each pair reads one word.
const HP_ROWS: u32 = 0u;
const HP_COL_ADR: u32 = 1u;
const HP_COL_ROW: u32 = 2u;
const HP_PAIRS: u32 = 3u;
const HP_M_ENTRY: u32 = 4u;
const HP_LIST_PAIRS: u32 = 5u;
// Each column's elimination-tree parent (NO_PARENT at a root), and the columns on its path to
// the root, itself included (the rank-one updates' walk and its cost).
const HP_ETREE: u32 = 6u;
const HP_PATH: u32 = 7u;
const NO_PARENT: u32 = 0xffffffffu;

// (nworld + 1) the worlds `iterate` works on, then their count (pending.wgsl).
@group(0) @binding(18) var<storage, read> pending: array<u32>;
// (nworld × nefc_max) per row: its first value in the world's efc_jval, and its dof list.
@group(0) @binding(19) var<storage, read> efc_jrow: array<vec2<u32>>;
// The dof lists (EfcTable::lists): list l's dofs at [lists[l], lists[l + 1]).
@group(0) @binding(20) var<storage, read> lists: array<u32>;
// (nworld × (nv + 1 + jpool)) the rows by dof: (nv + 1) offsets, then per dof its entries
// (row << 16 | position in the row), in row order (contact.wgsl).
@group(0) @binding(21) var<storage, read> efc_jt: array<u32>;
// (nworld × nefc_max) the rows' forces at the solution (MuJoCo's efc_force), written by `finish`.
@group(0) @binding(22) var<storage, read_write> efc_force: array<f32>;

// What the adapter's workgroup storage holds (the host decides: EfcTable::fit_adapter).
// With HOT, H's factor, 1/D and the vector being solved (nl + 2·nv reals, from HOT_FACTOR) live
// in workgroup memory instead of `work`: they are rebuilt every iteration, so they never go to
// global memory. With VHOT, the world's vectors (VLEN reals, from 0) live there during a
// dispatch. Barriers are workgroup barriers where everything is in workgroup memory.
override HOT: bool = false;
override VHOT: bool = false;
override VLEN: u32 = 1u;
override HOT_FACTOR: u32 = 0u;
override HOT_LEN: u32 = 1u;
var<workgroup> hot: array<real, HOT_LEN>;

// Workgroup-wide decision (stop or go on), read uniformly with workgroupUniformLoad.
var<workgroup> flag: u32;

// The rank-one updates (update_factor), set by the host (src/sim/efc.rs, which also budgets
// their loops): whether the factor may be changed by them at all (SINEW_NEWTON_UPDATES; an
// unchanged active set reuses it either way, which is exact), the most rows that may change,
// and the most columns their walks may take together, in multiples of nv.
override UPDATES: bool = true;
override CHANGED_MAX: u32 = 64u;
override WALK_COLUMNS: u32 = 4u;
// The changed rows in row order, an exclusive scan's partial sums, and whether an update lost
// the precision the arithmetic holds.
var<workgroup> changed_rows: array<u32, CHANGED_MAX>;
var<workgroup> scan: array<u32, WG_MAX>;
var<workgroup> lost: u32;

// The most invocations a workgroup may have (the host keeps WG within it).
const WG_MAX: u32 = 256u;
// One partial sum per invocation, and the reduced total every invocation reads.
var<workgroup> partial: array<vec2<real>, WG_MAX>;
var<workgroup> total: vec2<real>;

// Offsets of one world's scratch slots.
struct Slots {
    h: u32, a: u32, d: u32, md: u32, g: u32, p: u32, dinv: u32, md_old: u32, ma: u32, a0: u32, jar: u32, jp: u32,
    jar_old: u32, ja: u32,
    factored: u32,  // nonzero where `work` holds H's factor for the active set at jar_old
    cost: u32, done: u32, iters: u32,
    row: u32,   // first row of the world in the efc arrays
    n: u32,     // rows in use
    vb: u32,    // the world's dof 0 in the (tiled) per-dof state arrays: dof d at at(vb, d)
    jv: u32,    // first Jacobian value of the world
    jt: u32,    // first word of the world's rows by dof
}

// Where world w's vectors start in `work`.
fn vectors_at(w: u32) -> u32 {
    return w * params.work_stride + select(0u, params.nl + sizes.nv, params.factor_in_work != 0u);
}

// With VHOT, world w's vectors copied from `work` into workgroup memory (a dispatch's start).
fn load_vectors(w: u32, tid: u32) {
    if (VHOT) {
        let b = vectors_at(w);
        for (var i = tid; i < VLEN; i += WG) {
            hot[i] = work[b + i];
        }
        workgroupBarrier();
    }
}

// With VHOT, world w's vectors copied back to `work` (a dispatch's end).
fn store_vectors(w: u32, tid: u32) {
    if (VHOT) {
        workgroupBarrier();
        let b = vectors_at(w);
        for (var i = tid; i < VLEN; i += WG) {
            work[b + i] = hot[i];
        }
    }
}

// Entry o of the world's vectors (an offset from Slots).
fn scratch(o: u32) -> real {
    if (VHOT) {
        return hot[o];
    }
    return work[o];
}

fn scratch_set(o: u32, x: real) {
    if (VHOT) {
        hot[o] = x;
    } else {
        work[o] = x;
    }
}

fn slots(w: u32) -> Slots {
    let nv = sizes.nv;
    var s: Slots;
    // the factor and 1/D first, where the scratch holds them (not with HOT)
    s.h = w * params.work_stride;
    s.dinv = s.h + params.nl;
    // the vectors: in `work`, or from 0 in workgroup memory (VHOT)
    s.a = select(vectors_at(w), 0u, VHOT);
    s.d = s.a + nv;
    s.md = s.d + nv;
    s.g = s.md + nv;
    s.p = s.g + nv;
    s.md_old = s.p + nv;
    s.ma = s.md_old + nv;
    // qacc_smooth, copied by `start` from the tiled state so every evaluation reads it contiguously
    s.a0 = s.ma + nv;
    s.jar = s.a0 + nv;
    s.jp = s.jar + params.nefc_max;
    s.jar_old = s.jp + params.nefc_max;
    s.ja = s.jar_old + params.nefc_max;
    // the last three are read by pending.wgsl and EfcState::iterations at the slot's end
    s.factored = s.ja + params.nefc_max;
    s.cost = s.factored + 1u;
    s.done = s.cost + 1u;
    s.iters = s.cost + 2u;
    s.row = w * params.nefc_max;
    s.n = nefc[w];
    s.vb = world_at(w, sizes.nv);
    s.jv = w * params.jpool;
    s.jt = w * (sizes.nv + 1u + params.jpool);
    return s;
}

// y = M x on the sparse tree-structured M, a row per invocation: the dof's own entries (its
// diagonal, then its ancestors) and those below it in its column (its descendants, from
// dof_mcol); with `absolute`, |M|·|x|. Whole workgroup; the caller puts a barrier before y is
// read.
fn mul_m(w: u32, x: u32, y: u32, tid: u32, absolute: bool) {
    let mb = w * run.nm;  // the world's M (world-major: Newton's workgroup reads it every iteration)
    let pairs = sizes.nv + 1u;
    for (var i = tid; i < sizes.nv; i += WG) {
        var acc = term(qm[mb + dof_madr[i]], scratch(x + i), absolute);
        var adr = dof_madr[i] + 1u;
        var j = dofs[i].parent;
        while (j >= 0) {
            acc += term(qm[mb + adr], scratch(x + u32(j)), absolute);
            adr += 1u;
            j = dofs[j].parent;
        }
        for (var e = dof_mcol[i]; e < dof_mcol[i + 1u]; e += 2u) {
            acc += term(qm[mb + dof_mcol[pairs + e + 1u]], scratch(x + dof_mcol[pairs + e]), absolute);
        }
        scratch_set(y + i, acc);
    }
}

// m·x, or |m|·|x| with `absolute`.
fn term(m: f32, x: real, absolute: bool) -> real {
    if (absolute) {
        return abs(real(m)) * abs(x);
    }
    return real(m) * x;
}

// Row r's Jacobian times the vector at slot x, over the row's dofs; with `absolute`,
// |J_r|·|x|.
fn row_dot(s: Slots, r: u32, x: u32, absolute: bool) -> real {
    let row = efc_jrow[s.row + r];
    let l0 = lists[row.y];
    let width = lists[row.y + 1u] - l0;
    var acc = real(0.0);
    for (var k = 0u; k < width; k++) {
        let jv = efc_jval[s.jv + row.x + k];
        if (jv != 0.0) {
            acc += term(jv, scratch(x + lists[l0 + k]), absolute);
        }
    }
    return acc;
}

// g_d's rounding bound over eps: |M|·|a| plus each active row's D |J_d| (|J|·|a| + |aref|).
fn gradient_bound(s: Slots, d: u32) -> real {
    var b = scratch(s.ma + d);
    for (var q = efc_jt[s.jt + d]; q < efc_jt[s.jt + d + 1u]; q++) {
        let e = dof_entry(s, q);
        if (is_active(s, e.r, scratch(s.jar + e.r))) {
            b += real(efc_d[s.row + e.r]) * abs(real(e.jv)) * scratch(s.ja + e.r);
        }
    }
    return b;
}

// Entry q of dof d's rows: (row, its Jacobian value at d, d's position in the row).
struct DofEntry {
    r: u32,
    jv: f32,
    at: u32,
}

fn dof_entry(s: Slots, q: u32) -> DofEntry {
    let packed = efc_jt[s.jt + sizes.nv + 1u + q];
    let r = packed >> 16u;
    let at = packed & 0xffffu;
    return DofEntry(r, efc_jval[s.jv + efc_jrow[s.row + r].x + at], at);
}

// f0 + Σ over the active rows touching dof d of D jar J_d (with f0 = 0, minus the constraint
// force on d).
fn rows_force(s: Slots, d: u32, f0: real) -> real {
    var f = f0;
    for (var q = efc_jt[s.jt + d]; q < efc_jt[s.jt + d + 1u]; q++) {
        let e = dof_entry(s, q);
        let jar = scratch(s.jar + e.r);
        if (e.jv != 0.0 && is_active(s, e.r, jar)) {
            f += real(efc_d[s.row + e.r]) * jar * real(e.jv);
        }
    }
    return f;
}

fn is_active(s: Slots, r: u32, jar: real) -> bool {
    return efc_side[s.row + r] == 0u || jar < real(0.0);
}

// Factor entry e.
fn h_get(s: Slots, e: u32) -> real {
    if (HOT) {
        return hot[HOT_FACTOR + e];
    }
    return work[s.h + e];
}

fn h_set(s: Slots, e: u32, v: real) {
    if (HOT) {
        hot[HOT_FACTOR + e] = v;
    } else {
        work[s.h + e] = v;
    }
}

// 1/D_k.
fn dinv_get(s: Slots, k: u32) -> real {
    if (HOT) {
        return hot[HOT_FACTOR + params.nl + k];
    }
    return work[s.dinv + k];
}

fn dinv_set(s: Slots, k: u32, v: real) {
    if (HOT) {
        hot[HOT_FACTOR + params.nl + k] = v;
    } else {
        work[s.dinv + k] = v;
    }
}

// Entry i of the vector being solved (at slot x of the vectors, or with HOT the factor's copy).
fn x_get(x: u32, i: u32) -> real {
    if (HOT) {
        return hot[HOT_FACTOR + params.nl + sizes.nv + i];
    }
    return scratch(x + i);
}

fn x_set(x: u32, i: u32, v: real) {
    if (HOT) {
        hot[HOT_FACTOR + params.nl + sizes.nv + i] = v;
    } else {
        scratch_set(x + i, v);
    }
}

// Between phases of a world's solve: a workgroup barrier where the factor and the vectors are
// in workgroup memory, a storage one where both are in `work`, both where they are split.
fn sync() {
    if (HOT && VHOT) {
        workgroupBarrier();
    } else if (!HOT && !VHOT) {
        storageBarrier();
    } else {
        storageBarrier();
        workgroupBarrier();
    }
}

// The sum of every invocation's `v`, returned to all of them (a uniform value). Pairwise in a
// fixed order (no atomics), so a world's result does not depend on scheduling. Must be reached
// by the whole workgroup.
fn workgroup_sum(tid: u32, v: vec2<real>) -> vec2<real> {
    partial[tid] = v;
    workgroupBarrier();
    var half = 1u;
    while (half * 2u < WG) {
        half *= 2u;
    }
    for (var stride = half; stride > 0u; stride /= 2u) {
        if (tid < stride && tid + stride < WG) {
            partial[tid] += partial[tid + stride];
        }
        workgroupBarrier();
    }
    if (tid == 0u) {
        total = partial[0];
    }
    return workgroupUniformLoad(&total);
}

// At a: d = a − a₀, Md, jar, and the cost (stored by thread 0). Whole workgroup.
fn evaluate(w: u32, s: Slots, tid: u32) {
    for (var i = tid; i < sizes.nv; i += WG) {
        scratch_set(s.d + i, scratch(s.a + i) - scratch(s.a0 + i));
    }
    sync();
    mul_m(w, s.d, s.md, tid, false);
    for (var r = tid; r < s.n; r += WG) {
        scratch_set(s.jar + r, row_dot(s, r, s.a, false) - real(efc_aref[s.row + r]));
    }
    if (!REAL_IS_F64) {
        // the sizes g's rounding scales with (see the header)
        mul_m(w, s.a, s.ma, tid, true);
        for (var r = tid; r < s.n; r += WG) {
            scratch_set(s.ja + r, row_dot(s, r, s.a, true) + abs(real(efc_aref[s.row + r])));
        }
    }
    sync();
    var cost = real(0.0);
    for (var i = tid; i < sizes.nv; i += WG) {
        cost += real(0.5) * scratch(s.d + i) * scratch(s.md + i);
    }
    for (var r = tid; r < s.n; r += WG) {
        let jar = scratch(s.jar + r);
        if (is_active(s, r, jar)) {
            cost += real(0.5) * real(efc_d[s.row + r]) * jar * jar;
        }
    }
    let sum = workgroup_sum(tid, vec2<real>(cost, real(0.0)));
    if (tid == 0u) {
        scratch_set(s.cost, sum.x);
    }
    sync();
}

fn world_of(wid: vec3<u32>) -> u32 {
    return wid.x + wid.y * 65535u;
}

// Start at qacc_smooth, or at the previous step's qacc where that costs less (MuJoCo's warm
// start); worlds without rows are done at once.
@compute @workgroup_size(WG)
fn start(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
    let w = world_of(wid);
    if (w >= run.nworld) {
        return;
    }
    let s = slots(w);
    for (var i = tid; i < sizes.nv; i += WG) {
        scratch_set(s.a0 + i, real(qacc_smooth[at(s.vb, i)]));
        scratch_set(s.a + i, scratch(s.a0 + i));
    }
    sync();
    evaluate(w, s, tid);
    if (params.warmstart != 0u) {
        let smooth_cost = scratch(s.cost);
        for (var i = tid; i < sizes.nv; i += WG) {
            scratch_set(s.a + i, real(qacc_warmstart[at(s.vb, i)]));
        }
        sync();
        evaluate(w, s, tid);
        if (tid == 0u) {
            flag = select(0u, 1u, scratch(s.cost) < smooth_cost);
        }
        if (workgroupUniformLoad(&flag) == 0u) {
            for (var i = tid; i < sizes.nv; i += WG) {
                scratch_set(s.a + i, scratch(s.a0 + i));
            }
            sync();
            evaluate(w, s, tid);
        }
    }
    if (tid == 0u) {
        scratch_set(s.done, select(real(0.0), real(1.0), s.n == 0u));
        scratch_set(s.iters, real(0.0));
        scratch_set(s.factored, real(0.0));
    }
    store_vectors(w, tid);
}

// H = M + Σ_active D Jᵀ J on the pattern (assembled a column per invocation: column k holds
// H_kk and H_ik for the rows i < k of its pattern), then its LDLᵀ factor in place, column by
// column.
fn hessian(w: u32, s: Slots, tid: u32) {
    let mb = w * run.nm;  // the world's M (world-major: Newton's workgroup reads it every iteration)
    // the tables' offsets read once, in uniform control flow (inside a loop lavapipe would read
    // them once per invocation)
    let cadr = hpat[HP_COL_ADR];
    let m_entry = hpat[HP_M_ENTRY];
    let list_pairs = hpat[HP_LIST_PAIRS];
    let pairs = hpat[HP_PAIRS];
    for (var k = tid; k < sizes.nv; k += WG) {
        let e0 = hpat[cadr + k];
        let e1 = hpat[cadr + k + 1u];
        for (var e = e0; e < e1; e++) {
            h_set(s, e, real(0.0));
        }
        // M's row k: its diagonal, then its ancestors, each to its entry of column k
        var adr = dof_madr[k];
        h_set(s, e0, real(qm[mb + adr]));
        var j = dofs[k].parent;
        while (j >= 0) {
            adr += 1u;
            h_set(s, hpat[m_entry + adr], real(qm[mb + adr]));
            j = dofs[j].parent;
        }
        // each active row touching k adds D J_k J_i at (i, k) for its dofs i ≤ k, which (a row's
        // dofs ascend) are its first ek.at + 1; the others, k before i, are column i's
        for (var q = efc_jt[s.jt + k]; q < efc_jt[s.jt + k + 1u]; q++) {
            let ek = dof_entry(s, q);
            if (ek.jv == 0.0 || !is_active(s, ek.r, scratch(s.jar + ek.r))) {
                continue;
            }
            let djk = real(efc_d[s.row + ek.r]) * real(ek.jv);
            let row = efc_jrow[s.row + ek.r];
            let targets = hpat[list_pairs + row.y] + ek.at * (ek.at + 1u) / 2u;
            for (var m = 0u; m <= ek.at; m++) {
                let ji = efc_jval[s.jv + row.x + m];
                if (ji != 0.0) {
                    let e = hpat[targets + m];
                    h_set(s, e, h_get(s, e) + djk * real(ji));
                }
            }
        }
    }
    sync();
    // LDLᵀ right-looking: once column m has every update (the columns eliminated before it are
    // done), each pair of its rows i ≤ j takes U_im U_jm / D_m off entry (i, j) of column j, a
    // pair per invocation (distinct pairs, distinct entries); 1/D_m kept in dinv.
    for (var q = 0u; q < sizes.nv; q++) {
        let m = sizes.nv - 1u - q;
        let e0 = hpat[cadr + m];
        let c = hpat[cadr + m + 1u] - e0 - 1u;
        let targets = hpat[pairs + m];
        let inv = real(1.0) / max(h_get(s, e0), real(MINVAL));
        for (var k = tid; k < c * (c + 1u) / 2u; k += WG) {
            let ab = pair_of(k);
            let t = hpat[targets + k];
            h_set(s, t, h_get(s, t) - h_get(s, e0 + 1u + ab.x) * h_get(s, e0 + 1u + ab.y) * inv);
        }
        if (tid == 0u) {
            dinv_set(s, m, inv);
        }
        sync();
    }
}

// Whether row r's activity differs between jar_old and jar (the factor's point and now).
fn changed(s: Slots, r: u32) -> bool {
    return is_active(s, r, scratch(s.jar_old + r)) != is_active(s, r, scratch(s.jar + r));
}

// Row r's dof list: (first word in `lists`, width).
fn row_list(s: Slots, r: u32) -> vec2<u32> {
    let l = efc_jrow[s.row + r].y;
    return vec2<u32>(lists[l], lists[l + 1u] - lists[l]);
}

// Columns a rank-one change by row r walks: from its highest dof (the first it meets in
// elimination order) along the elimination tree to the root, plus its set-up.
fn row_path(s: Slots, r: u32) -> u32 {
    let list = row_list(s, r);
    if (list.y == 0u) {
        return 0u;
    }
    return hpat[hpat[HP_PATH] + lists[list.x + list.y - 1u]] + 2u;
}

// Exclusive prefix sum of every invocation's v (Hillis–Steele in workgroup memory). Whole
// workgroup.
fn workgroup_scan(tid: u32, v: u32) -> u32 {
    scan[tid] = v;
    workgroupBarrier();
    for (var off = 1u; off < WG; off *= 2u) {
        var add = 0u;
        if (tid >= off) {
            add = scan[tid - off];
        }
        workgroupBarrier();
        scan[tid] += add;
        workgroupBarrier();
    }
    return scan[tid] - v;
}

// H's factor brought from the active set at jar_old to the one at jar by one rank-one change
// per row that joined (+D J_rᵀ J_r) or left (−D J_rᵀ J_r), in row order, as MuJoCo's
// HessianIncremental does, instead of assembling and factorising H again. Each change walks only
// the columns on its path up the elimination tree, a barrier each, so this runs where the
// walks together take at most WALK_COLUMNS·nv columns and at most CHANGED_MAX rows changed.
// Returns false, leaving the factor to be rebuilt, where it does not run or where a downdate
// cancelled most of a pivot's digits. Whole workgroup; the value is uniform.
fn update_factor(s: Slots, tid: u32) -> bool {
    // each invocation counts a contiguous share of the rows, so the list comes out in row order
    let share = (s.n + WG - 1u) / WG;
    let r0 = min(tid * share, s.n);
    let r1 = min(r0 + share, s.n);
    var count = 0u;
    var walk = 0u;
    for (var r = r0; r < r1; r++) {
        if (changed(s, r)) {
            count += 1u;
            walk += row_path(s, r);
        }
    }
    let total = workgroup_sum(tid, vec2<real>(real(count), real(walk)));
    if (total.x == real(0.0)) {
        return true;
    }
    if (!UPDATES || total.x > real(CHANGED_MAX) || total.y > real(WALK_COLUMNS * sizes.nv)) {
        return false;
    }
    var at = workgroup_scan(tid, count);
    for (var r = r0; r < r1; r++) {
        if (changed(s, r)) {
            changed_rows[at] = r;
            at += 1u;
        }
    }
    // the row being applied, spread out over the dofs in p (p is set afterwards from g)
    for (var i = tid; i < sizes.nv; i += WG) {
        x_set(s.p, i, real(0.0));
    }
    if (tid == 0u) {
        lost = 0u;
    }
    sync();
    for (var u = 0u; u < u32(total.x); u++) {
        rank_one(s, tid, workgroupUniformLoad(&changed_rows[u]));
    }
    return workgroupUniformLoad(&lost) == 0u;
}

// H += α J_rᵀ J_r on the factor (α = D_r where row r joined the active set, −D_r where it left),
// by the LDLᵀ rank-one update: along the path from the row's highest dof to the root, each
// column's pivot takes α p² (p the change vector's entry there, made final by the columns
// before), the column's entries move towards the change vector and the change vector sheds
// the column's part; the vector (in p's slot, zero outside the path) is left zero. Whole
// workgroup.
fn rank_one(s: Slots, tid: u32, r: u32) {
    let list = row_list(s, r);
    if (list.y == 0u) {
        return;
    }
    let row = efc_jrow[s.row + r];
    let dr = real(efc_d[s.row + r]);
    var alpha = select(-dr, dr, is_active(s, r, scratch(s.jar + r)));
    for (var m = tid; m < list.y; m += WG) {
        x_set(s.p, lists[list.x + m], real(efc_jval[s.jv + row.x + m]));
    }
    sync();
    let cadr = hpat[HP_COL_ADR];
    let crow = hpat[HP_COL_ROW];
    let parent = hpat[HP_ETREE];
    var j = lists[list.x + list.y - 1u];
    loop {
        let e0 = hpat[cadr + j];
        let p = x_get(s.p, j);
        let d = h_get(s, e0);
        let dinv = dinv_get(s, j);
        let dn = d + alpha * p * p;
        let beta = p * alpha / dn;
        for (var e = e0 + 1u + tid; e < hpat[cadr + j + 1u]; e += WG) {
            let i = hpat[crow + e];
            let l = h_get(s, e) * dinv;
            let wi = x_get(s.p, i) - p * l;
            x_set(s.p, i, wi);
            h_set(s, e, (l + beta * wi) * dn);
        }
        sync();
        if (tid == 0u) {
            // a downdate leaving less than this share of a pivot cancelled most of its digits:
            // the factor is rebuilt (MuJoCo's HessianIncremental rebuilds where the rank drops).
            // f32 holds ~7 digits, so it keeps at least ~4: a poor direction would cost
            // iterations, and one going uphill would end the solve at once (no decrease)
            if (!(dn > select(real(1e-3), real(1e-8), REAL_IS_F64) * d)) {
                lost = 1u;
            }
            h_set(s, e0, dn);
            dinv_set(s, j, real(1.0) / max(dn, real(MINVAL)));
            x_set(s.p, j, real(0.0));
        }
        alpha *= d / dn;
        j = hpat[parent + j];
        if (j == NO_PARENT) {
            break;
        }
    }
    sync();
}

// Pair k of the triangle a ≤ b in row-major order (k = b(b + 1)/2 + a). The f32 root is within
// one of b for k < 2²⁴ (EfcTable::new keeps nv below 4096), which the two selects correct;
// no loops (lavapipe counts every loop's iterations against its budget).
fn pair_of(k: u32) -> vec2<u32> {
    var b = u32((sqrt(8.0 * f32(k) + 1.0) - 1.0) * 0.5);
    b = select(b, b - 1u, b * (b + 1u) / 2u > k);
    b = select(b, b + 1u, (b + 1u) * (b + 2u) / 2u <= k);
    return vec2<u32>(k - b * (b + 1u) / 2u, b);
}

// p = −H⁻¹ g from the factor.
fn newton_direction(s: Slots, tid: u32) {
    for (var i = tid; i < sizes.nv; i += WG) {
        scratch_set(s.p + i, -scratch(s.g + i));
    }
    sync();
    solve_factor(s, tid, s.p);
}

// The vector at slot x replaced by H⁻¹ x, from the factor (with HOT, on a copy in workgroup
// memory). Forward, columns in elimination order: x̂_k = x_k / D_k once x_k has every update,
// then x_i −= U_ik x̂_k over column k's rows i (an invocation each). Backward, dofs in reverse
// order: x_i holds x̂_i D_i − Σ U_ri x_r over column i's rows r, all final, so x_i / D_i is final,
// and x_m −= U_im x_i / D_i over the columns m holding row i (an invocation each); then every
// x_i / D_i at once. One barrier a column each way. Whole workgroup.
fn solve_factor(s: Slots, tid: u32, x: u32) {
    let cadr = hpat[HP_COL_ADR];
    let crow = hpat[HP_COL_ROW];
    let rows = hpat[HP_ROWS];
    let pairs = rows + sizes.nv + 1u;
    if (HOT) {
        for (var i = tid; i < sizes.nv; i += WG) {
            hot[HOT_FACTOR + params.nl + sizes.nv + i] = scratch(x + i);
        }
        workgroupBarrier();
    }
    for (var q = 0u; q < sizes.nv; q++) {
        let k = sizes.nv - 1u - q;
        let xk = x_get(x, k) * dinv_get(s, k);
        for (var e = hpat[cadr + k] + 1u + tid; e < hpat[cadr + k + 1u]; e += WG) {
            let i = hpat[crow + e];
            x_set(x, i, x_get(x, i) - h_get(s, e) * xk);
        }
        sync();
    }
    for (var i = 0u; i < sizes.nv; i++) {
        let xi = x_get(x, i) * dinv_get(s, i);
        for (var r = hpat[rows + i] + 2u * tid; r < hpat[rows + i + 1u]; r += 2u * WG) {
            let m = hpat[pairs + r];
            x_set(x, m, x_get(x, m) - h_get(s, hpat[pairs + r + 1u]) * xi);
        }
        sync();
    }
    for (var i = tid; i < sizes.nv; i += WG) {
        let xi = x_get(x, i) * dinv_get(s, i);
        if (HOT) {
            scratch_set(x + i, xi);
        } else {
            x_set(x, i, xi);
        }
    }
    sync();
}

// Slope and curvature of the cost along p at step t (Gauss part: g1 + t·g2), the rows' part
// summed over the workgroup. Whole workgroup.
fn slope(s: Slots, tid: u32, g1: real, g2: real, t: real) -> vec2<real> {
    var sc = vec2<real>(real(0.0), real(0.0));
    for (var r = tid; r < s.n; r += WG) {
        let jp = scratch(s.jp + r);
        let x = scratch(s.jar + r) + t * jp;
        if (is_active(s, r, x)) {
            let dr = real(efc_d[s.row + r]);
            sc += vec2<real>(dr * x * jp, dr * jp * jp);
        }
    }
    return workgroup_sum(tid, sc) + vec2<real>(g1 + t * g2, g2);
}

// The cost's decrease from the previous point (Md and jar kept in md_old and jar_old) to the
// current one, with the step actually taken (after rounding) in p: summed term by term, the
// Gauss part as ½ Δaᵀ (Md + Md_old) and each row's change as ½ D (jar − jar_old)(jar + jar_old)
// where it stays active, instead of as the difference of two costs. Equal in exact arithmetic;
// but the difference of two large f32 costs loses the decrease in rounding (it stopped myoarms'
// solve early without f64), and a decrease predicted from t·p instead of the step taken never
// reaches zero when the step is below a's rounding (mm_fullbody ran to the iteration limit).
// Whole workgroup.
fn decrease(s: Slots, tid: u32) -> real {
    var change = real(0.0);
    for (var i = tid; i < sizes.nv; i += WG) {
        change += real(0.5) * scratch(s.p + i) * (scratch(s.md + i) + scratch(s.md_old + i));
    }
    for (var r = tid; r < s.n; r += WG) {
        let jar = scratch(s.jar + r);
        let old = scratch(s.jar_old + r);
        let dr = real(0.5) * real(efc_d[s.row + r]);
        let was = is_active(s, r, old);
        let is = is_active(s, r, jar);
        if (was && is) {
            change += dr * (jar - old) * (jar + old);
        } else if (is) {
            change += dr * jar * jar;
        } else if (was) {
            change -= dr * old * old;
        }
    }
    return -workgroup_sum(tid, vec2<real>(change, real(0.0))).x;
}

// The exact minimiser t along p: Newton on the slope, kept inside a bracket (bisecting when a
// step would leave it); the slope is piecewise linear, so this ends once the active set settles.
// Every invocation runs it on the same uniform sums. Whole workgroup.
fn line_search(w: u32, s: Slots, tid: u32) -> real {
    // g1 = p·M(a − a₀) and g2 = pᵀMp, the latter along each dof's ancestors (M is stored as the
    // dof's row up its branch, so each off-diagonal entry counts twice)
    let mb = w * run.nm;  // the world's M (world-major: Newton's workgroup reads it every iteration)
    var gauss = vec2<real>(real(0.0), real(0.0));
    for (var i = tid; i < sizes.nv; i += WG) {
        let pi = scratch(s.p + i);
        var mp = real(qm[mb + dof_madr[i]]) * pi;
        var adr = dof_madr[i] + 1u;
        var j = dofs[i].parent;
        while (j >= 0) {
            mp += real(2.0) * real(qm[mb + adr]) * scratch(s.p + u32(j));
            adr += 1u;
            j = dofs[j].parent;
        }
        gauss += vec2<real>(pi * scratch(s.md + i), pi * mp);
    }
    let g = workgroup_sum(tid, gauss);
    let g1 = g.x;
    let g2 = g.y;
    let s0 = slope(s, tid, g1, g2, real(0.0));
    if (s0.x >= real(0.0)) {
        return real(0.0);
    }
    var lo = real(0.0);
    var hi = real(-1.0);  // no upper bracket yet
    var t = real(0.0);
    var sc = s0;
    for (var k = 0u; k < max(params.ls_iterations, 1u); k++) {
        var tn = t - sc.x / max(sc.y, real(MINVAL));
        if (tn <= lo || (hi >= real(0.0) && tn >= hi)) {
            tn = select(real(2.0) * max(t, real(1.0)), real(0.5) * (lo + hi), hi >= real(0.0));
        }
        if (abs(tn - t) <= real(1e-12) * max(abs(t), real(1.0))) {
            t = tn;
            break;
        }
        t = tn;
        sc = slope(s, tid, g1, g2, t);
        if (sc.x < real(0.0)) {
            lo = t;
        } else if (sc.x > real(0.0)) {
            hi = t;
        } else {
            break;
        }
    }
    return t;
}

// Up to iterations_per_dispatch Newton steps of each pending world (dispatched indirectly, a
// workgroup per world of the list pending.wgsl made).
@compute @workgroup_size(WG)
fn iterate(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
    let item = world_of(wid);
    if (item >= pending[run.nworld]) {
        return;
    }
    let w = pending[item];
    let s = slots(w);
    load_vectors(w, tid);
    // whether the factor is that of the active set at jar_old (the previous Newton step's point),
    // made in this dispatch or an earlier one of this step; with HOT it waits in `work` between
    // dispatches where the host gave it room there (a step split over dispatches), so the
    // arithmetic does not depend on where the factor lives
    if (tid == 0u) {
        flag = select(0u, 1u, scratch(s.factored) != real(0.0) && (!HOT || params.factor_in_work != 0u));
    }
    var factored = workgroupUniformLoad(&flag) != 0u;
    // (thread 0 writes the flag again below)
    workgroupBarrier();
    if (HOT && factored) {
        for (var e = tid; e < params.nl + sizes.nv; e += WG) {
            hot[HOT_FACTOR + e] = work[s.h + e];
        }
        workgroupBarrier();
    }
    for (var k = 0u; k < params.iterations_per_dispatch; k++) {
        if (tid == 0u) {
            flag = select(0u, 1u, scratch(s.done) != real(0.0) || scratch(s.iters) >= real(params.iterations));
        }
        if (workgroupUniformLoad(&flag) != 0u) {
            break;
        }
        // gradient g = M (a − a₀) + Σ_active D jar Jᵀ
        for (var d = tid; d < sizes.nv; d += WG) {
            scratch_set(s.g + d, rows_force(s, d, scratch(s.md + d)));
        }
        var g2 = vec2<real>(real(0.0), real(0.0));
        for (var d = tid; d < sizes.nv; d += WG) {
            var above = real(0.0);
            if (!REAL_IS_F64) {
                let bound = ROUNDING_SLACK * real(1.1920929e-7) * gradient_bound(s, d);
                above = select(real(0.0), real(1.0), abs(scratch(s.g + d)) > bound);
            }
            g2 += vec2<real>(scratch(s.g + d) * scratch(s.g + d), above);
        }
        let gn = workgroup_sum(tid, g2);
        // MuJoCo's test; in f32 also a gradient within its own rounding, dof by dof (see the
        // header)
        let rounded = !REAL_IS_F64 && gn.y == real(0.0);
        let small = real(params.scale) * sqrt(gn.x) < real(params.tolerance) || rounded;
        if (tid == 0u) {
            scratch_set(s.iters, scratch(s.iters) + real(1.0));
            if (small) {
                scratch_set(s.done, real(1.0));
            }
        }
        sync();
        if (small) {
            break;
        }
        if (!factored || !update_factor(s, tid)) {
            hessian(w, s, tid);
        }
        factored = true;
        newton_direction(s, tid);
        for (var r = tid; r < s.n; r += WG) {
            scratch_set(s.jp + r, row_dot(s, r, s.p, false));
        }
        sync();
        let t = line_search(w, s, tid);
        // step, keeping the point's Md and jar; p becomes the step taken
        for (var i = tid; i < sizes.nv; i += WG) {
            let a = scratch(s.a + i);
            let next = a + t * scratch(s.p + i);
            scratch_set(s.a + i, next);
            scratch_set(s.p + i, next - a);
            scratch_set(s.md_old + i, scratch(s.md + i));
        }
        for (var r = tid; r < s.n; r += WG) {
            scratch_set(s.jar_old + r, scratch(s.jar + r));
        }
        sync();
        evaluate(w, s, tid);
        let improvement = decrease(s, tid);
        if (tid == 0u) {
            if (real(params.scale) * improvement < real(params.tolerance)) {
                scratch_set(s.done, real(1.0));
            }
        }
        sync();
    }
    factored = factored && (!HOT || params.factor_in_work != 0u);
    if (HOT && factored) {
        workgroupBarrier();
        for (var e = tid; e < params.nl + sizes.nv; e += WG) {
            work[s.h + e] = hot[HOT_FACTOR + e];
        }
    }
    if (tid == 0u) {
        scratch_set(s.factored, select(real(0.0), real(1.0), factored));
    }
    store_vectors(w, tid);
}

// qacc = a; efc_force = f = −D jar on active rows, 0 elsewhere; qfrc_constraint = Jᵀ f (jar is
// current).
@compute @workgroup_size(WG)
fn finish(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
    let w = world_of(wid);
    if (w >= run.nworld) {
        return;
    }
    let s = slots(w);
    load_vectors(w, tid);
    for (var d = tid; d < sizes.nv; d += WG) {
        qfrc_constraint[at(s.vb, d)] = f32(-rows_force(s, d, real(0.0)));
        let a = f32(scratch(s.a + d));
        qacc[at(s.vb, d)] = a;
        qacc_warmstart[at(s.vb, d)] = a;
    }
    for (var r = tid; r < s.n; r += WG) {
        let jar = scratch(s.jar + r);
        efc_force[s.row + r] = select(0.0, f32(-real(efc_d[s.row + r]) * jar), is_active(s, r, jar));
    }
}
