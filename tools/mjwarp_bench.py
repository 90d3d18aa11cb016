#!/usr/bin/env python3
"""MuJoCo Warp peer for `sinew bench --suite`: batched mujoco_warp.step throughput on the GPU
(NVIDIA, through Warp), over the same model and world counts.

Usage: mjwarp_bench.py MODEL.xml --nworld 1,256,1024 [--seconds S] [--disable FLAG,...]
       [--steps-per-call K]

Each world starts at qpos0 at rest with every control at 0.05 (as sinew bench). K steps are
captured in one CUDA graph (as MuJoCo Warp's own benchmark does), and the graph is replayed for S
seconds after a warm-up. Prints one JSON object: {"status": "measured", "peer": "mjwarp",
"mujoco_warp_version", "warp_version", "device", "rows": [...]} or {"status": "absent", "reason"}.
"""
import json
import sys

import peer_common


def main() -> None:
    args = peer_common.arguments(__doc__)
    try:
        import mujoco
        import mujoco_warp as mjw
        import warp as wp
    except ImportError as e:
        return peer_common.absent("mjwarp", f"mujoco_warp not importable: {e}")
    try:
        wp.init()
        if not wp.is_cuda_available():
            return peer_common.absent("mjwarp", "Warp sees no CUDA device")
        mjm, mjd = peer_common.load(mujoco, args.model, args.disable, args.option)
        mujoco.mj_forward(mjm, mjd)
        m = mjw.put_model(mjm)
    except Exception as e:
        return peer_common.absent("mjwarp", f"MuJoCo Warp cannot load the model: {type(e).__name__}: {e}")
    k = max(1, args.steps_per_call)

    def prepare(n):
        d = mjw.put_data(mjm, mjd, nworld=n)
        mjw.step(m, d)  # compiles the kernels
        wp.synchronize()
        with wp.ScopedCapture() as capture:
            for _ in range(k):
                mjw.step(m, d)

        def call():
            wp.capture_launch(capture.graph)
            wp.synchronize()

        call()
        return call

    rows = peer_common.sweep(peer_common.counts(args.nworld), args.seconds, k, prepare)
    print(json.dumps({
        "status": "measured", "peer": "mjwarp",
        "mujoco_warp_version": getattr(mjw, "__version__", "unknown"), "warp_version": wp.__version__,
        "device": str(wp.get_device()), "mujoco_version": mujoco.__version__, "python": sys.executable,
        "steps_per_call": k, "rows": rows,
    }))


if __name__ == "__main__":
    main()
