//! Worlds bound in chunks (issue 16): a simulation or environment split into chunks of 64 worlds
//! gives bitwise the same results as one binding; 16,384 myolegs worlds under identical controls
//! agree bitwise with each other and with a 4-world run; mm_fullbody runs past both old world
//! limits (870 worlds while the dense Jacobian was the largest buffer, 2,240 while one binding
//! held each array) on lavapipe, every world equal to world 0. Needs the fetched models.

mod common;

use std::path::Path;

use sinew::env::{Env, EnvFile};
use sinew::gpu::GpuContext;
use sinew::model::Model;
use sinew::sim::{Sim, SimOptions};

fn model(name: &str) -> Model {
    sinew::mjcf::load_model(&sinew::models::resolve(name).unwrap_or_else(|e| panic!("{e}"))).unwrap()
}

/// qpos, qvel and act of every world after `steps` steps from rest under `ctrl` (nworld × nu,
/// the same every step), the worlds chunked by `max_chunk`.
fn run(
    ctx: &GpuContext,
    m: &Model,
    nworld: usize,
    max_chunk: Option<usize>,
    ctrl: &[f32],
    steps: usize,
) -> [Vec<f32>; 3] {
    let sim = Sim::new(ctx, m, nworld, SimOptions { max_chunk, ..SimOptions::default() }).unwrap();
    let chunks = sim.data.chunks.ranges().len();
    if let Some(max) = max_chunk {
        assert!(chunks >= nworld.div_ceil(max), "{nworld} worlds in {chunks} chunks of at most {max}");
    }
    let st = sim.state();
    st.upload(ctx, &st.ctrl, ctrl).unwrap();
    sim.run(ctx, steps);
    [
        st.download(ctx, &st.qpos).unwrap(),
        st.download(ctx, &st.qvel).unwrap(),
        st.download(ctx, &st.act).unwrap(),
    ]
}

/// Every world's row of each array equal, bit for bit, to `want`'s (one world).
fn assert_every_world_is(got: &[Vec<f32>; 3], want: &[Vec<f32>; 3], what: &str) {
    for (name, (g, w)) in ["qpos", "qvel", "act"].iter().zip(got.iter().zip(want)) {
        let n = w.len();
        assert!(w.iter().all(|x| x.is_finite()), "{what}: {name} not finite");
        let wrong: Vec<usize> =
            g.chunks(n.max(1)).enumerate().filter(|(_, row)| *row != &w[..]).map(|(i, _)| i).collect();
        assert!(
            wrong.is_empty(),
            "{what}: {name} of {} worlds differs, first {:?}",
            wrong.len(),
            &wrong[..wrong.len().min(5)]
        );
    }
}

#[test]
fn chunks_of_64_worlds_equal_one_binding() {
    let ctx = GpuContext::new().unwrap();
    let m = model("myolegs");
    // 200 worlds: chunks of 64, 64, 64 and 8, each world its own controls
    let nworld = 200;
    let ctrl: Vec<f32> = (0..nworld * m.nu).map(|i| ((i * 7919) % 101) as f32 / 100.0).collect();
    let whole = run(&ctx, &m, nworld, None, &ctrl, 5);
    let chunked = run(&ctx, &m, nworld, Some(64), &ctrl, 5);
    for (name, (a, b)) in ["qpos", "qvel", "act"].iter().zip(whole.iter().zip(&chunked)) {
        assert!(a.iter().all(|x| x.is_finite()), "{name}");
        assert!(a == b, "{name}: chunked worlds differ from one binding");
    }
    // the worlds differ (so a chunk reading another's worlds could not pass)
    assert_ne!(whole[0][..m.nq], whole[0][(nworld - 1) * m.nq..]);
}

#[test]
fn chunked_environment_equals_one_binding() {
    let ctx = GpuContext::new().unwrap();
    let text = "task = \"imitation\"\n[env]\nseed = 5\nframe_skip = 2\n[env.randomize]\nqpos_noise = 0.02\n";
    let file = EnvFile::parse(text, Path::new(env!("CARGO_MANIFEST_DIR")).join("configs").as_path(), "test")
        .unwrap();
    let nworld = 130;
    let episode = |max_chunk: Option<usize>| {
        let path = sinew::models::resolve(&file.env.model).unwrap();
        let env = Env::with_chunks(&ctx, sinew::mjcf::load_model(&path).unwrap(), &file, nworld, max_chunk)
            .unwrap();
        let nu = env.model.nu;
        env.reset(&ctx);
        let mut out = Vec::new();
        for step in 0..4 {
            let actions: Vec<f32> =
                (0..nworld * nu).map(|i| ((i * 31 + step) % 9) as f32 / 4.0 - 1.0).collect();
            env.write_actions(&ctx, &actions).unwrap();
            env.step(&ctx);
            out.push((env.observations(&ctx).unwrap(), env.rewards(&ctx).unwrap(), env.dones(&ctx).unwrap()));
        }
        out
    };
    let (whole, chunked) = (episode(None), episode(Some(64)));
    for (step, (a, b)) in whole.iter().zip(&chunked).enumerate() {
        assert!(a.0.iter().all(|x| x.is_finite()), "step {step}");
        assert!(a == b, "step {step}: observations, rewards or done flags differ when chunked");
    }
}

#[test]
fn sixteen_thousand_myolegs_worlds_agree_bitwise() {
    let ctx = GpuContext::new().unwrap();
    let m = model("myolegs");
    let ctrl = |nworld: usize| -> Vec<f32> {
        (0..nworld * m.nu).map(|i| 0.2 + ((i % m.nu) % 7) as f32 / 10.0).collect()
    };
    let steps = 3;
    let few = run(&ctx, &m, 4, None, &ctrl(4), steps);
    let one = [few[0][..m.nq].to_vec(), few[1][..m.nv].to_vec(), few[2][..m.na].to_vec()];
    assert_every_world_is(&few, &one, "4 worlds");
    let many = run(&ctx, &m, 16_384, None, &ctrl(16_384), steps);
    assert_every_world_is(&many, &one, "16,384 worlds");
}

#[test]
fn full_body_runs_past_the_old_world_limits() {
    let ctx = GpuContext::new().unwrap();
    let limits = ctx.memory_limits();
    let nworld = 10_240;
    let m = model("mm_fullbody");
    let fp = Sim::footprint(&ctx, &m, sinew::sim::contact::DEFAULT_CONTACT_CAPACITY).unwrap();
    if let Err(e) = fp.check(&ctx, "mm_fullbody", nworld) {
        // a machine with less memory than the 3.9 GB this takes: say so rather than pass
        assert!(limits.device_memory.unwrap_or(u64::MAX) < 8 << 30, "{e}");
        eprintln!("skipped: {e}");
        return;
    }
    let ctrl: Vec<f32> = (0..nworld * m.nu).map(|i| ((i % m.nu) % 5) as f32 / 5.0).collect();
    let got = run(&ctx, &m, nworld, None, &ctrl, 1);
    let first = [got[0][..m.nq].to_vec(), got[1][..m.nv].to_vec(), got[2][..m.na].to_vec()];
    assert_every_world_is(&got, &first, "10,240 full-body worlds");
    // and world 0 is what 4 worlds give
    let few = run(&ctx, &m, 4, None, &ctrl[..4 * m.nu], 1);
    assert_every_world_is(&few, &first, "4 full-body worlds");
}

/// The layout is the process's choice (`SINEW_WORLD_TILE`): world-major (1), the default tiles
/// and another tile give bitwise the same rollout (differing worlds and controls, contacts on);
/// a tile that is not a power of two up to 64 is refused by name.
#[test]
fn every_tile_gives_the_same_rollout() {
    let dir = std::env::temp_dir().join(format!("sinew_tiles_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let m = model("myolegs");
    let (nworld, steps) = (37, 6);
    let ctrl: Vec<f32> = (0..nworld * steps * m.nu).map(|i| ((i * 7919) % 97) as f32 / 96.0).collect();
    let ctrl = sinew::npio::Array { shape: vec![nworld, steps, m.nu], data: ctrl };
    let tiled = common::cli_rollout(&dir, "myolegs", &ctrl, "tile_default", &[]);
    for tile in ["1", "8"] {
        let other = common::cli_rollout(
            &dir,
            "myolegs",
            &ctrl,
            &format!("tile_{tile}"),
            &[("SINEW_WORLD_TILE", tile)],
        );
        for (a, b) in tiled.iter().zip(&other) {
            assert!(a.data.iter().all(|x| x.is_finite()));
            assert!(a.data == b.data, "tile {tile} differs from the default");
        }
    }
    common::assert_env_value_refused("SINEW_WORLD_TILE", "3");
    let _ = std::fs::remove_dir_all(&dir);
}
