#!/usr/bin/env python3
"""Write MuJoCo 4.0.0's smooth-dynamics quantities at random states, for sinew's stage tests.

For each model: N random states (qpos within joint ranges, qvel, act, ctrl) evaluated by mj_forward
with constraints disabled, and per state the arrays sinew's stages compute (MuJoCo names). Also a
short open-loop trajectory (constraints disabled) from qpos0 under a fixed control sequence.
Output: tests/fixtures/smooth/<name>.npz, arrays shaped (nstate, ...) or (nstep, ...).

Usage: tools/mujoco_smooth_fixtures.py [--models DIR] [--states N] [--steps N] [NAME ...]
"""
import argparse
import json
import os
import sys
from pathlib import Path

import mujoco
import numpy as np

if mujoco.__version__ != "4.0.0":
    sys.exit(f"mujoco_smooth_fixtures.py: MuJoCo 4.0.0 is the oracle, found {mujoco.__version__}")

ROOT = Path(__file__).resolve().parent.parent
FETCHED = ["myolegs", "myotorso", "myoarms", "mm_fullbody"]
ASSETS = ["cylinder_wrap", "sphere_wrap", "muscle_range", "free_tumble", "compiler_features"]


def random_state(m: mujoco.MjModel, rng: np.random.Generator):
    qpos = m.qpos0.copy()
    for j in range(m.njnt):
        a = m.jnt_qposadr[j]
        t = m.jnt_type[j]
        if t == mujoco.mjtJoint.mjJNT_FREE:
            qpos[a:a + 3] += rng.normal(0, 0.05, 3)
            q = rng.normal(0, 1, 4)
            qpos[a + 3:a + 7] = q / np.linalg.norm(q)
        elif t == mujoco.mjtJoint.mjJNT_BALL:
            q = np.array([1.0, *rng.normal(0, 0.3, 3)])
            qpos[a:a + 4] = q / np.linalg.norm(q)
        elif m.jnt_limited[j]:
            lo, hi = m.jnt_range[j]
            qpos[a] = rng.uniform(lo, hi)
        else:
            qpos[a] += rng.normal(0, 0.3)
    qvel = rng.normal(0, 0.5, m.nv)
    act = rng.uniform(0, 1, m.na)
    ctrl = rng.uniform(0, 1, m.nu)
    return qpos, qvel, act, ctrl


def evaluate(m: mujoco.MjModel, d: mujoco.MjData) -> dict:
    mujoco.mj_forward(m, d)
    moment = np.zeros((m.nu, m.nv))
    mujoco.mju_sparse2dense(moment, d.actuator_moment, d.moment_rownnz, d.moment_rowadr, d.moment_colind)
    ten_j = np.zeros((m.ntendon, m.nv))
    if m.ntendon:
        mujoco.mju_sparse2dense(ten_j, d.ten_J, m.ten_J_rownnz, m.ten_J_rowadr, m.ten_J_colind)
    qm = np.zeros((m.nv, m.nv))
    mujoco.mj_fullM(m, d, qm)
    return dict(
        xpos=d.xpos.copy(), xquat=d.xquat.copy(), site_xpos=d.site_xpos.copy(), geom_xpos=d.geom_xpos.copy(),
        subtree_com=d.subtree_com.copy(), cdof=d.cdof.copy(), ten_length=d.ten_length.copy(),
        ten_velocity=d.ten_velocity.copy(), ten_J=ten_j, ten_wrapnum=d.ten_wrapnum.astype(np.int64),
        wrap_xpos=d.wrap_xpos.copy(), actuator_length=d.actuator_length.copy(), actuator_moment=moment,
        actuator_velocity=d.actuator_velocity.copy(), qM=qm, qfrc_bias=d.qfrc_bias.copy(),
        qfrc_passive=d.qfrc_passive.copy(), act_dot=d.act_dot.copy(), actuator_force=d.actuator_force.copy(),
        qfrc_actuator=d.qfrc_actuator.copy(), qacc=d.qacc.copy(),
    )


def fixture(m: mujoco.MjModel, nstate: int, nstep: int, seed: int) -> dict:
    m.opt.disableflags |= int(mujoco.mjtDisableBit.mjDSBL_CONSTRAINT)
    rng = np.random.default_rng(seed)
    d = mujoco.MjData(m)
    states = {k: [] for k in ["qpos", "qvel", "act", "ctrl"]}
    outs = []
    for _ in range(nstate):
        qpos, qvel, act, ctrl = random_state(m, rng)
        mujoco.mj_resetData(m, d)
        d.qpos[:], d.qvel[:], d.act[:], d.ctrl[:] = qpos, qvel, act, ctrl
        outs.append(evaluate(m, d))
        for k, v in zip(states, [qpos, qvel, act, ctrl]):
            states[k].append(v)
    out = {f"state_{k}": np.array(v).reshape(nstate, -1) for k, v in states.items()}
    for k in outs[0]:
        out[k] = np.stack([o[k] for o in outs])
    # open-loop trajectory from qpos0, constraints disabled, smooth ctrl; MuJoCo flags (and resets)
    # an unstable step, so only the stable prefix is kept
    mujoco.mj_resetData(m, d)
    phase = rng.uniform(0, 2 * np.pi, m.nu)
    t = np.arange(nstep)[:, None] * m.opt.timestep
    ctrl = 0.05 + 0.04 * np.sin(2 * np.pi * 2.0 * t + phase[None, :])
    traj = {k: [] for k in ["qpos", "qvel", "act", "actuator_force", "ten_length", "qacc"]}
    for i in range(nstep):
        d.ctrl[:] = ctrl[i]
        mujoco.mj_step(m, d)
        if d.warning[mujoco.mjtWarning.mjWARN_BADQACC].number > 0:
            break
        for k in traj:
            traj[k].append(getattr(d, k).copy())
    kept = len(traj["qpos"])
    if kept < 5:
        sys.exit(f"trajectory unstable after {kept} steps; pick another control sequence")
    out["traj_ctrl"] = ctrl[:kept].reshape(kept, -1)
    for k, v in traj.items():
        out[f"traj_{k}"] = np.array(v).reshape(kept, -1)
    return out


def main() -> None:
    default_models = os.environ.get("SINEW_MODELS") or str(Path.home() / ".cache" / "sinew" / "models")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=default_models)
    ap.add_argument("--out", default=str(ROOT / "tests" / "fixtures" / "smooth"))
    ap.add_argument("--states", type=int, default=3)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    manifest = json.loads((Path(args.models) / "models.json").read_text())
    sources = {n: manifest[n] for n in FETCHED}
    sources.update({n: str(ROOT / "assets" / f"{n}.xml") for n in ASSETS})
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in args.names or list(sources):
        m = mujoco.MjModel.from_xml_path(sources[name])
        np.savez_compressed(out_dir / f"{name}.npz", **fixture(m, args.states, args.steps, args.seed))
        size = (out_dir / f"{name}.npz").stat().st_size
        print(f"{name:18s} nv={m.nv:4d} nu={m.nu:4d} -> {out_dir / (name + '.npz')} ({size // 1024} KiB)")


if __name__ == "__main__":
    main()
