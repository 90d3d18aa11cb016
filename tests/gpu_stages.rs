//! Each GPU stage against the f64 reference on the same inputs (MuJoCo's random states from the
//! smooth fixtures, rounded to f32 first so only the stage's arithmetic differs). Outputs are
//! pre-filled with NaN so a missed write fails. Tolerances are stated per quantity below.

mod common;

use common::{Fixture, Report};
use sinew::gpu::{GpuContext, GpuModel};
use sinew::model::Model;
use sinew::reference::com::com;
use sinew::reference::kinematics::kinematics;
use sinew::sim::SimState;
use sinew::sim::sparsity::GpuSparsity;
use sinew::sim::stages::com::Com;
use sinew::sim::stages::kinematics::Kinematics;
use sinew::sim::stages::run;
use sinew::sim::stages::tendon::Tendon;

/// Positions (metres, bodies within ~2 m of the origin) and unit quaternions in f32 after a chain
/// of up to ~15 frame compositions: 2e-5 absolute.
const POS_TOL: f64 = 2e-5;
const QUAT_TOL: f64 = 2e-5;

fn states(name: &str, m: &Model) -> Vec<Vec<f64>> {
    let mut fx = Fixture::open(&common::root().join(format!("tests/fixtures/smooth/{name}.npz")));
    let q = fx.f64("state_qpos");
    // f32-rounded: the GPU sees exactly these.
    q.chunks(m.nq).map(|s| s.iter().map(|v| *v as f32 as f64).collect()).collect()
}

fn nan_fill(ctx: &GpuContext, buffer: &wgpu::Buffer) {
    let n = buffer.size() as usize / 4;
    SimState::write(ctx, buffer, &vec![f32::NAN; n]);
}

fn vec4_to_f64(v: &[[f32; 4]], k: usize) -> Vec<f64> {
    v.iter().flat_map(|x| x[..k].iter().map(|y| *y as f64)).collect()
}

fn check_kinematics(name: &str, m: &Model) {
    let ctx = GpuContext::new().unwrap();
    let qs = states(name, m);
    let nworld = qs.len();
    let gm = GpuModel::upload(&ctx, m);
    let st = SimState::new(&ctx, m, nworld);
    let qpos: Vec<f32> = qs.iter().flatten().map(|v| *v as f32).collect();
    SimState::write(&ctx, &st.qpos, &qpos);
    for b in [&st.xpos, &st.xquat, &st.xanchor, &st.xaxis, &st.site_xpos] {
        nan_fill(&ctx, b);
    }
    for b in [&st.subtree_com, &st.cdof, &st.cinert, &st.ten_length, &st.ten_j] {
        nan_fill(&ctx, b);
    }
    let sp = GpuSparsity::upload(&ctx, m);
    let kin = Kinematics::new(&ctx, &gm, &st).unwrap();
    let com_stage = Com::new(&ctx, &gm, &st).unwrap();
    let ten = Tendon::new(&ctx, &gm, &sp, &st).unwrap();
    run(&ctx, &[&kin, &com_stage, &ten]);
    let nnz = sp.rows.nnz();
    let ten_length = ctx.download::<f32>(&st.ten_length, nworld * m.ntendon).unwrap();
    let ten_j = ctx.download::<f32>(&st.ten_j, nworld * nnz).unwrap();
    let xpos = ctx.download::<[f32; 4]>(&st.xpos, nworld * m.nbody).unwrap();
    let xquat = ctx.download::<[f32; 4]>(&st.xquat, nworld * m.nbody).unwrap();
    let xanchor = ctx.download::<[f32; 4]>(&st.xanchor, nworld * m.njnt).unwrap();
    let site = ctx.download::<[f32; 4]>(&st.site_xpos, nworld * m.nsite).unwrap();
    let geom = ctx.download::<[f32; 4]>(&st.geom_xpos, nworld * m.ngeom).unwrap();
    let sub = ctx.download::<[f32; 4]>(&st.subtree_com, nworld * m.nbody).unwrap();
    let cdof = ctx.download::<[f32; 4]>(&st.cdof, nworld * 2 * m.nv).unwrap();
    let cinert = ctx.download::<[f32; 4]>(&st.cinert, nworld * 3 * m.nbody).unwrap();
    let mut r = Report::default();
    for (w, q) in qs.iter().enumerate() {
        let f = kinematics(m, q);
        let flat3 = |v: &[[f64; 3]]| -> Vec<f64> { v.iter().flatten().copied().collect() };
        let flat4 = |v: &[[f64; 4]]| -> Vec<f64> { v.iter().flatten().copied().collect() };
        let nb = m.nbody;
        r.close(
            &format!("world {w} xpos"),
            &vec4_to_f64(&xpos[w * nb..(w + 1) * nb], 3),
            &flat3(&f.xpos),
            0.0,
            POS_TOL,
        );
        r.close(
            &format!("world {w} xquat"),
            &vec4_to_f64(&xquat[w * nb..(w + 1) * nb], 4),
            &flat4(&f.xquat),
            0.0,
            QUAT_TOL,
        );
        let nj = m.njnt;
        r.close(
            &format!("world {w} xanchor"),
            &vec4_to_f64(&xanchor[w * nj..(w + 1) * nj], 3),
            &flat3(&f.xanchor),
            0.0,
            POS_TOL,
        );
        let ns = m.nsite;
        r.close(
            &format!("world {w} site_xpos"),
            &vec4_to_f64(&site[w * ns..(w + 1) * ns], 3),
            &flat3(&f.site_xpos),
            0.0,
            POS_TOL,
        );
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
fn kinematics_assets() {
    for name in ["compiler_features", "free_tumble", "sphere_wrap", "cylinder_wrap", "muscle_range"] {
        check_kinematics(name, &asset(name));
    }
}

#[test]
fn kinematics_real_models() {
    for name in ["myolegs", "myotorso", "myoarms", "mm_fullbody"] {
        check_kinematics(name, &fetched(name));
    }
}
