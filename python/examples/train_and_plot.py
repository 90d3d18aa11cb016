"""Train the quick-start policy from Python, plot its learning curve live, evaluate it, then roll
its world forward with NumPy in the loop. Needs matplotlib for the plot (pip install matplotlib).

    python python/examples/train_and_plot.py
"""

import numpy as np

import sinew

rows = []


def on_iteration(row):
    rows.append(row)
    print(f"iteration {int(row['iteration'])}: return {row['mean_return']:.2f}, success {row['success_rate']:.2f}")


# 1. train (the Rust trainer on the GPU; the callback runs once per iteration)
result = sinew.train("quickstart", ["train.iterations=40"], callback=on_iteration)
run_dir = result["run_dir"]

# 2. plot the learning curve
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [r["env_steps"] for r in rows]
    plt.plot(steps, [r["mean_return"] for r in rows], label="mean return")
    plt.plot(steps, [r["success_rate"] for r in rows], label="success rate")
    plt.xlabel("environment steps")
    plt.legend()
    plt.savefig(f"{run_dir}/learning_curve.png", dpi=100)
    print(f"plot: {run_dir}/learning_curve.png")
except ImportError:
    print("matplotlib not installed: no plot")

# 3. evaluate the deterministic policy, as `sinew eval`
report = sinew.evaluate(run_dir, episodes=64, nworld=64)
print(f"evaluation: success rate {report.get('success_rate')}, mean return {report['mean_return']:.2f}")

# 4. the same task as a Gymnasium vector env, driven from NumPy (a proportional controller on
#    the observation's joint-angle error, standing in for any policy you run in Python)
envs = sinew.VectorEnv("quickstart", num_envs=256, render_mode="rgb_array")
obs, _ = envs.reset(seed=0)
returns = np.zeros(envs.num_envs)
for _ in range(50):
    error = obs[:, -1]  # target angle minus the elbow's angle
    flexors = np.clip(3.0 * error, -1, 1)
    actions = np.stack([flexors, flexors, -flexors, -flexors], axis=1).astype(np.float32)
    obs, reward, terminated, truncated, infos = envs.step(actions)
    returns += reward
print(f"hand-written controller: mean return over the first episode {returns.mean():.2f}")
frame = envs.render(worlds=(0,))[0]
print(f"a frame of world 0: {frame.shape} {frame.dtype}")
