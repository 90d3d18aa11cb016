#!/usr/bin/env python3
"""MuJoCo C peer for `sinew bench`: single-thread mj_step throughput of a model.

Usage: mujoco_bench.py MODEL.xml [--steps N] [--disable FLAG,...] ; prints one JSON object:
{"mujoco_version", "steps", "seconds", "steps_per_s", "disableflags"}.
Controls are a fixed smooth excitation (as sinew bench uses), from qpos0 at rest.
"""
import argparse
import json
import time

import mujoco
import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--disable", default="")
    args = ap.parse_args()
    m = mujoco.MjModel.from_xml_path(args.model)
    for name in filter(None, args.disable.split(",")):
        m.opt.disableflags |= int(getattr(mujoco.mjtDisableBit, f"mjDSBL_{name.upper()}"))
    d = mujoco.MjData(m)
    d.ctrl[:] = 0.05
    for _ in range(100):  # warm up
        mujoco.mj_step(m, d)
    mujoco.mj_resetData(m, d)
    d.ctrl[:] = 0.05
    start = time.perf_counter()
    for _ in range(args.steps):
        mujoco.mj_step(m, d)
    secs = time.perf_counter() - start
    print(json.dumps({
        "mujoco_version": mujoco.__version__,
        "steps": args.steps,
        "seconds": secs,
        "steps_per_s": args.steps / secs,
        "disableflags": int(m.opt.disableflags),
        "finite": bool(np.isfinite(d.qpos).all()),
    }))


if __name__ == "__main__":
    main()
