//! The body tree: bodies, frames, joints, geoms, sites and inertials.

use super::*;

impl Parser {
    pub(super) fn apply_joint(&self, c: &XmlNode, j: &mut JointSpec, is_default: bool) -> Result<()> {
        c.check_attrs(
            &[
                "name", "class", "type", "pos", "axis", "range", "limited", "ref", "springref", "stiffness",
                "damping", "armature", "frictionloss", "margin", "solreflimit", "solimplimit",
                "solreffriction", "solimpfriction",
            ],
            &["group", "user"],
        )?;
        c.check_no_children()?;
        if !is_default {
            c.read_string("name", &mut j.name);
        }
        if let Some(i) = c.keyword("type", &["free", "ball", "slide", "hinge"])? {
            j.kind = [JointType::Free, JointType::Ball, JointType::Slide, JointType::Hinge][i];
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

    pub(super) fn apply_geom(&self, c: &XmlNode, g: &mut GeomSpec, is_default: bool) -> Result<()> {
        c.check_attrs(
            &[
                "name", "class", "type", "size", "pos", "quat", "euler", "axisangle", "zaxis", "xyaxes",
                "fromto", "mesh", "contype", "conaffinity", "condim", "priority", "friction", "solmix",
                "solref", "solimp", "margin", "gap", "mass", "density", "rgba", "material", "group",
            ],
            &COSMETIC,
        )?;
        c.check_no_children()?;
        if !is_default {
            c.read_string("name", &mut g.name);
        }
        let types = ["plane", "hfield", "sphere", "capsule", "ellipsoid", "cylinder", "box", "mesh", "sdf"];
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
            return Err(c.err(format!("attribute 'condim': must be 1, 3, 4 or 6, got {}", g.condim)));
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
        read_look(c, &mut g.look)?;
        if let Some(ft) = c.numbers("fromto", 6, 6)? {
            if is_default {
                return Err(c.err("'fromto' is not allowed in defaults"));
            }
            // MuJoCo: fromto replaces pos (which must then be zero) and any orientation.
            if c.numbers("pos", 3, 3)?.is_some_and(|p| p != [0.0, 0.0, 0.0]) {
                return Err(c.err("both 'pos' and 'fromto' given"));
            }
            let (pos, quat, half) = fromto_frame(&ft).ok_or_else(|| c.err("'fromto': zero length"))?;
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

    pub(super) fn apply_site(&self, c: &XmlNode, s: &mut SiteSpec, is_default: bool) -> Result<()> {
        c.check_attrs(
            &[
                "name", "class", "type", "size", "pos", "quat", "euler", "axisangle", "zaxis", "xyaxes",
                "fromto", "rgba", "material", "group",
            ],
            &COSMETIC,
        )?;
        c.check_no_children()?;
        if !is_default {
            c.read_string("name", &mut s.name);
        }
        if let Some(i) = c.keyword("type", &["sphere", "capsule", "ellipsoid", "cylinder", "box"])? {
            s.kind =
                [GeomType::Sphere, GeomType::Capsule, GeomType::Ellipsoid, GeomType::Cylinder, GeomType::Box]
                    [i];
        }
        c.read_prefix("size", &mut s.size)?;
        c.read_int("group", &mut s.group)?;
        read_look(c, &mut s.look)?;
        c.read_arr("pos", &mut s.pos)?;
        if let Some(q) = self.orientation(c)? {
            s.quat = q;
        }
        if let Some(ft) = c.numbers("fromto", 6, 6)? {
            let (pos, quat, half) = fromto_frame(&ft).ok_or_else(|| c.err("'fromto': zero length"))?;
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

    /// A `<worldbody>`: its bodies appended to `bodies` (body 0 is the world) in depth-first order,
    /// their joints, geoms and sites in place. Iterative (a stack of open `<body>`/`<frame>`
    /// elements), so nesting depth is bounded by memory, not by the thread's stack.
    pub(super) fn read_worldbody(&self, worldbody: &XmlNode, bodies: &mut Vec<BodySpec>) -> Result<()> {
        /// An open element: its children still to read, the body they belong to, the frame they
        /// are written in and the childclass they inherit.
        struct Open<'a> {
            children: std::slice::Iter<'a, XmlNode>,
            body: usize,
            frame: Frame,
            childclass: Option<&'a str>,
        }
        let mut open = vec![Open {
            children: worldbody.children.iter(),
            body: 0,
            frame: Frame::IDENTITY,
            childclass: None,
        }];
        while let Some(top) = open.last_mut() {
            let Some(c) = top.children.next() else {
                open.pop();
                continue;
            };
            let (body, frame, childclass) = (top.body, top.frame, top.childclass);
            match c.tag.as_str() {
                "body" => {
                    let (child, cc) = self.read_body(c, body, frame, childclass)?;
                    bodies.push(child);
                    let body = bodies.len() - 1;
                    open.push(Open {
                        children: c.children.iter(),
                        body,
                        frame: Frame::IDENTITY,
                        childclass: cc,
                    });
                }
                "frame" => {
                    c.check_attrs(
                        &["name", "childclass", "pos", "quat", "euler", "axisangle", "zaxis", "xyaxes"],
                        &[],
                    )?;
                    let (cc, (pos, quat)) = self.placement(c, childclass)?;
                    let (pos, quat) = frame.apply(pos, quat);
                    open.push(Open {
                        children: c.children.iter(),
                        body,
                        frame: Frame { pos, quat },
                        childclass: cc,
                    });
                }
                _ => self.read_body_item(c, &mut bodies[body], frame, childclass, body == 0)?,
            }
        }
        Ok(())
    }

    /// A `<body>` element itself (its children are read by the caller), as a child of body
    /// `parent` written in `frame`; returns it and the childclass its children inherit.
    fn read_body<'a>(
        &self,
        c: &'a XmlNode,
        parent: usize,
        frame: Frame,
        childclass: Option<&'a str>,
    ) -> Result<(BodySpec, Option<&'a str>)> {
        c.check_attrs(
            &[
                "name", "childclass", "pos", "quat", "euler", "axisangle", "zaxis", "xyaxes", "mocap",
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
        let (cc, written_pose) = self.placement(c, childclass)?;
        let (pos, quat) = frame.apply(written_pose.0, written_pose.1);
        let body = BodySpec {
            name: c.attr("name").unwrap_or("").to_string(),
            pos,
            quat,
            written_pose,
            inertial: None,
            joints: vec![],
            geoms: vec![],
            sites: vec![],
            parent,
            loc: c.loc(),
        };
        Ok((body, cc))
    }

    /// One element inside a body other than `<body>` and `<frame>` (inertial, joint, geom, site),
    /// added to `body`.
    fn read_body_item(
        &self,
        c: &XmlNode,
        body: &mut BodySpec,
        frame: Frame,
        childclass: Option<&str>,
        is_world: bool,
    ) -> Result<()> {
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
                    j.pos = math::add3(frame.pos, math::mul_mat_vec3(&math::quat2mat(frame.quat), j.pos));
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
            "camera" | "light" => {}
            other => return Err(c.err(format!("unsupported element <{other}> in a body"))),
        }
        Ok(())
    }

    /// The childclass a `<body>` or `<frame>` passes on (its own, else the inherited one) and its
    /// pose as written.
    fn placement<'a>(
        &self,
        c: &'a XmlNode,
        inherited: Option<&'a str>,
    ) -> Result<(Option<&'a str>, (Vec3, Quat))> {
        let cc = c.attr("childclass").or(inherited);
        if let Some(name) = cc
            && !self.classes.contains_key(name)
        {
            return Err(c.err(format!("unknown default class '{name}'")));
        }
        let mut pos = [0.0; 3];
        c.read_arr("pos", &mut pos)?;
        let quat = self.orientation(c)?.unwrap_or(math::QUAT_IDENTITY);
        Ok((cc, (pos, quat)))
    }

    pub(super) fn read_inertial(&self, c: &XmlNode) -> Result<InertialSpec> {
        c.check_attrs(
            &["pos", "quat", "euler", "axisangle", "zaxis", "xyaxes", "mass", "diaginertia", "fullinertia"],
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
        let full = c.numbers("fullinertia", 6, 6)?.map(|v| [v[0], v[1], v[2], v[3], v[4], v[5]]);
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
}
