// Model layouts shared by every stage. Host mirrors: src/gpu/layout.rs (checked by a naga test).
// Quaternions are (w, x, y, z) in a vec4 as (x=w, y=x, z=y, w=z) component order; vec3 quantities
// travel as vec4 with a named extra in .w, so no vec3 alignment padding is ever implied.

struct ModelSizes {
    nq: u32, nv: u32, nu: u32, na: u32,
    nbody: u32, njnt: u32, ngeom: u32, nsite: u32,
    ntendon: u32, nwrap: u32, neq: u32, npair: u32,
}

// pos.w = mass, ipos.w = subtree mass.
struct Body {
    pos: vec4<f32>,
    quat: vec4<f32>,
    ipos: vec4<f32>,
    iquat: vec4<f32>,
    inertia: vec4<f32>,
    parent: u32, root: u32, weld: u32, jnt_adr: u32,
    jnt_num: u32, dof_adr: u32, dof_num: u32, geom_adr: u32,
}

// pos.w = stiffness, axis.w = limit margin. kind: 0 free, 1 ball, 2 slide, 3 hinge.
struct Joint {
    pos: vec4<f32>,
    axis: vec4<f32>,
    kind: u32, qpos_adr: u32, dof_adr: u32, body: u32,
    limited: u32, range_lo: f32, range_hi: f32, _pad: u32,
}

// parent = -1 at a root.
struct Dof {
    body: u32, jnt: u32, parent: i32, _pad: u32,
    armature: f32, damping: f32, frictionloss: f32, _pad2: f32,
}

// pos.w = margin, size.w = gap, friction.w = solmix; solimp = solimp[0..4], solmisc = (solimp[4], solref[0], solref[1], 0).
struct Geom {
    pos: vec4<f32>,
    quat: vec4<f32>,
    size: vec4<f32>,
    friction: vec4<f32>,
    solimp: vec4<f32>,
    solmisc: vec4<f32>,
    kind: u32, body: u32, contype: u32, conaffinity: u32,
    condim: u32, priority: i32, dataid: i32, _pad: u32,
}

struct Site {
    pos: vec4<f32>,
    quat: vec4<f32>,
    body: u32, kind: u32, _pad0: u32, _pad1: u32,
}

struct Tendon {
    adr: u32, num: u32, limited: u32, _pad: u32,
    range_lo: f32, range_hi: f32, stiffness: f32, damping: f32,
    lengthspring_lo: f32, lengthspring_hi: f32, margin: f32, frictionloss: f32,
}

// kind: 1 joint, 2 pulley, 3 site, 4 sphere, 5 cylinder. prm: sidesite id (-1 none), divisor or coef.
struct Wrap {
    kind: u32, objid: u32, prm: f32, _pad: u32,
}

// flags: bit 0 ctrllimited, bit 1 forcelimited, bit 2 actlimited. act_adr = -1 when stateless.
struct Actuator {
    dynprm: array<f32, 10>,
    gainprm: array<f32, 10>,
    biasprm: array<f32, 10>,
    gear: f32,
    trntype: u32, trnid: u32, dyntype: u32, gaintype: u32, biastype: u32,
    act_adr: i32, flags: u32,
    ctrlrange: array<f32, 2>,
    forcerange: array<f32, 2>,
    actrange: array<f32, 2>,
    lengthrange: array<f32, 2>,
}

// obj2 = -1: lock obj1 to the polynomial's constant.
struct Equality {
    kind: u32, obj1: u32, obj2: i32, active0: u32,
    solref: array<f32, 2>,
    solimp: array<f32, 5>,
    data: array<f32, 12>,
}

struct Pair {
    geom1: u32, geom2: u32, dim: u32, signature: u32,
    friction: array<f32, 5>,
    solref: array<f32, 2>,
    solreffriction: array<f32, 2>,
    solimp: array<f32, 5>,
    margin: f32, gap: f32,
}

// Per-run parameters shared by all stages: world count, tendon-Jacobian entries per world, sparse
// mass-matrix entries per world.
struct RunParams {
    nworld: u32, ten_nnz: u32, nm: u32, zero: u32,
}

// Physics options: gravity.xyz with the timestep in .w; disable flags as MuJoCo's mjtDisableBit;
// implicit = 1 when Euler integrates joint damping implicitly (eulerdamp on, some damping > 0).
struct ModelOptions {
    gravity: vec4<f32>,
    disableflags: u32, implicit: u32, _pad1: u32, _pad2: u32,
}

// A potential constraint row (src/sim/efc.rs). kind: 0 joint equality, 1 hinge/slide limit, 2 ball
// limit, 3 tendon limit. data: equality polycoef[0..5], qpos0 of joint 1 and 2; limits: range lo, hi.
struct EfcSource {
    kind: u32, id: u32, qadr1: u32, dadr1: u32,
    qadr2: i32, dadr2: i32, margin: f32, invweight: f32,
    solref: array<f32, 2>,
    solimp: array<f32, 5>,
    data: array<f32, 9>,
}

// A collision candidate (src/sim/contact.rs, gpu::layout::ContactPair): friction = (f0, f1,
// includemargin, gap), solref = (solref0, solref1, rbound1 + rbound2, 0), solimp = solimp[0..4],
// misc = (solimp[4], regulariser weight, 1 − dmin, 1 − dmax); dof1/dof2 = last dof of each body's
// chain (-1: fixed). Its contacts go to slots [slot, slot + maxcon).
struct ContactPair {
    geom1: u32, geom2: u32, kind: u32, condim: u32,
    slot: u32, maxcon: u32, dof1: i32, dof2: i32,
    friction: vec4<f32>,
    solref: vec4<f32>,
    solimp: vec4<f32>,
    misc: vec4<f32>,
}

struct CollisionParams {
    npair: u32, nslot: u32, ncon_max: u32, rows_per_contact: u32,
}

struct SolverParams {
    nsource: u32, nefc_max: u32, iterations: u32, ls_iterations: u32,
    tolerance: f32, scale: f32, warmstart: u32, nl: u32,
    iterations_per_dispatch: u32, work_stride: u32, jpool: u32, factor_in_work: u32,
    _pad0: u32, _pad1: u32, _pad2: u32, _pad3: u32,
}
