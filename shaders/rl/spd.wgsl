// rl/spd.wgsl: the inverse and log-determinant of one symmetric positive-definite n × n matrix
// (Lattice exploration's action covariance, src/rl/lattice.rs) on the device, so the PPO update
// never reads the covariance back to the host.
//
// Dispatches, in order (src/rl/lattice.rs records them):
// 1. `factor_columns`, one workgroup, ⌈n / SPD_BLOCK⌉ times: the Cholesky factor A = L Lᵀ,
//    right-looking, SPD_BLOCK columns per dispatch (spd_next[0] says which come next): a column
//    is scaled, then every later entry of the trailing triangle takes its rank-one update, the
//    entries shared out over the 256 invocations. Short dispatches keep each one bounded (one
//    long single-workgroup dispatch lost its later columns on lavapipe past ~10 M operations, and
//    one invocation substituting a whole column of 416 went wrong there too).
// 2. `log_det`, one workgroup: 2 Σ log L_jj, a workgroup reduction.
// 3. `invert_factor`, ⌈n / 64⌉ workgroups, then `next_rows`, ⌈n / SPD_BLOCK⌉ times: X = L⁻¹ by
//    forward substitution, one invocation per column, SPD_BLOCK rows per dispatch (spd_next[1]
//    says which), written lower triangular to spd_inv. The caller forms A⁻¹ = Xᵀ X with one
//    matrix product.
// Work: n³/3 + n³/6 multiply-adds (n = 80, myolegs: 0.26 M; n = 416, full body: 36 M).
//
// spd_a (n × n, row-major, symmetric; lower triangle read), spd_l (n × n scratch: L in the lower
// triangle, the copy of A it starts from), spd_inv (n × n: X), spd_logdet [1], spd_next [2] (the
// next column to factor and the next row of X to compute, both 0 before the first dispatch).

override SPD_N: u32 = 1u;
override SPD_BLOCK: u32 = 16u;
const SPD_WG: u32 = 256u;

// spd_a is only read, but declared read_write: Burn may keep it in the same wgpu buffer as the
// outputs, and one dispatch cannot bind a buffer both read-only and writable.
@group(0) @binding(0) var<storage, read_write> spd_a: array<f32>;
@group(0) @binding(1) var<storage, read_write> spd_l: array<f32>;
@group(0) @binding(2) var<storage, read_write> spd_inv: array<f32>;
@group(0) @binding(3) var<storage, read_write> spd_logdet: array<f32>;
@group(0) @binding(4) var<storage, read_write> spd_next: array<u32>;

var<workgroup> spd_partial: array<f32, SPD_WG>;
var<workgroup> spd_first: u32;

fn spd_barrier() {
    storageBarrier();
    workgroupBarrier();
}

@compute @workgroup_size(256)
fn factor_columns(@builtin(local_invocation_index) lid: u32) {
    let n = SPD_N;
    if (lid == 0u) {
        spd_first = spd_next[0];
    }
    workgroupBarrier();
    let j0 = workgroupUniformLoad(&spd_first);
    if (j0 == 0u) {
        for (var t = lid; t < n * n; t += SPD_WG) {
            spd_l[t] = spd_a[t];
        }
    }
    spd_barrier();
    let j1 = min(j0 + SPD_BLOCK, n);
    for (var j = j0; j < j1; j++) {
        let d = sqrt(max(spd_l[j * n + j], 1e-30));
        spd_barrier();
        for (var i = j + 1u + lid; i < n; i += SPD_WG) {
            spd_l[i * n + j] /= d;
        }
        if (lid == 0u) {
            spd_l[j * n + j] = d;
        }
        spd_barrier();
        // the trailing triangle k <= i, both after j: a flat index over its square
        let m = n - j - 1u;
        for (var t = lid; t < m * m; t += SPD_WG) {
            let i = j + 1u + t / m;
            let k = j + 1u + t % m;
            if (k <= i) {
                spd_l[i * n + k] -= spd_l[i * n + j] * spd_l[k * n + j];
            }
        }
        spd_barrier();
    }
    if (lid == 0u) {
        spd_next[0] = j1;
    }
}

@compute @workgroup_size(256)
fn log_det(@builtin(local_invocation_index) lid: u32) {
    let n = SPD_N;
    var s = 0.0;
    for (var j = lid; j < n; j += SPD_WG) {
        s += log(spd_l[j * n + j]);
    }
    spd_partial[lid] = s;
    workgroupBarrier();
    for (var stride = SPD_WG / 2u; stride > 0u; stride /= 2u) {
        if (lid < stride) {
            spd_partial[lid] += spd_partial[lid + stride];
        }
        workgroupBarrier();
    }
    if (lid == 0u) {
        spd_logdet[0] = 2.0 * spd_partial[0];
    }
}

@compute @workgroup_size(64)
fn invert_factor(@builtin(global_invocation_id) gid: vec3<u32>) {
    let n = SPD_N;
    let c = gid.x;
    if (c >= n) {
        return;
    }
    // rows i0 .. i0 + SPD_BLOCK of column c of X = L⁻¹ (rows before i0 came in earlier
    // dispatches): zero above the diagonal, 1 / L_cc on it, forward substitution below
    let i0 = spd_next[1];
    for (var i = i0; i < min(i0 + SPD_BLOCK, n); i++) {
        if (i < c) {
            spd_inv[i * n + c] = 0.0;
        } else if (i == c) {
            spd_inv[c * n + c] = 1.0 / spd_l[c * n + c];
        } else {
            var acc = 0.0;
            for (var k = c; k < i; k++) {
                acc += spd_l[i * n + k] * spd_inv[k * n + c];
            }
            spd_inv[i * n + c] = -acc / spd_l[i * n + i];
        }
    }
}

// One invocation between two `invert_factor` dispatches: the next block of rows.
@compute @workgroup_size(1)
fn next_rows() {
    spd_next[1] += SPD_BLOCK;
}
