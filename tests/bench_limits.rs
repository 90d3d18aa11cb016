//! World counts that do not fit the adapter are refused before anything is allocated, with an
//! error naming the model, the buffer, the adapter's limit and the largest count that fits.

use std::process::Command;

use sinew::gpu::GpuContext;
use sinew::sim::contact::DEFAULT_CONTACT_CAPACITY;
use sinew::sim::{Sim, SimOptions};

#[test]
fn footprint_matches_what_a_step_allocates() {
    let ctx = GpuContext::new().unwrap();
    let m = sinew::mjcf::load_model(&sinew::models::resolve("myolegs").unwrap()).unwrap();
    let fp = Sim::footprint(&ctx, &m, DEFAULT_CONTACT_CAPACITY).unwrap();
    for nworld in [3usize, 40] {
        let sim = Sim::new(&ctx, &m, nworld, SimOptions::default()).unwrap();
        assert_eq!(fp.bytes(nworld as u64), sim.data.bytes(), "{nworld} worlds");
    }
}

#[test]
fn over_the_limits_names_buffer_limit_and_largest_count() {
    let ctx = GpuContext::new().unwrap();
    let limits = ctx.memory_limits();
    let m = sinew::mjcf::load_model(&sinew::models::resolve("mm_fullbody").unwrap()).unwrap();
    let fp = Sim::footprint(&ctx, &m, DEFAULT_CONTACT_CAPACITY).unwrap();
    let max = fp.max_nworld(&limits);
    assert!(max > 0);
    fp.check(&ctx, "mm_fullbody", max as usize).unwrap();
    let err = fp.check(&ctx, "mm_fullbody", max as usize + 1).unwrap_err().to_string();
    assert!(err.contains("mm_fullbody") && err.contains(&format!("{} worlds", max + 1)), "{err}");
    assert!(err.contains(&format!("at most {max} worlds fit")), "{err}");
    // which limit broke: the largest buffer against the adapter's largest buffer, or memory
    let biggest = fp.buffers.iter().max_by_key(|b| b.bytes(max + 1)).unwrap();
    if biggest.bytes(max + 1) > limits.max_buffer_size {
        assert!(err.contains(&format!("buffer {}", biggest.label)), "{err}");
        assert!(err.contains(&format!("max buffer size of {} bytes", limits.max_buffer_size)), "{err}");
    } else {
        assert!(err.contains("device memory"), "{err}");
    }
    // the worlds are bound in chunks: lavapipe's 128 MiB bindings no longer cap the count (870
    // full-body worlds did, then 2,240); its memory (the host's) and 2 GiB buffers do
    if limits.max_storage_buffer_binding_size == 128 << 20 && limits.device_memory.unwrap_or(0) >= 8 << 30 {
        assert!(max >= 10240, "{max}");
        fp.check(&ctx, "mm_fullbody", 10240).unwrap();
    }
}

#[test]
fn absurd_world_count_is_an_error_not_an_abort() {
    let out = Command::new(env!("CARGO_BIN_EXE_sinew"))
        .args(["bench", "myolegs", "--nworld", "100000000", "--seconds", "0", "--no-peer"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("myolegs at 100000000 worlds does not fit"), "{err}");
    assert!(err.contains("worlds fit"), "{err}");
    // the environment and rollout paths refuse it the same way
    let out = Command::new(env!("CARGO_BIN_EXE_sinew"))
        .args(["bench", "myolegs_walk", "--task", "imitation", "--nworld", "100000000", "--no-peer"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("myolegs_walk at 100000000 worlds does not fit"), "{err}");
}

#[test]
fn bad_bench_arguments_are_errors() {
    let run = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_sinew")).args(args).output().unwrap();
    for args in [
        &["bench", "myolegs", "--nworld", "0"][..],
        &["bench", "myolegs", "--nworld", "lots"],
        &["bench", "myolegs", "--seconds", "-1"],
        &["bench"],
        &["bench", "--suite", "--skip", "everything"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}
