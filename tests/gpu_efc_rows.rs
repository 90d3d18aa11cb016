//! The GPU's sparse constraint rows against the dense f64 rows of the reference
//! (src/reference/constraint.rs, itself checked against MuJoCo in constraint_vs_mujoco) at the
//! same random states (tests/fixtures/constraint: joints sampled past their ranges, contacts
//! off), and the rows' index by dof (efc.jt) against the rows it indexes. Contact rows are
//! compared with MuJoCo's dense efc_J in gpu_contact.

mod common;

use common::{Fixture, Report};
use sinew::gpu::GpuContext;
use sinew::model::disable;
use sinew::reference::{constraint, kinematics, tendon};
use sinew::sim::stages::run;
use sinew::sim::{Sim, SimOptions};

/// Rows from f32 kinematics against f64 ones: relative to the row's largest entry.
const ROW_TOL: f64 = 1e-4;

fn check(name: &str) {
    let mut m =
        sinew::mjcf::load_model(&sinew::models::resolve(name).unwrap_or_else(|e| panic!("{e}"))).unwrap();
    m.opt.disableflags |= disable::CONTACT; // as the fixture was made
    let mut fx = Fixture::open(&common::root().join(format!("tests/fixtures/constraint/{name}.npz")));
    let (qpos, qvel) = (fx.f64("state_qpos"), fx.f64("state_qvel"));
    let nworld = qpos.len() / m.nq;

    let ctx = GpuContext::new().unwrap();
    let sim = Sim::new(&ctx, &m, nworld, SimOptions::default()).unwrap();
    let st = &sim.data.state;
    let f32s = |v: &[f64]| v.iter().map(|x| *x as f32).collect::<Vec<f32>>();
    st.upload(&ctx, &st.qpos, &f32s(&qpos)).unwrap();
    st.upload(&ctx, &st.qvel, &f32s(&qvel)).unwrap();
    let step = &sim.step;
    // up to the rows: the contact stage also indexes them by dof
    let stages: Vec<_> =
        step.named_stages().into_iter().take_while(|(n, _)| *n != "newton").map(|(_, s)| s).collect();
    run(&ctx, &stages);

    let table = &sim.model.efc.table;
    let nmax = table.nefc_max();
    let dense = sim.data.efc.dense_rows(&ctx, table, m.nv, nworld).unwrap();
    let nefc = ctx.download::<u32>(&sim.data.efc.nefc, nworld).unwrap();
    let mut r = Report::default();
    let mut rows_seen = 0;
    for w in 0..nworld {
        let q = &qpos[w * m.nq..(w + 1) * m.nq];
        let v = &qvel[w * m.nv..(w + 1) * m.nv];
        let f = kinematics::kinematics(&m, q);
        let ten: Vec<(f64, Vec<f64>)> = (0..m.ntendon).map(|t| tendon::tendon(&m, t, q, &f)).collect();
        let want = constraint::make_constraint(&m, q, v, &ten);
        r.equal(&format!("world {w} nefc"), &[nefc[w] as i64], &[want.len() as i64]);
        for (i, row) in want.iter().enumerate().take(nefc[w] as usize) {
            let got: Vec<f64> =
                dense[(w * nmax + i) * m.nv..(w * nmax + i + 1) * m.nv].iter().map(|x| *x as f64).collect();
            let scale = row.j.iter().fold(1e-6f64, |a, b| a.max(b.abs()));
            r.close(
                &format!("world {w} row {i} (type {} id {}) J", row.kind, row.id),
                &got,
                &row.j,
                0.0,
                ROW_TOL * scale,
            );
            // the sparse row holds every nonzero of the dense one
            for (d, x) in row.j.iter().enumerate() {
                if *x != 0.0 && got[d] == 0.0 {
                    r.failures.push(format!("world {w} row {i}: dof {d} missing from the sparse row"));
                }
            }
            rows_seen += 1;
        }
    }
    assert!(rows_seen > nworld, "{name}: too few rows at these states to test anything ({rows_seen})");

    // efc.jt: per world, dof d's entries are exactly the rows whose lists hold d, in row order,
    // each pointing at d's place in that row
    let pool = table.params.jpool as usize;
    let stride = m.nv + 1 + pool;
    let jt = ctx.download::<u32>(&sim.data.efc.jt, nworld * stride).unwrap();
    let jrow = ctx.download::<[u32; 2]>(&sim.data.efc.jrow, nworld * nmax).unwrap();
    let lists = &table.lists;
    for w in 0..nworld {
        let t = &jt[w * stride..(w + 1) * stride];
        for d in 0..m.nv {
            let mut want = Vec::new();
            for row in 0..nefc[w] as usize {
                let l = jrow[w * nmax + row][1] as usize;
                let dofs = &lists[lists[l] as usize..lists[l + 1] as usize];
                if let Some(k) = dofs.iter().position(|x| *x as usize == d) {
                    want.push(((row as u32) << 16) | k as u32);
                }
            }
            let got = &t[m.nv + 1 + t[d] as usize..m.nv + 1 + t[d + 1] as usize];
            if got != want.as_slice() {
                r.failures.push(format!("world {w} dof {d}: indexed rows {got:?}, want {want:?}"));
            }
        }
    }
    println!("{name}: {nworld} states, {rows_seen} rows");
    r.finish(name);
}

#[test]
fn sparse_rows_equal_the_dense_reference_rows() {
    for name in ["myolegs", "mm_fullbody"] {
        check(name);
    }
}
