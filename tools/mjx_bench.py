#!/usr/bin/env python3
"""MJX peer for `sinew bench --suite`: batched mjx.step throughput under JAX (jit + vmap) on the
default JAX device (the GPU when JAX has one), over the same model and world counts.

Usage: mjx_bench.py MODEL.xml --nworld 1,256,1024 [--seconds S] [--disable FLAG,...]
       [--steps-per-call K]

Each world starts at qpos0 at rest with every control at 0.05 (as sinew bench); K steps run per
jitted call (lax.fori_loop), calls repeat for S seconds after compilation. Prints one JSON object:
{"status": "measured", "peer": "mjx", "jax_version", "jax_backend", "device", "mujoco_version",
 "rows": [{"nworld", "steps", "seconds", "steps_per_s", "compile_s"} | {"nworld", "error"}],
 "note"} or {"status": "absent", "reason"} when JAX or MJX is not importable or MJX cannot load
the model. MJX implements MuJoCo 3.x: it differs from MuJoCo 4.0 (e.g. tendon side sites), so it
is a throughput peer, not an oracle.
"""
import argparse
import json
import sys
import time

NOTE = ("MJX (MuJoCo 3.x semantics) differs from MuJoCo 4.0 on tendon side sites: "
        "a throughput peer, not a correctness oracle")


def absent(reason):
    print(json.dumps({"status": "absent", "peer": "mjx", "reason": reason, "note": NOTE}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--nworld", default="1,256,1024")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--disable", default="")
    ap.add_argument("--steps-per-call", type=int, default=10)
    args = ap.parse_args()
    try:
        import jax
        import jax.numpy as jnp
        import mujoco
        from mujoco import mjx
    except ImportError as e:
        return absent(f"JAX or MJX not importable: {e}")
    try:
        m = mujoco.MjModel.from_xml_path(args.model)
        for name in filter(None, args.disable.split(",")):
            m.opt.disableflags |= int(getattr(mujoco.mjtDisableBit, f"mjDSBL_{name.upper()}"))
        d = mujoco.MjData(m)
        d.ctrl[:] = 0.05
        mx = mjx.put_model(m)
        dx = mjx.put_data(m, d)
    except Exception as e:  # MJX refuses features it does not implement
        return absent(f"MJX cannot load the model: {type(e).__name__}: {e}")
    k = max(1, args.steps_per_call)
    step = jax.vmap(mjx.step, in_axes=(None, 0))

    @jax.jit
    def run(batch):
        return jax.lax.fori_loop(0, k, lambda _, b: step(mx, b), batch)

    rows = []
    for n in [int(x) for x in args.nworld.split(",") if x]:
        try:
            batch = jax.tree_util.tree_map(lambda x: jnp.broadcast_to(x, (n,) + x.shape), dx)
            t = time.perf_counter()
            batch = jax.block_until_ready(run(batch))
            compile_s = time.perf_counter() - t
            calls = 0
            t0 = time.perf_counter()
            while True:
                batch = jax.block_until_ready(run(batch))
                calls += 1
                if time.perf_counter() - t0 >= args.seconds:
                    break
            secs = time.perf_counter() - t0
            rows.append({"nworld": n, "steps": calls * k, "seconds": secs,
                         "steps_per_s": n * calls * k / secs, "compile_s": compile_s})
            if secs / calls > args.seconds / 2:  # the next count would not fit the time box
                break
        except Exception as e:  # out of memory at a large count: record it and stop the sweep
            rows.append({"nworld": n, "error": f"{type(e).__name__}: {str(e)[:300]}"})
            break
    dev = jax.devices()[0]
    print(json.dumps({
        "status": "measured", "peer": "mjx", "jax_version": jax.__version__,
        "jax_backend": jax.default_backend(), "device": str(getattr(dev, "device_kind", dev)),
        "mujoco_version": mujoco.__version__, "python": sys.executable, "steps_per_call": k,
        "rows": rows, "note": NOTE,
    }))


if __name__ == "__main__":
    main()
