//! Each GPU stage against the f64 reference on the same inputs: MuJoCo's random states from the
//! smooth fixtures, rounded to f32 first so only the stages' arithmetic differs. Every output is
//! pre-filled with NaN so a missed write fails. Tolerances are stated per quantity below.

mod common;

use common::{Fixture, Report};
use sinew::gpu::GpuContext;
use sinew::model::Model;
use sinew::reference::forward::forward;
use sinew::sim::stages::run;
use sinew::sim::{Sim, SimOptions, SimState, Sites};

/// Positions, offsets and moment arms (metres; bodies within ~2 m of the origin) and unit
/// quaternions, in f32 after chains of up to ~15 frame compositions: 2e-5 absolute.
const POS_TOL: f64 = 2e-5;
/// Forces, rates and velocities: 1e-4 of the largest magnitude of that quantity in the world
/// (muscle forces go through FL/FV curves whose slopes amplify f32 length errors ~10×).
const FORCE_REL: f64 = 1e-4;
/// Plus an absolute floor for quantities that are differences of much larger terms (the
/// gyroscopic bias of a light spinning body): 1e-6.
const FORCE_FLOOR: f64 = 1e-6;
/// Accelerations and velocities after M⁻¹: 1e-3 relative (M is ill-conditioned: light patellae
/// and fingers next to a heavy pelvis).
const QACC_REL: f64 = 1e-3;
/// M entries: 1e-4 of sqrt(M_ii·M_jj). The com-frame formulation (MuJoCo's) builds a finger's
/// tiny M_ii from inertias about a point ~1 m away, m·|d|² ≫ M_ii, so f32 cancels ~2e-5 away.
const QM_REL: f64 = 1e-4;

struct States {
    qpos: Vec<Vec<f64>>,
    qvel: Vec<Vec<f64>>,
    act: Vec<Vec<f64>>,
    ctrl: Vec<Vec<f64>>,
}

fn states(name: &str, m: &Model) -> States {
    let mut fx = Fixture::open(&common::root().join(format!("tests/fixtures/smooth/{name}.npz")));
    // f32-rounded: the GPU sees exactly these.
    let split = |v: Vec<f64>, n: usize, count: usize| -> Vec<Vec<f64>> {
        (0..count).map(|s| v[s * n..(s + 1) * n].iter().map(|x| *x as f32 as f64).collect()).collect()
    };
    let qpos = fx.f64("state_qpos");
    let count = qpos.len() / m.nq;
    States {
        qpos: split(qpos, m.nq, count),
        qvel: split(fx.f64("state_qvel"), m.nv, count),
        act: split(fx.f64("state_act"), m.na, count),
        ctrl: split(fx.f64("state_ctrl"), m.nu, count),
    }
}

fn nan_fill(ctx: &GpuContext, buffer: &wgpu::Buffer) {
    let n = buffer.size() as usize / 4;
    SimState::write(ctx, buffer, &vec![f32::NAN; n]);
}

fn upload(ctx: &GpuContext, st: &SimState, buffer: &wgpu::Buffer, rows: &[Vec<f64>]) {
    let v: Vec<f32> = rows.iter().flatten().map(|x| *x as f32).collect();
    st.upload(ctx, buffer, &v).unwrap();
}

fn vec4s(v: &[[f32; 4]], k: usize) -> Vec<f64> {
    v.iter().flat_map(|x| x[..k].iter().map(|y| *y as f64)).collect()
}

fn f64s(v: &[f32]) -> Vec<f64> {
    v.iter().map(|x| *x as f64).collect()
}

fn close_rel(r: &mut Report, what: &str, got: &[f64], want: &[f64]) {
    let scale = want.iter().fold(0.0f64, |a, b| a.max(b.abs()));
    r.close(what, got, want, 0.0, FORCE_REL * scale + FORCE_FLOOR);
}

fn check(name: &str, m: &Model) {
    let ctx = GpuContext::new().unwrap();
    let s = states(name, m);
    let nworld = s.qpos.len();
    // every site, to compare them all with the reference
    let sim = Sim::new(&ctx, m, nworld, SimOptions { sites: Sites::All, ..SimOptions::default() }).unwrap();
    let st = &sim.data.state;
    upload(&ctx, st, &st.qpos, &s.qpos);
    upload(&ctx, st, &st.qvel, &s.qvel);
    upload(&ctx, st, &st.act, &s.act);
    upload(&ctx, st, &st.ctrl, &s.ctrl);
    for b in [
        &st.xpos, &st.xquat, &st.xanchor, &st.xaxis, &st.site_xpos, &st.geom_xpos, &st.geom_xquat,
        &st.subtree_com, &st.cdof, &st.cinert, &st.ten_length, &st.ten_j, &st.ten_velocity,
        &st.actuator_length, &st.actuator_velocity, &st.act_dot, &st.actuator_force, &st.qfrc_actuator,
    ] {
        nan_fill(&ctx, b);
    }
    // the smooth stages, each once, in step order
    let stage = |name: &str| sim.step.named_stages().into_iter().find(|(n, _)| *n == name).unwrap().1;
    let smooth = ["position", "tendon", "actuation", "mass_bias", "passive", "smooth"];
    run(&ctx, &smooth.map(stage));

    let dl4 = |b: &wgpu::Buffer, n: usize| {
        let v = st.download::<[f32; 4]>(&ctx, b).unwrap();
        assert_eq!(v.len(), nworld * n);
        v
    };
    let dl = |b: &wgpu::Buffer, n: usize| {
        let v = st.download::<f32>(&ctx, b).unwrap();
        assert_eq!(v.len(), nworld * n);
        v
    };
    let (xpos, xquat, xanchor) = (dl4(&st.xpos, m.nbody), dl4(&st.xquat, m.nbody), dl4(&st.xanchor, m.njnt));
    let (site, geom, sub) =
        (dl4(&st.site_xpos, m.nsite), dl4(&st.geom_xpos, m.ngeom), dl4(&st.subtree_com, m.nbody));
    let (cdof, cinert) = (dl4(&st.cdof, 2 * m.nv), dl4(&st.cinert, 3 * m.nbody));
    let nnz = sim.model.sparsity.rows.nnz();
    let wrap_pts = dl4(&st.wrap_xpos, 2 * m.nwrap);
    let wrapnum = st.download::<u32>(&ctx, &st.ten_wrapnum).unwrap();
    let (ten_length, ten_j, ten_vel) =
        (dl(&st.ten_length, m.ntendon), dl(&st.ten_j, nnz), dl(&st.ten_velocity, m.ntendon));
    let (alen, avel, adot) =
        (dl(&st.actuator_length, m.nu), dl(&st.actuator_velocity, m.nu), dl(&st.act_dot, m.na));
    let (aforce, qfrc) = (dl(&st.actuator_force, m.nu), dl(&st.qfrc_actuator, m.nv));
    let nm = sinew::gpu::model_buffers::ModelMirror::nm(m);
    let (qm, bias, pas_f, qacc) =
        (dl(&st.qm, nm), dl(&st.qfrc_bias, m.nv), dl(&st.qfrc_passive, m.nv), dl(&st.qacc_smooth, m.nv));
    // One Euler step on the GPU from the same states (constraints off: qacc = qacc_smooth).
    st.upload(&ctx, &st.qacc, &qacc).unwrap();
    run(&ctx, &[stage("damp"), stage("integrate")]);
    let (qpos1, qvel1, act1) = (dl(&st.qpos, m.nq), dl(&st.qvel, m.nv), dl(&st.act, m.na));

    let mut r = Report::default();
    for w in 0..nworld {
        let f = forward(m, &s.qpos[w], &s.qvel[w], &s.act[w], &s.ctrl[w]).unwrap();
        let flat3 = |v: &[[f64; 3]]| -> Vec<f64> { v.iter().flatten().copied().collect() };
        let win = |n: usize| w * n..(w + 1) * n;
        let fr = &f.frames;
        r.close(&format!("world {w} xpos"), &vec4s(&xpos[win(m.nbody)], 3), &flat3(&fr.xpos), 0.0, POS_TOL);
        let q: Vec<f64> = fr.xquat.iter().flatten().copied().collect();
        r.close(&format!("world {w} xquat"), &vec4s(&xquat[win(m.nbody)], 4), &q, 0.0, POS_TOL);
        r.close(
            &format!("world {w} xanchor"),
            &vec4s(&xanchor[win(m.njnt)], 3),
            &flat3(&fr.xanchor),
            0.0,
            POS_TOL,
        );
        r.close(
            &format!("world {w} site_xpos"),
            &vec4s(&site[win(m.nsite)], 3),
            &flat3(&fr.site_xpos),
            0.0,
            POS_TOL,
        );
        r.close(
            &format!("world {w} geom_xpos"),
            &vec4s(&geom[win(m.ngeom)], 3),
            &flat3(&fr.geom_xpos),
            0.0,
            POS_TOL,
        );
        let c = &f.com;
        r.close(
            &format!("world {w} subtree_com"),
            &vec4s(&sub[win(m.nbody)], 3),
            &flat3(&c.subtree_com),
            0.0,
            POS_TOL,
        );
        let cd: Vec<f64> = c.cdof.iter().flatten().copied().collect();
        r.close(&format!("world {w} cdof"), &vec4s(&cdof[win(2 * m.nv)], 3), &cd, 0.0, POS_TOL);
        for b in 0..m.nbody {
            let g = &cinert[3 * (w * m.nbody + b)..3 * (w * m.nbody + b) + 3];
            let ci = &c.cinert[b];
            // Stored about the com-frame origin: (m·d, m) and I_o = I_c + m(|d|²E - d dᵀ).
            let (mass, d, ic) = (ci.mass, ci.d, ci.icom);
            let h = [mass * d[0], mass * d[1], mass * d[2]];
            r.close(
                &format!("world {w} body {b} cinert m·d"),
                &vec4s(&g[..1], 3),
                &h,
                0.0,
                POS_TOL * mass.max(1.0),
            );
            r.close(&format!("world {w} body {b} cinert mass"), &[g[0][3] as f64], &[mass], 1e-6, 0.0);
            let dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            let io = [
                ic[0] + mass * (dd - d[0] * d[0]),
                ic[4] + mass * (dd - d[1] * d[1]),
                ic[8] + mass * (dd - d[2] * d[2]),
                ic[1] - mass * d[0] * d[1],
                ic[2] - mass * d[0] * d[2],
                ic[5] - mass * d[1] * d[2],
            ];
            // Inertia (kg·m²): 1e-5 of the body's largest moment about the origin.
            let scale = io[0].abs().max(io[1].abs()).max(io[2].abs());
            let got = [g[1][0], g[1][1], g[1][2], g[2][0], g[2][1], g[2][2]].map(|v| v as f64);
            r.close(&format!("world {w} body {b} cinert I"), &got, &io, 0.0, 1e-5 * scale + 1e-12);
        }
        // Tendons: the sparse rows are expanded, so an entry outside the row structure fails too.
        let mut dense = vec![0.0f64; m.ntendon * m.nv];
        let rows = &sim.model.sparsity.rows;
        for t in 0..m.ntendon {
            for e in rows.adr[t]..rows.adr[t] + rows.num[t] {
                dense[t * m.nv + rows.dof[e as usize] as usize] = ten_j[w * nnz + e as usize] as f64;
            }
        }
        r.close(
            &format!("world {w} ten_length"),
            &f64s(&ten_length[win(m.ntendon)]),
            &f.ten_length,
            0.0,
            POS_TOL,
        );
        // Path points (m): 2e-5; their count exactly.
        for t in 0..m.ntendon {
            let (_, _, pts) = sinew::reference::tendon::tendon_path(m, t, &s.qpos[w], fr);
            let n = wrapnum[w * m.ntendon + t] as usize;
            r.equal(&format!("world {w} tendon {t} wrapnum"), &[n as i64], &[pts.len() as i64]);
            let base = 2 * (w * m.nwrap + m.tendon_adr[t]);
            let got = vec4s(&wrap_pts[base..base + n.min(pts.len())], 3);
            let want: Vec<f64> = pts.iter().take(n).flatten().copied().collect();
            r.close(&format!("world {w} tendon {t} wrap_xpos"), &got, &want, 0.0, POS_TOL);
        }
        r.close(&format!("world {w} ten_J"), &dense, &f.ten_j.concat(), 0.0, POS_TOL);
        close_rel(
            &mut r,
            &format!("world {w} ten_velocity"),
            &f64s(&ten_vel[win(m.ntendon)]),
            &f.ten_velocity,
        );
        r.close(
            &format!("world {w} actuator_length"),
            &f64s(&alen[win(m.nu)]),
            &f.actuator_length,
            0.0,
            POS_TOL,
        );
        close_rel(
            &mut r,
            &format!("world {w} actuator_velocity"),
            &f64s(&avel[win(m.nu)]),
            &f.actuator_velocity,
        );
        close_rel(&mut r, &format!("world {w} act_dot"), &f64s(&adot[win(m.na)]), &f.actuation.act_dot);
        close_rel(
            &mut r,
            &format!("world {w} actuator_force"),
            &f64s(&aforce[win(m.nu)]),
            &f.actuation.actuator_force,
        );
        close_rel(
            &mut r,
            &format!("world {w} qfrc_actuator"),
            &f64s(&qfrc[win(m.nv)]),
            &f.actuation.qfrc_actuator,
        );
        // M (kg·m² or kg): per entry, QM_REL of the geometric mean of its row and column diagonals,
        // so the light dofs (tiny diagonals) are held to their own scale. Expanded from sparse rows.
        let mut dense = vec![0.0f64; m.nv * m.nv];
        for d in 0..m.nv {
            let mut adr = w * nm + sim.model.gpu.mirror.dof_madr[d] as usize;
            let mut p = Some(d);
            while let Some(j) = p {
                dense[d * m.nv + j] = qm[adr] as f64;
                dense[j * m.nv + d] = qm[adr] as f64;
                adr += 1;
                p = m.dof_parentid[j];
            }
        }
        for i in 0..m.nv {
            for j in 0..m.nv {
                let scale = (f.qm[i * m.nv + i] * f.qm[j * m.nv + j]).sqrt();
                r.close(
                    &format!("world {w} qM[{i},{j}]"),
                    &[dense[i * m.nv + j]],
                    &[f.qm[i * m.nv + j]],
                    0.0,
                    QM_REL * scale,
                );
            }
        }
        close_rel(&mut r, &format!("world {w} qfrc_bias"), &f64s(&bias[win(m.nv)]), &f.qfrc_bias);
        close_rel(&mut r, &format!("world {w} qfrc_passive"), &f64s(&pas_f[win(m.nv)]), &f.qfrc_passive);
        // qacc = M⁻¹f per dof: 1e-3 of |qacc| plus 1e-3 of the world's largest (f32 forces into an
        // ill-conditioned M: light patellae and fingers next to a heavy pelvis).
        let scale = f.qacc.iter().fold(0.0f64, |a, b| a.max(b.abs()));
        let got = f64s(&qacc[win(m.nv)]);
        for d in 0..m.nv {
            r.close(
                &format!("world {w} qacc[{d}]"),
                &[got[d]],
                &[f.qacc[d]],
                QACC_REL,
                QACC_REL * 1e-2 * scale,
            );
        }
        // One Euler step from the same state.
        let (mut q, mut v, mut a) = (s.qpos[w].clone(), s.qvel[w].clone(), s.act[w].clone());
        sinew::reference::forward::step(m, &mut q, &mut v, &mut a, &s.ctrl[w]).unwrap();
        r.close(&format!("world {w} step qpos"), &f64s(&qpos1[win(m.nq)]), &q, 0.0, POS_TOL);
        let vscale = v.iter().fold(1.0f64, |acc, b| acc.max(b.abs()));
        r.close(
            &format!("world {w} step qvel"),
            &f64s(&qvel1[win(m.nv)]),
            &v,
            QACC_REL,
            QACC_REL * 1e-2 * vscale,
        );
        r.close(&format!("world {w} step act"), &f64s(&act1[win(m.na)]), &a, 0.0, 1e-5);
    }
    r.finish(name);
}

fn asset(name: &str) -> Model {
    sinew::mjcf::load_model(&common::root().join(format!("assets/{name}.xml"))).unwrap()
}

fn fetched(name: &str) -> Model {
    sinew::mjcf::load_model(&sinew::models::resolve(name).unwrap_or_else(|e| panic!("{e}"))).unwrap()
}

#[test]
fn stages_assets() {
    for name in ["compiler_features", "free_tumble", "sphere_wrap", "cylinder_wrap", "muscle_range"] {
        check(name, &asset(name));
    }
}

#[test]
fn stages_real_models() {
    for name in ["myolegs", "myotorso", "myoarms", "mm_fullbody"] {
        check(name, &fetched(name));
    }
}

/// By default the position stage places only the sites something reads (the tendons' path and
/// side sites, and those asked for): they and everything downstream equal the every-site run
/// bitwise; the other sites are left as they were.
#[test]
fn only_the_sites_something_reads_are_placed() {
    let m = fetched("myoarms");
    let s = states("myoarms", &m);
    let nworld = s.qpos.len();
    let ctx = GpuContext::new().unwrap();
    let asked = vec![0usize];
    let read = Sites::Read(asked.clone()).ids(&m);
    assert!(read.len() < m.nsite, "myoarms: every site is read; the test needs one that is not");
    let run_with = |sites: Sites| {
        let sim = Sim::new(&ctx, &m, nworld, SimOptions { sites, ..SimOptions::default() }).unwrap();
        let st = &sim.data.state;
        upload(&ctx, st, &st.qpos, &s.qpos);
        upload(&ctx, st, &st.qvel, &s.qvel);
        nan_fill(&ctx, &st.site_xpos);
        let stage = |name: &str| sim.step.named_stages().into_iter().find(|(n, _)| *n == name).unwrap().1;
        run(&ctx, &["position", "tendon"].map(stage));
        let sites = st.download::<[f32; 4]>(&ctx, &st.site_xpos).unwrap();
        let (len, vel) = (
            st.download::<f32>(&ctx, &st.ten_length).unwrap(),
            st.download::<f32>(&ctx, &st.ten_velocity).unwrap(),
        );
        (sites, len, vel)
    };
    let (all, all_len, all_vel) = run_with(Sites::All);
    let (some, len, vel) = run_with(Sites::Read(asked));
    assert!(len == all_len && vel == all_vel, "tendon lengths or velocities differ with only the read sites");
    for w in 0..nworld {
        for k in 0..m.nsite {
            let (a, b) = (all[w * m.nsite + k], some[w * m.nsite + k]);
            assert!(a.iter().all(|x| x.is_finite()), "world {w} site {k}: not placed in the every-site run");
            if read.contains(&k) {
                assert_eq!(a, b, "world {w} site {k}: read, but differs from the every-site run");
            } else {
                assert!(
                    b.iter().take(3).all(|x| x.is_nan()),
                    "world {w} site {k}: placed, though nothing reads it"
                );
            }
        }
    }
}
