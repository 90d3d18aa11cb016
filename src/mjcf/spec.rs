//! The typed MJCF tree: what the file says, with defaults applied, before compilation.
//!
//! The parser reads `<compiler>` first, so orientations and `fromto` are resolved to unit quaternions
//! and positions in the body frame as they are read (frames folded in). Joint ranges stay as
//! written (degrees or radians); the compiler converts them.

use super::attrs::TriState;
use crate::error::Location;

/// `<compiler>` settings.
#[derive(Debug, Clone)]
pub struct CompilerSpec {
    /// Angles in degrees (the MJCF default) or radians.
    pub degrees: bool,
    /// Euler sequence, e.g. `xyz`.
    pub eulerseq: [u8; 3],
    /// Folder for mesh files, relative to the model file.
    pub meshdir: Option<String>,
    /// `inertiafromgeom`: false, true or auto.
    pub inertiafromgeom: TriState,
    /// Geoms whose group is in this range contribute inertia.
    pub inertiagrouprange: [i32; 2],
    /// Set `limited` from a given range when `auto`.
    pub autolimits: bool,
    /// Make inertias satisfy the triangle inequality.
    pub balanceinertia: bool,
    /// Lower bound on body mass.
    pub boundmass: f64,
    /// Lower bound on principal inertia.
    pub boundinertia: f64,
}

impl Default for CompilerSpec {
    fn default() -> Self {
        CompilerSpec {
            degrees: true,
            eulerseq: *b"xyz",
            meshdir: None,
            inertiafromgeom: TriState::Auto,
            inertiagrouprange: [0, 5],
            autolimits: true,
            balanceinertia: false,
            boundmass: 0.0,
            boundinertia: 0.0,
        }
    }
}

/// A `<joint>` (or `<freejoint>`).
#[derive(Debug, Clone)]
pub struct JointSpec {
    /// Name.
    pub name: String,
    /// 0 free, 1 ball, 2 slide, 3 hinge.
    pub kind: crate::model::JointType,
    /// Anchor in the body frame.
    pub pos: [f64; 3],
    /// Axis in the body frame.
    pub axis: [f64; 3],
    /// `limited`.
    pub limited: TriState,
    /// `range` as written, and whether it was given.
    pub range: Option<[f64; 2]>,
    /// Reference position (as written).
    pub reference: f64,
    /// Spring reference (as written).
    pub springref: f64,
    /// Stiffness.
    pub stiffness: f64,
    /// Damping.
    pub damping: f64,
    /// Armature.
    pub armature: f64,
    /// Friction loss.
    pub frictionloss: f64,
    /// Limit margin.
    pub margin: f64,
    /// Limit solref.
    pub solref: [f64; 2],
    /// Limit solimp.
    pub solimp: [f64; 5],
    /// Source location.
    pub loc: Location,
}

/// How an element looks (geoms, sites, tendons): only the renderer reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Look {
    /// `rgba` (MuJoCo's default 0.5 0.5 0.5 1).
    pub rgba: [f64; 4],
    /// `material`, if given.
    pub material: Option<String>,
}

impl Look {
    /// MuJoCo's default colour, which a material's colour replaces.
    pub const DEFAULT_RGBA: [f64; 4] = [0.5, 0.5, 0.5, 1.0];

    /// The default look: grey, no material.
    pub fn grey() -> Self {
        Look { rgba: Self::DEFAULT_RGBA, material: None }
    }
}

/// A `<material>` asset (its colour; textures are not read).
#[derive(Debug, Clone)]
pub struct MaterialSpec {
    /// Name.
    pub name: String,
    /// `rgba` (default 1 1 1 1).
    pub rgba: [f64; 4],
    /// Source location.
    pub loc: Location,
}

/// A `<geom>`.
#[derive(Debug, Clone)]
pub struct GeomSpec {
    /// Name.
    pub name: String,
    /// Shape.
    pub kind: crate::model::GeomType,
    /// Size as written (up to 3 numbers).
    pub size: [f64; 3],
    /// Position.
    pub pos: [f64; 3],
    /// Orientation (resolved to a unit quaternion at parse time, frames folded in).
    pub quat: [f64; 4],
    /// Mesh name for mesh geoms.
    pub mesh: Option<String>,
    /// Contact type bits.
    pub contype: u32,
    /// Contact affinity bits.
    pub conaffinity: u32,
    /// Contact dimensionality.
    pub condim: u32,
    /// Visual group (also filters inertia contribution).
    pub group: i32,
    /// Contact priority.
    pub priority: i32,
    /// Friction.
    pub friction: [f64; 3],
    /// Solver mixing weight.
    pub solmix: f64,
    /// Contact solref.
    pub solref: [f64; 2],
    /// Contact solimp.
    pub solimp: [f64; 5],
    /// Contact margin.
    pub margin: f64,
    /// Contact gap.
    pub gap: f64,
    /// Explicit mass (overrides density).
    pub mass: Option<f64>,
    /// Density.
    pub density: f64,
    /// Colour and material.
    pub look: Look,
    /// Source location.
    pub loc: Location,
}

/// A `<site>`.
#[derive(Debug, Clone)]
pub struct SiteSpec {
    /// Name.
    pub name: String,
    /// Shape.
    pub kind: crate::model::GeomType,
    /// Size.
    pub size: [f64; 3],
    /// Position.
    pub pos: [f64; 3],
    /// Orientation (resolved to a unit quaternion at parse time, frames folded in).
    pub quat: [f64; 4],
    /// Visual group.
    pub group: i32,
    /// Colour and material.
    pub look: Look,
    /// Source location.
    pub loc: Location,
}

/// An `<inertial>`.
#[derive(Debug, Clone)]
pub struct InertialSpec {
    /// Centre of mass.
    pub pos: [f64; 3],
    /// Orientation of the diagonal inertia frame.
    pub quat: [f64; 4],
    /// Mass.
    pub mass: f64,
    /// Diagonal inertia, if given.
    pub diaginertia: Option<[f64; 3]>,
    /// Full inertia (xx yy zz xy xz yz), if given.
    pub fullinertia: Option<[f64; 6]>,
    /// Source location.
    pub loc: Location,
}

/// A `<body>` (the world body is body 0).
#[derive(Debug, Clone)]
pub struct BodySpec {
    /// Name.
    pub name: String,
    /// Position in the parent frame.
    pub pos: [f64; 3],
    /// Orientation in the parent frame.
    pub quat: [f64; 4],
    /// Position and orientation as written, before enclosing frames (MuJoCo's inertial frame of a
    /// body with no mass).
    pub written_pose: ([f64; 3], [f64; 4]),
    /// Explicit inertial.
    pub inertial: Option<InertialSpec>,
    /// Joints, in order.
    pub joints: Vec<JointSpec>,
    /// Geoms, in order (frame transforms already folded into each).
    pub geoms: Vec<GeomSpec>,
    /// Sites, in order.
    pub sites: Vec<SiteSpec>,
    /// The parent body's index in [`MjcfSpec::bodies`] (0 for the world and its children).
    pub parent: usize,
    /// Source location.
    pub loc: Location,
}

/// A tendon path element.
#[derive(Debug, Clone)]
pub enum PathSpec {
    /// A site.
    Site(String, Location),
    /// A wrapping geom and its optional sidesite.
    Geom(String, Option<String>, Location),
    /// A pulley with its divisor.
    Pulley(f64, Location),
    /// A joint of a fixed tendon with its coefficient.
    Joint(String, f64, Location),
}

/// A `<spatial>` or `<fixed>` tendon.
#[derive(Debug, Clone)]
pub struct TendonSpec {
    /// Name.
    pub name: String,
    /// Spatial (true) or fixed.
    pub spatial: bool,
    /// `limited`.
    pub limited: TriState,
    /// `range`, if given.
    pub range: Option<[f64; 2]>,
    /// Stiffness.
    pub stiffness: f64,
    /// Damping.
    pub damping: f64,
    /// Friction loss.
    pub frictionloss: f64,
    /// Margin.
    pub margin: f64,
    /// Spring rest length (one or two numbers; -1 means: length at qpos0).
    pub springlength: [f64; 2],
    /// Limit solref.
    pub solref: [f64; 2],
    /// Limit solimp.
    pub solimp: [f64; 5],
    /// Path.
    pub path: Vec<PathSpec>,
    /// Visual group.
    pub group: i32,
    /// Drawn width (MuJoCo's default 0.003).
    pub width: f64,
    /// Colour and material.
    pub look: Look,
    /// Source location.
    pub loc: Location,
}

/// Which MJCF tag last wrote an actuator record (MuJoCo 4 uses it to find shortcut parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActuatorTag {
    /// `<general>`.
    General,
    /// `<muscle>`.
    Muscle,
    /// `<motor>`.
    Motor,
}

/// An actuator (`<general>`, `<muscle>`, `<motor>`).
#[derive(Debug, Clone)]
pub struct ActuatorSpec {
    /// The tag that last wrote this record.
    pub tag: ActuatorTag,
    /// Name.
    pub name: String,
    /// Target tendon, if any.
    pub tendon: Option<String>,
    /// Target joint, if any.
    pub joint: Option<String>,
    /// Dynamics kind.
    pub dyntype: crate::model::DynType,
    /// Gain kind.
    pub gaintype: crate::model::GainType,
    /// Bias kind.
    pub biastype: crate::model::BiasType,
    /// Dynamics parameters.
    pub dynprm: [f64; 10],
    /// Gain parameters.
    pub gainprm: [f64; 10],
    /// Bias parameters.
    pub biasprm: [f64; 10],
    /// Gear.
    pub gear: [f64; 6],
    /// `ctrllimited`.
    pub ctrllimited: TriState,
    /// Control range, if given.
    pub ctrlrange: Option<[f64; 2]>,
    /// `forcelimited`.
    pub forcelimited: TriState,
    /// Force range, if given.
    pub forcerange: Option<[f64; 2]>,
    /// `actlimited`.
    pub actlimited: TriState,
    /// Activation range, if given.
    pub actrange: Option<[f64; 2]>,
    /// Length range, if given.
    pub lengthrange: Option<[f64; 2]>,
    /// Source location.
    pub loc: Location,
}

/// An `<equality>` element.
#[derive(Debug, Clone)]
pub struct EqualitySpec {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: crate::model::EqType,
    /// First object (joint or body name).
    pub obj1: String,
    /// Second object, if given.
    pub obj2: Option<String>,
    /// Active at reset.
    pub active: bool,
    /// solref.
    pub solref: [f64; 2],
    /// solimp.
    pub solimp: [f64; 5],
    /// Joint polynomial coefficients.
    pub polycoef: [f64; 5],
    /// Source location.
    pub loc: Location,
}

/// A `<contact><pair>`.
#[derive(Debug, Clone)]
pub struct PairSpec {
    /// Name.
    pub name: String,
    /// First geom.
    pub geom1: String,
    /// Second geom.
    pub geom2: String,
    /// Contact dimensionality, if given.
    pub condim: Option<u32>,
    /// Friction, if given.
    pub friction: Option<[f64; 5]>,
    /// solref, if given.
    pub solref: Option<[f64; 2]>,
    /// Frictional solref, if given.
    pub solreffriction: Option<[f64; 2]>,
    /// solimp, if given.
    pub solimp: Option<[f64; 5]>,
    /// Margin, if given.
    pub margin: Option<f64>,
    /// Gap, if given.
    pub gap: Option<f64>,
    /// Source location.
    pub loc: Location,
}

/// A `<mesh>` asset.
#[derive(Debug, Clone)]
pub struct MeshSpec {
    /// Name (defaults to the file stem).
    pub name: String,
    /// File path as written.
    pub file: String,
    /// Vertex scale.
    pub scale: [f64; 3],
    /// `content_type`, if given (STL or MuJoCo's MSH).
    pub content_type: Option<String>,
    /// Source location.
    pub loc: Location,
}

/// A `<key>`.
#[derive(Debug, Clone, Default)]
pub struct KeySpec {
    /// Name.
    pub name: String,
    /// Time.
    pub time: f64,
    /// Positions, if given.
    pub qpos: Option<Vec<f64>>,
    /// Velocities, if given.
    pub qvel: Option<Vec<f64>>,
    /// Activations, if given.
    pub act: Option<Vec<f64>>,
    /// Controls, if given.
    pub ctrl: Option<Vec<f64>>,
    /// Source location (empty for the blank keys `<size nkey>` adds).
    pub loc: Location,
}

/// A sensor.
#[derive(Debug, Clone)]
pub struct SensorSpec {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: crate::model::SensorType,
    /// Object name (site for touch).
    pub objname: String,
    /// Object type for frame sensors.
    pub objtype: String,
    /// Source location.
    pub loc: Location,
}

/// The whole parsed file.
#[derive(Debug, Clone)]
pub struct MjcfSpec {
    /// Model name.
    pub name: String,
    /// Folder of the main file (meshdir is relative to it).
    pub dir: std::path::PathBuf,
    /// Compiler settings.
    pub compiler: CompilerSpec,
    /// Physics options.
    pub option: crate::model::Options,
    /// Every body in depth-first order as written, the world first (a flat list, so deep trees
    /// need no recursion to build, walk or drop).
    pub bodies: Vec<BodySpec>,
    /// Meshes.
    pub meshes: Vec<MeshSpec>,
    /// Materials.
    pub materials: Vec<MaterialSpec>,
    /// Tendons.
    pub tendons: Vec<TendonSpec>,
    /// Actuators.
    pub actuators: Vec<ActuatorSpec>,
    /// Equalities.
    pub equalities: Vec<EqualitySpec>,
    /// Contact pairs.
    pub pairs: Vec<PairSpec>,
    /// Excluded body pairs (names, location).
    pub excludes: Vec<(String, String, Location)>,
    /// Keyframes.
    pub keys: Vec<KeySpec>,
    /// `<size nkey>`: at least this many keyframes (extra ones hold defaults).
    pub nkey_min: usize,
    /// Sensors.
    pub sensors: Vec<SensorSpec>,
}
