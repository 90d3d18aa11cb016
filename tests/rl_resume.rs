//! Checkpoints: round trip, exact resume, corrupt and mismatched files. Its own test binary:
//! Burn's random seed is process-wide, so exact resume cannot share a process with other
//! trainers drawing random numbers at the same time.

mod common;

use sinew::gpu::GpuContext;

fn ctx() -> GpuContext {
    GpuContext::new().unwrap_or_else(|e| panic!("{e}"))
}

use sinew::rl::checkpoint::Checkpoint;
use sinew::rl::trainer::Trainer;

/// A checkpoint written and read back is the same; a run resumed from iteration 1 reaches
/// iteration 2 with exactly the parameters, moments, normaliser and worlds of the run that went
/// straight through.
#[test]
fn checkpoint_round_trip_and_exact_resume() {
    let ctx = ctx();
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rl_resume");
    std::fs::create_dir_all(&dir).unwrap();
    let cfg =
        common::quickstart(&["train.nworld=8", "train.horizon=8", "train.iterations=4", "ppo.minibatches=2"]);
    let mut straight = Trainer::new(&ctx, cfg.clone()).unwrap();
    straight.iterate().unwrap();
    straight.iterate().unwrap();
    let want = straight.checkpoint().unwrap();

    let mut first = Trainer::new(&ctx, cfg.clone()).unwrap();
    first.iterate().unwrap();
    let path = dir.join("iter1.ckpt");
    let c1 = first.checkpoint().unwrap();
    c1.save(&path).unwrap();
    assert_eq!(Checkpoint::load(&path).unwrap(), c1, "round trip");
    drop(first);

    let mut resumed = Trainer::new(&ctx, cfg.clone()).unwrap();
    resumed.restore(&Checkpoint::load(&path).unwrap()).unwrap();
    resumed.iterate().unwrap();
    let got = resumed.checkpoint().unwrap();
    assert_eq!(got.meta, want.meta);
    for (name, blob) in &want.blobs {
        assert!(got.blobs[name] == *blob, "{name} differs after resume");
    }

    // corrupt and mismatched checkpoints are clear errors
    let mut bytes = std::fs::read(&path).unwrap();
    let k = bytes.len() / 2;
    bytes[k] ^= 0x40;
    let bad = dir.join("corrupt.ckpt");
    std::fs::write(&bad, &bytes).unwrap();
    let e = Checkpoint::load(&bad).unwrap_err().to_string();
    assert!(e.contains("checksum mismatch"), "{e}");
    std::fs::write(&bad, b"hello").unwrap();
    assert!(Checkpoint::load(&bad).unwrap_err().to_string().contains("not a usable sinew checkpoint"));
    let mut other =
        Trainer::new(&ctx, common::quickstart(&["train.nworld=8", "policy.actor_hidden=[32]"])).unwrap();
    let e = other.restore(&c1).unwrap_err().to_string();
    assert!(e.contains("checkpoint does not fit this run: the network"), "{e}");
    let mut other = Trainer::new(&ctx, common::quickstart(&["train.nworld=9"])).unwrap();
    let e = other.restore(&c1).unwrap_err().to_string();
    assert!(e.contains("nworld is 8 there, 9 here"), "{e}");
}
