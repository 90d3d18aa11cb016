#!/usr/bin/env python3
"""MuJoCo C peer for `sinew bench`: mj_step throughput of a model on this machine's CPU.

Usage: mujoco_bench.py MODEL.xml [--seconds S] [--processes N|all] [--disable FLAG,...]

Each process steps its own MjData (from qpos0 at rest, every control at 0.05, as sinew bench
does) for S seconds after a warm-up; with N processes (`all`: one per core) they run at the same
time and the figure is their summed steps over the wall time. Prints one JSON object:
{"status": "measured", "peer": "mujoco", "mujoco_version", "processes", "steps", "seconds",
 "steps_per_s", "disableflags", "finite"} or {"status": "absent", "reason"} when MuJoCo is not
importable.
"""
import argparse
import json
import multiprocessing as mp
import os
import sys
import time


def step_for(model_path, disable, seconds, start_at, out):
    import mujoco
    import numpy as np

    m = mujoco.MjModel.from_xml_path(model_path)
    m.opt.disableflags |= disable
    d = mujoco.MjData(m)
    d.ctrl[:] = 0.05
    for _ in range(100):  # warm up: first touches, caches
        mujoco.mj_step(m, d)
    mujoco.mj_resetData(m, d)
    d.ctrl[:] = 0.05
    while time.time() < start_at:  # all processes start together
        time.sleep(0.001)
    steps = 0
    t0 = time.perf_counter()
    while True:
        for _ in range(50):
            mujoco.mj_step(m, d)
        steps += 50
        if time.perf_counter() - t0 >= seconds:
            break
    out.put((steps, time.perf_counter() - t0, bool(np.isfinite(d.qpos).all())))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--processes", default="1", help="a count, or 'all' (one per core)")
    ap.add_argument("--disable", default="")
    # kept for older callers: a fixed step count is now a time box
    ap.add_argument("--steps", type=int, default=None)
    args = ap.parse_args()
    try:
        import mujoco
    except ImportError as e:
        print(json.dumps({"status": "absent", "peer": "mujoco", "reason": f"mujoco not importable: {e}"}))
        return
    disable = 0
    for name in filter(None, args.disable.split(",")):
        disable |= int(getattr(mujoco.mjtDisableBit, f"mjDSBL_{name.upper()}"))
    nproc = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1) \
        if args.processes == "all" else max(1, int(args.processes))
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    # processes load the model and warm up before the common start
    start_at = time.time() + 2.0 + 0.05 * nproc
    procs = [ctx.Process(target=step_for, args=(args.model, disable, args.seconds, start_at, out))
             for _ in range(nproc)]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    steps = sum(r[0] for r in results)
    wall = max(r[1] for r in results)
    print(json.dumps({
        "status": "measured",
        "peer": "mujoco",
        "mujoco_version": mujoco.__version__,
        "python": sys.executable,
        "processes": nproc,
        "steps": steps,
        "seconds": wall,
        "steps_per_s": steps / wall,
        "disableflags": disable,
        "finite": all(r[2] for r in results),
    }))


if __name__ == "__main__":
    main()
