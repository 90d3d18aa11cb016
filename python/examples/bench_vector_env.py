"""VectorEnv control steps/s (NumPy actions in, NumPy observations out, one readback per step)
against the same environment stepped through the Rust API by `sinew bench --task` (no host
copies), in one run on one adapter: the copy overhead as a ratio.

    python python/examples/bench_vector_env.py [--config quickstart] [--nworld 1024] [--seconds 10]
"""

import argparse
import json
import os
import shutil
import subprocess
import time

import numpy as np

import sinew

p = argparse.ArgumentParser()
p.add_argument("--config", default="quickstart")
p.add_argument("--nworld", type=int, default=1024)
p.add_argument("--seconds", type=float, default=10.0)
p.add_argument("--sinew", default=os.environ.get("SINEW_BIN") or shutil.which("sinew") or "sinew")
a = p.parse_args()

envs = sinew.VectorEnv(a.config, a.nworld)
envs.reset(seed=0)
actions = np.random.default_rng(0).uniform(-1, 1, (16, a.nworld, envs.single_action_space.shape[0])).astype(np.float32)
for k in range(3):  # warm-up
    envs.step(actions[k])
steps, start = 0, time.perf_counter()
while time.perf_counter() - start < a.seconds:
    envs.step(actions[steps % 16])
    steps += 1
python_rate = steps * a.nworld / (time.perf_counter() - start)

config = a.config if os.path.exists(a.config) else sinew.preset_path(a.config)
with open(config, "rb") as f:
    import tomllib  # Python 3.11+

    model = tomllib.load(f)["env"]["model"]
if model.endswith(".xml") and not os.path.isabs(model):
    model = os.path.join(os.path.dirname(config), model)
out = subprocess.run(
    [a.sinew, "bench", model, "--task", config, "--nworld", str(a.nworld), "--seconds", str(a.seconds), "--json", "--no-peer"],
    check=True,
    capture_output=True,
    text=True,
)
rows = json.loads(out.stdout)
row = rows[0] if isinstance(rows, list) else rows
rust_rate = row["env_steps_per_s"]
print(json.dumps({
    "config": a.config,
    "nworld": a.nworld,
    "adapter": row.get("adapter"),
    "python_vector_env_steps_per_s": python_rate,
    "rust_env_steps_per_s": rust_rate,
    "ratio_python_over_rust": python_rate / rust_rate,
}, indent=2))
