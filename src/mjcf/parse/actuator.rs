//! Actuator records: `<general>`, `<muscle>` and `<motor>` and MuJoCo 4's shortcut rules.

use super::*;

/// `<general>`, `<muscle>` and `<motor>` all write one actuator record. Shortcuts follow MuJoCo 4:
/// a `<muscle>` takes its parameters from the nearest slot in `chain` (the class, then its
/// ancestors) last written as a muscle (or as a `<general>` with muscle gain), else the documented
/// muscle defaults; explicit attributes override; then the full muscle table is written.
pub(super) fn apply_actuator(
    c: &XmlNode,
    a: &mut ActuatorSpec,
    chain: &[ActuatorSpec],
    is_default: bool,
) -> Result<()> {
    let common = [
        "name", "class", "tendon", "joint", "ctrllimited", "ctrlrange", "forcelimited", "forcerange",
        "actlimited", "actrange", "lengthrange", "gear",
    ];
    let extra: &[&str] = match c.tag.as_str() {
        "general" => {
            &["dyntype", "gaintype", "biastype", "dynprm", "gainprm", "biasprm", "actearly", "actdim"]
        }
        "muscle" => {
            &["timeconst", "tausmooth", "range", "force", "scale", "lmin", "lmax", "vmax", "fpmax", "fvmax"]
        }
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
            if let Some(i) =
                c.keyword("dyntype", &["none", "integrator", "filter", "filterexact", "muscle", "user"])?
            {
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
                None => ([0.01, 0.04, 0.0], prm10(&[0.75, 1.05, -1.0, 200.0, 0.5, 1.6, 1.5, 1.3, 1.2])),
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
            for (i, attr) in ["force", "scale", "lmin", "lmax", "vmax", "fpmax", "fvmax"].iter().enumerate() {
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
