// solve: qacc_smooth = M⁻¹ (qfrc_passive + qfrc_actuator − qfrc_bias), the acceleration without
// constraints, and after the constraint solver the implicit-damping velocity change
// dv = (M + h·D)⁻¹ (same force + qfrc_constraint) that Euler integrates (MuJoCo's mj_factorM /
// mj_solveLD on the sparse tree-structured M), one invocation per world.
//
// `real` is f64 where the device has it (the host prepends `alias real = f64;` and REAL_IS_F64),
// else f32: M is ill-conditioned (light patellae and fingers next to a heavy pelvis), and an f32
// factorisation alone puts 0.1-1 % errors into the fingers' qacc at fast random states. In f32
// the solution is therefore refined (mixed-precision iterative refinement): the residual f − M x
// is formed in double-f32 arithmetic (exact products and sums carried as hi + lo pairs:
// solver/exact.wgsl), solved with the same f32 factor, and added; each step shrinks the error
// by about κ(M)·eps_f32, which f32 arithmetic alone cannot get below.
// Per world, `qld` holds the L'DL factor (nm), the solution vector and the residual (nv each).
// Factorisation and substitution are separate dispatches: run back to back in one invocation,
// lavapipe (Mesa 22.3) returned substitutions that did not see the factor just written
// (mm_fullbody's qacc was off by 10×, the same code split in two matched the f64 reference).
// Keep them apart.

@group(0) @binding(0) var<uniform> sizes: ModelSizes;
@group(0) @binding(1) var<uniform> run: RunParams;
@group(0) @binding(2) var<uniform> options: ModelOptions;
@group(0) @binding(3) var<storage, read> dofs: array<Dof>;
@group(0) @binding(4) var<storage, read> dof_madr: array<u32>;
@group(0) @binding(5) var<storage, read> qm: array<f32>;
@group(0) @binding(6) var<storage, read> qfrc_bias: array<f32>;
@group(0) @binding(7) var<storage, read> qfrc_passive: array<f32>;
@group(0) @binding(8) var<storage, read> qfrc_actuator: array<f32>;
@group(0) @binding(9) var<storage, read_write> qld: array<real>;
@group(0) @binding(10) var<storage, read_write> qacc_smooth: array<f32>;
@group(0) @binding(11) var<storage, read_write> dv: array<f32>;
@group(0) @binding(12) var<storage, read> qacc: array<f32>;
@group(0) @binding(13) var<storage, read> qfrc_constraint: array<f32>;
// M by column: (nv + 1) offsets, then per dof the pairs (descendant dof, address of its entry).
@group(0) @binding(14) var<storage, read> dof_mcol: array<u32>;

// Refinement steps of the f32 solution (none in f64): with two, myoarms' qacc at a random state
// equals the f64 path's to the last f32 bit; one left 2e-7 relative, none 3e-3. The host lowers
// it where a CPU adapter's loop limit would cut the invocation short (stages/solve.rs).
override REFINE_STEPS: u32 = 2u;

// Per-world scratch: the factor (nm), x and the residual (nv each), tiled like the state
// (common/worlds.wgsl): `base` is world_at(w, stride()), and the offsets below (kk, ki, xb, ...)
// count elements within the world's scratch, read at(base, offset).
fn stride() -> u32 {
    return run.nm + 2u * sizes.nv;
}

// Copy M (+ hd·damping on the diagonal) into the factor slot and factor it: M = Lᵀ D L, L unit
// lower, eliminating from the leaves to the root.
fn factor(w: u32, hd: f32) {
    let base = world_at(w, stride());
    let mb = w * run.nm;  // qm is world-major (Newton's workgroup reads it every iteration)
    for (var i = 0u; i < run.nm; i++) {
        qld[at(base, i)] = real(qm[mb + i]);
    }
    for (var d = 0u; d < sizes.nv; d++) {
        qld[at(base, dof_madr[d])] += real(hd * dofs[d].damping);
    }
    for (var k = i32(sizes.nv) - 1; k >= 0; k--) {
        let kk = dof_madr[k];
        qld[at(base, kk)] = max(qld[at(base, kk)], real(MINVAL));
        var ki = kk + 1u;
        var i = dofs[k].parent;
        while (i >= 0) {
            let tmp = qld[at(base, ki)] / qld[at(base, kk)];
            var ij = dof_madr[i];
            var kj = ki;
            var j = i;
            while (j >= 0) {
                qld[at(base, ij)] -= tmp * qld[at(base, kj)];
                ij += 1u;
                kj += 1u;
                j = dofs[j].parent;
            }
            qld[at(base, ki)] = tmp;
            i = dofs[i].parent;
            ki += 1u;
        }
    }
}

// x = (Lᵀ D L)⁻¹ f into the vector slot, f = passive + actuator − bias (+ constraint forces);
// in f32, then refined.
fn substitute(w: u32, with_constraint: bool) {
    let base = world_at(w, stride());
    let xb = run.nm;
    let vb = world_at(w, sizes.nv);
    for (var d = 0u; d < sizes.nv; d++) {
        qld[at(base, xb + d)] = real(qfrc_passive[at(vb, d)]) + real(qfrc_actuator[at(vb, d)]) - real(qfrc_bias[at(vb, d)]);
        if (with_constraint) {
            qld[at(base, xb + d)] += real(qfrc_constraint[at(vb, d)]);
        }
    }
    solve_ld(base, xb);
    if (!REAL_IS_F64) {
        for (var step = 0u; step < REFINE_STEPS; step++) {
            refine(w, with_constraint);
        }
    }
}

// One refinement step of the solution at slot x: r = f − M x in double-f32, x += (Lᵀ D L)⁻¹ r.
fn refine(w: u32, with_constraint: bool) {
    let base = world_at(w, stride());
    let xb = run.nm;
    let rb = xb + sizes.nv;
    for (var d = 0u; d < sizes.nv; d++) {
        qld[at(base, rb + d)] = real(residual(w, base, xb, d, with_constraint));
    }
    solve_ld(base, rb);
    for (var d = 0u; d < sizes.nv; d++) {
        qld[at(base, xb + d)] += qld[at(base, rb + d)];
    }
}

// (f − M x)_d of world w for x at slot xb of its scratch (at base), in double-f32, rounded once
// at the end: M's row d is its diagonal, its ancestors (stored with d) and its descendants
// (dof_mcol).
fn residual(w: u32, base: u32, xb: u32, d: u32, with_constraint: bool) -> f32 {
    let vb = world_at(w, sizes.nv);
    let mb = w * run.nm;  // qm is world-major (Newton's workgroup reads it every iteration)
    var acc = two_sum(qfrc_passive[at(vb, d)], qfrc_actuator[at(vb, d)]);
    acc = add_prod(acc, -1.0, qfrc_bias[at(vb, d)]);
    if (with_constraint) {
        acc = add_prod(acc, 1.0, qfrc_constraint[at(vb, d)]);
    }
    var mdd = qm[mb + dof_madr[d]];
    if (with_constraint) {
        // the damped solve's matrix: M + h·damping on the diagonal, as factored
        mdd += options.gravity.w * dofs[d].damping;
    }
    acc = add_prod(acc, -mdd, f32(qld[at(base, xb + d)]));
    var adr = dof_madr[d] + 1u;
    var j = dofs[d].parent;
    while (j >= 0) {
        acc = add_prod(acc, -qm[mb + adr], f32(qld[at(base, xb + u32(j))]));
        adr += 1u;
        j = dofs[j].parent;
    }
    let pairs = sizes.nv + 1u;
    for (var e = dof_mcol[d]; e < dof_mcol[d + 1u]; e += 2u) {
        acc = add_prod(acc, -qm[mb + dof_mcol[pairs + e + 1u]], f32(qld[at(base, xb + dof_mcol[pairs + e])]));
    }
    return acc.x + acc.y;
}

// Solve (Lᵀ D L) y = b in place on the vector at slot xb of the world's scratch at base (the
// factor at its start).
fn solve_ld(base: u32, xb: u32) {
    for (var k = i32(sizes.nv) - 1; k >= 0; k--) {
        let x = qld[at(base, xb + u32(k))];
        var ki = dof_madr[k] + 1u;
        var j = dofs[k].parent;
        while (j >= 0) {
            qld[at(base, xb + u32(j))] -= qld[at(base, ki)] * x;
            ki += 1u;
            j = dofs[j].parent;
        }
    }
    for (var k = 0u; k < sizes.nv; k++) {
        qld[at(base, xb + k)] /= qld[at(base, dof_madr[k])];
    }
    for (var k = 0u; k < sizes.nv; k++) {
        var ki = dof_madr[k] + 1u;
        var j = dofs[k].parent;
        var x = qld[at(base, xb + k)];
        while (j >= 0) {
            x -= qld[at(base, ki)] * qld[at(base, xb + u32(j))];
            ki += 1u;
            j = dofs[j].parent;
        }
        qld[at(base, xb + k)] = x;
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

// Copy the vector slot out as f32 into qacc_smooth (which = 0) or dv (which = 1), per (world,
// dof) item as tiles number them (so item i's entry in qacc_smooth and dv is at i).
fn store(i: u32, which: u32) {
    let wd = world_item(i, sizes.nv);
    if (wd.x >= run.nworld) {
        return;
    }
    let x = f32(qld[at(world_at(wd.x, stride()), run.nm + wd.y)]);
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

