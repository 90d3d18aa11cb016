// solve: qacc = M⁻¹ (qfrc_passive + qfrc_actuator − qfrc_bias) with constraints disabled, and the
// implicit-damping velocity change dv = (M + h·D)⁻¹ (same force) that Euler integrates (MuJoCo's
// mj_factorM / mj_solveLD on the sparse tree-structured M), one invocation per world.
// qld is per-world scratch holding the L'DL factor in M's sparse layout.

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<uniform> options: ModelOptions;
@group(0) @binding(3) var<storage, read> dofs: array<Dof>;
@group(0) @binding(4) var<storage, read> dof_madr: array<u32>;
@group(0) @binding(5) var<storage, read> qm: array<f32>;
@group(0) @binding(6) var<storage, read> qfrc_bias: array<f32>;
@group(0) @binding(7) var<storage, read> qfrc_passive: array<f32>;
@group(0) @binding(8) var<storage, read> qfrc_actuator: array<f32>;
@group(0) @binding(9) var<storage, read_write> qld: array<f32>;
@group(0) @binding(10) var<storage, read_write> qacc: array<f32>;
@group(0) @binding(11) var<storage, read_write> dv: array<f32>;

// Factor M (+ hd·damping on the diagonal) into qld: M = Lᵀ D L, L unit lower, by MuJoCo's
// leaves-to-root elimination.
fn factor(w: u32, hd: f32) {
    let base = w * run.nm;
    for (var i = 0u; i < run.nm; i++) {
        qld[base + i] = qm[base + i];
    }
    if (hd > 0.0) {
        for (var d = 0u; d < sizes.nv; d++) {
            qld[base + dof_madr[d]] += hd * dofs[d].damping;
        }
    }
    for (var k = i32(sizes.nv) - 1; k >= 0; k--) {
        let kk = base + dof_madr[k];
        qld[kk] = max(qld[kk], MINVAL);
        var ki = kk + 1u;
        var i = dofs[k].parent;
        while (i >= 0) {
            let tmp = qld[ki] / qld[kk];
            var ij = base + dof_madr[i];
            var kj = ki;
            var j = i;
            while (j >= 0) {
                qld[ij] -= tmp * qld[kj];
                ij += 1u;
                kj += 1u;
                j = dofs[j].parent;
            }
            qld[ki] = tmp;
            i = dofs[i].parent;
            ki += 1u;
        }
    }
}

// x ← (Lᵀ D L)⁻¹ x for the world's x (in `qacc` if which == 0, else in `dv`).
fn solve_into(w: u32, which: u32) {
    let base = w * run.nm;
    let xb = w * sizes.nv;
    for (var k = i32(sizes.nv) - 1; k >= 0; k--) {
        var x = 0.0;
        if (which == 0u) { x = qacc[xb + u32(k)]; } else { x = dv[xb + u32(k)]; }
        var ki = base + dof_madr[k] + 1u;
        var j = dofs[k].parent;
        while (j >= 0) {
            if (which == 0u) { qacc[xb + u32(j)] -= qld[ki] * x; } else { dv[xb + u32(j)] -= qld[ki] * x; }
            ki += 1u;
            j = dofs[j].parent;
        }
    }
    for (var k = 0u; k < sizes.nv; k++) {
        if (which == 0u) { qacc[xb + k] /= qld[base + dof_madr[k]]; } else { dv[xb + k] /= qld[base + dof_madr[k]]; }
    }
    for (var k = 0u; k < sizes.nv; k++) {
        var ki = base + dof_madr[k] + 1u;
        var j = dofs[k].parent;
        var x = 0.0;
        if (which == 0u) { x = qacc[xb + k]; } else { x = dv[xb + k]; }
        while (j >= 0) {
            if (which == 0u) { x -= qld[ki] * qacc[xb + u32(j)]; } else { x -= qld[ki] * dv[xb + u32(j)]; }
            ki += 1u;
            j = dofs[j].parent;
        }
        if (which == 0u) { qacc[xb + k] = x; } else { dv[xb + k] = x; }
    }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = gid.x;
    if (w >= run.nworld) {
        return;
    }
    let xb = w * sizes.nv;
    for (var d = 0u; d < sizes.nv; d++) {
        let f = qfrc_passive[xb + d] + qfrc_actuator[xb + d] - qfrc_bias[xb + d];
        qacc[xb + d] = f;
        dv[xb + d] = f;
    }
    factor(w, 0.0);
    solve_into(w, 0u);
    if (options.implicit != 0u) {
        factor(w, options.gravity.w);
        solve_into(w, 1u);
    } else {
        for (var d = 0u; d < sizes.nv; d++) {
            dv[xb + d] = qacc[xb + d];
        }
    }
}
