//! XML tree → typed [`MjcfSpec`]: default classes and childclass resolved, frames folded into the
//! elements they enclose, every attribute checked (unknown physics attributes are errors).

mod actuator;
mod body;
mod objects;
mod orientation;

use actuator::apply_actuator;
use objects::{apply_equality, apply_pair, apply_tendon};
use orientation::fromto_frame;

use std::collections::HashMap;
use std::path::Path;

use super::attrs::TriState;
use super::spec::*;
use super::xml::XmlNode;
use crate::error::{Location, Result};
use crate::math::{self, Quat, Vec3};
use crate::model::{BiasType, DynType, EqType, GainType, GeomType, JointType, Options, SensorType};

const SOLREF: [f64; 2] = [0.02, 1.0];
const SOLIMP: [f64; 5] = [0.9, 0.95, 0.001, 0.5, 2.0];
const ORIENT_ATTRS: [&str; 5] = ["quat", "euler", "axisangle", "zaxis", "xyaxes"];
/// Attributes that only affect rendering and sinew does not read; accepted wherever MuJoCo
/// accepts them and dropped.
const COSMETIC: [&str; 1] = ["user"];

/// All per-element defaults of one class (MuJoCo's `mjsDefault`).
#[derive(Debug, Clone)]
struct DefaultClass {
    /// The class this one was copied from (`None` for main).
    parent: Option<String>,
    joint: JointSpec,
    geom: GeomSpec,
    site: SiteSpec,
    tendon: TendonSpec,
    actuator: ActuatorSpec,
    equality: EqualitySpec,
    pair: PairSpec,
    mesh_scale: [f64; 3],
}

impl DefaultClass {
    fn main(loc: &Location) -> Self {
        DefaultClass {
            parent: None,
            joint: JointSpec {
                name: String::new(),
                kind: JointType::Hinge,
                pos: [0.0; 3],
                axis: [0.0, 0.0, 1.0],
                limited: TriState::Auto,
                range: None,
                reference: 0.0,
                springref: 0.0,
                stiffness: 0.0,
                damping: 0.0,
                armature: 0.0,
                frictionloss: 0.0,
                margin: 0.0,
                solref: SOLREF,
                solimp: SOLIMP,
                loc: loc.clone(),
            },
            geom: GeomSpec {
                name: String::new(),
                kind: GeomType::Sphere,
                size: [0.0; 3],
                pos: [0.0; 3],
                quat: math::QUAT_IDENTITY,
                mesh: None,
                contype: 1,
                conaffinity: 1,
                condim: 3,
                group: 0,
                priority: 0,
                friction: [1.0, 0.005, 0.0001],
                solmix: 1.0,
                solref: SOLREF,
                solimp: SOLIMP,
                margin: 0.0,
                gap: 0.0,
                mass: None,
                density: 1000.0,
                look: Look::grey(),
                loc: loc.clone(),
            },
            site: SiteSpec {
                name: String::new(),
                kind: GeomType::Sphere,
                size: [0.005; 3],
                pos: [0.0; 3],
                quat: math::QUAT_IDENTITY,
                group: 0,
                look: Look::grey(),
                loc: loc.clone(),
            },
            tendon: TendonSpec {
                name: String::new(),
                spatial: true,
                limited: TriState::Auto,
                range: None,
                stiffness: 0.0,
                damping: 0.0,
                frictionloss: 0.0,
                margin: 0.0,
                springlength: [-1.0, -1.0],
                solref: SOLREF,
                solimp: SOLIMP,
                path: Vec::new(),
                group: 0,
                width: 0.003,
                look: Look::grey(),
                loc: loc.clone(),
            },
            actuator: ActuatorSpec {
                tag: ActuatorTag::General,
                name: String::new(),
                tendon: None,
                joint: None,
                dyntype: DynType::None,
                gaintype: GainType::Fixed,
                biastype: BiasType::None,
                dynprm: prm10(&[1.0]),
                gainprm: prm10(&[1.0]),
                biasprm: [0.0; 10],
                gear: [1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                ctrllimited: TriState::Auto,
                ctrlrange: None,
                forcelimited: TriState::Auto,
                forcerange: None,
                actlimited: TriState::Auto,
                actrange: None,
                lengthrange: None,
                loc: loc.clone(),
            },
            equality: EqualitySpec {
                name: String::new(),
                kind: EqType::Joint,
                obj1: String::new(),
                obj2: None,
                active: true,
                solref: SOLREF,
                solimp: SOLIMP,
                polycoef: [0.0, 1.0, 0.0, 0.0, 0.0],
                loc: loc.clone(),
            },
            pair: PairSpec {
                name: String::new(),
                geom1: String::new(),
                geom2: String::new(),
                condim: None,
                friction: None,
                solref: None,
                solreffriction: None,
                solimp: None,
                margin: None,
                gap: None,
                loc: loc.clone(),
            },
            mesh_scale: [1.0; 3],
        }
    }
}

fn prm10(v: &[f64]) -> [f64; 10] {
    let mut p = [0.0; 10];
    p[..v.len()].copy_from_slice(v);
    p
}

/// A placement frame: elements inside `<frame>` are composed with it.
#[derive(Clone, Copy)]
struct Frame {
    pos: Vec3,
    quat: Quat,
}

impl Frame {
    const IDENTITY: Frame = Frame { pos: [0.0; 3], quat: math::QUAT_IDENTITY };
    fn apply(&self, pos: Vec3, quat: Quat) -> (Vec3, Quat) {
        if self.pos == [0.0; 3] && self.quat == math::QUAT_IDENTITY {
            return (pos, quat);
        }
        math::frame_accum(self.pos, self.quat, pos, quat)
    }
}

struct Parser {
    compiler: CompilerSpec,
    classes: HashMap<String, DefaultClass>,
}

/// Parse an expanded MJCF tree whose main file is `main_file`.
pub fn parse(root: &XmlNode, main_file: &Path) -> Result<MjcfSpec> {
    root.check_attrs(&["model"], &[])?;
    let mut p = Parser { compiler: CompilerSpec::default(), classes: HashMap::new() };
    // <compiler> first: angle units and eulerseq are needed to read orientations.
    for c in root.children.iter().filter(|c| c.tag == "compiler") {
        p.read_compiler(c)?;
    }
    let root_loc = root.loc();
    p.classes.insert("main".into(), DefaultClass::main(&root_loc));
    for c in root.children.iter().filter(|c| c.tag == "default") {
        p.read_default(c)?;
    }
    let mut spec = MjcfSpec {
        name: root.attr("model").unwrap_or("").to_string(),
        dir: main_file.parent().unwrap_or(Path::new(".")).to_path_buf(),
        compiler: p.compiler.clone(),
        option: Options::default(),
        bodies: vec![BodySpec {
            name: "world".into(),
            pos: [0.0; 3],
            quat: math::QUAT_IDENTITY,
            written_pose: ([0.0; 3], math::QUAT_IDENTITY),
            inertial: None,
            joints: vec![],
            geoms: vec![],
            sites: vec![],
            parent: 0,
            loc: root_loc.clone(),
        }],
        meshes: vec![],
        materials: vec![],
        tendons: vec![],
        actuators: vec![],
        equalities: vec![],
        pairs: vec![],
        excludes: vec![],
        keys: vec![],
        nkey_min: 0,
        sensors: vec![],
    };
    for c in &root.children {
        match c.tag.as_str() {
            "compiler" | "default" => {}
            "option" => p.read_option(c, &mut spec.option)?,
            // Sizes, statistics and visuals never change the physics.
            "size" => {
                let mut nkey = 0usize;
                c.read_int("nkey", &mut nkey)?;
                spec.nkey_min = spec.nkey_min.max(nkey);
            }
            "statistic" | "visual" => {}
            "asset" => p.read_assets(c, &mut spec.meshes, &mut spec.materials)?,
            "worldbody" => {
                c.check_attrs(&[], &[])?;
                p.read_worldbody(c, &mut spec.bodies)?;
            }
            "tendon" => p.read_tendons(c, &mut spec.tendons)?,
            "actuator" => p.read_actuators(c, &mut spec.actuators)?,
            "equality" => p.read_equalities(c, &mut spec.equalities)?,
            "contact" => p.read_contact(c, &mut spec.pairs, &mut spec.excludes)?,
            "keyframe" => p.read_keys(c, &mut spec.keys)?,
            "sensor" => p.read_sensors(c, &mut spec.sensors)?,
            other => return Err(c.err(format!("unsupported element <{other}>"))),
        }
    }
    Ok(spec)
}

impl Parser {
    fn read_compiler(&mut self, c: &XmlNode) -> Result<()> {
        c.check_attrs(
            &[
                "angle", "eulerseq", "meshdir", "assetdir", "texturedir", "inertiafromgeom",
                "inertiagrouprange", "autolimits", "balanceinertia", "boundmass", "boundinertia",
                "coordinate", "strippath", "discardvisual", "fusestatic", "usethread",
            ],
            &[],
        )?;
        let cs = &mut self.compiler;
        if let Some(i) = c.keyword("angle", &["degree", "radian"])? {
            cs.degrees = i == 0;
        }
        if let Some(seq) = c.attr("eulerseq") {
            let b = seq.as_bytes();
            if b.len() != 3 || !b.iter().all(|ch| b"xyzXYZ".contains(ch)) {
                return Err(c.err(format!("attribute 'eulerseq': bad value \"{seq}\"")));
            }
            cs.eulerseq = [b[0], b[1], b[2]];
        }
        if let Some(d) = c.attr("meshdir").or(c.attr("assetdir")) {
            cs.meshdir = Some(d.to_string());
        }
        c.read_tristate("inertiafromgeom", &mut cs.inertiafromgeom)?;
        if let Some(v) = c.numbers("inertiagrouprange", 2, 2)? {
            cs.inertiagrouprange = [v[0] as i32, v[1] as i32];
        }
        c.read_bool("autolimits", &mut cs.autolimits)?;
        c.read_bool("balanceinertia", &mut cs.balanceinertia)?;
        c.read_f64("boundmass", &mut cs.boundmass)?;
        c.read_f64("boundinertia", &mut cs.boundinertia)?;
        if c.keyword("coordinate", &["local", "global"])? == Some(1) {
            return Err(c.err("coordinate=\"global\" is not supported (removed from MuJoCo)"));
        }
        let mut fuse = false;
        c.read_bool("fusestatic", &mut fuse)?;
        if fuse {
            return Err(c.err("fusestatic=\"true\" is not supported"));
        }
        Ok(())
    }

    fn read_option(&self, c: &XmlNode, o: &mut Options) -> Result<()> {
        c.check_attrs(
            &[
                "timestep", "gravity", "integrator", "solver", "iterations", "ls_iterations", "tolerance",
                "ls_tolerance", "cone", "impratio", "noslip_iterations", "wind", "density", "viscosity",
                "magnetic", "jacobian", "apirate", "ccd_iterations", "ccd_tolerance", "sdf_iterations",
                "sdf_initpoints", "o_margin", "o_solref", "o_solimp", "o_friction", "noslip_tolerance",
            ],
            &[],
        )?;
        if c.read_f64("timestep", &mut o.timestep)? && o.timestep <= 0.0 {
            return Err(c.err("attribute 'timestep' must be positive"));
        }
        c.read_arr("gravity", &mut o.gravity)?;
        if let Some(i) = c.keyword("integrator", &["Euler", "RK4", "implicit", "implicitfast"])? {
            o.integrator = [
                crate::model::Integrator::Euler,
                crate::model::Integrator::Rk4,
                crate::model::Integrator::Implicit,
                crate::model::Integrator::ImplicitFast,
            ][i];
        }
        if let Some(i) = c.keyword("solver", &["PGS", "CG", "Newton"])? {
            o.solver = [crate::model::Solver::Pgs, crate::model::Solver::Cg, crate::model::Solver::Newton][i];
        }
        if let Some(i) = c.keyword("cone", &["pyramidal", "elliptic"])? {
            o.cone = [crate::model::Cone::Pyramidal, crate::model::Cone::Elliptic][i];
        }
        c.read_int("iterations", &mut o.iterations)?;
        c.read_int("ls_iterations", &mut o.ls_iterations)?;
        c.read_f64("tolerance", &mut o.tolerance)?;
        c.read_f64("ls_tolerance", &mut o.ls_tolerance)?;
        c.read_f64("impratio", &mut o.impratio)?;
        // Features that change the physics and that sinew does not simulate: refuse, don't ignore.
        let mut noslip = 0usize;
        c.read_int("noslip_iterations", &mut noslip)?;
        if noslip > 0 {
            return Err(c.err("noslip_iterations > 0 is not supported"));
        }
        for fluid in ["density", "viscosity"] {
            if c.opt_f64(fluid)?.is_some_and(|v| v != 0.0) {
                return Err(c.err(format!("fluid forces ('{fluid}' > 0) are not supported")));
            }
        }
        if let Some(w) = c.numbers("wind", 3, 3)?
            && w.iter().any(|v| *v != 0.0)
        {
            return Err(c.err("wind is not supported"));
        }
        for attr in ["o_margin", "o_solref", "o_solimp", "o_friction"] {
            if c.attr(attr).is_some() {
                return Err(c.err(format!("contact override '{attr}' is not supported")));
            }
        }
        for f in &c.children {
            if f.tag != "flag" {
                return Err(f.err("unsupported element inside <option>"));
            }
            let names: Vec<&str> = crate::model::disable::NAMES
                .iter()
                .chain(crate::model::enable::NAMES.iter())
                .copied()
                .collect();
            f.check_attrs(&names, &[])?;
            for (bit, name) in crate::model::disable::NAMES.iter().enumerate() {
                if let Some(i) = f.keyword(name, &["enable", "disable"])? {
                    if i == 1 {
                        o.disableflags |= 1 << bit;
                    } else {
                        o.disableflags &= !(1 << bit);
                    }
                }
            }
            for (bit, name) in crate::model::enable::NAMES.iter().enumerate() {
                if let Some(i) = f.keyword(name, &["disable", "enable"])? {
                    if i == 1 {
                        o.enableflags |= 1 << bit;
                    } else {
                        o.enableflags &= !(1 << bit);
                    }
                }
            }
        }
        if o.enableflags != 0 {
            return Err(c.err("enable flags (override, energy, fwdinv, ...) are not supported"));
        }
        Ok(())
    }

    /// A top-level `<default>` and the classes nested in it, each inheriting from its enclosing
    /// class. Iterative (a work list), so nesting depth is bounded by memory, not the stack.
    fn read_default(&mut self, top: &XmlNode) -> Result<()> {
        // (element, enclosing class, is top level), visited in document order.
        let mut work: Vec<(&XmlNode, String, bool)> = vec![(top, "main".to_string(), true)];
        while let Some((node, parent, is_top)) = work.pop() {
            let name = self.read_default_class(node, &parent, is_top)?;
            let nested = node.children.iter().filter(|c| c.tag == "default");
            let first = work.len();
            work.extend(nested.map(|c| (c, name.clone(), false)));
            work[first..].reverse();
        }
        Ok(())
    }

    /// One `<default>` element's own settings, as class `class` (or main) under `parent`; returns
    /// the class name its nested defaults inherit from.
    fn read_default_class(&mut self, node: &XmlNode, parent: &str, top: bool) -> Result<String> {
        node.check_attrs(&["class"], &[])?;
        let name = match node.attr("class") {
            Some(n) => n.to_string(),
            None if top => "main".to_string(),
            None => return Err(node.err("nested <default> needs a 'class'")),
        };
        if name != "main" && self.classes.contains_key(&name) {
            return Err(node.err(format!("default class '{name}' defined twice")));
        }
        let mut class = self.classes[parent].clone();
        if name != "main" {
            class.parent = Some(parent.to_string());
        }
        for c in &node.children {
            match c.tag.as_str() {
                "default" => {}
                "joint" => self.apply_joint(c, &mut class.joint, true)?,
                "geom" => self.apply_geom(c, &mut class.geom, true)?,
                "site" => self.apply_site(c, &mut class.site, true)?,
                "tendon" => apply_tendon(c, &mut class.tendon, true)?,
                "general" | "muscle" | "motor" => {
                    let mut chain = vec![class.actuator.clone()];
                    chain.extend(self.actuator_chain(class.parent.as_deref()));
                    apply_actuator(c, &mut class.actuator, &chain, true)?
                }
                "equality" => apply_equality(c, &mut class.equality, true)?,
                "pair" => apply_pair(c, &mut class.pair, true)?,
                "mesh" => {
                    c.check_attrs(&["scale"], &[])?;
                    c.read_arr("scale", &mut class.mesh_scale)?;
                }
                // Defaults of objects that never change the physics.
                "material" | "camera" | "light" | "texture" => {}
                other => return Err(c.err(format!("unsupported default element <{other}>"))),
            }
        }
        self.classes.insert(name.clone(), class);
        Ok(name)
    }

    /// The default class an element uses: its own `class`, else the enclosing childclass, else main.
    fn class_of(&self, node: &XmlNode, childclass: Option<&str>) -> Result<&DefaultClass> {
        let name = node.attr("class").or(childclass).unwrap_or("main");
        self.classes.get(name).ok_or_else(|| node.err(format!("unknown default class '{name}'")))
    }

    /// Actuator slots of `class` and its ancestors, nearest first.
    fn actuator_chain(&self, class: Option<&str>) -> Vec<ActuatorSpec> {
        let mut out = Vec::new();
        let mut cur = class;
        while let Some(name) = cur {
            let Some(c) = self.classes.get(name) else {
                break;
            };
            out.push(c.actuator.clone());
            cur = c.parent.as_deref();
        }
        out
    }
}

/// `stiffness`/`damping`: a value and up to two polynomial coefficients (MuJoCo 4), which sinew
/// does not simulate: nonzero coefficients are refused.
pub(super) fn read_poly(c: &XmlNode, name: &str, dst: &mut f64) -> Result<()> {
    if let Some(v) = c.numbers(name, 1, 3)? {
        if v[1..].iter().any(|x| *x != 0.0) {
            return Err(c.err(format!("attribute '{name}': polynomial coefficients are not supported")));
        }
        *dst = v[0];
    }
    Ok(())
}

pub(super) fn required(c: &XmlNode, name: &str) -> Result<String> {
    c.attr(name).map(str::to_string).ok_or_else(|| c.err(format!("missing attribute '{name}'")))
}

/// Read `rgba` and `material` into `look` (the renderer's colour; see [`Look`]).
fn read_look(c: &XmlNode, look: &mut Look) -> Result<()> {
    c.read_arr("rgba", &mut look.rgba)?;
    if let Some(m) = c.attr("material") {
        look.material = Some(m.to_string());
    }
    Ok(())
}
