"""What the batched peers of `sinew bench --suite` (mjx_bench.py, mjwarp_bench.py) share: their
arguments, the model set up as sinew bench sets it up, and the time-boxed sweep over world counts."""
import argparse
import json
import time


def arguments(doc):
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("model")
    ap.add_argument("--nworld", default="1,256,1024", help="world counts, comma separated")
    ap.add_argument("--seconds", type=float, default=2.0, help="timed seconds per world count")
    ap.add_argument("--disable", default="", help="MuJoCo disable flags, comma separated")
    ap.add_argument("--option", default="", help="solver options KEY=VALUE, comma separated")
    ap.add_argument("--steps-per-call", type=int, default=10, help="steps per jitted call / CUDA graph")
    return ap.parse_args()


# The solver options sinew's --option sets (src/solver_budget.rs), with their types.
OPTIONS = {"iterations": int, "ls_iterations": int, "tolerance": float}


def load(mujoco, path, disable, option=""):
    """MjModel with `disable` flags and `option` (`iterations=4,ls_iterations=8`) set, and an
    MjData at qpos0, at rest, every control 0.05."""
    m = mujoco.MjModel.from_xml_path(path)
    for name in filter(None, disable.split(",")):
        m.opt.disableflags |= int(getattr(mujoco.mjtDisableBit, f"mjDSBL_{name.upper()}"))
    for item in filter(None, option.split(",")):
        key, value = item.split("=", 1)
        setattr(m.opt, key, OPTIONS[key](value))
    d = mujoco.MjData(m)
    d.ctrl[:] = 0.05
    return m, d


def absent(peer, reason, **extra):
    print(json.dumps({"status": "absent", "peer": peer, "reason": reason, **extra}))


def sweep(counts, seconds, steps_per_call, prepare):
    """For each world count n: `prepare(n)` builds and compiles, returning `call`, which runs
    `steps_per_call` steps of all n worlds and waits for them; calls repeat for `seconds`. Stops
    after a count whose call took over half the time box, or at the first error (recorded)."""
    rows = []
    for n in counts:
        try:
            t = time.perf_counter()
            call = prepare(n)
            compile_s = time.perf_counter() - t
            calls = 0
            t0 = time.perf_counter()
            while True:
                call()
                calls += 1
                if time.perf_counter() - t0 >= seconds:
                    break
            secs = time.perf_counter() - t0
            rows.append({"nworld": n, "steps": calls * steps_per_call, "seconds": secs,
                         "steps_per_s": n * calls * steps_per_call / secs, "compile_s": compile_s})
            if secs / calls > seconds / 2:
                break
        except Exception as e:  # out of memory at a large count: record it and stop
            rows.append({"nworld": n, "error": f"{type(e).__name__}: {str(e)[:300]}"})
            break
    return rows


def counts(text):
    return [int(x) for x in text.split(",") if x]
