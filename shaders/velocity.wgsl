// velocity (tendon part): ten_velocity = J · qvel per (world, tendon), from the sparse rows.

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<storage, read> ten_rows: array<vec2<u32>>;
@group(0) @binding(3) var<storage, read> ten_row_dof: array<u32>;
@group(0) @binding(4) var<storage, read> qvel: array<f32>;
@group(0) @binding(5) var<storage, read> ten_j: array<f32>;
@group(0) @binding(6) var<storage, read_write> ten_velocity: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    // item i is (world, tendon) as tiles number them (common/worlds.wgsl)
    let i = flat_index(gid);
    let wt = world_item(i, sizes.ntendon);
    let w = wt.x;
    let t = wt.y;
    if (w >= run.nworld) {
        return;
    }
    let row = ten_rows[t];
    let jb = world_at(w, run.ten_nnz);
    let vb = world_at(w, sizes.nv);
    var v = 0.0;
    for (var k = 0u; k < row.y; k++) {
        v += ten_j[at(jb, row.x + k)] * qvel[at(vb, ten_row_dof[row.x + k])];
    }
    ten_velocity[i] = v;
}
