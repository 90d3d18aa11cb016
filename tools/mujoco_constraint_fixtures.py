#!/usr/bin/env python3
"""Write MuJoCo 4.0.0's constraint rows at random states, for sinew's constraint tests.

Contacts are disabled (equalities and joint/tendon limits on); joints are sampled 10 % beyond
their ranges so limit rows appear. Also a 200-step open-loop trajectory from qpos0 (traj_*), with MuJoCo's solver run to convergence. Per state: efc_type, efc_id, efc_J (dense), efc_pos,
efc_margin, efc_vel, efc_aref, efc_D, padded to the largest row count (efc_type = -1 past nefc).
Output: tests/fixtures/constraint/<name>.npz.

Usage: tools/mujoco_constraint_fixtures.py [--models DIR] [--states N] [NAME ...]
"""
import argparse
import json
import os
import sys
from pathlib import Path

import mujoco
import numpy as np

if mujoco.__version__ != "4.0.0":
    sys.exit(f"mujoco_constraint_fixtures.py: MuJoCo 4.0.0 is the oracle, found {mujoco.__version__}")

ROOT = Path(__file__).resolve().parent.parent
FETCHED = ["myolegs", "myotorso", "myoarms", "mm_fullbody"]
ASSETS = ["compiler_features"]
KEYS = ["efc_pos", "efc_margin", "efc_vel", "efc_aref", "efc_D"]


def random_state(m, rng):
    qpos = m.qpos0.copy()
    for j in range(m.njnt):
        a = m.jnt_qposadr[j]
        t = m.jnt_type[j]
        if t == mujoco.mjtJoint.mjJNT_FREE:
            q = rng.normal(0, 1, 4)
            qpos[a + 3:a + 7] = q / np.linalg.norm(q)
        elif t == mujoco.mjtJoint.mjJNT_BALL:
            q = np.array([1.0, *rng.normal(0, 0.3, 3)])
            qpos[a:a + 4] = q / np.linalg.norm(q)
        elif m.jnt_limited[j]:
            lo, hi = m.jnt_range[j]
            pad = 0.1 * (hi - lo)
            qpos[a] = rng.uniform(lo - pad, hi + pad)
        else:
            qpos[a] += rng.normal(0, 0.3)
    return qpos, rng.normal(0, 0.5, m.nv)


def main() -> None:
    default_models = os.environ.get("SINEW_MODELS") or str(Path.home() / ".cache" / "sinew" / "models")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=default_models)
    ap.add_argument("--out", default=str(ROOT / "tests" / "fixtures" / "constraint"))
    ap.add_argument("--states", type=int, default=3)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    manifest = json.loads((Path(args.models) / "models.json").read_text())
    sources = {n: manifest[n] for n in FETCHED}
    sources.update({n: str(ROOT / "assets" / f"{n}.xml") for n in ASSETS})
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in args.names or list(sources):
        m = mujoco.MjModel.from_xml_path(sources[name])
        m.opt.disableflags |= int(mujoco.mjtDisableBit.mjDSBL_CONTACT)
        m.opt.jacobian = mujoco.mjtJacobian.mjJAC_DENSE
        d = mujoco.MjData(m)
        rng = np.random.default_rng(args.seed)
        states, rows, accs = [], [], []
        for _ in range(args.states):
            qpos, qvel = random_state(m, rng)
            mujoco.mj_resetData(m, d)
            d.qpos[:], d.qvel[:] = qpos, qvel
            mujoco.mj_forward(m, d)
            n = d.nefc
            accs.append((d.qacc.copy(), d.qacc_smooth.copy(), d.qfrc_constraint.copy()))
            rows.append(dict(
                type=d.efc_type[:n].copy(), id=d.efc_id[:n].copy(),
                J=d.efc_J[:n * m.nv].reshape(n, m.nv).copy(),
                **{k: getattr(d, k)[:n].copy() for k in KEYS},
            ))
            states.append((qpos, qvel))
        nmax = max(len(r["type"]) for r in rows)
        pad = lambda a, fill, shape: np.concatenate([a, np.full((nmax - len(a), *shape), fill)]) if len(a) < nmax else a
        out = {
            "state_qpos": np.array([s[0] for s in states]),
            "state_qvel": np.array([s[1] for s in states]),
            "dof_invweight0": m.dof_invweight0.copy(),
            "qacc": np.array([x[0] for x in accs]),
            "qacc_smooth": np.array([x[1] for x in accs]),
            "qfrc_constraint": np.array([x[2] for x in accs]),
            "efc_type": np.stack([pad(r["type"].astype(np.int64), -1, ()) for r in rows]),
            "efc_id": np.stack([pad(r["id"].astype(np.int64), -1, ()) for r in rows]),
            "efc_J": np.stack([pad(r["J"], 0.0, (m.nv,)) for r in rows]),
        }
        for k in KEYS:
            out[k] = np.stack([pad(r[k], 0.0, ()) for r in rows])
        # open-loop trajectory from qpos0 (contacts off; equalities and limits on), smooth controls.
        # MuJoCo's solver is run to convergence here (its default 1e-8 stop after a warm start can
        # end after one Newton step, an inexact answer that light coupled joints amplify): the
        # fixture pins the converged trajectory, which any exact solver must reproduce.
        m.opt.tolerance = 1e-15
        m.opt.ls_tolerance = 1e-6
        m.opt.iterations = 1000
        mujoco.mj_resetData(m, d)
        phase = rng.uniform(0, 2 * np.pi, m.nu)
        t = np.arange(args.steps)[:, None] * m.opt.timestep
        ctrl = 0.3 + 0.25 * np.sin(2 * np.pi * 2.0 * t + phase[None, :])
        tq, tv, ta = [], [], []
        for i in range(args.steps):
            d.ctrl[:] = ctrl[i]
            mujoco.mj_step(m, d)
            if d.warning[mujoco.mjtWarning.mjWARN_BADQACC].number > 0:
                sys.exit(f"{name}: trajectory went unstable at step {i}")
            tq.append(d.qpos.copy()); tv.append(d.qvel.copy()); ta.append(d.act.copy())
        out["traj_ctrl"] = ctrl.reshape(args.steps, -1)
        out["traj_qpos"] = np.array(tq)
        out["traj_qvel"] = np.array(tv)
        out["traj_act"] = np.array(ta).reshape(args.steps, -1)
        np.savez_compressed(out_dir / f"{name}.npz", **out)
        print(f"{name:18s} nefc per state {[len(r['type']) for r in rows]} -> {out_dir / (name + '.npz')}")


if __name__ == "__main__":
    main()
