"""Make the motion-library test fixtures (tests/fixtures/motions) from sinew's reference gait
(assets/motions/myolegs_walk.npz, 100 fps, myolegs_walk's joint order):

- walk_a.npz: the project's own format, frames 0..300 at 100 fps (float32 qpos, fps, name);
- walk_c_50fps.npz: own format, frames 600..800 taken every other frame (50 fps);
- locomujoco_200hz.npz: LocoMuJoCo's trajectory format with two trajectories at 200 Hz, frames
  0..300 and 400..550 upsampled (midpoints between frames, quaternions normalised), the joints
  in a shuffled order (joint_names), split_points, frequency, and a qvel it does not need;
  resampled to 100 Hz its first trajectory is walk_a's frames exactly;
- locomujoco_missing.npz: 20 frames at 100 Hz without the joint 'mtp_angle_l' and with a joint
  'not_a_joint' the model lacks, with the joints' types (jnt_type, MuJoCo's mjtJoint).

    python tools/make_motion_fixtures.py

Needs pip `mujoco` (tools/fetch-models' venv) for the joints' types, read from the fetched
myolegs_walk. Regenerates the same files every run (fixed shuffle).
"""

import json
import os
from pathlib import Path

import mujoco
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "motions"


def widths(names):
    """qpos columns per joint of myolegs_walk: the free root 7, every other joint 1."""
    return [7 if n == "root" else 1 for n in names]


def columns(names, order):
    """The qpos columns of joints `order` (names), in that order."""
    start = np.cumsum([0] + widths(names))
    return np.concatenate([np.arange(start[names.index(n)], start[names.index(n) + 1]) for n in order])


def upsample(q):
    """Frames and midpoints between them (free-joint quaternion renormalised): twice the rate."""
    mid = 0.5 * (q[:-1] + q[1:])
    mid[:, 3:7] /= np.linalg.norm(mid[:, 3:7], axis=1, keepdims=True)
    out = np.empty((2 * len(q) - 1, q.shape[1]))
    out[0::2] = q
    out[1::2] = mid
    return out


def main():
    src = np.load(ROOT / "assets" / "motions" / "myolegs_walk.npz")
    qpos = src["qpos"].astype(np.float32).astype(np.float64)
    names = [str(n) for n in src["joint_names"]]
    assert names[0] == "root" and qpos.shape[1] == sum(widths(names)), "expects myolegs_walk's layout"
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT / "walk_a.npz", qpos=qpos[0:300].astype(np.float32), fps=np.float64(100.0),
             name=np.array(["walk_a"]))
    np.savez_compressed(OUT / "walk_c_50fps.npz", qpos=qpos[600:800:2].astype(np.float32), fps=np.float64(50.0))

    rng = np.random.default_rng(7)
    order = list(rng.permutation(names))
    cols = columns(names, order)
    a, b = upsample(qpos[0:300]), upsample(qpos[400:550])
    both = np.concatenate([a, b])[:, cols].astype(np.float32)
    np.savez_compressed(OUT / "locomujoco_200hz.npz", qpos=both, qvel=np.zeros((len(both), 34), np.float32),
             split_points=np.array([0, len(a), len(a) + len(b)], np.int64), frequency=np.float64(200.0),
             joint_names=np.array(order))

    kept = [n for n in names if n != "mtp_angle_l"]
    q = qpos[0:20][:, columns(names, kept)]
    q = np.concatenate([q, np.zeros((20, 1))], axis=1).astype(np.float32)
    models = Path(os.environ.get("SINEW_MODELS", Path.home() / ".cache/sinew/models"))
    m = mujoco.MjModel.from_xml_path(json.loads((models / "models.json").read_text())["myolegs_walk"])
    types = [int(m.jnt_type[m.joint(n).id]) for n in kept] + [int(mujoco.mjtJoint.mjJNT_SLIDE)]
    np.savez_compressed(OUT / "locomujoco_missing.npz", qpos=q, frequency=np.float64(100.0),
             joint_names=np.array(kept + ["not_a_joint"]), jnt_type=np.array(types, np.int32))


if __name__ == "__main__":
    main()
