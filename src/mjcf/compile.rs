//! Typed MJCF tree → [`Model`]: numbering, frames, inertias, tendons, actuators, constraints.
//!
//! Follows MuJoCo's compiler: bodies in depth-first order, joints/geoms/sites in body order, each
//! object's parameters resolved from defaults at parse time.

use std::collections::HashMap;

use super::inertia;
use super::look::Materials;
use super::mesh::{self, MeshData};
use super::spec::*;
use crate::error::{Error, Location, Result};
use crate::math;
use crate::model::*;

/// Names → ids for one kind of object, with a helpful error for a missing name.
struct Names {
    kind: &'static str,
    ids: HashMap<String, usize>,
}

impl Names {
    fn new(kind: &'static str, names: &[String], locs: &[Location]) -> Result<Self> {
        let mut ids = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            if !n.is_empty() && ids.insert(n.clone(), i).is_some() {
                return Err(Error::mjcf(&locs[i], format!("repeated {} name '{n}'", kind)));
            }
        }
        Ok(Names { kind, ids })
    }
    fn get(&self, name: &str, loc: &Location, what: &str) -> Result<usize> {
        self.ids
            .get(name)
            .copied()
            .ok_or_else(|| Error::mjcf(loc, format!("{what} references missing {} '{name}'", self.kind)))
    }
}

/// Fail at the second of two `kind` elements with one non-empty name.
fn unique_names<'a>(
    kind: &'static str,
    named: impl Iterator<Item = (&'a String, &'a Location)>,
) -> Result<()> {
    let (names, locs): (Vec<String>, Vec<Location>) = named.map(|(n, l)| (n.clone(), l.clone())).unzip();
    Names::new(kind, &names, &locs).map(|_| ())
}

/// Compile a parsed spec into a model.
pub fn compile(spec: &MjcfSpec) -> Result<Model> {
    let mut m = Model { name: spec.name.clone(), opt: spec.option.clone(), ..Default::default() };
    let cs = &spec.compiler;
    let materials = Materials::new(&spec.materials)?;

    // ---- bodies in depth-first order (the parser's order) ----
    let flat: Vec<(&BodySpec, usize)> = spec.bodies.iter().map(|b| (b, b.parent)).collect();
    m.nbody = flat.len();
    let body_locs: Vec<Location> = flat.iter().map(|(b, _)| b.loc.clone()).collect();
    let body_names: Vec<String> = flat.iter().map(|(b, _)| b.name.clone()).collect();
    let bodies = Names::new("body", &body_names, &body_locs)?;

    // ---- meshes ----
    let mesh_dir = match &cs.meshdir {
        Some(d) => spec.dir.join(d),
        None => spec.dir.clone(),
    };
    let mut meshes: Vec<MeshData> = Vec::with_capacity(spec.meshes.len());
    for ms in &spec.meshes {
        meshes.push(mesh::load(ms, &mesh_dir)?);
    }
    let mesh_names: Vec<String> = spec.meshes.iter().map(|s| s.name.clone()).collect();
    let mesh_locs: Vec<Location> = spec.meshes.iter().map(|s| s.loc.clone()).collect();
    let mesh_ids = Names::new("mesh", &mesh_names, &mesh_locs)?;
    m.nmesh = meshes.len();
    for (md, name) in meshes.iter().zip(&mesh_names) {
        m.mesh_name.push(name.clone());
        m.mesh_vertadr.push(m.mesh_vert.len());
        m.mesh_vertnum.push(md.vert.len());
        m.mesh_volume.push(md.volume);
        m.mesh_vert.extend_from_slice(&md.vert);
        m.mesh_faceadr.push(m.mesh_face.len());
        m.mesh_facenum.push(md.face.len());
        m.mesh_face.extend(md.face.iter().map(|f| f.map(|v| v as u32)));
    }

    // Degrees → radians as MuJoCo writes it (a/180·π, divide first).
    let to_rad = |a: f64| {
        if cs.degrees { a / 180.0 * std::f64::consts::PI } else { a }
    };
    let mut joint_locs = Vec::new();
    let mut geom_locs = Vec::new();
    let mut site_locs = Vec::new();
    // Last dof of each body's nearest ancestor with dofs (for dof_parentid).
    let mut last_dof: Vec<Option<usize>> = vec![None; m.nbody];

    for (id, (b, parent)) in flat.iter().enumerate() {
        let parent = *parent;
        m.body_name.push(b.name.clone());
        m.body_parentid.push(parent);
        m.body_rootid.push(if id == 0 {
            0
        } else if parent == 0 {
            id
        } else {
            m.body_rootid[parent]
        });
        m.body_pos.push(b.pos);
        m.body_quat.push(b.quat);

        // joints and dofs
        m.body_jntadr.push(m.njnt);
        m.body_jntnum.push(b.joints.len());
        m.body_dofadr.push(m.nv);
        let mut parent_dof = if id == 0 { None } else { last_dof[parent] };
        let mut dofnum = 0;
        let free_count = b.joints.iter().filter(|j| j.kind == JointType::Free).count();
        if free_count > 0 && (b.joints.len() > 1 || parent != 0) {
            return Err(Error::mjcf(
                &b.loc,
                format!("body '{}': a free joint must be the only joint of a child of the world", b.name),
            ));
        }
        for j in &b.joints {
            let jid = m.njnt;
            m.jnt_name.push(j.name.clone());
            m.jnt_type.push(j.kind);
            m.jnt_qposadr.push(m.nq);
            m.jnt_dofadr.push(m.nv);
            m.jnt_bodyid.push(id);
            let angular = matches!(j.kind, JointType::Hinge | JointType::Ball);
            let raw = j.range.unwrap_or([0.0, 0.0]);
            if j.limited == super::attrs::TriState::Auto && !cs.autolimits && raw != [0.0, 0.0] {
                return Err(Error::mjcf(
                    &j.loc,
                    format!(
                        "joint '{}' has 'range' but not 'limited' and compiler autolimits is off",
                        j.name
                    ),
                ));
            }
            // Free joints are never limited (MuJoCo drops the flag silently).
            let limited = j.kind != JointType::Free
                && (j.limited == super::attrs::TriState::True
                    || (j.limited == super::attrs::TriState::Auto && raw[0] < raw[1]));
            // Only limited hinge/ball ranges are converted to radians, as MuJoCo does.
            let range = if limited && angular { [to_rad(raw[0]), to_rad(raw[1])] } else { raw };
            if limited && j.kind == JointType::Ball && range[0] != 0.0 {
                return Err(Error::mjcf(
                    &j.loc,
                    format!("joint '{}': range[0] must be 0 for a ball joint", j.name),
                ));
            }
            if limited && j.kind != JointType::Ball && range[0] >= range[1] {
                return Err(Error::mjcf(
                    &j.loc,
                    format!("joint '{}': range[0] must be smaller than range[1]", j.name),
                ));
            }
            let conv = |a: f64| {
                if j.kind == JointType::Hinge { to_rad(a) } else { a }
            };
            m.jnt_limited.push(limited);
            m.jnt_range.push(range);
            m.jnt_pos.push(if j.kind == JointType::Free { [0.0; 3] } else { j.pos });
            let mut axis = j.axis;
            if math::normalize_compiler(&mut axis) < math::EPS
                && matches!(j.kind, JointType::Hinge | JointType::Slide)
            {
                return Err(Error::mjcf(&j.loc, format!("joint '{}': zero axis", j.name)));
            }
            m.jnt_axis.push(if matches!(j.kind, JointType::Hinge | JointType::Slide) {
                axis
            } else {
                [0.0, 0.0, 1.0]
            });
            m.jnt_stiffness.push(j.stiffness);
            m.jnt_margin.push(j.margin);
            m.jnt_solref.push(j.solref);
            m.jnt_solimp.push(j.solimp);
            match j.kind {
                // A free joint's body is a child of the world: its local pose is its world pose.
                JointType::Free => {
                    m.qpos0.extend_from_slice(&b.pos);
                    m.qpos0.extend_from_slice(&b.quat);
                }
                JointType::Ball => m.qpos0.extend_from_slice(&math::QUAT_IDENTITY),
                _ => m.qpos0.push(conv(j.reference)),
            }
            match j.kind {
                JointType::Free | JointType::Ball => {
                    let n = m.qpos0.len();
                    let q0 = m.qpos0[n - j.kind.nq()..].to_vec();
                    m.qpos_spring.extend_from_slice(&q0);
                }
                _ => m.qpos_spring.push(conv(j.springref)),
            }
            for _ in 0..j.kind.nv() {
                m.dof_bodyid.push(id);
                m.dof_jntid.push(jid);
                m.dof_parentid.push(parent_dof);
                m.dof_armature.push(j.armature);
                m.dof_damping.push(j.damping);
                m.dof_frictionloss.push(j.frictionloss);
                parent_dof = Some(m.nv);
                m.nv += 1;
                dofnum += 1;
            }
            m.nq += j.kind.nq();
            m.njnt += 1;
            joint_locs.push(j.loc.clone());
        }
        last_dof[id] = parent_dof;
        m.body_dofnum.push(dofnum);
        m.body_weldid.push(if id == 0 || dofnum > 0 { id } else { m.body_weldid[parent] });

        // geoms
        m.body_geomadr.push(m.ngeom);
        m.body_geomnum.push(b.geoms.len());
        for g in &b.geoms {
            let mut pos = g.pos;
            let mut quat = g.quat;
            let mut size = g.size;
            let mut dataid = None;
            if g.kind == GeomType::Mesh {
                let Some(name) = &g.mesh else {
                    return Err(Error::mjcf(&g.loc, format!("geom '{}': mesh geom without 'mesh'", g.name)));
                };
                let mid = mesh_ids.get(name, &g.loc, &format!("geom '{}'", g.name))?;
                let md = &meshes[mid];
                // The mesh is stored in its principal frame; move the geom frame to match.
                (pos, quat) = math::frame_accum(pos, quat, md.center, md.quat);
                size = md.half_extent;
                dataid = Some(mid);
            } else if g.mesh.is_some() {
                return Err(Error::mjcf(
                    &g.loc,
                    format!("geom '{}': 'mesh' given on a non-mesh geom", g.name),
                ));
            }
            inertia::check_geom_size(g)?;
            m.geom_name.push(g.name.clone());
            m.geom_type.push(g.kind);
            m.geom_bodyid.push(id);
            m.geom_dataid.push(dataid);
            m.geom_contype.push(g.contype);
            m.geom_conaffinity.push(g.conaffinity);
            m.geom_condim.push(g.condim);
            m.geom_priority.push(g.priority);
            m.geom_group.push(g.group);
            m.geom_size.push(size);
            m.geom_pos.push(pos);
            m.geom_quat.push(quat);
            m.geom_friction.push(g.friction);
            m.geom_margin.push(g.margin);
            m.geom_gap.push(g.gap);
            m.geom_solref.push(g.solref);
            m.geom_solimp.push(g.solimp);
            m.geom_solmix.push(g.solmix);
            m.geom_rgba.push(materials.colour(&g.look, &g.loc, &format!("geom '{}'", g.name))?);
            m.ngeom += 1;
            geom_locs.push(g.loc.clone());
        }

        // sites
        for s in &b.sites {
            m.site_name.push(s.name.clone());
            m.site_bodyid.push(id);
            m.site_type.push(s.kind);
            m.site_size.push(s.size);
            m.site_pos.push(s.pos);
            m.site_quat.push(s.quat);
            m.site_group.push(s.group);
            m.site_rgba.push(materials.colour(&s.look, &s.loc, &format!("site '{}'", s.name))?);
            m.nsite += 1;
            site_locs.push(s.loc.clone());
        }

        // inertia
        let props = inertia::body_inertia(b, id, &m, &meshes, cs)?;
        m.body_mass.push(props.mass);
        m.body_ipos.push(props.ipos);
        m.body_iquat.push(props.iquat);
        m.body_inertia.push(props.inertia);
    }
    if m.nv == 0 {
        return Err(Error::Model(format!(
            "model '{}' has no degrees of freedom: nothing to simulate",
            spec.name
        )));
    }
    inertia::check_moving_bodies(&m, &body_locs)?;
    m.body_subtreemass = m.body_mass.clone();
    for id in (1..m.nbody).rev() {
        let p = m.body_parentid[id];
        m.body_subtreemass[p] += m.body_subtreemass[id];
    }

    let joints = Names::new("joint", &m.jnt_name, &joint_locs)?;
    let geoms = Names::new("geom", &m.geom_name, &geom_locs)?;
    let sites = Names::new("site", &m.site_name, &site_locs)?;

    // Names MuJoCo also refuses to see twice (only the bodies', joints', ... above are looked up).
    unique_names("actuator", spec.actuators.iter().map(|a| (&a.name, &a.loc)))?;
    unique_names("equality", spec.equalities.iter().map(|e| (&e.name, &e.loc)))?;
    unique_names("keyframe", spec.keys.iter().map(|k| (&k.name, &k.loc)))?;
    unique_names("sensor", spec.sensors.iter().map(|s| (&s.name, &s.loc)))?;

    compile_tendons(spec, &mut m, &joints, &geoms, &sites, &materials)?;
    compile_actuators(spec, &mut m, &joints)?;
    compile_equalities(spec, &mut m, &joints)?;
    compile_contacts(spec, &mut m, &geoms, &bodies)?;
    compile_keys(spec, &mut m)?;
    let (dof_iw, ten_iw) = crate::reference::transmission::invweight0(&m).ok_or_else(|| {
        Error::Model(format!("model '{}': the mass matrix at qpos0 is not positive-definite", spec.name))
    })?;
    m.dof_invweight0 = dof_iw;
    m.tendon_invweight0 = ten_iw;
    m.body_invweight0 = crate::reference::transmission::body_invweight0(&m).ok_or_else(|| {
        Error::Model(format!("model '{}': the mass matrix at qpos0 is not positive-definite", spec.name))
    })?;
    m.stat_meaninertia = crate::reference::transmission::meaninertia(&m);
    m.actuator_acc0 = crate::reference::transmission::actuator_acc0(&m).ok_or_else(|| {
        Error::Model(format!("model '{}': the mass matrix at qpos0 is not positive-definite", spec.name))
    })?;
    compile_sensors(spec, &mut m, &sites, &bodies, &geoms)?;
    Ok(m)
}

fn compile_tendons(
    spec: &MjcfSpec,
    m: &mut Model,
    joints: &Names,
    geoms: &Names,
    sites: &Names,
    materials: &Materials,
) -> Result<()> {
    let locs: Vec<Location> = spec.tendons.iter().map(|t| t.loc.clone()).collect();
    let names: Vec<String> = spec.tendons.iter().map(|t| t.name.clone()).collect();
    Names::new("tendon", &names, &locs)?;
    for t in &spec.tendons {
        let what = format!("tendon '{}'", t.name);
        if t.path.is_empty() {
            return Err(Error::mjcf(&t.loc, format!("{what} has an empty path")));
        }
        if t.spatial && t.path.len() < 2 {
            return Err(Error::mjcf(&t.loc, format!("{what}: a spatial path needs at least two points")));
        }
        m.tendon_name.push(t.name.clone());
        m.tendon_adr.push(m.nwrap);
        m.tendon_num.push(t.path.len());
        let range = t.range.unwrap_or([0.0, 0.0]);
        let limited = limited_flag(t.limited, range, spec.compiler.autolimits, &t.loc, &what, "range")?;
        if limited && range[0] >= range[1] {
            return Err(Error::mjcf(&t.loc, format!("{what}: range must be increasing")));
        }
        m.tendon_limited.push(limited);
        m.tendon_range.push(range);
        m.tendon_stiffness.push(t.stiffness);
        m.tendon_damping.push(t.damping);
        m.tendon_frictionloss.push(t.frictionloss);
        m.tendon_solref.push(t.solref);
        m.tendon_solimp.push(t.solimp);
        m.tendon_margin.push(t.margin);
        m.tendon_lengthspring.push(t.springlength);
        m.tendon_group.push(t.group);
        m.tendon_width.push(t.width);
        m.tendon_rgba.push(materials.colour(&t.look, &t.loc, &what)?);
        if t.springlength[0] > t.springlength[1] && t.springlength != [-1.0, -1.0] {
            return Err(Error::mjcf(&t.loc, format!("{what}: invalid springlength (lower > upper)")));
        }
        for (k, p) in t.path.iter().enumerate() {
            let (wt, id, prm) = match p {
                PathSpec::Site(n, loc) => (WrapType::Site, sites.get(n, loc, &what)?, 0.0),
                PathSpec::Geom(n, side, loc) => {
                    let gid = geoms.get(n, loc, &what)?;
                    let wt = match m.geom_type[gid] {
                        GeomType::Sphere => WrapType::Sphere,
                        GeomType::Cylinder => WrapType::Cylinder,
                        _ => {
                            return Err(Error::mjcf(
                                loc,
                                format!("{what}: wrap geom '{n}' must be a sphere or cylinder"),
                            ));
                        }
                    };
                    if k == 0 || k + 1 == t.path.len() {
                        return Err(Error::mjcf(
                            loc,
                            format!("{what}: a wrap geom cannot start or end the path"),
                        ));
                    }
                    let side = match side {
                        Some(s) => sites.get(s, loc, &what)? as f64,
                        None => -1.0,
                    };
                    (wt, gid, side)
                }
                PathSpec::Pulley(d, _) => (WrapType::Pulley, 0, *d),
                PathSpec::Joint(n, coef, loc) => (WrapType::Joint, joints.get(n, loc, &what)?, *coef),
            };
            m.wrap_type.push(wt);
            m.wrap_objid.push(id);
            m.wrap_prm.push(prm);
            m.nwrap += 1;
        }
        // A spatial path starts and ends with a site, and each segment's ends are sites.
        if t.spatial {
            let adr = m.tendon_adr[m.ntendon];
            let types = &m.wrap_type[adr..adr + t.path.len()];
            for (k, w) in types.iter().enumerate() {
                if matches!(w, WrapType::Sphere | WrapType::Cylinder)
                    && !(types[k - 1] == WrapType::Site && types.get(k + 1) == Some(&WrapType::Site))
                {
                    return Err(Error::mjcf(
                        &t.loc,
                        format!("{what}: a wrap geom must sit between two sites"),
                    ));
                }
            }
            if types[0] != WrapType::Site || types[types.len() - 1] != WrapType::Site {
                return Err(Error::mjcf(
                    &t.loc,
                    format!("{what}: a spatial tendon must start and end with a site"),
                ));
            }
        }
        m.ntendon += 1;
    }
    // springlength (-1, -1) means: the tendon's length at qpos_spring.
    let frames = crate::reference::kinematics::kinematics(m, &m.qpos_spring);
    for t in 0..m.ntendon {
        if m.tendon_lengthspring[t] == [-1.0, -1.0] {
            let len = crate::reference::tendon::tendon_length(m, t, &m.qpos_spring, &frames);
            m.tendon_lengthspring[t] = [len, len];
        }
    }
    Ok(())
}

fn compile_actuators(spec: &MjcfSpec, m: &mut Model, joints: &Names) -> Result<()> {
    let tendons = Names::new(
        "tendon",
        &m.tendon_name,
        &spec.tendons.iter().map(|t| t.loc.clone()).collect::<Vec<_>>(),
    )?;
    let auto = spec.compiler.autolimits;
    for a in &spec.actuators {
        let what = format!("actuator '{}'", a.name);
        let (trn, id) = match (&a.tendon, &a.joint) {
            (Some(t), None) => (TrnType::Tendon, tendons.get(t, &a.loc, &what)?),
            (None, Some(j)) => (TrnType::Joint, joints.get(j, &a.loc, &what)?),
            _ => {
                return Err(Error::mjcf(&a.loc, format!("{what}: give exactly one of 'tendon' and 'joint'")));
            }
        };
        if trn == TrnType::Joint && matches!(m.jnt_type[id], JointType::Free | JointType::Ball) {
            return Err(Error::mjcf(
                &a.loc,
                format!("{what}: joint transmission on a free/ball joint is not supported"),
            ));
        }
        let limit = |flag: super::attrs::TriState,
                     range: Option<[f64; 2]>,
                     name: &str|
         -> Result<(bool, [f64; 2])> {
            let r = range.unwrap_or([0.0, 0.0]);
            let lim = limited_flag(flag, r, auto, &a.loc, &what, name)?;
            if lim && r[0] >= r[1] {
                return Err(Error::mjcf(&a.loc, format!("{what}: {name} must be increasing when limited")));
            }
            Ok((lim, r))
        };
        let (cl, cr) = limit(a.ctrllimited, a.ctrlrange, "ctrlrange")?;
        let (fl, fr) = limit(a.forcelimited, a.forcerange, "forcerange")?;
        let (al, ar) = limit(a.actlimited, a.actrange, "actrange")?;
        let muscle =
            a.gaintype == GainType::Muscle || a.biastype == BiasType::Muscle || a.dyntype == DynType::Muscle;
        let lengthrange = match a.lengthrange {
            Some(r) if r[0] < r[1] => r,
            Some(_) if muscle => {
                return Err(Error::mjcf(&a.loc, format!("{what}: lengthrange must be increasing")));
            }
            None if muscle => {
                return Err(Error::mjcf(
                    &a.loc,
                    format!(
                        "{what}: muscle without 'lengthrange' (MuJoCo would estimate it by simulation; sinew needs it given)"
                    ),
                ));
            }
            other => other.unwrap_or([0.0, 0.0]),
        };
        for (used, prm, which) in [
            (a.gaintype == GainType::Muscle, &a.gainprm, "gainprm"),
            (a.biastype == BiasType::Muscle, &a.biasprm, "biasprm"),
        ] {
            if used
                && !(prm[0] < prm[1]
                    && prm[4] < 1.0
                    && 1.0 < prm[5]
                    && prm[3] > 0.0
                    && prm[6] > 0.0
                    && prm[7] > 0.0
                    && prm[8] > 0.0)
            {
                return Err(Error::mjcf(
                    &a.loc,
                    format!(
                        "{what}: invalid muscle {which} (need range0 < range1, lmin < 1 < lmax, scale, vmax, fpmax, fvmax > 0)"
                    ),
                ));
            }
        }
        if al && a.dyntype == DynType::None {
            return Err(Error::mjcf(&a.loc, format!("{what}: actlimited needs activation dynamics")));
        }
        m.actuator_name.push(a.name.clone());
        m.actuator_trntype.push(trn);
        m.actuator_trnid.push(id);
        m.actuator_dyntype.push(a.dyntype);
        m.actuator_gaintype.push(a.gaintype);
        m.actuator_biastype.push(a.biastype);
        m.actuator_dynprm.push(a.dynprm);
        m.actuator_gainprm.push(a.gainprm);
        m.actuator_biasprm.push(a.biasprm);
        m.actuator_gear.push(a.gear);
        m.actuator_ctrllimited.push(cl);
        m.actuator_ctrlrange.push(cr);
        m.actuator_forcelimited.push(fl);
        m.actuator_forcerange.push(fr);
        m.actuator_actlimited.push(al);
        m.actuator_actrange.push(ar);
        m.actuator_lengthrange.push(lengthrange);
        if a.dyntype == DynType::None {
            m.actuator_actadr.push(None);
            m.actuator_actnum.push(0);
        } else {
            m.actuator_actadr.push(Some(m.na));
            m.actuator_actnum.push(1);
            m.na += 1;
        }
        m.nu += 1;
    }
    Ok(())
}

fn compile_equalities(spec: &MjcfSpec, m: &mut Model, joints: &Names) -> Result<()> {
    for e in &spec.equalities {
        let what = format!("equality '{}'", e.name);
        if e.kind != EqType::Joint {
            return Err(Error::mjcf(
                &e.loc,
                format!(
                    "{what}: {} equality constraints are parsed but not simulated by sinew yet",
                    if e.kind == EqType::Weld { "weld" } else { "connect" }
                ),
            ));
        }
        let j1 = joints.get(&e.obj1, &e.loc, &what)?;
        let j2 = match &e.obj2 {
            Some(n) => Some(joints.get(n, &e.loc, &what)?),
            None => None,
        };
        for j in std::iter::once(j1).chain(j2) {
            if !matches!(m.jnt_type[j], JointType::Hinge | JointType::Slide) {
                return Err(Error::mjcf(
                    &e.loc,
                    format!("{what}: joint equality needs hinge or slide joints"),
                ));
            }
        }
        let mut data = [0.0; 12];
        data[..5].copy_from_slice(&e.polycoef);
        data[10] = 1.0;
        m.eq_name.push(e.name.clone());
        m.eq_type.push(EqType::Joint);
        m.eq_obj1id.push(j1);
        m.eq_obj2id.push(j2);
        m.eq_active0.push(e.active);
        m.eq_solref.push(e.solref);
        m.eq_solimp.push(e.solimp);
        m.eq_data.push(data);
        m.neq += 1;
    }
    Ok(())
}

/// `limited` resolved as MuJoCo does: true, or auto with an increasing range; auto with a range
/// while autolimits is off is an error.
fn limited_flag(
    flag: super::attrs::TriState,
    range: [f64; 2],
    autolimits: bool,
    loc: &Location,
    what: &str,
    name: &str,
) -> Result<bool> {
    use super::attrs::TriState;
    if flag == TriState::Auto && !autolimits && range != [0.0, 0.0] {
        return Err(Error::mjcf(
            loc,
            format!("{what} has '{name}' but no explicit limited flag, and compiler autolimits is off"),
        ));
    }
    Ok(flag == TriState::True || (flag == TriState::Auto && range[0] < range[1]))
}

/// MuJoCo's body-pair signature, smaller id in the high half.
fn signature(b1: usize, b2: usize) -> u32 {
    let (lo, hi) = if b1 <= b2 { (b1, b2) } else { (b2, b1) };
    ((lo as u32) << 16) + hi as u32
}

fn compile_contacts(spec: &MjcfSpec, m: &mut Model, geoms: &Names, bodies: &Names) -> Result<()> {
    for p in &spec.pairs {
        let what = format!("contact pair '{}'", p.name);
        let mut g1 = geoms.get(&p.geom1, &p.loc, &what)?;
        let mut g2 = geoms.get(&p.geom2, &p.loc, &what)?;
        // MuJoCo orders a pair by body id.
        if m.geom_bodyid[g1] > m.geom_bodyid[g2] {
            std::mem::swap(&mut g1, &mut g2);
        }
        m.pair_geom1.push(g1);
        m.pair_geom2.push(g2);
        // Explicit pairs carry their own parameters (with MuJoCo's pair defaults); the geoms'
        // contact parameters are not mixed in, unlike automatically found contacts.
        m.pair_dim.push(p.condim.unwrap_or(3));
        m.pair_friction.push(p.friction.unwrap_or([1.0, 1.0, 0.005, 0.0001, 0.0001]));
        m.pair_solref.push(p.solref.unwrap_or([0.02, 1.0]));
        m.pair_solreffriction.push(p.solreffriction.unwrap_or([0.0, 0.0]));
        m.pair_solimp.push(p.solimp.unwrap_or([0.9, 0.95, 0.001, 0.5, 2.0]));
        m.pair_margin.push(p.margin.unwrap_or(0.0));
        m.pair_gap.push(p.gap.unwrap_or(0.0));
        m.pair_signature.push(((m.geom_bodyid[g1] as u32) << 16) + m.geom_bodyid[g2] as u32);
        m.npair += 1;
    }
    // MuJoCo orders explicit pairs by body-pair signature (stable: file order within one).
    let mut order: Vec<usize> = (0..m.npair).collect();
    order.sort_by_key(|&i| m.pair_signature[i]);
    macro_rules! permute {
        ($($f:ident),*) => {$(m.$f = order.iter().map(|&i| m.$f[i].clone()).collect();)*};
    }
    permute!(
        pair_geom1, pair_geom2, pair_dim, pair_friction, pair_solref, pair_solreffriction, pair_solimp,
        pair_margin, pair_gap, pair_signature
    );
    for (b1, b2, loc) in &spec.excludes {
        let i1 = bodies.get(b1, loc, "contact exclude")?;
        let i2 = bodies.get(b2, loc, "contact exclude")?;
        m.exclude_signature.push(signature(i1, i2));
        m.nexclude += 1;
    }
    Ok(())
}

fn compile_keys(spec: &MjcfSpec, m: &mut Model) -> Result<()> {
    let n = spec.keys.len().max(spec.nkey_min);
    let blank = KeySpec::default();
    for i in 0..n {
        let k = spec.keys.get(i).unwrap_or(&blank);
        // Short vectors are completed from the defaults; long ones are an error.
        let fill = |given: &Option<Vec<f64>>, default: &[f64], what: &str| -> Result<Vec<f64>> {
            let mut out = default.to_vec();
            if let Some(v) = given {
                if v.len() > default.len() {
                    return Err(Error::Model(format!(
                        "keyframe {i} ('{}'): {what} has {} values, the model has {}",
                        k.name,
                        v.len(),
                        default.len()
                    )));
                }
                out[..v.len()].copy_from_slice(v);
            }
            Ok(out)
        };
        let mut qpos = fill(&k.qpos, &m.qpos0, "qpos")?;
        for j in 0..m.njnt {
            let adr = m.jnt_qposadr[j];
            let q = match m.jnt_type[j] {
                JointType::Free => adr + 3,
                JointType::Ball => adr,
                _ => continue,
            };
            let mut quat = [qpos[q], qpos[q + 1], qpos[q + 2], qpos[q + 3]];
            math::normalize4(&mut quat);
            qpos[q..q + 4].copy_from_slice(&quat);
        }
        m.key_name.push(k.name.clone());
        m.key_time.push(k.time);
        m.key_qpos.push(qpos);
        m.key_qvel.push(fill(&k.qvel, &vec![0.0; m.nv], "qvel")?);
        m.key_act.push(fill(&k.act, &vec![0.0; m.na], "act")?);
        m.key_ctrl.push(fill(&k.ctrl, &vec![0.0; m.nu], "ctrl")?);
        m.nkey += 1;
    }
    Ok(())
}

fn compile_sensors(
    spec: &MjcfSpec,
    m: &mut Model,
    sites: &Names,
    bodies: &Names,
    geoms: &Names,
) -> Result<()> {
    for s in &spec.sensors {
        let what = format!("sensor '{}'", s.name);
        let id = match s.objtype.as_str() {
            "site" => sites.get(&s.objname, &s.loc, &what)?,
            "body" | "xbody" => bodies.get(&s.objname, &s.loc, &what)?,
            "geom" => geoms.get(&s.objname, &s.loc, &what)?,
            other => {
                return Err(Error::mjcf(&s.loc, format!("{what}: objtype '{other}' is not supported")));
            }
        };
        m.sensor_name.push(s.name.clone());
        m.sensor_type.push(s.kind);
        m.sensor_objid.push(id);
        m.sensor_objtype.push(s.objtype.clone());
        m.nsensor += 1;
    }
    Ok(())
}
