#!/usr/bin/env python3
"""MuJoCo C peer for `sinew bench`: mj_step throughput of a model on this machine's CPU.

Usage: mujoco_bench.py MODEL.xml [--seconds S] [--processes N|all] [--disable FLAG,...]
                       [--option iterations=4,ls_iterations=8]

Each process steps its own MjData (from qpos0 at rest, every control at 0.05, as sinew bench
does) for S seconds after a warm-up; with N processes (`all`: one per core) they run at the same
time and the figure is their summed steps over the wall time. Prints one JSON object:
{"status": "measured", "peer": "mujoco", "mujoco_version", "processes", "steps", "seconds",
 "steps_per_s", "disabled", "option", "finite"} or {"status": "absent", "reason"} when MuJoCo is not
importable.
"""
import argparse
import json
import multiprocessing as mp
import os
import sys
import time


def step_for(model_path, disable, option, seconds, start_at, out):
    import mujoco
    import numpy as np

    import peer_common

    m, d = peer_common.load(mujoco, model_path, disable, option)
    for _ in range(100):  # warm up: first touches, caches
        mujoco.mj_step(m, d)
    mujoco.mj_resetData(m, d)
    d.ctrl[:] = 0.05
    while time.time() < start_at:  # all processes start together
        time.sleep(0.001)
    steps = 0
    t0 = time.time()
    while True:
        for _ in range(50):
            mujoco.mj_step(m, d)
        steps += 50
        if time.time() - t0 >= seconds:
            break
    out.put((steps, t0, time.time(), bool(np.isfinite(d.qpos).all())))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--processes", default="1", help="a count, or 'all' (one per core)")
    ap.add_argument("--disable", default="")
    ap.add_argument("--option", default="", help="solver options KEY=VALUE, comma separated")
    args = ap.parse_args()
    try:
        import mujoco
    except ImportError as e:
        print(json.dumps({"status": "absent", "peer": "mujoco", "reason": f"mujoco not importable: {e}"}))
        return
    disable = args.disable
    nproc = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1) \
        if args.processes == "all" else max(1, int(args.processes))
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    # processes load the model and warm up before the common start
    start_at = time.time() + 2.0 + 0.05 * nproc
    procs = [ctx.Process(target=step_for, args=(args.model, disable, args.option, args.seconds, start_at, out))
             for _ in range(nproc)]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    steps = sum(r[0] for r in results)
    # from the first process's start to the last one's end: a late starter lowers the figure
    wall = max(r[2] for r in results) - min(r[1] for r in results)
    print(json.dumps({
        "status": "measured",
        "peer": "mujoco",
        "mujoco_version": mujoco.__version__,
        "python": sys.executable,
        "processes": nproc,
        "steps": steps,
        "seconds": wall,
        "steps_per_s": steps / wall,
        "disabled": disable,
        "option": args.option,
        "finite": all(r[3] for r in results),
    }))


if __name__ == "__main__":
    main()
