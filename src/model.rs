//! The immutable host model: MuJoCo's `mjModel`, as a struct of arrays in f64.
//!
//! Naming follows MuJoCo (`body_*`, `jnt_*`, `dof_*`, ...; `*_adr`/`*_num` index into a flat array
//! of another object). Every field's doc gives its shape; `[f64; 3]` rows are xyz, `[f64; 4]`
//! quaternions are (w, x, y, z). The compiler in [`crate::mjcf`] is the only producer.

/// Joint kind, MuJoCo's `mjtJoint` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum JointType {
    /// 7 qpos (pos + quat), 6 dofs.
    Free = 0,
    /// 4 qpos (quat), 3 dofs.
    Ball = 1,
    /// 1 qpos, 1 dof along the axis.
    Slide = 2,
    /// 1 qpos, 1 dof about the axis.
    Hinge = 3,
}

impl JointType {
    /// Number of qpos entries.
    pub fn nq(self) -> usize {
        match self {
            JointType::Free => 7,
            JointType::Ball => 4,
            _ => 1,
        }
    }
    /// Number of dofs.
    pub fn nv(self) -> usize {
        match self {
            JointType::Free => 6,
            JointType::Ball => 3,
            _ => 1,
        }
    }
}

/// Geom shape, MuJoCo's `mjtGeom` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum GeomType {
    /// Infinite plane (size: half x, half y, grid spacing).
    Plane = 0,
    /// Height field (not supported).
    Hfield = 1,
    /// Sphere (size\[0\] radius).
    Sphere = 2,
    /// Capsule along local z (radius, half length).
    Capsule = 3,
    /// Ellipsoid (three semi-axes).
    Ellipsoid = 4,
    /// Cylinder along local z (radius, half length).
    Cylinder = 5,
    /// Box (three half sizes).
    Box = 6,
    /// Triangle mesh ([`Model::geom_dataid`] names the mesh).
    Mesh = 7,
}

/// Tendon path element kind, MuJoCo's `mjtWrap` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum WrapType {
    /// Joint of a fixed tendon (`wrap_prm` = coefficient).
    Joint = 1,
    /// Pulley: divides the path (`wrap_prm` = divisor).
    Pulley = 2,
    /// Site point.
    Site = 3,
    /// Wrap around a sphere geom (`wrap_prm` = sidesite id or -1).
    Sphere = 4,
    /// Wrap around a cylinder geom (`wrap_prm` = sidesite id or -1).
    Cylinder = 5,
}

/// Actuator transmission, MuJoCo's `mjtTrn` values (only those sinew compiles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum TrnType {
    /// Force on a joint.
    Joint = 0,
    /// Force along a tendon.
    Tendon = 3,
}

/// Activation dynamics, MuJoCo's `mjtDyn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum DynType {
    /// No activation state: act = ctrl.
    None = 0,
    /// act_dot = ctrl.
    Integrator = 1,
    /// act_dot = (ctrl - act) / dynprm\[0\].
    Filter = 2,
    /// Filter integrated exactly.
    FilterExact = 3,
    /// MuJoCo's muscle activation dynamics (see shared/muscle_model.md).
    Muscle = 4,
}

/// Actuator gain, MuJoCo's `mjtGain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum GainType {
    /// gain = gainprm\[0\].
    Fixed = 0,
    /// gain = gainprm\[0\] + gainprm\[1\]·length + gainprm\[2\]·velocity.
    Affine = 1,
    /// Hill-type muscle FL·FV gain.
    Muscle = 2,
}

/// Actuator bias, MuJoCo's `mjtBias`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum BiasType {
    /// No bias.
    None = 0,
    /// bias = biasprm\[0\] + biasprm\[1\]·length + biasprm\[2\]·velocity.
    Affine = 1,
    /// Hill-type muscle passive FP bias.
    Muscle = 2,
}

/// Equality constraint kind, MuJoCo's `mjtEq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum EqType {
    /// Connect two bodies at a point (parsed; not simulated yet).
    Connect = 0,
    /// Weld two bodies (parsed; not simulated yet).
    Weld = 1,
    /// Polynomial coupling of two joints (or lock of one).
    Joint = 2,
}

/// Sensor kinds sinew compiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SensorType {
    /// Contact normal force summed in a site's volume (objid = site).
    Touch,
    /// Frame linear velocity (objid per `sensor_objtype`).
    FrameLinVel,
    /// Frame angular velocity.
    FrameAngVel,
}

/// Integrator, MuJoCo's `mjtIntegrator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Integrator {
    /// Semi-implicit Euler with implicit damping (all target models).
    Euler = 0,
    /// Fourth-order Runge-Kutta.
    Rk4 = 1,
    /// Implicit in velocity.
    Implicit = 2,
    /// Implicit in velocity, no rne derivative.
    ImplicitFast = 3,
}

/// Constraint solver, MuJoCo's `mjtSolver`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Solver {
    /// Projected Gauss-Seidel.
    Pgs = 0,
    /// Conjugate gradient.
    Cg = 1,
    /// Newton with exact line search.
    Newton = 2,
}

/// Friction cone, MuJoCo's `mjtCone`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cone {
    /// Pyramidal (all target models).
    Pyramidal = 0,
    /// Elliptic.
    Elliptic = 1,
}

/// Disable flags, bit values of MuJoCo's `mjtDisableBit` (those sinew reads).
pub mod disable {
    /// All constraints off.
    pub const CONSTRAINT: u32 = 1 << 0;
    /// Equality constraints off.
    pub const EQUALITY: u32 = 1 << 1;
    /// Friction loss off.
    pub const FRICTIONLOSS: u32 = 1 << 2;
    /// Joint and tendon limits off.
    pub const LIMIT: u32 = 1 << 3;
    /// Contacts off.
    pub const CONTACT: u32 = 1 << 4;
    /// Passive spring forces off.
    pub const SPRING: u32 = 1 << 5;
    /// Passive damping forces off.
    pub const DAMPER: u32 = 1 << 6;
    /// Gravity off.
    pub const GRAVITY: u32 = 1 << 7;
    /// Clamping ctrl to ctrlrange off.
    pub const CLAMPCTRL: u32 = 1 << 8;
    /// Warm start of the solver off.
    pub const WARMSTART: u32 = 1 << 9;
    /// Contact filtering by parent/child off.
    pub const FILTERPARENT: u32 = 1 << 10;
    /// Actuation off.
    pub const ACTUATION: u32 = 1 << 11;
    /// Reference acceleration (aref) damping off.
    pub const REFSAFE: u32 = 1 << 12;
    /// Sensors off.
    pub const SENSOR: u32 = 1 << 13;
    /// Mid-phase collision off.
    pub const MIDPHASE: u32 = 1 << 14;
    /// Implicit damping in Euler off.
    pub const EULERDAMP: u32 = 1 << 15;
    /// Auto-reset on warnings off.
    pub const AUTORESET: u32 = 1 << 16;
    /// Native convex collision off.
    pub const NATIVECCD: u32 = 1 << 17;
    /// Island discovery off.
    pub const ISLAND: u32 = 1 << 18;
    /// Multi-contact convex collision off.
    pub const MULTICCD: u32 = 1 << 19;
    /// `<flag>` attribute names, in bit order.
    pub const NAMES: [&str; 20] = [
        "constraint", "equality", "frictionloss", "limit", "contact", "spring", "damper", "gravity",
        "clampctrl", "warmstart", "filterparent", "actuation", "refsafe", "sensor", "midphase", "eulerdamp",
        "autoreset", "nativeccd", "island", "multiccd",
    ];

    /// The bits of MuJoCo flag names (`contact`, `constraint`, ...), or an error naming the
    /// unknown one and listing the valid ones.
    pub fn bits<S: AsRef<str>>(names: &[S]) -> Result<u32, String> {
        names.iter().try_fold(0u32, |acc, name| {
            let name = name.as_ref();
            let bit = NAMES
                .iter()
                .position(|n| *n == name)
                .ok_or_else(|| format!("{name}: unknown flag (one of: {})", NAMES.join(", ")))?;
            Ok(acc | 1 << bit)
        })
    }
}

/// Enable flags, bit values of MuJoCo's `mjtEnableBit`.
pub mod enable {
    /// `<flag>` attribute names, in bit order.
    pub const NAMES: [&str; 8] =
        ["override", "energy", "fwdinv", "invdiscrete", "sleep", "diagexact", "ipc", "speculative"];
}

/// Physics options (`<option>`), MuJoCo's `mjOption` fields that sinew uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Step size in seconds.
    pub timestep: f64,
    /// Gravity acceleration, world frame.
    pub gravity: [f64; 3],
    /// Time integrator.
    pub integrator: Integrator,
    /// Constraint solver.
    pub solver: Solver,
    /// Friction cone.
    pub cone: Cone,
    /// Maximum solver iterations.
    pub iterations: usize,
    /// Maximum line-search iterations.
    pub ls_iterations: usize,
    /// Solver tolerance on relative cost improvement.
    pub tolerance: f64,
    /// Line-search tolerance.
    pub ls_tolerance: f64,
    /// Ratio of frictional to normal impedance (elliptic cones).
    pub impratio: f64,
    /// Bit set of [`disable`] flags.
    pub disableflags: u32,
    /// Bit set of enable flags (MuJoCo's `mjtEnableBit`).
    pub enableflags: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timestep: 0.002,
            gravity: [0.0, 0.0, -9.81],
            integrator: Integrator::Euler,
            solver: Solver::Newton,
            cone: Cone::Pyramidal,
            iterations: 100,
            ls_iterations: 50,
            tolerance: 1e-8,
            ls_tolerance: 0.01,
            impratio: 1.0,
            disableflags: 0,
            enableflags: 0,
        }
    }
}

/// A compiled model. Immutable once built; shapes are given per field (`nbody`, `njnt`, ...).
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Model name from `<mujoco model=...>`.
    pub name: String,
    /// Physics options.
    pub opt: Options,

    // ---- sizes ----
    /// Number of generalized coordinates.
    pub nq: usize,
    /// Number of degrees of freedom.
    pub nv: usize,
    /// Number of actuators.
    pub nu: usize,
    /// Number of activation states.
    pub na: usize,
    /// Number of bodies, including the world body 0.
    pub nbody: usize,
    /// Number of joints.
    pub njnt: usize,
    /// Number of geoms.
    pub ngeom: usize,
    /// Number of sites.
    pub nsite: usize,
    /// Number of tendons.
    pub ntendon: usize,
    /// Number of tendon path elements.
    pub nwrap: usize,
    /// Number of equality constraints.
    pub neq: usize,
    /// Number of explicit contact pairs.
    pub npair: usize,
    /// Number of excluded body pairs.
    pub nexclude: usize,
    /// Number of meshes.
    pub nmesh: usize,
    /// Number of keyframes.
    pub nkey: usize,
    /// Number of sensors.
    pub nsensor: usize,

    // ---- reference configuration ----
    /// (nq) Reference configuration (joint `ref`, identity quats, free-body poses).
    pub qpos0: Vec<f64>,
    /// (nq) Spring reference configuration (joint `springref`).
    pub qpos_spring: Vec<f64>,

    // ---- bodies ----
    /// (nbody) Names ("world" for body 0).
    pub body_name: Vec<String>,
    /// (nbody) Parent body id (0 for the world's children; 0 for the world).
    pub body_parentid: Vec<usize>,
    /// (nbody) Id of the root body: the world's child this body descends from.
    pub body_rootid: Vec<usize>,
    /// (nbody) Id of the body this one is welded to (itself if it has joints).
    pub body_weldid: Vec<usize>,
    /// (nbody) Number of joints.
    pub body_jntnum: Vec<usize>,
    /// (nbody) Address of the first joint in `jnt_*`.
    pub body_jntadr: Vec<usize>,
    /// (nbody) Number of dofs.
    pub body_dofnum: Vec<usize>,
    /// (nbody) Address of the first dof in `dof_*`.
    pub body_dofadr: Vec<usize>,
    /// (nbody) Number of geoms.
    pub body_geomnum: Vec<usize>,
    /// (nbody) Address of the first geom.
    pub body_geomadr: Vec<usize>,
    /// (nbody) Position in the parent frame.
    pub body_pos: Vec<[f64; 3]>,
    /// (nbody) Orientation in the parent frame.
    pub body_quat: Vec<[f64; 4]>,
    /// (nbody) Centre of mass in the body frame.
    pub body_ipos: Vec<[f64; 3]>,
    /// (nbody) Principal inertia frame orientation in the body frame.
    pub body_iquat: Vec<[f64; 4]>,
    /// (nbody) Mass.
    pub body_mass: Vec<f64>,
    /// (nbody) Mass of the subtree rooted here.
    pub body_subtreemass: Vec<f64>,
    /// (nbody) Principal moments of inertia at the centre of mass.
    pub body_inertia: Vec<[f64; 3]>,

    // ---- joints ----
    /// (njnt) Names.
    pub jnt_name: Vec<String>,
    /// (njnt) Kind.
    pub jnt_type: Vec<JointType>,
    /// (njnt) Address in qpos.
    pub jnt_qposadr: Vec<usize>,
    /// (njnt) Address in qvel / dof arrays.
    pub jnt_dofadr: Vec<usize>,
    /// (njnt) Body the joint moves.
    pub jnt_bodyid: Vec<usize>,
    /// (njnt) Whether the joint range is enforced.
    pub jnt_limited: Vec<bool>,
    /// (njnt) Range (radians or metres; ball: \[0, max angle\]).
    pub jnt_range: Vec<[f64; 2]>,
    /// (njnt) Anchor in the body frame.
    pub jnt_pos: Vec<[f64; 3]>,
    /// (njnt) Unit axis in the body frame (hinge/slide).
    pub jnt_axis: Vec<[f64; 3]>,
    /// (njnt) Spring stiffness toward `qpos_spring`.
    pub jnt_stiffness: Vec<f64>,
    /// (njnt) Limit margin.
    pub jnt_margin: Vec<f64>,
    /// (njnt) Limit solref.
    pub jnt_solref: Vec<[f64; 2]>,
    /// (njnt) Limit solimp.
    pub jnt_solimp: Vec<[f64; 5]>,

    // ---- dofs ----
    /// (nv) Body of each dof.
    pub dof_bodyid: Vec<usize>,
    /// (nv) Joint of each dof.
    pub dof_jntid: Vec<usize>,
    /// (nv) Parent dof in the kinematic tree (`None` at a root).
    pub dof_parentid: Vec<Option<usize>>,
    /// (nv) Armature added to the diagonal of M.
    pub dof_armature: Vec<f64>,
    /// (nv) Viscous damping.
    pub dof_damping: Vec<f64>,
    /// (nv) Dry friction loss.
    pub dof_frictionloss: Vec<f64>,
    /// (nv) Inverse weight at qpos0: diagonal of M⁻¹ (averaged per ball joint and per free
    /// joint's translations / rotations); scales constraint regularisation.
    pub dof_invweight0: Vec<f64>,
    /// (nbody) Inverse weight at qpos0 of each body's centre of mass: mean diagonal of J M⁻¹ Jᵀ
    /// over translations and over rotations (0 for the world); scales contact regularisation.
    pub body_invweight0: Vec<[f64; 2]>,

    // ---- geoms ----
    /// (ngeom) Names ("" if unnamed).
    pub geom_name: Vec<String>,
    /// (ngeom) Shape.
    pub geom_type: Vec<GeomType>,
    /// (ngeom) Body the geom is attached to.
    pub geom_bodyid: Vec<usize>,
    /// (ngeom) Mesh id for mesh geoms.
    pub geom_dataid: Vec<Option<usize>>,
    /// (ngeom) Contact type bits.
    pub geom_contype: Vec<u32>,
    /// (ngeom) Contact affinity bits.
    pub geom_conaffinity: Vec<u32>,
    /// (ngeom) Contact dimensionality (1, 3, 4, 6).
    pub geom_condim: Vec<u32>,
    /// (ngeom) Contact priority.
    pub geom_priority: Vec<i32>,
    /// (ngeom) Visual group.
    pub geom_group: Vec<i32>,
    /// (ngeom) Type-specific size (see [`GeomType`]).
    pub geom_size: Vec<[f64; 3]>,
    /// (ngeom) Position in the body frame.
    pub geom_pos: Vec<[f64; 3]>,
    /// (ngeom) Orientation in the body frame.
    pub geom_quat: Vec<[f64; 4]>,
    /// (ngeom) Friction: sliding, torsional, rolling.
    pub geom_friction: Vec<[f64; 3]>,
    /// (ngeom) Contact detection margin.
    pub geom_margin: Vec<f64>,
    /// (ngeom) Contact gap (margin part that does not generate force).
    pub geom_gap: Vec<f64>,
    /// (ngeom) Contact solref.
    pub geom_solref: Vec<[f64; 2]>,
    /// (ngeom) Contact solimp.
    pub geom_solimp: Vec<[f64; 5]>,
    /// (ngeom) Solver parameter mixing weight.
    pub geom_solmix: Vec<f64>,
    /// (ngeom) Colour drawn (linear RGBA): the geom's `rgba`, or its material's where the geom
    /// leaves `rgba` at MuJoCo's default (MuJoCo's rule for `geom_rgba` and `geom_matid`).
    pub geom_rgba: Vec<[f32; 4]>,

    // ---- sites ----
    /// (nsite) Names.
    pub site_name: Vec<String>,
    /// (nsite) Body the site is attached to.
    pub site_bodyid: Vec<usize>,
    /// (nsite) Shape (as [`GeomType`]; sphere by default).
    pub site_type: Vec<GeomType>,
    /// (nsite) Size.
    pub site_size: Vec<[f64; 3]>,
    /// (nsite) Position in the body frame.
    pub site_pos: Vec<[f64; 3]>,
    /// (nsite) Orientation in the body frame.
    pub site_quat: Vec<[f64; 4]>,
    /// (nsite) Visual group (the renderer shows groups 0–2 unless told otherwise, as MuJoCo).
    pub site_group: Vec<i32>,
    /// (nsite) Colour drawn (RGBA; material resolved as for geoms).
    pub site_rgba: Vec<[f32; 4]>,

    // ---- tendons ----
    /// (ntendon) Names.
    pub tendon_name: Vec<String>,
    /// (ntendon) Address of the first path element in `wrap_*`.
    pub tendon_adr: Vec<usize>,
    /// (ntendon) Number of path elements.
    pub tendon_num: Vec<usize>,
    /// (ntendon) Whether the length range is enforced.
    pub tendon_limited: Vec<bool>,
    /// (ntendon) Length range.
    pub tendon_range: Vec<[f64; 2]>,
    /// (ntendon) Spring stiffness.
    pub tendon_stiffness: Vec<f64>,
    /// (ntendon) Damping.
    pub tendon_damping: Vec<f64>,
    /// (ntendon) Spring rest length range (dead band); \[-1, -1\] until resolved at qpos0.
    pub tendon_lengthspring: Vec<[f64; 2]>,
    /// (ntendon) Limit/friction margin.
    pub tendon_margin: Vec<f64>,
    /// (ntendon) Friction loss.
    pub tendon_frictionloss: Vec<f64>,
    /// (ntendon) Limit solref.
    pub tendon_solref: Vec<[f64; 2]>,
    /// (ntendon) Limit solimp.
    pub tendon_solimp: Vec<[f64; 5]>,
    /// (ntendon) Inverse weight at qpos0: J M⁻¹ Jᵀ.
    pub tendon_invweight0: Vec<f64>,
    /// (ntendon) Visual group.
    pub tendon_group: Vec<i32>,
    /// (ntendon) Drawn width.
    pub tendon_width: Vec<f64>,
    /// (ntendon) Colour drawn (RGBA; material resolved as for geoms).
    pub tendon_rgba: Vec<[f32; 4]>,

    // ---- tendon path elements ----
    /// (nwrap) Element kind.
    pub wrap_type: Vec<WrapType>,
    /// (nwrap) Site, geom or joint id.
    pub wrap_objid: Vec<usize>,
    /// (nwrap) Sidesite id (or -1) for geom wraps, divisor for pulleys, coefficient for joints.
    pub wrap_prm: Vec<f64>,

    // ---- actuators ----
    /// (nu) Names.
    pub actuator_name: Vec<String>,
    /// (nu) Transmission kind.
    pub actuator_trntype: Vec<TrnType>,
    /// (nu) Transmission target (tendon or joint id).
    pub actuator_trnid: Vec<usize>,
    /// (nu) Activation dynamics.
    pub actuator_dyntype: Vec<DynType>,
    /// (nu) Gain kind.
    pub actuator_gaintype: Vec<GainType>,
    /// (nu) Bias kind.
    pub actuator_biastype: Vec<BiasType>,
    /// (nu) Dynamics parameters (muscle: tau_act, tau_deact, tausmooth).
    pub actuator_dynprm: Vec<[f64; 10]>,
    /// (nu) Gain parameters (muscle: range0, range1, force, scale, lmin, lmax, vmax, fpmax, fvmax).
    pub actuator_gainprm: Vec<[f64; 10]>,
    /// (nu) Bias parameters (same layout as gain for muscles).
    pub actuator_biasprm: Vec<[f64; 10]>,
    /// (nu) Transmission gear (only \[0\] is used by tendon/joint transmissions).
    pub actuator_gear: Vec<[f64; 6]>,
    /// (nu) Whether ctrl is clamped to `actuator_ctrlrange`.
    pub actuator_ctrllimited: Vec<bool>,
    /// (nu) Control range.
    pub actuator_ctrlrange: Vec<[f64; 2]>,
    /// (nu) Whether force is clamped to `actuator_forcerange`.
    pub actuator_forcelimited: Vec<bool>,
    /// (nu) Force range.
    pub actuator_forcerange: Vec<[f64; 2]>,
    /// (nu) Whether activation is clamped to `actuator_actrange`.
    pub actuator_actlimited: Vec<bool>,
    /// (nu) Activation range.
    pub actuator_actrange: Vec<[f64; 2]>,
    /// (nu) Transmission length range (muscle L0 normalisation).
    pub actuator_lengthrange: Vec<[f64; 2]>,
    /// (nu) ‖M(qpos0)⁻¹ · moment‖: muscles with `force` < 0 use F0 = scale / acc0 (at run time,
    /// as MuJoCo 4 does; `gainprm[2]` keeps the -1).
    pub actuator_acc0: Vec<f64>,
    /// Mean diagonal of M at qpos0 (MuJoCo's `stat.meaninertia`): the constraint solver scales its
    /// stopping tests by it.
    pub stat_meaninertia: f64,
    /// (nu) Address of the first activation state (`None` if stateless).
    pub actuator_actadr: Vec<Option<usize>>,
    /// (nu) Number of activation states.
    pub actuator_actnum: Vec<usize>,

    // ---- equality constraints ----
    /// (neq) Names.
    pub eq_name: Vec<String>,
    /// (neq) Kind.
    pub eq_type: Vec<EqType>,
    /// (neq) First object (joint id for joint equalities).
    pub eq_obj1id: Vec<usize>,
    /// (neq) Second object (`None`: lock the first joint to its polynomial's constant).
    pub eq_obj2id: Vec<Option<usize>>,
    /// (neq) Active at reset.
    pub eq_active0: Vec<bool>,
    /// (neq) Constraint solref.
    pub eq_solref: Vec<[f64; 2]>,
    /// (neq) Constraint solimp.
    pub eq_solimp: Vec<[f64; 5]>,
    /// (neq) Parameters (joint: polycoef\[0..5\], \[10\] = 1; connect/weld: anchors, relpose,
    /// torquescale). MuJoCo 4's `mjNEQDATA` = 12.
    pub eq_data: Vec<[f64; 12]>,

    // ---- explicit contact pairs ----
    /// (npair) First geom.
    pub pair_geom1: Vec<usize>,
    /// (npair) Second geom.
    pub pair_geom2: Vec<usize>,
    /// (npair) Contact dimensionality.
    pub pair_dim: Vec<u32>,
    /// (npair) Friction: tangent1, tangent2, spin, roll1, roll2.
    pub pair_friction: Vec<[f64; 5]>,
    /// (npair) Normal solref.
    pub pair_solref: Vec<[f64; 2]>,
    /// (npair) Frictional solref.
    pub pair_solreffriction: Vec<[f64; 2]>,
    /// (npair) Solimp.
    pub pair_solimp: Vec<[f64; 5]>,
    /// (npair) Margin.
    pub pair_margin: Vec<f64>,
    /// (npair) Gap.
    pub pair_gap: Vec<f64>,
    /// (npair) Body-pair signature: (body1 + 1) << 16 | (body2 + 1), smaller id first.
    pub pair_signature: Vec<u32>,

    // ---- excluded body pairs ----
    /// (nexclude) Body-pair signature as for `pair_signature`.
    pub exclude_signature: Vec<u32>,

    // ---- meshes ----
    /// (nmesh) Names.
    pub mesh_name: Vec<String>,
    /// (nmesh) Address of the first vertex in `mesh_vert`.
    pub mesh_vertadr: Vec<usize>,
    /// (nmesh) Number of vertices.
    pub mesh_vertnum: Vec<usize>,
    /// (nmesh) Volume of the (scaled) mesh.
    pub mesh_volume: Vec<f64>,
    /// (total vertices) Vertices in the mesh's principal frame, centred at its centroid.
    pub mesh_vert: Vec<[f64; 3]>,
    /// (nmesh) Address of the first triangle in `mesh_face`.
    pub mesh_faceadr: Vec<usize>,
    /// (nmesh) Number of triangles.
    pub mesh_facenum: Vec<usize>,
    /// (total triangles) Vertex indices of each triangle, relative to the mesh's `mesh_vertadr`,
    /// counter-clockwise seen from outside.
    pub mesh_face: Vec<[u32; 3]>,

    // ---- keyframes ----
    /// (nkey) Names.
    pub key_name: Vec<String>,
    /// (nkey) Time.
    pub key_time: Vec<f64>,
    /// (nkey × nq) Positions.
    pub key_qpos: Vec<Vec<f64>>,
    /// (nkey × nv) Velocities.
    pub key_qvel: Vec<Vec<f64>>,
    /// (nkey × na) Activations.
    pub key_act: Vec<Vec<f64>>,
    /// (nkey × nu) Controls.
    pub key_ctrl: Vec<Vec<f64>>,

    // ---- sensors ----
    /// (nsensor) Names.
    pub sensor_name: Vec<String>,
    /// (nsensor) Kind.
    pub sensor_type: Vec<SensorType>,
    /// (nsensor) Object id (site for touch; per `sensor_objtype` for frame sensors).
    pub sensor_objid: Vec<usize>,
    /// (nsensor) Object kind for frame sensors: "body", "xbody", "site", "geom".
    pub sensor_objtype: Vec<String>,
}

impl Model {
    /// Can geom `g` take part in dynamic collisions (non-zero contype or conaffinity)?
    pub fn geom_collides(&self, g: usize) -> bool {
        self.geom_contype[g] != 0 || self.geom_conaffinity[g] != 0
    }

    /// Peak active force F0 of muscle `u`: `gainprm[2]` if it is ≥ 0, else scale / acc0 (MuJoCo 4
    /// computes this at run time from `actuator_acc0`).
    pub fn muscle_f0(&self, u: usize) -> f64 {
        let prm = &self.actuator_gainprm[u];
        if prm[2] >= 0.0 { prm[2] } else { prm[3] / self.actuator_acc0[u].max(crate::math::MINVAL) }
    }

    /// Total mass of all bodies.
    pub fn total_mass(&self) -> f64 {
        self.body_mass.iter().sum()
    }
}
