#!/usr/bin/env python3
"""MuJoCo Warp peer for `sinew bench --suite`: batched mujoco_warp.step throughput on the GPU
(NVIDIA, through Warp), over the same model and world counts.

Usage: mjwarp_bench.py MODEL.xml --nworld 1,256,1024 [--seconds S] [--disable FLAG,...]
       [--steps-per-graph K]

Each world starts at qpos0 at rest with every control at 0.05 (as sinew bench). K steps are
captured in one CUDA graph (as MuJoCo Warp's own benchmark does), and the graph is replayed for S
seconds after a warm-up. Prints one JSON object: {"status": "measured", "peer": "mjwarp",
"mujoco_warp_version", "warp_version", "device", "rows": [...]} or {"status": "absent", "reason"}.
"""
import argparse
import json
import sys
import time


def absent(reason):
    print(json.dumps({"status": "absent", "peer": "mjwarp", "reason": reason}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--nworld", default="1,256,1024")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--disable", default="")
    ap.add_argument("--steps-per-graph", type=int, default=10)
    args = ap.parse_args()
    try:
        import mujoco
        import mujoco_warp as mjw
        import warp as wp
    except ImportError as e:
        return absent(f"mujoco_warp not importable: {e}")
    try:
        wp.init()
        if not wp.is_cuda_available():
            return absent("Warp sees no CUDA device")
        mjm = mujoco.MjModel.from_xml_path(args.model)
        for name in filter(None, args.disable.split(",")):
            mjm.opt.disableflags |= int(getattr(mujoco.mjtDisableBit, f"mjDSBL_{name.upper()}"))
        mjd = mujoco.MjData(mjm)
        mjd.ctrl[:] = 0.05
        mujoco.mj_forward(mjm, mjd)
        m = mjw.put_model(mjm)
    except Exception as e:
        return absent(f"MuJoCo Warp cannot load the model: {type(e).__name__}: {e}")
    k = max(1, args.steps_per_graph)
    rows = []
    for n in [int(x) for x in args.nworld.split(",") if x]:
        try:
            d = mjw.put_data(mjm, mjd, nworld=n)
            t = time.perf_counter()
            mjw.step(m, d)  # compiles the kernels
            wp.synchronize()
            with wp.ScopedCapture() as capture:
                for _ in range(k):
                    mjw.step(m, d)
            compile_s = time.perf_counter() - t
            wp.capture_launch(capture.graph)
            wp.synchronize()
            launches = 0
            t0 = time.perf_counter()
            while True:
                wp.capture_launch(capture.graph)
                wp.synchronize()
                launches += 1
                if time.perf_counter() - t0 >= args.seconds:
                    break
            secs = time.perf_counter() - t0
            rows.append({"nworld": n, "steps": launches * k, "seconds": secs,
                         "steps_per_s": n * launches * k / secs, "compile_s": compile_s})
            if secs / launches > args.seconds / 2:
                break
        except Exception as e:
            rows.append({"nworld": n, "error": f"{type(e).__name__}: {str(e)[:300]}"})
            break
    print(json.dumps({
        "status": "measured", "peer": "mjwarp",
        "mujoco_warp_version": getattr(mjw, "__version__", "unknown"), "warp_version": wp.__version__,
        "device": str(wp.get_device()), "mujoco_version": mujoco.__version__, "python": sys.executable,
        "steps_per_graph": k, "rows": rows,
    }))


if __name__ == "__main__":
    main()
