// solve: qacc_smooth = M⁻¹ (qfrc_passive + qfrc_actuator − qfrc_bias), the acceleration without
// constraints, and after the constraint solver the implicit-damping velocity change
// dv = (M + h·D)⁻¹ (same force + qfrc_constraint) that Euler integrates (MuJoCo's mj_factorM /
// mj_solveLD on the sparse tree-structured M), one invocation per world.
//
// `real` is f64 where the device has it (the host prepends `alias real = f64;`), else f32: M is
// ill-conditioned (light patellae and fingers next to a heavy pelvis), and an f32 factorisation
// puts 0.1-1 % errors into the fingers' qacc at fast random states, f64 keeps them at 1e-5.
// Per world, `work` holds the L'DL factor (nm) then the solution vector (nv). Factorisation and
// substitution are separate dispatches: run back to back in one invocation, lavapipe (Mesa 22.3)
// returned substitutions that did not see the factor just written (mm_fullbody's qacc was off
// by 10×, the same code split in two matched the f64 reference). Keep them apart.

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<uniform> options: ModelOptions;
@group(0) @binding(3) var<storage, read> dofs: array<Dof>;
@group(0) @binding(4) var<storage, read> dof_madr: array<u32>;
@group(0) @binding(5) var<storage, read> qm: array<f32>;
@group(0) @binding(6) var<storage, read> qfrc_bias: array<f32>;
@group(0) @binding(7) var<storage, read> qfrc_passive: array<f32>;
@group(0) @binding(8) var<storage, read> qfrc_actuator: array<f32>;
@group(0) @binding(9) var<storage, read_write> work: array<real>;
@group(0) @binding(10) var<storage, read_write> qacc_smooth: array<f32>;
@group(0) @binding(11) var<storage, read_write> dv: array<f32>;
@group(0) @binding(12) var<storage, read> qacc: array<f32>;
@group(0) @binding(13) var<storage, read> qfrc_constraint: array<f32>;

// Copy M (+ hd·damping on the diagonal) into the factor slot and factor it: M = Lᵀ D L, L unit
// lower, eliminating from the leaves to the root.
fn factor(w: u32, hd: f32) {
    let base = w * (run.nm + sizes.nv);
    for (var i = 0u; i < run.nm; i++) {
        work[base + i] = real(qm[w * run.nm + i]);
    }
    for (var d = 0u; d < sizes.nv; d++) {
        work[base + dof_madr[d]] += real(hd * dofs[d].damping);
    }
    for (var k = i32(sizes.nv) - 1; k >= 0; k--) {
        let kk = base + dof_madr[k];
        work[kk] = max(work[kk], real(MINVAL));
        var ki = kk + 1u;
        var i = dofs[k].parent;
        while (i >= 0) {
            let tmp = work[ki] / work[kk];
            var ij = base + dof_madr[i];
            var kj = ki;
            var j = i;
            while (j >= 0) {
                work[ij] -= tmp * work[kj];
                ij += 1u;
                kj += 1u;
                j = dofs[j].parent;
            }
            work[ki] = tmp;
            i = dofs[i].parent;
            ki += 1u;
        }
    }
}

// x = (Lᵀ D L)⁻¹ f into the vector slot, f = passive + actuator − bias (+ constraint forces).
fn substitute(w: u32, with_constraint: bool) {
    let base = w * (run.nm + sizes.nv);
    let xb = base + run.nm;
    let vb = w * sizes.nv;
    for (var d = 0u; d < sizes.nv; d++) {
        work[xb + d] = real(qfrc_passive[vb + d]) + real(qfrc_actuator[vb + d]) - real(qfrc_bias[vb + d]);
        if (with_constraint) {
            work[xb + d] += real(qfrc_constraint[vb + d]);
        }
    }
    for (var k = i32(sizes.nv) - 1; k >= 0; k--) {
        let x = work[xb + u32(k)];
        var ki = base + dof_madr[k] + 1u;
        var j = dofs[k].parent;
        while (j >= 0) {
            work[xb + u32(j)] -= work[ki] * x;
            ki += 1u;
            j = dofs[j].parent;
        }
    }
    for (var k = 0u; k < sizes.nv; k++) {
        work[xb + k] /= work[base + dof_madr[k]];
    }
    for (var k = 0u; k < sizes.nv; k++) {
        var ki = base + dof_madr[k] + 1u;
        var j = dofs[k].parent;
        var x = work[xb + k];
        while (j >= 0) {
            x -= work[ki] * work[xb + u32(j)];
            ki += 1u;
            j = dofs[j].parent;
        }
        work[xb + k] = x;
    }
}

// qacc = M⁻¹ f.
@compute @workgroup_size(64)
fn acceleration(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    factor(w, 0.0);
}

// Then the substitutions for qacc_smooth (a separate dispatch).
@compute @workgroup_size(64)
fn acceleration_solve(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    substitute(w, false);
}

// dv = (M + h·D)⁻¹ (f + qfrc_constraint) (implicit damping); only dispatched when the model
// integrates it.
@compute @workgroup_size(64)
fn damped(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    factor(w, options.gravity.w);
}

@compute @workgroup_size(64)
fn damped_solve(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = flat_index(gid);
    if (w >= run.nworld) {
        return;
    }
    substitute(w, true);
}

// Copy the vector slot out as f32 into qacc_smooth (which = 0) or dv (which = 1), per (world, dof).
fn store(i: u32, which: u32) {
    if (i >= run.nworld * sizes.nv) {
        return;
    }
    let w = i / sizes.nv;
    let d = i % sizes.nv;
    let x = f32(work[w * (run.nm + sizes.nv) + run.nm + d]);
    if (which == 0u) {
        qacc_smooth[i] = x;
    } else {
        dv[i] = x;
    }
}

@compute @workgroup_size(64)
fn store_qacc(@builtin(global_invocation_id) gid: vec3<u32>) {
    store(flat_index(gid), 0u);
}

@compute @workgroup_size(64)
fn store_dv(@builtin(global_invocation_id) gid: vec3<u32>) {
    store(flat_index(gid), 1u);
}

// Without implicit damping Euler integrates qacc itself.
@compute @workgroup_size(64)
fn copy_dv(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = flat_index(gid);
    if (i < run.nworld * sizes.nv) {
        dv[i] = qacc[i];
    }
}
