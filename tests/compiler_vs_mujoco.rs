//! The compiled Model against MuJoCo 4.0.0's compiled mjModel, array by array.
//!
//! Fixtures: tests/fixtures/compiler/<name>.npz, written by tools/mujoco_fixtures.py from the same
//! XML files. Real models must be fetched first (tools/fetch-models; .ci/run does it).
//! Tolerance: 1e-9 relative plus 1e-12 absolute (for values MuJoCo leaves at round-off, e.g. a
//! quaternion component of 1e-17 where sinew has 0) wherever sinew and MuJoCo do the same maths.

mod common;

use common::{Fixture, Report, flat};
use sinew::model::Model;

const REL: f64 = 1e-9;
const ABS: f64 = 1e-12;

fn ids(v: &[usize]) -> Vec<i64> {
    v.iter().map(|x| *x as i64).collect()
}
fn opt_ids(v: &[Option<usize>]) -> Vec<i64> {
    v.iter().map(|x| x.map_or(-1, |i| i as i64)).collect()
}
fn bools(v: &[bool]) -> Vec<i64> {
    v.iter().map(|x| *x as i64).collect()
}
/// MuJoCo writes -1 for the address of an empty range.
fn adr(adr: &[usize], num: &[usize]) -> Vec<i64> {
    adr.iter().zip(num).map(|(a, n)| if *n == 0 { -1 } else { *a as i64 }).collect()
}

fn compare(m: &Model, fx: &mut Fixture) -> Report {
    let mut r = Report::default();
    macro_rules! count {
        ($($f:ident),*) => {$(r.equal(stringify!($f), &[m.$f as i64], &[fx.count(stringify!($f)) as i64]);)*};
    }
    macro_rules! f1 {
        ($($f:ident),*) => {$(r.close(stringify!($f), &m.$f, &fx.f64(stringify!($f)), REL, ABS);)*};
    }
    macro_rules! fn_ {
        ($($f:ident),*) => {$(r.close(stringify!($f), &flat(&m.$f), &fx.f64(stringify!($f)), REL, ABS);)*};
    }
    macro_rules! int {
        ($conv:ident: $($f:ident),*) => {$(r.equal(stringify!($f), &$conv(&m.$f), &fx.i64(stringify!($f)));)*};
    }
    macro_rules! enums {
        ($($f:ident),*) => {$(r.equal(stringify!($f), &m.$f.iter().map(|x| *x as i64).collect::<Vec<_>>(), &fx.i64(stringify!($f)));)*};
    }
    count!(
        nq, nv, nu, na, nbody, njnt, ngeom, nsite, ntendon, nwrap, neq, npair, nexclude, nmesh, nkey, nsensor
    );
    if !r.failures.is_empty() {
        return r; // array comparisons would only repeat the count mismatch
    }
    // options
    r.close("opt.timestep", &[m.opt.timestep], &fx.f64("opt_timestep"), 0.0, 0.0);
    r.close("opt.gravity", &m.opt.gravity, &fx.f64("opt_gravity"), 0.0, 0.0);
    r.close("opt.tolerance", &[m.opt.tolerance], &fx.f64("opt_tolerance"), 0.0, 0.0);
    r.close("opt.impratio", &[m.opt.impratio], &fx.f64("opt_impratio"), 0.0, 0.0);
    r.equal("opt.integrator", &[m.opt.integrator as i64], &fx.i64("opt_integrator"));
    r.equal("opt.solver", &[m.opt.solver as i64], &fx.i64("opt_solver"));
    r.equal("opt.cone", &[m.opt.cone as i64], &fx.i64("opt_cone"));
    r.equal("opt.iterations", &[m.opt.iterations as i64], &fx.i64("opt_iterations"));
    r.equal("opt.ls_iterations", &[m.opt.ls_iterations as i64], &fx.i64("opt_ls_iterations"));
    r.equal("opt.disableflags", &[m.opt.disableflags as i64], &fx.i64("opt_disableflags"));
    f1!(qpos0, qpos_spring);
    // bodies
    int!(ids: body_parentid, body_rootid, body_weldid, body_jntnum, body_dofnum, body_geomnum);
    r.equal("body_jntadr", &adr(&m.body_jntadr, &m.body_jntnum), &fx.i64("body_jntadr"));
    r.equal("body_dofadr", &adr(&m.body_dofadr, &m.body_dofnum), &fx.i64("body_dofadr"));
    r.equal("body_geomadr", &adr(&m.body_geomadr, &m.body_geomnum), &fx.i64("body_geomadr"));
    fn_!(body_pos, body_quat, body_ipos, body_iquat, body_inertia);
    f1!(body_mass, body_subtreemass);
    // joints and dofs
    enums!(jnt_type);
    int!(ids: jnt_qposadr, jnt_dofadr, jnt_bodyid);
    int!(bools: jnt_limited);
    fn_!(jnt_range, jnt_pos, jnt_axis, jnt_solref, jnt_solimp);
    f1!(jnt_stiffness, jnt_margin);
    int!(ids: dof_bodyid, dof_jntid);
    int!(opt_ids: dof_parentid);
    f1!(dof_armature, dof_damping, dof_frictionloss, dof_invweight0);
    // geoms
    enums!(geom_type);
    int!(ids: geom_bodyid);
    int!(opt_ids: geom_dataid);
    r.equal(
        "geom_contype",
        &m.geom_contype.iter().map(|x| *x as i64).collect::<Vec<_>>(),
        &fx.i64("geom_contype"),
    );
    r.equal(
        "geom_conaffinity",
        &m.geom_conaffinity.iter().map(|x| *x as i64).collect::<Vec<_>>(),
        &fx.i64("geom_conaffinity"),
    );
    r.equal(
        "geom_condim",
        &m.geom_condim.iter().map(|x| *x as i64).collect::<Vec<_>>(),
        &fx.i64("geom_condim"),
    );
    r.equal(
        "geom_priority",
        &m.geom_priority.iter().map(|x| *x as i64).collect::<Vec<_>>(),
        &fx.i64("geom_priority"),
    );
    r.equal("geom_group", &m.geom_group.iter().map(|x| *x as i64).collect::<Vec<_>>(), &fx.i64("geom_group"));
    fn_!(geom_size, geom_pos, geom_quat, geom_friction, geom_solref, geom_solimp);
    f1!(geom_margin, geom_gap, geom_solmix);
    // sites
    int!(ids: site_bodyid);
    enums!(site_type);
    fn_!(site_size, site_pos, site_quat);
    // tendons
    int!(ids: tendon_adr, tendon_num);
    int!(bools: tendon_limited);
    fn_!(tendon_range, tendon_lengthspring);
    f1!(tendon_stiffness, tendon_damping, tendon_margin, tendon_frictionloss, tendon_invweight0);
    r.close("tendon_solref_lim", &flat(&m.tendon_solref), &fx.f64("tendon_solref_lim"), REL, ABS);
    r.close("tendon_solimp_lim", &flat(&m.tendon_solimp), &fx.f64("tendon_solimp_lim"), REL, ABS);
    enums!(wrap_type);
    // MuJoCo stores -1 as the object of a pulley.
    let objid: Vec<i64> = (0..m.nwrap)
        .map(|i| if m.wrap_type[i] == sinew::model::WrapType::Pulley { -1 } else { m.wrap_objid[i] as i64 })
        .collect();
    r.equal("wrap_objid", &objid, &fx.i64("wrap_objid"));
    f1!(wrap_prm);
    // actuators
    enums!(actuator_trntype, actuator_dyntype, actuator_gaintype, actuator_biastype);
    r.equal("actuator_trnid", &ids(&m.actuator_trnid), &fx.i64("actuator_trnid"));
    fn_!(actuator_dynprm, actuator_gainprm, actuator_biasprm, actuator_gear);
    int!(bools: actuator_ctrllimited, actuator_forcelimited, actuator_actlimited);
    fn_!(actuator_ctrlrange, actuator_forcerange, actuator_actrange, actuator_lengthrange);
    int!(opt_ids: actuator_actadr);
    f1!(actuator_acc0);
    int!(ids: actuator_actnum);
    // equalities
    enums!(eq_type);
    int!(ids: eq_obj1id);
    int!(opt_ids: eq_obj2id);
    int!(bools: eq_active0);
    fn_!(eq_solref, eq_solimp, eq_data);
    // contact pairs and excludes
    int!(ids: pair_geom1, pair_geom2);
    r.equal("pair_dim", &m.pair_dim.iter().map(|x| *x as i64).collect::<Vec<_>>(), &fx.i64("pair_dim"));
    r.equal(
        "pair_signature",
        &m.pair_signature.iter().map(|x| *x as i64).collect::<Vec<_>>(),
        &fx.i64("pair_signature"),
    );
    r.equal(
        "exclude_signature",
        &m.exclude_signature.iter().map(|x| *x as i64).collect::<Vec<_>>(),
        &fx.i64("exclude_signature"),
    );
    fn_!(pair_friction, pair_solref, pair_solreffriction, pair_solimp);
    f1!(pair_margin, pair_gap);
    // meshes and keyframes
    int!(ids: mesh_vertadr, mesh_vertnum);
    f1!(key_time);
    r.close("key_qpos", &m.key_qpos.concat(), &fx.f64("key_qpos"), REL, ABS);
    r.close("key_qvel", &m.key_qvel.concat(), &fx.f64("key_qvel"), REL, ABS);
    r.close("key_act", &m.key_act.concat(), &fx.f64("key_act"), REL, ABS);
    r.close("key_ctrl", &m.key_ctrl.concat(), &fx.f64("key_ctrl"), REL, ABS);
    r.close("total mass", &[m.total_mass()], &fx.f64("total_mass"), REL, ABS);
    // what the renderer draws: colours (material resolved as MuJoCo's renderer does), groups,
    // tendon widths
    let rgba = |v: &[[f32; 4]]| v.iter().flat_map(|c| c.map(|x| x as f64)).collect::<Vec<f64>>();
    for (name, got) in [
        ("draw_geom_rgba", rgba(&m.geom_rgba)),
        ("draw_site_rgba", rgba(&m.site_rgba)),
        ("draw_tendon_rgba", rgba(&m.tendon_rgba)),
    ] {
        r.close(name, &got, &fx.f64(name), 1e-6, 1e-7);
    }
    r.equal("site_group", &m.site_group.iter().map(|x| *x as i64).collect::<Vec<_>>(), &fx.i64("site_group"));
    r.equal(
        "tendon_group",
        &m.tendon_group.iter().map(|x| *x as i64).collect::<Vec<_>>(),
        &fx.i64("tendon_group"),
    );
    f1!(tendon_width);
    r
}

fn check(name: &str, path: &std::path::Path) {
    let m = sinew::mjcf::load_model(path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut fx = Fixture::open(&common::root().join(format!("tests/fixtures/compiler/{name}.npz")));
    compare(&m, &mut fx).finish(name);
}

fn check_asset(name: &str) {
    check(name, &common::root().join(format!("assets/{name}.xml")));
}

/// A fetched model; fails with the command to run when it has not been fetched.
fn check_fetched(name: &str) {
    let path = sinew::models::resolve(name).unwrap_or_else(|e| panic!("{e}"));
    check(name, &path);
}

#[test]
fn asset_compiler_features() {
    check_asset("compiler_features");
}
#[test]
fn asset_free_tumble() {
    check_asset("free_tumble");
}
#[test]
fn asset_cylinder_wrap() {
    check_asset("cylinder_wrap");
}
#[test]
fn asset_sphere_wrap() {
    check_asset("sphere_wrap");
}
#[test]
fn asset_muscle_range() {
    check_asset("muscle_range");
}
#[test]
fn myolegs() {
    check_fetched("myolegs");
}
#[test]
fn myolegs_abdomen() {
    check_fetched("myolegs_abdomen");
}
#[test]
fn myolegs_back() {
    check_fetched("myolegs_back");
}
#[test]
fn myotorso() {
    check_fetched("myotorso");
}
#[test]
fn myoarms() {
    check_fetched("myoarms");
}
#[test]
fn mm_fullbody() {
    check_fetched("mm_fullbody");
}
#[test]
fn mm_bimanual() {
    check_fetched("mm_bimanual");
}

#[test]
fn muscle_without_force_uses_scale_over_acc0() {
    let m = sinew::mjcf::load_model(&common::root().join("assets/cylinder_wrap.xml")).unwrap();
    let mut fx = Fixture::open(&common::root().join("tests/fixtures/compiler/cylinder_wrap.npz"));
    let acc0 = fx.f64("actuator_acc0");
    assert_eq!(m.actuator_gainprm[1][2], -1.0, "force stays -1 in the model, as in MuJoCo 4");
    assert_eq!(m.muscle_f0(0), 300.0);
    let want = 200.0 / acc0[1];
    assert!((m.muscle_f0(1) - want).abs() <= 1e-9 * want, "{} vs {want}", m.muscle_f0(1));
}
