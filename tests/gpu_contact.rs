//! Collision and contact rows on the GPU against MuJoCo 4.0.0 (tests/fixtures/contact, written by
//! tools/mujoco_contact_fixtures.py): every pair of geom types sinew collides in a test scene at
//! random touching poses, and the real models at states along their contacts-on trajectories.
//! Per state: the same contacts (geom pairs and counts), their distance, position and frame, the
//! pyramidal rows (J, aref, D) and the constrained qacc.

mod common;

use common::{Fixture, Report};
use sinew::gpu::GpuContext;
use sinew::model::{GeomType, Model};
use sinew::sim::stages::run;
use sinew::sim::{Sim, SimOptions};

/// Geometry from closed-form primitives in f32 (coordinates up to ~26 m in the scene): 2e-5 m.
const PRIMITIVE_TOL: f64 = 2e-5;

/// Distance from the detection threshold within which a contact may be found on one side only.
const BORDER: f64 = 1e-4;

/// MuJoCo's contacts, one state.
struct MjContact {
    geom: [usize; 2],
    dist: f64,
    pos: [f64; 3],
    frame: [f64; 9],
    rows: Option<usize>,
}

/// Ours, one state: (candidate index, contact) in contact order.
struct OurContact {
    geom: [usize; 2],
    dist: f64,
    pos: [f64; 3],
    frame: [f64; 9],
    active: bool,
}

/// Pairs solved by an exact method where MuJoCo runs GJK/EPA (or multi-contact CCD), which
/// stops at `ccd_tolerance`/`ccd_iterations`: compared separately (see `convex_tol`).
fn convex(m: &Model, g: [usize; 2]) -> bool {
    use GeomType::*;
    let t = (m.geom_type[g[0]], m.geom_type[g[1]]);
    matches!(
        t,
        (Sphere, Ellipsoid)
            | (Capsule, Ellipsoid)
            | (Ellipsoid, Ellipsoid)
            | (Capsule, Cylinder)
            | (Plane, Ellipsoid)
    )
}

/// Capsule–cylinder with the core segment reaching into the cylinder (the scene's "deep" capsule):
/// MuJoCo's EPA answers to its tolerance. The depth is the exact minimum translation on both
/// sides, but EPA's normal is up to ~1e-3 rad off the exact one and its witness point on a flat
/// face is wherever the polytope ended, so only dist and (loosely) the normal are compared, and
/// the body's qacc is not.
fn epa_pair(m: &Model, g: [usize; 2]) -> bool {
    (m.geom_type[g[0]], m.geom_type[g[1]]) == (GeomType::Capsule, GeomType::Cylinder)
        && m.geom_name[g[0]] == "deep"
}

/// Normal tolerance for [`epa_pair`] contacts.
const EPA_NORMAL_TOL: f64 = 2e-2;

/// Ellipsoid–ellipsoid: distances agree with MuJoCo to ~1e-6, but MuJoCo's EPA normal is up to
/// 1.5e-3 rad off the exact one (checked against a brute-force minimisation over directions), so
/// the scene's qacc is not compared on that pair's body.
fn ellipsoid_pair(m: &Model, g: [usize; 2]) -> bool {
    (m.geom_type[g[0]], m.geom_type[g[1]]) == (GeomType::Ellipsoid, GeomType::Ellipsoid)
}

struct Outcome {
    epa_contacts: usize,
    worst_epa_dist: f64,
    worst_epa_normal: f64,
    worst_primitive: f64,
    worst_convex: f64,
    worst_row: f64,
    worst_qacc: f64,
}

fn check(name: &str, m: &Model, convex_tol: f64, qacc_rel: f64) -> Outcome {
    let mut fx = Fixture::open(&common::root().join(format!("tests/fixtures/contact/{name}.npz")));
    let qpos = fx.f64("state_qpos");
    let nworld = qpos.len() / m.nq;
    let qvel = fx.f64("state_qvel");
    let has_act = m.na > 0 && name != "contact_scene";

    // body_invweight0, which scales every contact's regulariser
    let iw = fx.f64("body_invweight0");
    let ours: Vec<f64> = m.body_invweight0.iter().flatten().copied().collect();
    let mut r = Report::default();
    r.close("body_invweight0", &ours, &iw, 1e-9, 1e-12);

    let ctx = GpuContext::new().unwrap();
    let sim = Sim::new(&ctx, m, nworld, SimOptions::default()).unwrap();
    let st = &sim.data.state;
    let f32s = |v: &[f64]| v.iter().map(|x| *x as f32).collect::<Vec<f32>>();
    st.upload(&ctx, &st.qpos, &f32s(&qpos)).unwrap();
    st.upload(&ctx, &st.qvel, &f32s(&qvel)).unwrap();
    if has_act {
        st.upload(&ctx, &st.act, &f32s(&fx.f64("state_act"))).unwrap();
        st.upload(&ctx, &st.ctrl, &f32s(&fx.f64("state_ctrl"))).unwrap();
    }
    let step = &sim.step;
    // everything but Euler: the contacts, rows and qacc of these states
    let stages: Vec<_> =
        step.named_stages().into_iter().filter(|(n, _)| *n != "integrate").map(|(_, s)| s).collect();
    run(&ctx, &stages);

    let table = &sim.model.contacts.table;
    let nslot = table.params.nslot as usize;
    let con = ctx.download::<[f32; 4]>(&sim.data.contacts.con, nworld * nslot * 3).unwrap();
    let count = ctx.download::<u32>(&sim.data.contacts.count, 2 * nworld).unwrap();
    let nefc_max = sim.model.efc.table.nefc_max();
    let efc_j = sim.data.efc.dense_rows(&ctx, &sim.model.efc.table, m.nv, nworld).unwrap();
    let aref = ctx.download::<f32>(&sim.data.efc.aref, nworld * nefc_max).unwrap();
    let dd = ctx.download::<f32>(&sim.data.efc.d, nworld * nefc_max).unwrap();
    let nefc = ctx.download::<u32>(&sim.data.efc.nefc, nworld).unwrap();
    let qacc = st.download::<f32>(&ctx, &st.qacc).unwrap();

    let geom = fx.i64("con_geom");
    let ncmax = geom.len() / 2 / nworld;
    let (dist, pos, frame) = (fx.f64("con_dist"), fx.f64("con_pos"), fx.f64("con_frame"));
    let addr = fx.i64("con_efc_address");
    let dim = fx.i64("con_dim");
    let (mj_j, mj_aref, mj_d) = (fx.f64("efc_J"), fx.f64("efc_aref"), fx.f64("efc_D"));
    let nrmax = mj_aref.len() / nworld;
    let mj_qacc = fx.f64("qacc");

    // rows per contact of a pair: 1 for condim 1, 4 for condim 3
    let rows_of = |g: [usize; 2]| -> usize {
        if table.candidates.iter().find(|k| k.geom == g).unwrap().condim == 1 { 1 } else { 4 }
    };
    let mut out = Outcome {
        epa_contacts: 0,
        worst_epa_dist: 0.0,
        worst_epa_normal: 0.0,
        worst_primitive: 0.0,
        worst_convex: 0.0,
        worst_row: 0.0,
        worst_qacc: 0.0,
    };
    for w in 0..nworld {
        // MuJoCo's contacts; their rows are packed in contact order in the fixture
        let mut mj = Vec::new();
        let mut row = 0;
        for c in 0..ncmax {
            let i = w * ncmax + c;
            if geom[2 * i] < 0 {
                break;
            }
            let rows = (addr[i] >= 0).then(|| {
                let first = row;
                row += if dim[i] == 1 { 1 } else { 2 * (dim[i] as usize - 1) };
                first
            });
            mj.push(MjContact {
                geom: [geom[2 * i] as usize, geom[2 * i + 1] as usize],
                dist: dist[i],
                pos: std::array::from_fn(|k| pos[3 * i + k]),
                frame: std::array::from_fn(|k| frame[9 * i + k]),
                rows,
            });
        }
        // ours, in slot (= contact) order
        let mut ours = Vec::new();
        for (p, pair) in table.pairs.iter().enumerate() {
            for k in 0..pair.maxcon as usize {
                let b = 3 * (w * nslot + pair.slot as usize + k);
                let state = con[b + 1][3];
                if state == 0.0 {
                    continue;
                }
                let n: [f64; 3] = std::array::from_fn(|j| con[b + 1][j] as f64);
                let t1: [f64; 3] = std::array::from_fn(|j| con[b + 2][j] as f64);
                let t2 =
                    [n[1] * t1[2] - n[2] * t1[1], n[2] * t1[0] - n[0] * t1[2], n[0] * t1[1] - n[1] * t1[0]];
                ours.push(OurContact {
                    geom: table.candidates[p].geom,
                    dist: con[b][3] as f64,
                    pos: std::array::from_fn(|j| con[b][j] as f64),
                    frame: [n[0], n[1], n[2], t1[0], t1[1], t1[2], t2[0], t2[1], t2[2]],
                    active: state == 1.0,
                });
            }
        }
        let key = |g: [usize; 2]| format!("{}-{}", m.geom_name[g[0]], m.geom_name[g[1]]);
        assert_eq!(count[2 * w + 1], 0, "{name} state {w}: contacts were dropped");
        // rows: ours start after the equality/limit rows, in contact order
        let contact_rows: usize = ours.iter().filter(|c| c.active).map(|c| rows_of(c.geom)).sum();
        let mut our_row = (nefc[w] as usize).saturating_sub(contact_rows);
        let mut our_first = vec![0usize; ours.len()];
        for (i, c) in ours.iter().enumerate() {
            our_first[i] = our_row;
            if c.active {
                our_row += rows_of(c.geom);
            }
        }
        let mut used = vec![false; ours.len()];
        // A contact one side finds and the other does not is a failure unless its distance is
        // within BORDER of the detection threshold (f32 rounding or MuJoCo's EPA tolerance decide it).
        let threshold = |g: [usize; 2]| {
            let c = table.candidates.iter().find(|k| k.geom == g).unwrap();
            c.includemargin + c.gap
        };
        for c in &mj {
            // the nearest of ours on the same pair
            let Some((i, o)) =
                ours.iter().enumerate().filter(|(i, o)| !used[*i] && o.geom == c.geom).min_by(|a, b| {
                    let d = |o: &OurContact| (0..3).map(|k| (o.pos[k] - c.pos[k]).powi(2)).sum::<f64>();
                    d(a.1).total_cmp(&d(b.1))
                })
            else {
                let near = (c.dist - threshold(c.geom)).abs() < BORDER;
                println!(
                    "state {w}: MuJoCo's {} contact at dist {:.2e} not found{}",
                    key(c.geom),
                    c.dist,
                    if near { " (at the threshold)" } else { "" }
                );
                if !near {
                    r.failures.push(format!(
                        "state {w}: MuJoCo's {} contact at dist {:.3e} not found",
                        key(c.geom),
                        c.dist
                    ));
                }
                continue;
            };
            used[i] = true;
            let label = format!("state {w} {}", key(c.geom));
            let is_convex = convex(m, c.geom);
            let epa = epa_pair(m, c.geom);
            let tol = if is_convex { convex_tol } else { PRIMITIVE_TOL };
            let diff = (o.dist - c.dist)
                .abs()
                .max((0..3).map(|k| (o.pos[k] - c.pos[k]).abs()).fold(0.0, f64::max))
                .max((0..3).map(|k| (o.frame[k] - c.frame[k]).abs()).fold(0.0, f64::max));
            if epa {
                out.epa_contacts += 1;
                out.worst_epa_dist = out.worst_epa_dist.max((o.dist - c.dist).abs());
                out.worst_epa_normal = out
                    .worst_epa_normal
                    .max((0..3).map(|k| (o.frame[k] - c.frame[k]).abs()).fold(0.0, f64::max));
            } else if is_convex {
                out.worst_convex = out.worst_convex.max(diff);
            } else {
                out.worst_primitive = out.worst_primitive.max(diff);
            }
            r.close(&format!("{label} dist"), &[o.dist], &[c.dist], 0.0, tol);
            if !epa {
                r.close(&format!("{label} pos"), &o.pos, &c.pos, 0.0, tol);
            }
            // the normal always; the tangents where the frame is fixed by the normal and MuJoCo's rules
            let nf = if is_convex { 3 } else { 9 };
            r.close(
                &format!("{label} frame"),
                &o.frame[..nf],
                &c.frame[..nf],
                0.0,
                if epa {
                    EPA_NORMAL_TOL
                } else if is_convex {
                    tol * 20.0
                } else {
                    PRIMITIVE_TOL
                },
            );
            assert_eq!(o.active, c.rows.is_some(), "{label}: in-gap state differs");
            // rows (primitives only: a convex pair's rows inherit its geometry's difference)
            if let (Some(first), false) = (c.rows, is_convex) {
                let rows = rows_of(c.geom);
                for k in 0..rows {
                    let mr = w * nrmax + first + k;
                    let orow = w * nefc_max + our_first[i] + k;
                    let want = &mj_j[mr * m.nv..(mr + 1) * m.nv];
                    let got: Vec<f64> =
                        efc_j[orow * m.nv..(orow + 1) * m.nv].iter().map(|x| *x as f64).collect();
                    let scale = want.iter().fold(1e-3f64, |a, b| a.max(b.abs()));
                    let e = got.iter().zip(want).fold(0.0f64, |a, (x, y)| a.max((x - y).abs())) / scale;
                    out.worst_row = out.worst_row.max(e);
                    r.close(&format!("{label} row {k} J"), &got, want, 0.0, 1e-4 * scale);
                    // D follows the impedance at |dist − margin| / solimp width (1 mm in these
                    // models): the ~3e-6 m f32 error of dist moves it by up to ~1e-3 relative
                    r.close(&format!("{label} row {k} D"), &[dd[orow] as f64], &[mj_d[mr]], 1e-3, 0.0);
                    let a = mj_aref[mr];
                    r.close(&format!("{label} row {k} aref"), &[aref[orow] as f64], &[a], 1e-3, 1e-3);
                }
            }
        }
        let mut all_matched = true;
        for (i, o) in ours.iter().enumerate().filter(|(i, _)| !used[*i]) {
            let near = (o.dist - threshold(o.geom)).abs() < BORDER;
            println!(
                "state {w}: sinew's {} contact at dist {:.2e} not in MuJoCo{}",
                key(o.geom),
                o.dist,
                if near { " (at the threshold)" } else { "" }
            );
            all_matched = false;
            if !near {
                r.failures.push(format!(
                    "state {w}: sinew's extra {} contact {i} at dist {:.3e}",
                    key(o.geom),
                    o.dist
                ));
            }
        }
        // qacc depends on the contact set and its geometry: in a scene each pair has its own free
        // body, so only the bodies of pairs whose geometry is EPA's approximation are left out;
        // in a model all dofs are compared
        let masked: Vec<usize> = if name.ends_with("_scene") {
            table
                .candidates
                .iter()
                .filter(|c| epa_pair(m, c.geom) || ellipsoid_pair(m, c.geom))
                .flat_map(|c| c.geom)
                .map(|g| m.geom_bodyid[g])
                .flat_map(|b| m.body_dofadr[b]..m.body_dofadr[b] + m.body_dofnum[b])
                .collect()
        } else {
            Vec::new()
        };
        if !all_matched || ours.len() != mj.len() {
            continue;
        }
        let keep = |d: &usize| !masked.contains(d);
        let want: Vec<f64> = (0..m.nv).filter(keep).map(|d| mj_qacc[w * m.nv + d]).collect();
        let got: Vec<f64> = (0..m.nv).filter(keep).map(|d| qacc[w * m.nv + d] as f64).collect();
        let want = &want[..];
        let scale = want.iter().fold(1.0f64, |a, b| a.max(b.abs()));
        let e = got.iter().zip(want.iter()).fold(0.0f64, |a, (x, y)| a.max((x - y).abs())) / scale;
        out.worst_qacc = out.worst_qacc.max(e);
        r.close(&format!("state {w} qacc"), &got, want, 0.0, qacc_rel * scale);
    }
    println!(
        "{name}: {nworld} states; worst |ours - MuJoCo|: primitive contacts {:.1e}, convex contacts {:.1e}, \
         rows {:.1e} (of max |J|), qacc {:.1e} (of max |qacc|); EPA-regime capsule–cylinder: dist {:.1e}, \
         normal {:.1e}",
        out.worst_primitive,
        out.worst_convex,
        out.worst_row,
        out.worst_qacc,
        out.worst_epa_dist,
        out.worst_epa_normal
    );
    r.finish(name);
    out
}

/// Contacts-on trajectories: the first step at which qpos leaves MuJoCo's by more than 1e-3.
fn trajectory(name: &str) -> (usize, usize) {
    use sinew::sim::rollout::{InitState, rollout};
    let m = sinew::mjcf::load_model(&sinew::models::resolve(name).unwrap()).unwrap();
    let mut fx = Fixture::open(&common::root().join(format!("tests/fixtures/contact/{name}.npz")));
    let (ctrl, tq) = (fx.f64("traj_ctrl"), fx.f64("traj_qpos"));
    let steps = tq.len() / m.nq;
    let c = common::ctrl_per_world(&ctrl, steps, 1, m.nu);
    let ctx = GpuContext::new().unwrap();
    let traj = rollout(&ctx, &m, 1, steps, &InitState::rest(&m, 1), &c).unwrap();
    assert_eq!(traj.nonfinite, vec![false], "{name}: went non-finite");
    let mut first = steps;
    let mut worst_before = 0.0f64;
    for t in 0..steps {
        let q = common::world_row(&traj.qpos, t, 0, 1, m.nq);
        let e = q.iter().zip(&tq[t * m.nq..(t + 1) * m.nq]).fold(0.0f64, |a, (x, y)| a.max((x - y).abs()));
        if e > 1e-3 {
            first = t;
            break;
        }
        worst_before = worst_before.max(e);
    }
    println!(
        "{name}: contacts on, qpos within 1e-3 of MuJoCo for {first} of {steps} steps (worst {worst_before:.1e})"
    );
    (first, steps)
}

#[test]
fn contacts_on_trajectories_track_mujoco() {
    // capsule–ellipsoid, capsule–capsule and plane–capsule contacts: the whole 200 steps
    for name in ["myoarms", "mm_fullbody"] {
        let (first, steps) = trajectory(name);
        assert_eq!(first, steps, "{name}: left MuJoCo's trajectory at step {first}");
    }
    // myolegs' feet stand on the cylinder platform from step 12: capsule–cylinder contacts in
    // MuJoCo's multi-contact regime (one or two points per foot capsule, each with its own depth)
    let (first, steps) = trajectory("myolegs");
    assert_eq!(first, steps, "myolegs: left MuJoCo's trajectory at step {first}");
}

#[test]
fn scene_contacts_match_mujoco() {
    let m = sinew::mjcf::load_model(&common::root().join("assets/contact_scene.xml")).unwrap();
    check("contact_scene", &m, 1e-3, 1e-3);
}

#[test]
fn capsule_cylinder_contacts_match_mujoco() {
    // multi-contact on a cap (two points, a repeated clipped point, margins), GJK on the core
    // segment, and the EPA regime
    let m = sinew::mjcf::load_model(&common::root().join("assets/capsule_cylinder_scene.xml")).unwrap();
    let out = check("capsule_cylinder_scene", &m, 1e-4, 1e-3);
    assert!(out.epa_contacts > 0, "the scene's deep capsule made no contact");
}

#[test]
fn real_model_contacts_match_mujoco() {
    for name in ["myolegs", "myoarms", "mm_fullbody"] {
        let m =
            sinew::mjcf::load_model(&sinew::models::resolve(name).unwrap_or_else(|e| panic!("{e}"))).unwrap();
        check(name, &m, 1e-3, 1e-3);
    }
}

#[test]
fn contacts_beyond_the_capacity_are_counted_per_world() {
    // The scene's states have 12-16 contacts each; with room for 3 per world every world keeps 3
    // and counts the step as overflowed.
    let m = sinew::mjcf::load_model(&common::root().join("assets/contact_scene.xml")).unwrap();
    let mut fx = Fixture::open(&common::root().join("tests/fixtures/contact/contact_scene.npz"));
    let qpos = fx.f64("state_qpos");
    let nworld = qpos.len() / m.nq;
    let ctx = GpuContext::new().unwrap();
    let sim =
        Sim::new(&ctx, &m, nworld, SimOptions { contact_capacity: 3, ..SimOptions::default() }).unwrap();
    let st = &sim.data.state;
    st.upload(&ctx, &st.qpos, &qpos.iter().map(|x| *x as f32).collect::<Vec<_>>()).unwrap();
    let step = &sim.step;
    let stages: Vec<_> =
        step.named_stages().into_iter().filter(|(n, _)| *n != "integrate").map(|(_, s)| s).collect();
    run(&ctx, &stages);
    run(&ctx, &stages);
    let count = ctx.download::<u32>(&sim.data.contacts.count, 2 * nworld).unwrap();
    for w in 0..nworld {
        assert_eq!(count[2 * w], 3, "world {w}: active contacts kept");
        assert_eq!(count[2 * w + 1], 2, "world {w}: overflowed steps (two steps run)");
    }
}

/// What Newton keeps in workgroup memory (`SINEW_NEWTON_HOT`: the factor, the world's vectors,
/// both or neither) changes where values live, not the arithmetic: every placement gives
/// bitwise the same contacts-on rollout, with and without shader f64; an unknown value is
/// refused by name.
#[test]
fn every_newton_placement_gives_the_same_rollout() {
    let dir = std::env::temp_dir().join(format!("sinew_newton_hot_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let m = sinew::mjcf::load_model(&sinew::models::resolve("myolegs").unwrap()).unwrap();
    let (nworld, steps) = (19, 40);
    let ctrl: Vec<f32> = (0..nworld * steps * m.nu).map(|i| ((i * 7919) % 97) as f32 / 96.0).collect();
    let ctrl = sinew::npio::Array { shape: vec![nworld, steps, m.nu], data: ctrl };
    for f64_mode in ["on", "off"] {
        let run = |hot: &str| {
            let env = [("SINEW_F64", f64_mode), ("SINEW_NEWTON_HOT", hot)];
            common::cli_rollout(&dir, "myolegs", &ctrl, &format!("{f64_mode}_{hot}"), &env)
        };
        let all = run("all");
        assert!(
            all.iter().all(|a| a.data.iter().all(|x| x.is_finite())),
            "f64 {f64_mode}: non-finite rollout"
        );
        for hot in ["factor", "vectors", "none"] {
            let other = run(hot);
            for (name, (a, b)) in ["qpos", "qvel", "act", "qacc"].iter().zip(all.iter().zip(&other)) {
                assert!(
                    a.data == b.data,
                    "f64 {f64_mode}: {name} with SINEW_NEWTON_HOT={hot} differs from all"
                );
            }
        }
    }
    common::assert_env_value_refused("SINEW_NEWTON_HOT", "most");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Newton's rank-one updates of its factor between iterations (newton.wgsl's update_factor)
/// solve as assembling and factorising H again does, checked in f64 (in f32 they run too, and
/// `contacts_on_trajectories_track_mujoco` in CI's f32 pass holds them to MuJoCo): mm_fullbody standing with contacts,
/// where a step's second iteration updates the factor for the rows that changed, rolls out the
/// same with SINEW_NEWTON_UPDATES on and off, to the f32 rounding of each quantity's scale (the
/// updated factor is within ~1e-12 of a fresh one; a wrong update fails this from the first
/// step); an unknown value is refused by name.
#[test]
fn rank_one_updates_solve_as_refactorising() {
    let dir = std::env::temp_dir().join(format!("sinew_newton_updates_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let m = sinew::mjcf::load_model(&sinew::models::resolve("mm_fullbody").unwrap()).unwrap();
    let (nworld, steps) = (3, 20);
    let ctrl: Vec<f32> =
        (0..nworld * steps * m.nu).map(|i| 0.05 + ((i * 7919) % 97) as f32 / 970.0).collect();
    let ctrl = sinew::npio::Array { shape: vec![nworld, steps, m.nu], data: ctrl };
    let run = |updates: &str| {
        let env = [("SINEW_F64", "on"), ("SINEW_NEWTON_UPDATES", updates)];
        common::cli_rollout(&dir, "mm_fullbody", &ctrl, updates, &env)
    };
    let (on, off) = (run("on"), run("off"));
    for (name, (a, b)) in ["qpos", "qvel", "act", "qacc"].iter().zip(on.iter().zip(&off)) {
        let scale = b.data.iter().fold(1e-6f32, |s, x| s.max(x.abs()));
        let worst = a.data.iter().zip(&b.data).fold(0.0f32, |w, (x, y)| w.max((x - y).abs()));
        assert!(worst.is_finite() && worst <= 2.0 * f32::EPSILON * scale, "{name}: {worst} of {scale}");
    }
    common::assert_env_value_refused("SINEW_NEWTON_UPDATES", "sometimes");
    let _ = std::fs::remove_dir_all(&dir);
}
