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
import json
import sys

import peer_common

NOTE = ("MJX (MuJoCo 3.x semantics) differs from MuJoCo 4.0 on tendon side sites: "
        "a throughput peer, not a correctness oracle")


def main() -> None:
    args = peer_common.arguments(__doc__)
    try:
        import jax
        import jax.numpy as jnp
        import mujoco
        from mujoco import mjx
    except ImportError as e:
        return peer_common.absent("mjx", f"JAX or MJX not importable: {e}", note=NOTE)
    try:
        m, d = peer_common.load(mujoco, args.model, args.disable, args.option)
        mx = mjx.put_model(m)
        dx = mjx.put_data(m, d)
    except Exception as e:  # MJX refuses features it does not implement
        return peer_common.absent("mjx", f"MJX cannot load the model: {type(e).__name__}: {e}", note=NOTE)
    k = max(1, args.steps_per_call)
    step = jax.vmap(mjx.step, in_axes=(None, 0))

    @jax.jit
    def run(batch):
        return jax.lax.fori_loop(0, k, lambda _, b: step(mx, b), batch)

    def prepare(n):
        state = [jax.tree_util.tree_map(lambda x: jnp.broadcast_to(x, (n,) + x.shape), dx)]

        def call():
            state[0] = jax.block_until_ready(run(state[0]))

        call()  # compiles for this batch size
        return call

    rows = peer_common.sweep(peer_common.counts(args.nworld), args.seconds, k, prepare)
    dev = jax.devices()[0]
    print(json.dumps({
        "status": "measured", "peer": "mjx", "jax_version": jax.__version__,
        "jax_backend": jax.default_backend(), "device": str(getattr(dev, "device_kind", dev)),
        "mujoco_version": mujoco.__version__, "python": sys.executable, "steps_per_call": k,
        "rows": rows, "note": NOTE,
    }))


if __name__ == "__main__":
    main()
