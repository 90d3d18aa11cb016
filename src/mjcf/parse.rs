//! XML tree → typed [`MjcfSpec`]: default classes and childclass resolved, frames folded into the
//! elements they enclose, every attribute checked (unknown physics attributes are errors).

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
/// Attributes that only affect rendering; accepted wherever MuJoCo accepts them and dropped.
const COSMETIC: [&str; 4] = ["rgba", "material", "group", "user"];

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
                loc: loc.clone(),
            },
            site: SiteSpec {
                name: String::new(),
                kind: GeomType::Sphere,
                size: [0.005; 3],
                pos: [0.0; 3],
                quat: math::QUAT_IDENTITY,
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
                path: Vec::new(),
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
    const IDENTITY: Frame = Frame {
        pos: [0.0; 3],
        quat: math::QUAT_IDENTITY,
    };
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
    let mut p = Parser {
        compiler: CompilerSpec::default(),
        classes: HashMap::new(),
    };
    // <compiler> first: angle units and eulerseq are needed to read orientations.
    for c in root.children.iter().filter(|c| c.tag == "compiler") {
        p.read_compiler(c)?;
    }
    let root_loc = root.loc();
    p.classes
        .insert("main".into(), DefaultClass::main(&root_loc));
    for c in root.children.iter().filter(|c| c.tag == "default") {
        p.read_default(c, "main", true)?;
    }
    let mut spec = MjcfSpec {
        name: root.attr("model").unwrap_or("").to_string(),
        dir: main_file.parent().unwrap_or(Path::new(".")).to_path_buf(),
        compiler: p.compiler.clone(),
        option: Options::default(),
        world: BodySpec {
            name: "world".into(),
            pos: [0.0; 3],
            quat: math::QUAT_IDENTITY,
            written_pose: ([0.0; 3], math::QUAT_IDENTITY),
            inertial: None,
            joints: vec![],
            geoms: vec![],
            sites: vec![],
            children: vec![],
            loc: root_loc.clone(),
        },
        meshes: vec![],
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
            "asset" => p.read_assets(c, &mut spec.meshes)?,
            "worldbody" => {
                c.check_attrs(&[], &[])?;
                let mut world = std::mem::replace(&mut spec.world, dummy_body(&root_loc));
                p.read_body_children(c, &mut world, Frame::IDENTITY, None, true)?;
                spec.world = world;
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

fn dummy_body(loc: &Location) -> BodySpec {
    BodySpec {
        name: String::new(),
        pos: [0.0; 3],
        quat: math::QUAT_IDENTITY,
        written_pose: ([0.0; 3], math::QUAT_IDENTITY),
        inertial: None,
        joints: vec![],
        geoms: vec![],
        sites: vec![],
        children: vec![],
        loc: loc.clone(),
    }
}

impl Parser {
    fn read_compiler(&mut self, c: &XmlNode) -> Result<()> {
        c.check_attrs(
            &[
                "angle",
                "eulerseq",
                "meshdir",
                "assetdir",
                "texturedir",
                "inertiafromgeom",
                "inertiagrouprange",
                "autolimits",
                "balanceinertia",
                "boundmass",
                "boundinertia",
                "coordinate",
                "strippath",
                "discardvisual",
                "fusestatic",
                "usethread",
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
                "timestep",
                "gravity",
                "integrator",
                "solver",
                "iterations",
                "ls_iterations",
                "tolerance",
                "ls_tolerance",
                "cone",
                "impratio",
                "noslip_iterations",
                "wind",
                "density",
                "viscosity",
                "magnetic",
                "jacobian",
                "apirate",
                "ccd_iterations",
                "ccd_tolerance",
                "sdf_iterations",
                "sdf_initpoints",
                "o_margin",
                "o_solref",
                "o_solimp",
                "o_friction",
                "noslip_tolerance",
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
            o.solver = [
                crate::model::Solver::Pgs,
                crate::model::Solver::Cg,
                crate::model::Solver::Newton,
            ][i];
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

    fn read_default(&mut self, node: &XmlNode, parent: &str, top: bool) -> Result<()> {
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
        let mut nested = Vec::new();
        for c in &node.children {
            match c.tag.as_str() {
                "default" => nested.push(c),
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
        for c in nested {
            self.read_default(c, &name, false)?;
        }
        Ok(())
    }

    /// The default class an element uses: its own `class`, else the enclosing childclass, else main.
    fn class_of(&self, node: &XmlNode, childclass: Option<&str>) -> Result<&DefaultClass> {
        let name = node.attr("class").or(childclass).unwrap_or("main");
        self.classes
            .get(name)
            .ok_or_else(|| node.err(format!("unknown default class '{name}'")))
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

    /// Convert an angle as written (compiler `angle`) to radians, as MuJoCo does (a/180·π).
    fn radians(&self, a: f64) -> f64 {
        if self.compiler.degrees {
            a / 180.0 * std::f64::consts::PI
        } else {
            a
        }
    }

    /// Read at most one orientation attribute into a unit quaternion (MuJoCo's compiler rules).
    fn orientation(&self, node: &XmlNode) -> Result<Option<Quat>> {
        let given: Vec<&str> = ORIENT_ATTRS
            .iter()
            .copied()
            .filter(|a| node.attr(a).is_some())
            .collect();
        if given.len() > 1 {
            return Err(node.err(format!(
                "more than one orientation given ({})",
                given.join(", ")
            )));
        }
        let q = if let Some(v) = node.numbers("quat", 4, 4)? {
            let mut q = [v[0], v[1], v[2], v[3]];
            if math::normalize_compiler(&mut q) < math::EPS {
                return Err(node.err("attribute 'quat': zero quaternion"));
            }
            q
        } else if let Some(v) = node.numbers("euler", 3, 3)? {
            let mut q = math::QUAT_IDENTITY;
            for i in 0..3 {
                let h = self.radians(v[i]) / 2.0;
                let mut r = [h.cos(), 0.0, 0.0, 0.0];
                let axis = self.compiler.eulerseq[i];
                r[1 + (axis.to_ascii_lowercase() - b'x') as usize] = h.sin();
                q = if axis.is_ascii_lowercase() {
                    math::mul_quat_compiler(q, r)
                } else {
                    math::mul_quat_compiler(r, q)
                };
            }
            math::normalize_compiler(&mut q);
            q
        } else if let Some(v) = node.numbers("axisangle", 4, 4)? {
            let mut a = [v[0], v[1], v[2]];
            if math::normalize_compiler(&mut a) < math::EPS {
                return Err(node.err("attribute 'axisangle': zero axis"));
            }
            let h = self.radians(v[3]) / 2.0;
            let s = h.sin();
            [h.cos(), a[0] * s, a[1] * s, a[2] * s]
        } else if let Some(v) = node.numbers("zaxis", 3, 3)? {
            let mut z = [v[0], v[1], v[2]];
            if math::normalize_compiler(&mut z) < math::EPS {
                return Err(node.err("attribute 'zaxis': zero vector"));
            }
            math::z2quat_compiler(z)
        } else if let Some(v) = node.numbers("xyaxes", 6, 6)? {
            let mut x = [v[0], v[1], v[2]];
            if math::normalize_compiler(&mut x) < math::EPS {
                return Err(node.err("attribute 'xyaxes': zero x axis"));
            }
            let mut y = [v[3], v[4], v[5]];
            let d = math::dot3(x, y);
            y = math::sub3(y, math::scale3(x, d));
            if math::normalize_compiler(&mut y) < math::EPS {
                return Err(node.err("attribute 'xyaxes': axes are parallel"));
            }
            let mut z = math::cross3(x, y);
            if math::normalize_compiler(&mut z) < math::EPS {
                return Err(node.err("attribute 'xyaxes': degenerate frame"));
            }
            math::frame2quat(x, y, z)
        } else {
            return Ok(None);
        };
        Ok(Some(q))
    }

    fn apply_joint(&self, c: &XmlNode, j: &mut JointSpec, is_default: bool) -> Result<()> {
        c.check_attrs(
            &[
                "name",
                "class",
                "type",
                "pos",
                "axis",
                "range",
                "limited",
                "ref",
                "springref",
                "stiffness",
                "damping",
                "armature",
                "frictionloss",
                "margin",
                "solreflimit",
                "solimplimit",
                "solreffriction",
                "solimpfriction",
            ],
            &["group", "user"],
        )?;
        c.check_no_children()?;
        if !is_default {
            c.read_string("name", &mut j.name);
        }
        if let Some(i) = c.keyword("type", &["free", "ball", "slide", "hinge"])? {
            j.kind = [
                JointType::Free,
                JointType::Ball,
                JointType::Slide,
                JointType::Hinge,
            ][i];
        }
        c.read_arr("pos", &mut j.pos)?;
        c.read_arr("axis", &mut j.axis)?;
        if let Some(v) = c.numbers("range", 2, 2)? {
            j.range = Some([v[0], v[1]]);
        }
        c.read_tristate("limited", &mut j.limited)?;
        c.read_f64("ref", &mut j.reference)?;
        c.read_f64("springref", &mut j.springref)?;
        read_poly(c, "stiffness", &mut j.stiffness)?;
        read_poly(c, "damping", &mut j.damping)?;
        c.read_f64("armature", &mut j.armature)?;
        c.read_f64("frictionloss", &mut j.frictionloss)?;
        c.read_f64("margin", &mut j.margin)?;
        c.read_prefix("solreflimit", &mut j.solref)?;
        c.read_prefix("solimplimit", &mut j.solimp)?;
        j.loc = c.loc();
        Ok(())
    }

    fn apply_geom(&self, c: &XmlNode, g: &mut GeomSpec, is_default: bool) -> Result<()> {
        c.check_attrs(
            &[
                "name",
                "class",
                "type",
                "size",
                "pos",
                "quat",
                "euler",
                "axisangle",
                "zaxis",
                "xyaxes",
                "fromto",
                "mesh",
                "contype",
                "conaffinity",
                "condim",
                "priority",
                "friction",
                "solmix",
                "solref",
                "solimp",
                "margin",
                "gap",
                "mass",
                "density",
            ],
            &COSMETIC,
        )?;
        c.check_no_children()?;
        if !is_default {
            c.read_string("name", &mut g.name);
        }
        let types = [
            "plane",
            "hfield",
            "sphere",
            "capsule",
            "ellipsoid",
            "cylinder",
            "box",
            "mesh",
            "sdf",
        ];
        if let Some(i) = c.keyword("type", &types)? {
            g.kind = match i {
                0 => GeomType::Plane,
                2 => GeomType::Sphere,
                3 => GeomType::Capsule,
                4 => GeomType::Ellipsoid,
                5 => GeomType::Cylinder,
                6 => GeomType::Box,
                7 => GeomType::Mesh,
                _ => return Err(c.err(format!("geom type '{}' is not supported", types[i]))),
            };
        }
        c.read_prefix("size", &mut g.size)?;
        c.read_arr("pos", &mut g.pos)?;
        if let Some(q) = self.orientation(c)? {
            g.quat = q;
        }
        if let Some(m) = c.attr("mesh") {
            g.mesh = Some(m.to_string());
        }
        c.read_int("contype", &mut g.contype)?;
        c.read_int("conaffinity", &mut g.conaffinity)?;
        c.read_int("condim", &mut g.condim)?;
        if ![1, 3, 4, 6].contains(&g.condim) {
            return Err(c.err(format!(
                "attribute 'condim': must be 1, 3, 4 or 6, got {}",
                g.condim
            )));
        }
        c.read_int("group", &mut g.group)?;
        c.read_int("priority", &mut g.priority)?;
        c.read_prefix("friction", &mut g.friction)?;
        c.read_f64("solmix", &mut g.solmix)?;
        c.read_prefix("solref", &mut g.solref)?;
        c.read_prefix("solimp", &mut g.solimp)?;
        c.read_f64("margin", &mut g.margin)?;
        c.read_f64("gap", &mut g.gap)?;
        if let Some(m) = c.opt_f64("mass")? {
            g.mass = Some(m);
        }
        c.read_f64("density", &mut g.density)?;
        if let Some(ft) = c.numbers("fromto", 6, 6)? {
            if is_default {
                return Err(c.err("'fromto' is not allowed in defaults"));
            }
            // MuJoCo: fromto replaces pos (which must then be zero) and any orientation.
            if c.numbers("pos", 3, 3)?
                .is_some_and(|p| p != [0.0, 0.0, 0.0])
            {
                return Err(c.err("both 'pos' and 'fromto' given"));
            }
            let (pos, quat, half) =
                fromto_frame(&ft).ok_or_else(|| c.err("'fromto': zero length"))?;
            g.pos = pos;
            g.quat = quat;
            g.size[1] = half;
            match g.kind {
                GeomType::Capsule | GeomType::Cylinder => {}
                GeomType::Box | GeomType::Ellipsoid => {
                    g.size[2] = g.size[1];
                    g.size[1] = g.size[0];
                }
                _ => return Err(c.err("'fromto' needs a capsule, cylinder, box or ellipsoid")),
            }
        }
        g.loc = c.loc();
        Ok(())
    }

    fn apply_site(&self, c: &XmlNode, s: &mut SiteSpec, is_default: bool) -> Result<()> {
        c.check_attrs(
            &[
                "name",
                "class",
                "type",
                "size",
                "pos",
                "quat",
                "euler",
                "axisangle",
                "zaxis",
                "xyaxes",
                "fromto",
            ],
            &COSMETIC,
        )?;
        c.check_no_children()?;
        if !is_default {
            c.read_string("name", &mut s.name);
        }
        if let Some(i) = c.keyword(
            "type",
            &["sphere", "capsule", "ellipsoid", "cylinder", "box"],
        )? {
            s.kind = [
                GeomType::Sphere,
                GeomType::Capsule,
                GeomType::Ellipsoid,
                GeomType::Cylinder,
                GeomType::Box,
            ][i];
        }
        c.read_prefix("size", &mut s.size)?;
        c.read_arr("pos", &mut s.pos)?;
        if let Some(q) = self.orientation(c)? {
            s.quat = q;
        }
        if let Some(ft) = c.numbers("fromto", 6, 6)? {
            let (pos, quat, half) =
                fromto_frame(&ft).ok_or_else(|| c.err("'fromto': zero length"))?;
            s.pos = pos;
            s.quat = quat;
            s.size[1] = half;
            if matches!(s.kind, GeomType::Box | GeomType::Ellipsoid) {
                s.size[2] = s.size[1];
                s.size[1] = s.size[0];
            }
        }
        s.loc = c.loc();
        Ok(())
    }

    fn read_body_children(
        &self,
        node: &XmlNode,
        body: &mut BodySpec,
        frame: Frame,
        childclass: Option<&str>,
        is_world: bool,
    ) -> Result<()> {
        for c in &node.children {
            match c.tag.as_str() {
                "inertial" => {
                    if is_world {
                        return Err(c.err("the world body cannot have an <inertial>"));
                    }
                    if body.inertial.is_some() {
                        return Err(c.err("a body can have only one <inertial>"));
                    }
                    body.inertial = Some(self.read_inertial(c)?);
                }
                "joint" | "freejoint" => {
                    if is_world {
                        return Err(c.err("the world body cannot have joints"));
                    }
                    let mut j = if c.tag == "joint" {
                        let mut j = self.class_of(c, childclass)?.joint.clone();
                        self.apply_joint(c, &mut j, false)?;
                        j
                    } else {
                        c.check_attrs(&["name"], &["group"])?;
                        c.check_no_children()?;
                        let mut j = self.classes["main"].joint.clone();
                        j.kind = JointType::Free;
                        j.name = c.attr("name").unwrap_or("").to_string();
                        j.loc = c.loc();
                        // A freejoint carries no damping/armature from defaults.
                        j.damping = 0.0;
                        j.armature = 0.0;
                        j.stiffness = 0.0;
                        j.frictionloss = 0.0;
                        j.limited = TriState::False;
                        j
                    };
                    if frame.pos != [0.0; 3] || frame.quat != math::QUAT_IDENTITY {
                        j.pos = math::add3(
                            frame.pos,
                            math::mul_mat_vec3(&math::quat2mat(frame.quat), j.pos),
                        );
                        j.axis = math::mul_mat_vec3(&math::quat2mat(frame.quat), j.axis);
                    }
                    body.joints.push(j);
                }
                "geom" => {
                    let mut g = self.class_of(c, childclass)?.geom.clone();
                    self.apply_geom(c, &mut g, false)?;
                    (g.pos, g.quat) = frame.apply(g.pos, g.quat);
                    body.geoms.push(g);
                }
                "site" => {
                    let mut s = self.class_of(c, childclass)?.site.clone();
                    self.apply_site(c, &mut s, false)?;
                    (s.pos, s.quat) = frame.apply(s.pos, s.quat);
                    body.sites.push(s);
                }
                "body" => {
                    c.check_attrs(
                        &[
                            "name",
                            "childclass",
                            "pos",
                            "quat",
                            "euler",
                            "axisangle",
                            "zaxis",
                            "xyaxes",
                            "mocap",
                            "gravcomp",
                        ],
                        &["user"],
                    )?;
                    let mut mocap = false;
                    c.read_bool("mocap", &mut mocap)?;
                    if mocap {
                        return Err(c.err("mocap bodies are not supported"));
                    }
                    if c.opt_f64("gravcomp")?.is_some_and(|g| g != 0.0) {
                        return Err(c.err("gravity compensation (gravcomp) is not supported"));
                    }
                    let cc = c.attr("childclass").or(childclass);
                    if let Some(name) = cc
                        && !self.classes.contains_key(name)
                    {
                        return Err(c.err(format!("unknown default class '{name}'")));
                    }
                    let mut pos = [0.0; 3];
                    c.read_arr("pos", &mut pos)?;
                    let quat = self.orientation(c)?.unwrap_or(math::QUAT_IDENTITY);
                    let written_pose = (pos, quat);
                    let (pos, quat) = frame.apply(pos, quat);
                    let mut child = BodySpec {
                        name: c.attr("name").unwrap_or("").to_string(),
                        pos,
                        quat,
                        written_pose,
                        inertial: None,
                        joints: vec![],
                        geoms: vec![],
                        sites: vec![],
                        children: vec![],
                        loc: c.loc(),
                    };
                    self.read_body_children(c, &mut child, Frame::IDENTITY, cc, false)?;
                    body.children.push(child);
                }
                "frame" => {
                    c.check_attrs(
                        &[
                            "name",
                            "childclass",
                            "pos",
                            "quat",
                            "euler",
                            "axisangle",
                            "zaxis",
                            "xyaxes",
                        ],
                        &[],
                    )?;
                    let cc = c.attr("childclass").or(childclass);
                    if let Some(name) = cc
                        && !self.classes.contains_key(name)
                    {
                        return Err(c.err(format!("unknown default class '{name}'")));
                    }
                    let mut pos = [0.0; 3];
                    c.read_arr("pos", &mut pos)?;
                    let quat = self.orientation(c)?.unwrap_or(math::QUAT_IDENTITY);
                    let (pos, quat) = frame.apply(pos, quat);
                    self.read_body_children(c, body, Frame { pos, quat }, cc, is_world)?;
                }
                "camera" | "light" => {}
                other => return Err(c.err(format!("unsupported element <{other}> in a body"))),
            }
        }
        Ok(())
    }

    fn read_inertial(&self, c: &XmlNode) -> Result<InertialSpec> {
        c.check_attrs(
            &[
                "pos",
                "quat",
                "euler",
                "axisangle",
                "zaxis",
                "xyaxes",
                "mass",
                "diaginertia",
                "fullinertia",
            ],
            &[],
        )?;
        c.check_no_children()?;
        let mut pos = [0.0; 3];
        if !c.read_arr("pos", &mut pos)? {
            return Err(c.err("missing attribute 'pos'"));
        }
        let Some(mass) = c.opt_f64("mass")? else {
            return Err(c.err("missing attribute 'mass'"));
        };
        let diag = c.numbers("diaginertia", 3, 3)?.map(|v| [v[0], v[1], v[2]]);
        let full = c
            .numbers("fullinertia", 6, 6)?
            .map(|v| [v[0], v[1], v[2], v[3], v[4], v[5]]);
        if diag.is_some() == full.is_some() {
            return Err(c.err("give exactly one of 'diaginertia' and 'fullinertia'"));
        }
        let quat = self.orientation(c)?;
        if full.is_some() && quat.is_some() {
            return Err(c.err("'fullinertia' cannot be combined with an orientation"));
        }
        Ok(InertialSpec {
            pos,
            quat: quat.unwrap_or(math::QUAT_IDENTITY),
            mass,
            diaginertia: diag,
            fullinertia: full,
            loc: c.loc(),
        })
    }

    fn read_assets(&self, node: &XmlNode, meshes: &mut Vec<MeshSpec>) -> Result<()> {
        node.check_attrs(&[], &[])?;
        for c in &node.children {
            match c.tag.as_str() {
                "mesh" => {
                    c.check_attrs(
                        &["name", "class", "file", "scale", "content_type", "inertia"],
                        &[],
                    )?;
                    c.check_no_children()?;
                    let mut scale = self.class_of(c, None)?.mesh_scale;
                    c.read_arr("scale", &mut scale)?;
                    let Some(file) = c.attr("file") else {
                        return Err(
                            c.err("mesh without 'file' (inline vertex meshes are not supported)")
                        );
                    };
                    let content_type = c.attr("content_type").map(str::to_string);
                    if let Some(t) = &content_type
                        && t != "model/stl"
                        && t != "model/vnd.mujoco.msh"
                    {
                        return Err(c.err(format!(
                            "mesh content_type '{t}' is not supported (binary STL or MSH)"
                        )));
                    }
                    let ext = Path::new(file)
                        .extension()
                        .map(|e| e.to_string_lossy().to_lowercase());
                    if content_type.is_none()
                        && !matches!(ext.as_deref(), Some("stl") | Some("msh"))
                    {
                        return Err(c.err(format!(
                            "mesh file '{file}': only binary STL and MSH are supported"
                        )));
                    }
                    if c.keyword("inertia", &["legacy", "convex", "exact", "shell"])?
                        .is_some_and(|i| i != 0)
                    {
                        return Err(
                            c.err("mesh inertia modes other than 'legacy' are not supported")
                        );
                    }
                    let name = match c.attr("name") {
                        Some(n) => n.to_string(),
                        None => Path::new(file)
                            .file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                    };
                    meshes.push(MeshSpec {
                        name,
                        file: file.to_string(),
                        scale,
                        content_type,
                        loc: c.loc(),
                    });
                }
                "texture" | "material" => {}
                other => return Err(c.err(format!("unsupported asset <{other}>"))),
            }
        }
        Ok(())
    }

    fn read_tendons(&self, node: &XmlNode, out: &mut Vec<TendonSpec>) -> Result<()> {
        node.check_attrs(&[], &[])?;
        for c in &node.children {
            let spatial = match c.tag.as_str() {
                "spatial" => true,
                "fixed" => false,
                other => return Err(c.err(format!("unsupported tendon <{other}>"))),
            };
            let mut t = self.class_of(c, None)?.tendon.clone();
            apply_tendon(c, &mut t, false)?;
            t.spatial = spatial;
            for e in &c.children {
                let item = match (spatial, e.tag.as_str()) {
                    (true, "site") => {
                        e.check_attrs(&["site"], &[])?;
                        e.check_no_children()?;
                        PathSpec::Site(required(e, "site")?, e.loc())
                    }
                    (true, "geom") => {
                        e.check_attrs(&["geom", "sidesite"], &[])?;
                        e.check_no_children()?;
                        PathSpec::Geom(
                            required(e, "geom")?,
                            e.attr("sidesite").map(str::to_string),
                            e.loc(),
                        )
                    }
                    (true, "pulley") => {
                        e.check_attrs(&["divisor"], &[])?;
                        e.check_no_children()?;
                        let d = e
                            .opt_f64("divisor")?
                            .ok_or_else(|| e.err("missing attribute 'divisor'"))?;
                        if d <= 0.0 {
                            return Err(e.err("attribute 'divisor' must be positive"));
                        }
                        PathSpec::Pulley(d, e.loc())
                    }
                    (false, "joint") => {
                        e.check_attrs(&["joint", "coef"], &[])?;
                        e.check_no_children()?;
                        let coef = e
                            .opt_f64("coef")?
                            .ok_or_else(|| e.err("missing attribute 'coef'"))?;
                        PathSpec::Joint(required(e, "joint")?, coef, e.loc())
                    }
                    (_, other) => {
                        return Err(e.err(format!("unsupported tendon path element <{other}>")));
                    }
                };
                t.path.push(item);
            }
            out.push(t);
        }
        Ok(())
    }

    fn read_actuators(&self, node: &XmlNode, out: &mut Vec<ActuatorSpec>) -> Result<()> {
        node.check_attrs(&[], &[])?;
        for c in &node.children {
            if !["general", "muscle", "motor"].contains(&c.tag.as_str()) {
                return Err(c.err(format!("unsupported actuator <{}>", c.tag)));
            }
            let class = self.class_of(c, None)?;
            let mut a = class.actuator.clone();
            let class_name = c.attr("class").unwrap_or("main");
            let chain = self.actuator_chain(Some(class_name));
            apply_actuator(c, &mut a, &chain, false)?;
            out.push(a);
        }
        Ok(())
    }

    fn read_equalities(&self, node: &XmlNode, out: &mut Vec<EqualitySpec>) -> Result<()> {
        node.check_attrs(&[], &[])?;
        for c in &node.children {
            let mut e = self.class_of(c, None)?.equality.clone();
            match c.tag.as_str() {
                "joint" => {
                    apply_equality(c, &mut e, false)?;
                    e.kind = EqType::Joint;
                    e.obj1 = required(c, "joint1")?;
                    e.obj2 = c.attr("joint2").map(str::to_string);
                }
                // Parsed so the file loads into `info`; the compiler refuses to simulate them.
                "weld" | "connect" => {
                    c.check_attrs(
                        &[
                            "name",
                            "class",
                            "body1",
                            "body2",
                            "site1",
                            "site2",
                            "anchor",
                            "relpose",
                            "torquescale",
                            "active",
                            "solref",
                            "solimp",
                        ],
                        &[],
                    )?;
                    e.kind = if c.tag == "weld" {
                        EqType::Weld
                    } else {
                        EqType::Connect
                    };
                    e.name = c.attr("name").unwrap_or("").to_string();
                    e.obj1 = c
                        .attr("body1")
                        .or(c.attr("site1"))
                        .unwrap_or("")
                        .to_string();
                    e.obj2 = c.attr("body2").or(c.attr("site2")).map(str::to_string);
                    e.loc = c.loc();
                }
                other => return Err(c.err(format!("unsupported equality <{other}>"))),
            }
            out.push(e);
        }
        Ok(())
    }

    fn read_contact(
        &self,
        node: &XmlNode,
        pairs: &mut Vec<PairSpec>,
        excludes: &mut Vec<(String, String, Location)>,
    ) -> Result<()> {
        node.check_attrs(&[], &[])?;
        for c in &node.children {
            match c.tag.as_str() {
                "pair" => {
                    let mut p = self.class_of(c, None)?.pair.clone();
                    apply_pair(c, &mut p, false)?;
                    p.geom1 = required(c, "geom1")?;
                    p.geom2 = required(c, "geom2")?;
                    pairs.push(p);
                }
                "exclude" => {
                    c.check_attrs(&["name", "body1", "body2"], &[])?;
                    c.check_no_children()?;
                    excludes.push((required(c, "body1")?, required(c, "body2")?, c.loc()));
                }
                other => return Err(c.err(format!("unsupported contact element <{other}>"))),
            }
        }
        Ok(())
    }

    fn read_keys(&self, node: &XmlNode, out: &mut Vec<KeySpec>) -> Result<()> {
        node.check_attrs(&[], &[])?;
        for c in &node.children {
            if c.tag != "key" {
                return Err(c.err(format!("unsupported keyframe element <{}>", c.tag)));
            }
            c.check_attrs(&["name", "time", "qpos", "qvel", "act", "ctrl"], &[])?;
            c.check_no_children()?;
            let mut k = KeySpec {
                name: c.attr("name").unwrap_or("").to_string(),
                ..Default::default()
            };
            c.read_f64("time", &mut k.time)?;
            k.qpos = c.numbers("qpos", 1, usize::MAX)?;
            k.qvel = c.numbers("qvel", 1, usize::MAX)?;
            k.act = c.numbers("act", 1, usize::MAX)?;
            k.ctrl = c.numbers("ctrl", 1, usize::MAX)?;
            out.push(k);
        }
        Ok(())
    }

    fn read_sensors(&self, node: &XmlNode, out: &mut Vec<SensorSpec>) -> Result<()> {
        node.check_attrs(&[], &[])?;
        for c in &node.children {
            let (kind, objname, objtype) = match c.tag.as_str() {
                "touch" => {
                    c.check_attrs(&["name", "site", "cutoff", "noise"], &["user"])?;
                    c.check_no_children()?;
                    (SensorType::Touch, required(c, "site")?, "site".to_string())
                }
                "framelinvel" | "frameangvel" => {
                    c.check_attrs(
                        &["name", "objtype", "objname", "cutoff", "noise"],
                        &["user"],
                    )?;
                    c.check_no_children()?;
                    let kind = if c.tag == "framelinvel" {
                        SensorType::FrameLinVel
                    } else {
                        SensorType::FrameAngVel
                    };
                    let t = c
                        .keyword("objtype", &["body", "xbody", "geom", "site", "camera"])?
                        .ok_or_else(|| c.err("missing attribute 'objtype'"))?;
                    let t = ["body", "xbody", "geom", "site", "camera"][t].to_string();
                    (kind, required(c, "objname")?, t)
                }
                other => return Err(c.err(format!("unsupported sensor <{other}>"))),
            };
            out.push(SensorSpec {
                name: c.attr("name").unwrap_or("").to_string(),
                kind,
                objname,
                objtype,
                loc: c.loc(),
            });
        }
        Ok(())
    }
}

/// `stiffness`/`damping`: a value and up to two polynomial coefficients (MuJoCo 4), which sinew
/// does not simulate: nonzero coefficients are refused.
fn read_poly(c: &XmlNode, name: &str, dst: &mut f64) -> Result<()> {
    if let Some(v) = c.numbers(name, 1, 3)? {
        if v[1..].iter().any(|x| *x != 0.0) {
            return Err(c.err(format!(
                "attribute '{name}': polynomial coefficients are not supported"
            )));
        }
        *dst = v[0];
    }
    Ok(())
}

fn required(c: &XmlNode, name: &str) -> Result<String> {
    c.attr(name)
        .map(str::to_string)
        .ok_or_else(|| c.err(format!("missing attribute '{name}'")))
}

/// Frame of a `fromto` segment as MuJoCo's compiler makes it: midpoint, the quaternion taking z to
/// (from − to), half length. `None` for a zero-length segment.
fn fromto_frame(ft: &[f64]) -> Option<(Vec3, Quat, f64)> {
    let mut v = [ft[0] - ft[3], ft[1] - ft[4], ft[2] - ft[5]];
    let len = math::normalize_compiler(&mut v);
    let half = len / 2.0;
    if half < math::EPS {
        return None;
    }
    let pos = [
        (ft[0] + ft[3]) / 2.0,
        (ft[1] + ft[4]) / 2.0,
        (ft[2] + ft[5]) / 2.0,
    ];
    Some((pos, math::z2quat_compiler(v), half))
}

fn apply_tendon(c: &XmlNode, t: &mut TendonSpec, is_default: bool) -> Result<()> {
    c.check_attrs(
        &[
            "name",
            "class",
            "limited",
            "range",
            "stiffness",
            "damping",
            "frictionloss",
            "margin",
            "springlength",
            "solreflimit",
            "solimplimit",
            "solreffriction",
            "solimpfriction",
        ],
        &["rgba", "material", "group", "user", "width"],
    )?;
    if !is_default {
        c.read_string("name", &mut t.name);
    }
    c.read_tristate("limited", &mut t.limited)?;
    if let Some(v) = c.numbers("range", 2, 2)? {
        t.range = Some([v[0], v[1]]);
    }
    read_poly(c, "stiffness", &mut t.stiffness)?;
    read_poly(c, "damping", &mut t.damping)?;
    c.read_f64("frictionloss", &mut t.frictionloss)?;
    c.read_f64("margin", &mut t.margin)?;
    if let Some(v) = c.numbers("springlength", 1, 2)? {
        t.springlength = if v.len() == 1 {
            [v[0], v[0]]
        } else {
            [v[0], v[1]]
        };
    }
    t.loc = c.loc();
    Ok(())
}

/// `<general>`, `<muscle>` and `<motor>` all write one actuator record. Shortcuts follow MuJoCo 4:
/// a `<muscle>` takes its parameters from the nearest slot in `chain` (the class, then its
/// ancestors) last written as a muscle (or as a `<general>` with muscle gain), else the documented
/// muscle defaults; explicit attributes override; then the full muscle table is written.
fn apply_actuator(
    c: &XmlNode,
    a: &mut ActuatorSpec,
    chain: &[ActuatorSpec],
    is_default: bool,
) -> Result<()> {
    let common = [
        "name",
        "class",
        "tendon",
        "joint",
        "ctrllimited",
        "ctrlrange",
        "forcelimited",
        "forcerange",
        "actlimited",
        "actrange",
        "lengthrange",
        "gear",
    ];
    let extra: &[&str] = match c.tag.as_str() {
        "general" => &[
            "dyntype", "gaintype", "biastype", "dynprm", "gainprm", "biasprm", "actearly", "actdim",
        ],
        "muscle" => &[
            "timeconst",
            "tausmooth",
            "range",
            "force",
            "scale",
            "lmin",
            "lmax",
            "vmax",
            "fpmax",
            "fvmax",
        ],
        _ => &[],
    };
    let known: Vec<&str> = common.iter().chain(extra.iter()).copied().collect();
    c.check_attrs(&known, &["group", "user"])?;
    c.check_no_children()?;
    if !is_default {
        c.read_string("name", &mut a.name);
        a.tendon = c.attr("tendon").map(str::to_string);
        a.joint = c.attr("joint").map(str::to_string);
    }
    c.read_tristate("ctrllimited", &mut a.ctrllimited)?;
    c.read_tristate("forcelimited", &mut a.forcelimited)?;
    c.read_tristate("actlimited", &mut a.actlimited)?;
    for (attr, dst) in [
        ("ctrlrange", &mut a.ctrlrange),
        ("forcerange", &mut a.forcerange),
        ("actrange", &mut a.actrange),
        ("lengthrange", &mut a.lengthrange),
    ] {
        if let Some(v) = c.numbers(attr, 2, 2)? {
            *dst = Some([v[0], v[1]]);
        }
    }
    c.read_prefix("gear", &mut a.gear)?;
    match c.tag.as_str() {
        "general" => {
            if let Some(i) = c.keyword(
                "dyntype",
                &[
                    "none",
                    "integrator",
                    "filter",
                    "filterexact",
                    "muscle",
                    "user",
                ],
            )? {
                a.dyntype = match i {
                    0 => DynType::None,
                    1 => DynType::Integrator,
                    2 => DynType::Filter,
                    3 => DynType::FilterExact,
                    4 => DynType::Muscle,
                    _ => return Err(c.err("dyntype 'user' is not supported")),
                };
            }
            if let Some(i) = c.keyword("gaintype", &["fixed", "affine", "muscle", "user"])? {
                a.gaintype = match i {
                    0 => GainType::Fixed,
                    1 => GainType::Affine,
                    2 => GainType::Muscle,
                    _ => return Err(c.err("gaintype 'user' is not supported")),
                };
            }
            if let Some(i) = c.keyword("biastype", &["none", "affine", "muscle", "user"])? {
                a.biastype = match i {
                    0 => BiasType::None,
                    1 => BiasType::Affine,
                    2 => BiasType::Muscle,
                    _ => return Err(c.err("biastype 'user' is not supported")),
                };
            }
            c.read_prefix("dynprm", &mut a.dynprm)?;
            c.read_prefix("gainprm", &mut a.gainprm)?;
            c.read_prefix("biasprm", &mut a.biasprm)?;
            let mut early = false;
            c.read_bool("actearly", &mut early)?;
            if early {
                return Err(c.err("actearly=\"true\" is not supported"));
            }
            a.tag = ActuatorTag::General;
            let mut actdim: i64 = -1;
            c.read_int("actdim", &mut actdim)?;
            if actdim > 1 {
                return Err(c.err("actdim > 1 is not supported"));
            }
        }
        "muscle" => {
            let source = chain.iter().find(|s| {
                s.tag == ActuatorTag::Muscle
                    || (s.tag == ActuatorTag::General && s.gaintype == GainType::Muscle)
            });
            let (mut dynp, mut gain) = match source {
                Some(s) => ([s.dynprm[0], s.dynprm[1], s.dynprm[2]], s.gainprm),
                None => (
                    [0.01, 0.04, 0.0],
                    prm10(&[0.75, 1.05, -1.0, 200.0, 0.5, 1.6, 1.5, 1.3, 1.2]),
                ),
            };
            if let Some(v) = c.numbers("timeconst", 2, 2)? {
                dynp[0] = v[0];
                dynp[1] = v[1];
            }
            c.read_f64("tausmooth", &mut dynp[2])?;
            if let Some(v) = c.numbers("range", 2, 2)? {
                gain[0] = v[0];
                gain[1] = v[1];
            }
            for (i, attr) in ["force", "scale", "lmin", "lmax", "vmax", "fpmax", "fvmax"]
                .iter()
                .enumerate()
            {
                c.read_f64(attr, &mut gain[2 + i])?;
            }
            gain[9] = 0.0;
            a.dynprm = prm10(&dynp);
            a.gainprm = gain;
            a.biasprm = gain;
            a.dyntype = DynType::Muscle;
            a.gaintype = GainType::Muscle;
            a.biastype = BiasType::Muscle;
            a.tag = ActuatorTag::Muscle;
        }
        _ => {
            // <motor>: direct force, gain 1, no bias, no dynamics.
            a.dyntype = DynType::None;
            a.gaintype = GainType::Fixed;
            a.biastype = BiasType::None;
            a.dynprm = prm10(&[1.0]);
            a.gainprm = prm10(&[1.0]);
            a.biasprm = [0.0; 10];
            a.tag = ActuatorTag::Motor;
        }
    }
    a.loc = c.loc();
    Ok(())
}

fn apply_equality(c: &XmlNode, e: &mut EqualitySpec, is_default: bool) -> Result<()> {
    c.check_attrs(
        &[
            "name", "class", "joint1", "joint2", "polycoef", "active", "solref", "solimp",
        ],
        &[],
    )?;
    c.check_no_children()?;
    if !is_default {
        c.read_string("name", &mut e.name);
    }
    c.read_prefix("polycoef", &mut e.polycoef)?;
    c.read_bool("active", &mut e.active)?;
    c.read_prefix("solref", &mut e.solref)?;
    c.read_prefix("solimp", &mut e.solimp)?;
    e.loc = c.loc();
    Ok(())
}

fn apply_pair(c: &XmlNode, p: &mut PairSpec, is_default: bool) -> Result<()> {
    c.check_attrs(
        &[
            "name",
            "class",
            "geom1",
            "geom2",
            "condim",
            "friction",
            "solref",
            "solreffriction",
            "solimp",
            "margin",
            "gap",
        ],
        &[],
    )?;
    c.check_no_children()?;
    if !is_default {
        c.read_string("name", &mut p.name);
    }
    let mut condim = 0u32;
    if c.read_int("condim", &mut condim)? {
        if ![1, 3, 4, 6].contains(&condim) {
            return Err(c.err(format!(
                "attribute 'condim': must be 1, 3, 4 or 6, got {condim}"
            )));
        }
        p.condim = Some(condim);
    }
    if let Some(v) = c.numbers("friction", 1, 5)? {
        let mut f = p.friction.unwrap_or([1.0, 1.0, 0.005, 0.0001, 0.0001]);
        f[..v.len()].copy_from_slice(&v);
        p.friction = Some(f);
    }
    if let Some(v) = c.numbers("solref", 1, 2)? {
        let mut s = p.solref.unwrap_or(SOLREF);
        s[..v.len()].copy_from_slice(&v);
        p.solref = Some(s);
    }
    if let Some(v) = c.numbers("solreffriction", 1, 2)? {
        let mut s = p.solreffriction.unwrap_or([0.0, 0.0]);
        s[..v.len()].copy_from_slice(&v);
        p.solreffriction = Some(s);
    }
    if let Some(v) = c.numbers("solimp", 1, 5)? {
        let mut s = p.solimp.unwrap_or(SOLIMP);
        s[..v.len()].copy_from_slice(&v);
        p.solimp = Some(s);
    }
    if let Some(m) = c.opt_f64("margin")? {
        p.margin = Some(m);
    }
    if let Some(g) = c.opt_f64("gap")? {
        p.gap = Some(g);
    }
    p.loc = c.loc();
    Ok(())
}
