//! Dispatches of more than 65,535 workgroups are laid out in rows (`Kernel::record`); every
//! kernel must index its item across rows. Past 4,194,240 invocations (65,535 × 64) a kernel that
//! read `gid.x` alone left the remaining items uncomputed, silently: here 512 tendons and 512
//! actuators per world over 8,192 worlds (4,194,304 items per dispatch, 64 of them in the second
//! row) must all be computed. (The count cannot grow on lavapipe: the tendon path buffer, 32 bytes
//! per tendon item, then passes its 128 MiB binding limit.)

use sinew::gpu::GpuContext;
use sinew::sim::{Sim, SimOptions};

const NTENDON: usize = 512;
const NWORLD: usize = 8192;

/// One hinge driven through `NTENDON` fixed tendons (coefficient 0.5 + k/1000), a motor on each.
fn many_tendons() -> sinew::Model {
    let mut tendons = String::new();
    let mut motors = String::new();
    for k in 0..NTENDON {
        let coef = 0.5 + k as f64 / 1000.0;
        tendons.push_str(&format!("<fixed name=\"t{k}\"><joint joint=\"hinge\" coef=\"{coef}\"/></fixed>"));
        motors.push_str(&format!("<motor tendon=\"t{k}\" gear=\"2\"/>"));
    }
    let xml = format!(
        "<mujoco><worldbody><body><joint name=\"hinge\" axis=\"0 1 0\"/><geom size=\"0.1\"/></body></worldbody>\
         <tendon>{tendons}</tendon><actuator>{motors}</actuator></mujoco>"
    );
    sinew::mjcf::load_model_str(&xml, std::path::Path::new("many_tendons.xml")).unwrap()
}

#[test]
fn kernels_compute_every_item_past_65535_workgroups() {
    let ctx = GpuContext::new().unwrap();
    let m = many_tendons();
    assert_eq!((m.ntendon, m.nu), (NTENDON, NTENDON));
    assert!(NWORLD * NTENDON > 65535 * 64, "the dispatch must need a second row");
    let sim = Sim::new(&ctx, &m, NWORLD, SimOptions::default()).unwrap();
    let st = &sim.data.state;
    st.upload(&ctx, &st.qpos, &vec![0.3f32; NWORLD]).unwrap();
    st.upload(&ctx, &st.qvel, &vec![0.7f32; NWORLD]).unwrap();
    st.upload(&ctx, &st.ctrl, &vec![0.25f32; NWORLD * NTENDON]).unwrap();
    let step = &sim.step;
    sinew::sim::stages::run(&ctx, &step.forward_stages());
    let n = NWORLD * NTENDON;
    let len = st.download::<f32>(&ctx, &st.ten_length).unwrap();
    let vel = st.download::<f32>(&ctx, &st.ten_velocity).unwrap();
    let alen = st.download::<f32>(&ctx, &st.actuator_length).unwrap();
    let force = st.download::<f32>(&ctx, &st.actuator_force).unwrap();
    let mut wrong = Vec::new();
    for i in 0..n {
        let coef = 0.5 + (i % NTENDON) as f32 / 1000.0;
        let want = [0.3 * coef, 0.7 * coef, 2.0 * 0.3 * coef, 0.25];
        let got = [len[i], vel[i], alen[i], force[i]];
        if want.iter().zip(&got).any(|(w, g)| (w - g).abs() > 1e-6 * (1.0 + w.abs())) {
            wrong.push((i / NTENDON, i % NTENDON, got));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {n} items wrong, first (world, tendon, [len, vel, actuator len, force]): {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(3)]
    );
}
