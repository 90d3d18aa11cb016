// pending: the list of worlds whose Newton solve goes on, for the next `iterate` dispatch
// (newton.wgsl), and that dispatch's indirect arguments, so worlds that have converged (or used
// their `iterations`) cost nothing while a few stiff ones iterate. One workgroup; the list's
// order depends on scheduling, which is harmless: each world's solve reads only its own data.
//
// Per world, the last three reals of its `work` slot are newton's cost, done flag and iterations.

@group(0) @binding(0) var<uniform> run: RunParams;
@group(0) @binding(1) var<uniform> params: SolverParams;
@group(0) @binding(2) var<storage, read> work: array<real>;
// (nworld + 1): the pending worlds, then (at nworld) how many there are.
@group(0) @binding(3) var<storage, read_write> pending: array<u32>;
// The `iterate` dispatch's workgroups (x, y, z): the pending worlds in rows of 65,535.
@group(0) @binding(4) var<storage, read_write> pending_args: array<u32>;

const PENDING_WG: u32 = 64u;

var<workgroup> count: atomic<u32>;

@compute @workgroup_size(PENDING_WG)
fn compact(@builtin(local_invocation_index) tid: u32) {
    if (tid == 0u) {
        atomicStore(&count, 0u);
    }
    workgroupBarrier();
    for (var w = tid; w < run.nworld; w += PENDING_WG) {
        let top = (w + 1u) * params.work_stride;
        let done = work[top - 2u] != real(0.0) || work[top - 1u] >= real(params.iterations);
        if (!done) {
            pending[atomicAdd(&count, 1u)] = w;
        }
    }
    workgroupBarrier();
    if (tid == 0u) {
        let n = atomicLoad(&count);
        pending[run.nworld] = n;
        pending_args[0] = min(n, 65535u);
        pending_args[1] = (n + 65534u) / 65535u;
        pending_args[2] = 1u;
    }
}
