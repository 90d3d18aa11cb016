//! Host mirrors of the WGSL structs in `shaders/common/model.wgsl` (`#[repr(C)]`, bytemuck `Pod`).
//!
//! A test parses the WGSL with naga and checks every struct's size and member offsets against
//! these, so the two cannot drift apart silently. Field meanings are documented in the WGSL.

#![allow(missing_docs)]

use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct ModelSizes {
    pub nq: u32,
    pub nv: u32,
    pub nu: u32,
    pub na: u32,
    pub nbody: u32,
    pub njnt: u32,
    pub ngeom: u32,
    pub nsite: u32,
    pub ntendon: u32,
    pub nwrap: u32,
    pub neq: u32,
    pub npair: u32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct Body {
    pub pos: [f32; 4],
    pub quat: [f32; 4],
    pub ipos: [f32; 4],
    pub iquat: [f32; 4],
    pub inertia: [f32; 4],
    pub parent: u32,
    pub root: u32,
    pub weld: u32,
    pub jnt_adr: u32,
    pub jnt_num: u32,
    pub dof_adr: u32,
    pub dof_num: u32,
    pub geom_adr: u32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct Joint {
    pub pos: [f32; 4],
    pub axis: [f32; 4],
    pub kind: u32,
    pub qpos_adr: u32,
    pub dof_adr: u32,
    pub body: u32,
    pub limited: u32,
    pub range_lo: f32,
    pub range_hi: f32,
    pub _pad: u32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct Dof {
    pub body: u32,
    pub jnt: u32,
    pub parent: i32,
    pub _pad: u32,
    pub armature: f32,
    pub damping: f32,
    pub frictionloss: f32,
    pub _pad2: f32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct Geom {
    pub pos: [f32; 4],
    pub quat: [f32; 4],
    pub size: [f32; 4],
    pub friction: [f32; 4],
    pub solimp: [f32; 4],
    pub solmisc: [f32; 4],
    pub kind: u32,
    pub body: u32,
    pub contype: u32,
    pub conaffinity: u32,
    pub condim: u32,
    pub priority: i32,
    pub dataid: i32,
    pub _pad: u32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct Site {
    pub pos: [f32; 4],
    pub quat: [f32; 4],
    pub body: u32,
    pub kind: u32,
    pub _pad0: u32,
    pub _pad1: u32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct Tendon {
    pub adr: u32,
    pub num: u32,
    pub limited: u32,
    pub _pad: u32,
    pub range_lo: f32,
    pub range_hi: f32,
    pub stiffness: f32,
    pub damping: f32,
    pub lengthspring_lo: f32,
    pub lengthspring_hi: f32,
    pub margin: f32,
    pub frictionloss: f32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct Wrap {
    pub kind: u32,
    pub objid: u32,
    pub prm: f32,
    pub _pad: u32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct Actuator {
    pub dynprm: [f32; 10],
    pub gainprm: [f32; 10],
    pub biasprm: [f32; 10],
    pub gear: f32,
    pub trntype: u32,
    pub trnid: u32,
    pub dyntype: u32,
    pub gaintype: u32,
    pub biastype: u32,
    pub act_adr: i32,
    pub flags: u32,
    pub ctrlrange: [f32; 2],
    pub forcerange: [f32; 2],
    pub actrange: [f32; 2],
    pub lengthrange: [f32; 2],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct Equality {
    pub kind: u32,
    pub obj1: u32,
    pub obj2: i32,
    pub active0: u32,
    pub solref: [f32; 2],
    pub solimp: [f32; 5],
    pub data: [f32; 12],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct Pair {
    pub geom1: u32,
    pub geom2: u32,
    pub dim: u32,
    pub signature: u32,
    pub friction: [f32; 5],
    pub solref: [f32; 2],
    pub solreffriction: [f32; 2],
    pub solimp: [f32; 5],
    pub margin: f32,
    pub gap: f32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct RunParams {
    pub nworld: u32,
    pub ten_nnz: u32,
    pub nm: u32,
    /// 0: an integer the shader compiler cannot see, which fences off solve.wgsl's error-free
    /// transformations from algebraic rewriting.
    pub zero: u32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct ModelOptions {
    pub gravity: [f32; 4],
    pub disableflags: u32,
    pub implicit: u32,
    pub _pad1: u32,
    pub _pad2: u32,
}

/// One potential constraint-row source, fixed per model (built by `crate::sim::efc`): a joint
/// equality, a joint limit or a tendon limit. `kind`: 0 joint equality, 1 hinge/slide limit, 2 ball
/// limit, 3 tendon limit. `data`: equality polycoef\[0..5\], qpos0 of joint 1, qpos0 of joint 2;
/// limits: range lo, hi. `data[7..9]`: 1 − dmin, 1 − dmax of solimp (computed in f64).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct EfcSource {
    pub kind: u32,
    pub id: u32,
    pub qadr1: u32,
    pub dadr1: u32,
    pub qadr2: i32,
    pub dadr2: i32,
    pub margin: f32,
    pub invweight: f32,
    pub solref: [f32; 2],
    pub solimp: [f32; 5],
    pub data: [f32; 9],
}

/// One collision candidate (src/sim/contact.rs): a geom pair ordered so type1 ≤ type2, its
/// narrowphase function (`crate::sim::contact::narrowphase`), its contact slots
/// `[slot, slot + maxcon)` and its mixed parameters. `friction` = (f0, f1, includemargin, gap),
/// `solref` = (solref0, solref1, rbound1 + rbound2, 0), `solimp` = solimp\[0..4\],
/// `misc` = (solimp\[4\], regulariser weight, 1 − dmin, 1 − dmax). `dof1`/`dof2`: last dof of the
/// chain moving each geom's body, -1 when fixed.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct ContactPair {
    pub geom1: u32,
    pub geom2: u32,
    pub kind: u32,
    pub condim: u32,
    pub slot: u32,
    pub maxcon: u32,
    pub dof1: i32,
    pub dof2: i32,
    pub friction: [f32; 4],
    pub solref: [f32; 4],
    pub solimp: [f32; 4],
    pub misc: [f32; 4],
}

/// Sizes of the collision stage (uniform).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct CollisionParams {
    /// Candidate pairs.
    pub npair: u32,
    /// Contact slots per world (the sum of the pairs' `maxcon`).
    pub nslot: u32,
    /// Active contacts per world that get constraint rows; more set the overflow flag.
    pub ncon_max: u32,
    /// Rows of the largest contact (4 for condim 3, else 1).
    pub rows_per_contact: u32,
}

/// Sizes and settings of the constraint stages (uniform).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable, PartialEq)]
pub struct SolverParams {
    /// Row sources in the `EfcSource` table.
    pub nsource: u32,
    /// Rows per world the buffers hold.
    pub nefc_max: u32,
    /// Newton iterations at most (the model's `iterations`).
    pub iterations: u32,
    /// Line-search iterations at most (`ls_iterations`).
    pub ls_iterations: u32,
    /// Stop when the scaled cost improvement or gradient falls below this (`tolerance`).
    pub tolerance: f32,
    /// 1 / (meaninertia · max(1, nv)): MuJoCo's scale of improvement and gradient.
    pub scale: f32,
    /// 1 to start from the previous step's qacc where that is cheaper.
    pub warmstart: u32,
    /// Entries of the Hessian's packed sparse factor ([`crate::sim::hessian_pattern`]).
    pub nl: u32,
    /// Newton iterations each `newton` dispatch runs at most (CPU adapters cap a shader
    /// invocation's loop iterations, so they split the solve over several dispatches).
    pub iterations_per_dispatch: u32,
    /// Real scalars of Newton scratch per world.
    pub work_stride: u32,
    /// Jacobian values per world: room for every row's nonzeros at once (sparse rows, packed
    /// row after row).
    pub jpool: u32,
    /// 1 where each world's Newton scratch has room for H's factor and 1/D: their home, or with
    /// workgroup memory holding them (newton.wgsl's HOT) where they wait between the dispatches
    /// of a step split over several; 0 where the scratch has no room for them.
    pub factor_in_work: u32,
    pub _pad0: u32,
    pub _pad1: u32,
    pub _pad2: u32,
    pub _pad3: u32,
}

/// (WGSL struct name, size in bytes, member offsets in declaration order) for each mirror.
pub fn mirrors() -> Vec<(&'static str, usize, Vec<usize>)> {
    use std::mem::{offset_of, size_of};
    macro_rules! m {
        ($t:ident: $($f:ident),*) => {
            (stringify!($t), size_of::<$t>(), vec![$(offset_of!($t, $f)),*])
        };
    }
    vec![
        m!(ModelSizes: nq, nv, nu, na, nbody, njnt, ngeom, nsite, ntendon, nwrap, neq, npair),
        m!(Body: pos, quat, ipos, iquat, inertia, parent, root, weld, jnt_adr, jnt_num, dof_adr, dof_num, geom_adr),
        m!(Joint: pos, axis, kind, qpos_adr, dof_adr, body, limited, range_lo, range_hi, _pad),
        m!(Dof: body, jnt, parent, _pad, armature, damping, frictionloss, _pad2),
        m!(Geom: pos, quat, size, friction, solimp, solmisc, kind, body, contype, conaffinity, condim, priority, dataid, _pad),
        m!(Site: pos, quat, body, kind, _pad0, _pad1),
        m!(Tendon: adr, num, limited, _pad, range_lo, range_hi, stiffness, damping, lengthspring_lo, lengthspring_hi, margin, frictionloss),
        m!(Wrap: kind, objid, prm, _pad),
        m!(Actuator: dynprm, gainprm, biasprm, gear, trntype, trnid, dyntype, gaintype, biastype, act_adr, flags, ctrlrange, forcerange, actrange, lengthrange),
        m!(Equality: kind, obj1, obj2, active0, solref, solimp, data),
        m!(Pair: geom1, geom2, dim, signature, friction, solref, solreffriction, solimp, margin, gap),
        m!(RunParams: nworld, ten_nnz, nm, zero),
        m!(ModelOptions: gravity, disableflags, implicit, _pad1, _pad2),
        m!(EfcSource: kind, id, qadr1, dadr1, qadr2, dadr2, margin, invweight, solref, solimp, data),
        m!(ContactPair: geom1, geom2, kind, condim, slot, maxcon, dof1, dof2, friction, solref, solimp, misc),
        m!(CollisionParams: npair, nslot, ncon_max, rows_per_contact),
        m!(SolverParams: nsource, nefc_max, iterations, ls_iterations, tolerance, scale, warmstart, nl, iterations_per_dispatch, work_stride, jpool, factor_in_work, _pad0, _pad1, _pad2, _pad3),
    ]
}
