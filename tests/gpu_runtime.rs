//! The GPU runtime on whatever adapter wgpu finds (lavapipe in CI): model upload round trip, a
//! kernel reading the model through the WGSL structs, and Burn on the same device.

mod common;

use sinew::gpu::model_buffers::ModelMirror;
use sinew::gpu::{GpuContext, GpuModel};

fn context() -> GpuContext {
    GpuContext::new().unwrap_or_else(|e| panic!("{e}"))
}

fn test_model() -> sinew::Model {
    sinew::mjcf::load_model(&common::root().join("assets/compiler_features.xml")).unwrap()
}

#[test]
fn upload_round_trip() {
    let ctx = context();
    let m = test_model();
    let gm = GpuModel::upload(&ctx, &m);
    let mir = &gm.mirror;
    assert_eq!(mir, &ModelMirror::new(&m));
    assert_eq!(ctx.download::<sinew::gpu::layout::Body>(&gm.bodies, m.nbody).unwrap(), mir.bodies);
    assert_eq!(ctx.download::<sinew::gpu::layout::Joint>(&gm.joints, m.njnt).unwrap(), mir.joints);
    assert_eq!(ctx.download::<sinew::gpu::layout::Dof>(&gm.dofs, m.nv).unwrap(), mir.dofs);
    assert_eq!(ctx.download::<sinew::gpu::layout::Geom>(&gm.geoms, m.ngeom).unwrap(), mir.geoms);
    assert_eq!(ctx.download::<sinew::gpu::layout::Site>(&gm.sites, m.nsite).unwrap(), mir.sites);
    assert_eq!(ctx.download::<sinew::gpu::layout::Tendon>(&gm.tendons, m.ntendon).unwrap(), mir.tendons);
    assert_eq!(ctx.download::<sinew::gpu::layout::Wrap>(&gm.wraps, m.nwrap).unwrap(), mir.wraps);
    assert_eq!(ctx.download::<sinew::gpu::layout::Actuator>(&gm.actuators, m.nu).unwrap(), mir.actuators);
    assert_eq!(ctx.download::<sinew::gpu::layout::Equality>(&gm.equalities, m.neq).unwrap(), mir.equalities);
    assert_eq!(ctx.download::<sinew::gpu::layout::Pair>(&gm.pairs, m.npair).unwrap(), mir.pairs);
    assert_eq!(ctx.download::<f32>(&gm.qpos0, m.nq).unwrap(), mir.qpos0);
    // f32 conversion of the f64 model, spot-checked against the host model itself.
    for b in 0..m.nbody {
        assert_eq!(mir.bodies[b].pos[3], m.body_mass[b] as f32);
        assert_eq!(mir.bodies[b].parent as usize, m.body_parentid[b]);
    }
}

#[test]
fn kernel_reads_model_through_wgsl_structs() {
    let ctx = context();
    let m = test_model();
    let gm = GpuModel::upload(&ctx, &m);
    let nmisc = m.nwrap.max(m.ntendon).max(m.ngeom);
    // Outputs start as NaN so an element the kernel fails to write cannot pass.
    let out_body = ctx.storage_from("out_body", &vec![f32::NAN; 8 * m.nbody]);
    let out_act = ctx.storage_from("out_act", &vec![f32::NAN; 6 * m.nu]);
    let out_misc = ctx.storage_from("out_misc", &vec![f32::NAN; 4 * nmisc]);
    let pipeline = ctx.compute_pipeline("model_probe.wgsl", "main").unwrap().pipeline;
    let layout = pipeline.get_bind_group_layout(0);
    let buffers = [
        &gm.sizes, &gm.bodies, &gm.actuators, &gm.wraps, &gm.tendons, &gm.geoms, &out_body, &out_act,
        &out_misc,
    ];
    let entries: Vec<wgpu::BindGroupEntry> = buffers
        .iter()
        .enumerate()
        .map(|(i, b)| wgpu::BindGroupEntry { binding: i as u32, resource: b.as_entire_binding() })
        .collect();
    let group = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: None,
        layout: &layout,
        entries: &entries,
    });
    let mut enc = ctx.device.create_command_encoder(&Default::default());
    {
        let mut pass = enc.begin_compute_pass(&Default::default());
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &group, &[]);
        let n = m.nbody.max(m.nu).max(nmisc) as u32;
        pass.dispatch_workgroups(n.div_ceil(64), 1, 1);
    }
    ctx.submit(enc.finish());
    let body = ctx.download::<f32>(&out_body, 8 * m.nbody).unwrap();
    for b in 0..m.nbody {
        let want = [
            m.body_mass[b],
            m.body_pos[b][0],
            m.body_pos[b][1],
            m.body_pos[b][2],
            m.body_inertia[b][0],
            m.body_parentid[b] as f64,
            m.body_dofnum[b] as f64,
            m.body_geomadr[b] as f64,
        ];
        for k in 0..8 {
            assert_eq!(body[8 * b + k], want[k] as f32, "body {b} field {k}");
        }
    }
    let act = ctx.download::<f32>(&out_act, 6 * m.nu).unwrap();
    for u in 0..m.nu {
        let want = [
            m.actuator_gainprm[u][2],
            m.actuator_biasprm[u][8],
            m.actuator_lengthrange[u][0],
            m.actuator_lengthrange[u][1],
            m.actuator_dynprm[u][1],
            m.actuator_actadr[u].map_or(-1.0, |a| a as f64),
        ];
        for k in 0..6 {
            assert_eq!(act[6 * u + k], want[k] as f32, "actuator {u} field {k}");
        }
    }
    let misc = ctx.download::<f32>(&out_misc, 4 * nmisc).unwrap();
    for i in 0..nmisc {
        let want = [
            if i < m.nwrap { m.wrap_type[i] as u32 as f64 } else { -1.0 },
            if i < m.nwrap { m.wrap_prm[i] } else { -1.0 },
            if i < m.ntendon { m.tendon_adr[i] as f64 } else { -1.0 },
            if i < m.ngeom { m.geom_condim[i] as f64 } else { -1.0 },
        ];
        for k in 0..4 {
            assert_eq!(misc[4 * i + k], want[k] as f32, "misc {i} field {k}");
        }
    }
}

#[test]
fn burn_runs_on_the_same_device() {
    use burn::tensor::{Tensor, TensorData};
    let ctx = context();
    let device = ctx.burn_device().unwrap();
    let a = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 2.0, 3.0, 4.0], [2, 2]), &device);
    let b = Tensor::<2>::from_data(TensorData::new(vec![0.5f32, -1.0, 2.0, 0.25], [2, 2]), &device);
    let c = a.matmul(b).add_scalar(1.0);
    let got: Vec<f32> = c.into_data().try_to_vec::<f32>().unwrap();
    // [[1,2],[3,4]] · [[0.5,-1],[2,0.25]] + 1
    assert_eq!(got, vec![5.5, 0.5, 10.5, -1.0]);
    // The registered device is reused, not registered again.
    assert_eq!(ctx.burn_wgpu_device().unwrap(), ctx.burn_wgpu_device().unwrap());
}

#[test]
fn adapter_selection_errors_are_clear() {
    let exe = env!("CARGO_BIN_EXE_sinew");
    let asset = common::root().join("assets/compiler_features.xml");
    let out = std::process::Command::new(exe)
        .args(["info", asset.to_str().unwrap(), "--gpu"])
        .env("SINEW_ADAPTER", "no-such-adapter-anywhere")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("SINEW_ADAPTER=no-such-adapter-anywhere matches no adapter; available: 0:"),
        "{stderr}"
    );

    // A backend with no adapter on this machine: nothing to choose from.
    let backend = if cfg!(target_os = "windows") { "metal" } else { "dx12" };
    let out = std::process::Command::new(exe)
        .args(["info", asset.to_str().unwrap(), "--gpu"])
        .env("WGPU_BACKEND", backend)
        .env_remove("SINEW_ADAPTER")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no GPU adapter found"), "{stderr}");

    let out =
        std::process::Command::new(exe).args(["info", asset.to_str().unwrap(), "--gpu"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("model uploaded"));

    // SINEW_F64: off runs the solver stages in f32 on any adapter; a value other than on/off is
    // refused by name.
    let info = |value: &str| {
        std::process::Command::new(exe)
            .args(["info", asset.to_str().unwrap(), "--gpu"])
            .env("SINEW_F64", value)
            .env_remove("SINEW_SOLVE_F32")
            .output()
            .unwrap()
    };
    let off = info("off");
    assert!(off.status.success(), "{}", String::from_utf8_lossy(&off.stderr));
    assert!(
        String::from_utf8_lossy(&off.stdout).contains("solver in f32"),
        "{}",
        String::from_utf8_lossy(&off.stdout)
    );
    let bad = info("maybe");
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("SINEW_F64 is 'maybe': set it to on or off"), "{stderr}");
}
