//! Everything outside the body tree: mesh assets, tendons, actuators, equalities, contact pairs and
//! excludes, keyframes, sensors.

use super::*;

impl Parser {
    pub(super) fn read_assets(
        &self,
        node: &XmlNode,
        meshes: &mut Vec<MeshSpec>,
        materials: &mut Vec<MaterialSpec>,
    ) -> Result<()> {
        node.check_attrs(&[], &[])?;
        for c in &node.children {
            match c.tag.as_str() {
                "mesh" => {
                    c.check_attrs(&["name", "class", "file", "scale", "content_type", "inertia"], &[])?;
                    c.check_no_children()?;
                    let mut scale = self.class_of(c, None)?.mesh_scale;
                    c.read_arr("scale", &mut scale)?;
                    let Some(file) = c.attr("file") else {
                        return Err(c.err("mesh without 'file' (inline vertex meshes are not supported)"));
                    };
                    let content_type = c.attr("content_type").map(str::to_string);
                    if let Some(t) = &content_type
                        && t != "model/stl"
                        && t != "model/vnd.mujoco.msh"
                    {
                        return Err(
                            c.err(format!("mesh content_type '{t}' is not supported (binary STL or MSH)"))
                        );
                    }
                    let ext = Path::new(file).extension().map(|e| e.to_string_lossy().to_lowercase());
                    if content_type.is_none() && !matches!(ext.as_deref(), Some("stl") | Some("msh")) {
                        return Err(
                            c.err(format!("mesh file '{file}': only binary STL and MSH are supported"))
                        );
                    }
                    if c.keyword("inertia", &["legacy", "convex", "exact", "shell"])?.is_some_and(|i| i != 0)
                    {
                        return Err(c.err("mesh inertia modes other than 'legacy' are not supported"));
                    }
                    let name = match c.attr("name") {
                        Some(n) => n.to_string(),
                        None => Path::new(file)
                            .file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                    };
                    meshes.push(MeshSpec { name, file: file.to_string(), scale, content_type, loc: c.loc() });
                }
                "material" => {
                    // Only the colour is read; textures, specular, reflectance and MuJoCo's
                    // newer PBR attributes and layers change neither the physics nor sinew's
                    // drawing, so they are not checked.
                    let mut rgba = [1.0; 4];
                    c.read_arr("rgba", &mut rgba)?;
                    let Some(name) = c.attr("name") else { return Err(c.err("material without 'name'")) };
                    materials.push(MaterialSpec { name: name.to_string(), rgba, loc: c.loc() });
                }
                "texture" => {}
                other => return Err(c.err(format!("unsupported asset <{other}>"))),
            }
        }
        Ok(())
    }

    pub(super) fn read_tendons(&self, node: &XmlNode, out: &mut Vec<TendonSpec>) -> Result<()> {
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
                        PathSpec::Geom(required(e, "geom")?, e.attr("sidesite").map(str::to_string), e.loc())
                    }
                    (true, "pulley") => {
                        e.check_attrs(&["divisor"], &[])?;
                        e.check_no_children()?;
                        let d = e.opt_f64("divisor")?.ok_or_else(|| e.err("missing attribute 'divisor'"))?;
                        if d <= 0.0 {
                            return Err(e.err("attribute 'divisor' must be positive"));
                        }
                        PathSpec::Pulley(d, e.loc())
                    }
                    (false, "joint") => {
                        e.check_attrs(&["joint", "coef"], &[])?;
                        e.check_no_children()?;
                        let coef = e.opt_f64("coef")?.ok_or_else(|| e.err("missing attribute 'coef'"))?;
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

    pub(super) fn read_actuators(&self, node: &XmlNode, out: &mut Vec<ActuatorSpec>) -> Result<()> {
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

    pub(super) fn read_equalities(&self, node: &XmlNode, out: &mut Vec<EqualitySpec>) -> Result<()> {
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
                            "name", "class", "body1", "body2", "site1", "site2", "anchor", "relpose",
                            "torquescale", "active", "solref", "solimp",
                        ],
                        &[],
                    )?;
                    e.kind = if c.tag == "weld" { EqType::Weld } else { EqType::Connect };
                    e.name = c.attr("name").unwrap_or("").to_string();
                    e.obj1 = c.attr("body1").or(c.attr("site1")).unwrap_or("").to_string();
                    e.obj2 = c.attr("body2").or(c.attr("site2")).map(str::to_string);
                    e.loc = c.loc();
                }
                other => return Err(c.err(format!("unsupported equality <{other}>"))),
            }
            out.push(e);
        }
        Ok(())
    }

    pub(super) fn read_contact(
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

    pub(super) fn read_keys(&self, node: &XmlNode, out: &mut Vec<KeySpec>) -> Result<()> {
        node.check_attrs(&[], &[])?;
        for c in &node.children {
            if c.tag != "key" {
                return Err(c.err(format!("unsupported keyframe element <{}>", c.tag)));
            }
            c.check_attrs(&["name", "time", "qpos", "qvel", "act", "ctrl"], &[])?;
            c.check_no_children()?;
            let mut k = KeySpec {
                name: c.attr("name").unwrap_or("").to_string(),
                loc: c.loc(),
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

    pub(super) fn read_sensors(&self, node: &XmlNode, out: &mut Vec<SensorSpec>) -> Result<()> {
        node.check_attrs(&[], &[])?;
        for c in &node.children {
            let (kind, objname, objtype) = match c.tag.as_str() {
                "touch" => {
                    c.check_attrs(&["name", "site", "cutoff", "noise"], &["user"])?;
                    c.check_no_children()?;
                    (SensorType::Touch, required(c, "site")?, "site".to_string())
                }
                "framelinvel" | "frameangvel" => {
                    c.check_attrs(&["name", "objtype", "objname", "cutoff", "noise"], &["user"])?;
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

pub(super) fn apply_tendon(c: &XmlNode, t: &mut TendonSpec, is_default: bool) -> Result<()> {
    c.check_attrs(
        &[
            "name", "class", "limited", "range", "stiffness", "damping", "frictionloss", "margin",
            "springlength", "solreflimit", "solimplimit", "solreffriction", "solimpfriction", "rgba",
            "material", "group", "width",
        ],
        &["user"],
    )?;
    c.read_int("group", &mut t.group)?;
    c.read_f64("width", &mut t.width)?;
    read_look(c, &mut t.look)?;
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
    c.read_prefix("solreflimit", &mut t.solref)?;
    c.read_prefix("solimplimit", &mut t.solimp)?;
    if let Some(v) = c.numbers("springlength", 1, 2)? {
        t.springlength = if v.len() == 1 { [v[0], v[0]] } else { [v[0], v[1]] };
    }
    t.loc = c.loc();
    Ok(())
}

pub(super) fn apply_equality(c: &XmlNode, e: &mut EqualitySpec, is_default: bool) -> Result<()> {
    c.check_attrs(&["name", "class", "joint1", "joint2", "polycoef", "active", "solref", "solimp"], &[])?;
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

pub(super) fn apply_pair(c: &XmlNode, p: &mut PairSpec, is_default: bool) -> Result<()> {
    c.check_attrs(
        &[
            "name", "class", "geom1", "geom2", "condim", "friction", "solref", "solreffriction", "solimp",
            "margin", "gap",
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
            return Err(c.err(format!("attribute 'condim': must be 1, 3, 4 or 6, got {condim}")));
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
