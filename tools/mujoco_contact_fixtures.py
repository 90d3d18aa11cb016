#!/usr/bin/env python3
"""Write MuJoCo 4.0.0's contacts and contact rows, for sinew's collision tests.

Two kinds of fixture, in tests/fixtures/contact/<name>.npz:

* assets/contact_scene.xml (made here, see `scene_xml`): one free body per pair of geom types
  sinew collides, each against its own fixed partner (contype/conaffinity bits keep the pairs
  apart). Each state places every free body at a random pose touching its partner.
* assets/capsule_cylinder_scene.xml (made here, see `capsule_cylinder_xml`): capsule–cylinder,
  the pair MuJoCo answers with multi-contact CCD: capsules lying within a few degrees of a cap
  (the multi-contact regime, with and without margin, overhanging the rim), general poses, and
  capsules whose core segment reaches into the cylinder (EPA's regime).
* The real models (myolegs, myoarms, mm_fullbody): states taken along a 200-step open-loop
  trajectory with contacts on, where the feet and limbs touch as they do in use.

Per state: qpos, qvel; the contacts (geom, dist, pos, frame, includemargin, dim, friction, solref,
solimp, efc_address), padded with geom = -1; the rows of every contact (efc_J, efc_pos,
efc_margin, efc_aref, efc_D, efc_type, efc_id, padded with type -1); qacc. Plus body_invweight0
and, for the real models, the full trajectory (traj_ctrl, traj_qpos; MuJoCo's solver run to
convergence, as in tools/mujoco_constraint_fixtures.py) and the contact wrenches on every body,
(nbody, 6) torque then force about the body tree's subtree com: state_cfrc_contact at each state,
traj_cfrc_contact after each step (from the forces of that step's forward pass). They are the
contact part of mjData.cfrc_ext after mj_rnePostConstraint, summed here as its contact loop sums
them (mj_contactForce per contact, −wrench on geom 1's body, +wrench on geom 2's): MuJoCo 4.0's
cfrc_ext also carries the pull of actuated spatial tendons on the bodies they pass, which is not
a contact force; `contact_wrenches` checks, at every state, that cfrc_ext with actuation disabled
is exactly this sum.

Usage: tools/mujoco_contact_fixtures.py [--models DIR] [NAME ...]
"""
import argparse
import json
import os
import sys
from pathlib import Path

import mujoco
import numpy as np

if mujoco.__version__ != "4.0.0":
    sys.exit(f"mujoco_contact_fixtures.py: MuJoCo 4.0.0 is the oracle, found {mujoco.__version__}")

ROOT = Path(__file__).resolve().parent.parent
FETCHED = ["myolegs", "myoarms", "mm_fullbody"]
SIZES = {
    "sphere": ".1", "capsule": ".05 .15", "ellipsoid": ".08 .12 .16", "cylinder": ".1 .12",
    "box": ".1 .08 .06", "plane": "0 0 1",
}
# (fixed partner, free body) for every pair of types sinew collides (type order as MuJoCo's)
PAIRS = [
    ("plane", "sphere"), ("plane", "capsule"), ("plane", "ellipsoid"), ("plane", "cylinder"),
    ("plane", "box"), ("sphere", "sphere"), ("sphere", "capsule"), ("sphere", "ellipsoid"),
    ("sphere", "cylinder"), ("sphere", "box"), ("capsule", "capsule"), ("capsule", "ellipsoid"),
    ("capsule", "cylinder"), ("ellipsoid", "ellipsoid"),
]
SPACING = 2.0
CON_KEYS = ["dist", "pos", "frame", "includemargin", "dim", "friction", "solref", "solimp", "efc_address"]
EFC_KEYS = ["efc_pos", "efc_margin", "efc_aref", "efc_D"]


def scene_xml() -> str:
    """The collision test scene: pair k at x = 2k; bit k of contype/conaffinity pairs its geoms."""
    lines = [
        '<mujoco model="contact_scene">',
        "  <!-- made by tools/mujoco_contact_fixtures.py: one fixed + one free geom per type pair -->",
        '  <option timestep="0.002"/>',
        "  <worldbody>",
    ]
    for k, (fixed, free) in enumerate(PAIRS):
        bit = 1 << k
        x = SPACING * k
        extra = ""
        if (fixed, free) == ("sphere", "sphere"):
            extra = ' margin=".002" gap=".001"'  # in-gap contacts: detected, no rows
        if (fixed, free) == ("capsule", "capsule"):
            extra = ' condim="1"'
        euler = ' euler="8 -5 0"' if fixed == "plane" else ' euler="20 30 40"'
        lines.append(
            f'    <geom name="fixed{k}" type="{fixed}" size="{SIZES[fixed]}" pos="{x} 0 0"{euler} '
            f'contype="{bit}" conaffinity="{bit}"{extra}/>'
        )
        lines.append(f'    <body name="free{k}" pos="{x} 0 1"><freejoint/>')
        lines.append(
            f'      <geom name="free{k}" type="{free}" size="{SIZES[free]}" contype="{bit}" '
            f'conaffinity="{bit}"{extra}/>'
        )
        lines.append("    </body>")
    lines += ["  </worldbody>", "</mujoco>", ""]
    return "\n".join(lines)


# capsule–cylinder scene: (name, capsule size, margin per geom, how the capsule is placed, target
# dist range); the cylinder is fixed and tilted, the capsule free
CC_PAIRS = [
    ("flat", ".03 .1", 0.0, "flat", (-0.012, -0.001)),
    ("flatmargin", ".03 .1", 0.005, "flat", (-0.006, 0.008)),
    ("general", ".03 .1", 0.0, "any", (-0.012, -0.001)),
    ("deep", ".03 .1", 0.0, "any", (-0.07, -0.04)),
]


def capsule_cylinder_xml() -> str:
    """One fixed cylinder and one free capsule per CC_PAIRS entry, kept apart by contype bits."""
    lines = [
        '<mujoco model="capsule_cylinder_scene">',
        "  <!-- made by tools/mujoco_contact_fixtures.py: capsule-cylinder poses MuJoCo answers with",
        "       multi-contact CCD, GJK on the core segment, and EPA -->",
        '  <option timestep="0.002"/>',
        "  <worldbody>",
    ]
    for k, (name, size, margin, _, _) in enumerate(CC_PAIRS):
        bit = 1 << k
        x = SPACING * k
        lines.append(
            f'    <geom name="cyl_{name}" type="cylinder" size=".2 .1" pos="{x} 0 0" euler="20 30 40" '
            f'contype="{bit}" conaffinity="{bit}" margin="{margin}"/>'
        )
        lines.append(f'    <body name="{name}" pos="{x} 0 1"><freejoint/>')
        lines.append(
            f'      <geom name="{name}" type="capsule" size="{size}" contype="{bit}" conaffinity="{bit}" '
            f'margin="{margin}"/>'
        )
        lines.append("    </body>")
    lines += ["  </worldbody>", "</mujoco>", ""]
    return "\n".join(lines)


def walk_in(m, d, qpos, adr, geom, origin, u, reach, target):
    """Place the free joint at `adr` on origin + u·x, x in [0, reach], where the deepest contact
    of `geom` (the fixed partner) first reaches `target` (bisection on MuJoCo's own distance)."""
    lo, hi = 0.0, reach
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        qpos[adr:adr + 3] = origin + u * mid
        d.qpos[:] = qpos
        mujoco.mj_forward(m, d)
        dist = [c.dist for c in d.contact[:d.ncon] if geom in (c.geom[0], c.geom[1])]
        if dist and min(dist) < target:
            lo = mid
        else:
            hi = mid
    qpos[adr:adr + 3] = origin + u * hi


def quat_mul(a, b):
    out = np.zeros(4)
    mujoco.mju_mulQuat(out, a, b)
    return out


def place_capsule_cylinder(m, d, rng):
    """Each capsule at a random pose against its cylinder, walked in until MuJoCo's deepest
    contact reaches a random target depth. "flat": the capsule's axis within 6° of the cylinder's
    top cap, anywhere over it (overhanging the rim too); "any": a random orientation and side."""
    qpos = m.qpos0.copy()
    for k, (_, _, _, how, (lo_t, hi_t)) in enumerate(CC_PAIRS):
        adr = m.jnt_qposadr[k]
        cyl_quat = m.geom_quat[k]
        centre = np.array([SPACING * k, 0.0, 0.0])
        rot = np.zeros(9)
        mujoco.mju_quat2Mat(rot, cyl_quat)
        rot = rot.reshape(3, 3)
        if how == "flat":
            yaw, tilt = rng.uniform(0, 2 * np.pi), np.radians(rng.uniform(-6, 6))
            local = quat_mul(
                [np.cos(yaw / 2), 0, 0, np.sin(yaw / 2)],
                [np.cos((np.pi / 2 + tilt) / 2), 0, np.sin((np.pi / 2 + tilt) / 2), 0],
            )
            qpos[adr + 3:adr + 7] = quat_mul(cyl_quat, local)
            start = rot @ np.array([*(rng.uniform(-0.22, 0.22, 2)), 0.0])
            u = rot[:, 2]
        else:
            q = rng.normal(0, 1, 4)
            qpos[adr + 3:adr + 7] = q / np.linalg.norm(q)
            start = np.zeros(3)
            u = rng.normal(0, 1, 3)
            u /= np.linalg.norm(u)
        walk_in(m, d, qpos, adr, k, centre + start, u, 0.8, rng.uniform(lo_t, hi_t))
    return qpos


def place_scene(m, d, rng):
    """Put every free body at a random pose touching its partner (shallow overlap or near miss)."""
    qpos = m.qpos0.copy()
    for k, (fixed, free) in enumerate(PAIRS):
        adr = m.jnt_qposadr[k]
        q = rng.normal(0, 1, 4)
        q /= np.linalg.norm(q)
        qpos[adr + 3:adr + 7] = q
        centre = np.array([SPACING * k, 0.0, 0.0])
        u = rng.normal(0, 1, 3)
        u /= np.linalg.norm(u)
        if fixed == "plane":
            u = np.abs(u) * [0.3, 0.3, 1.0]  # above the plane
            u /= np.linalg.norm(u)
        walk_in(m, d, qpos, adr, k, centre, u, 0.6, rng.uniform(-0.01, -0.002))
    return qpos


def snapshot(m, d):
    n = d.ncon
    con = {k: np.array([getattr(c, k) for c in d.contact[:n]]) for k in CON_KEYS}
    con["geom"] = np.array([c.geom for c in d.contact[:n]]).reshape(n, 2)
    rows = []
    for c in range(n):
        adr = d.contact[c].efc_address
        if adr < 0:
            continue
        rows.extend(range(adr, adr + (1 if d.contact[c].dim == 1 else 2 * (d.contact[c].dim - 1))))
    rows = np.array(rows, dtype=int)
    efc = {
        "efc_J": d.efc_J[: d.nefc * m.nv].reshape(d.nefc, m.nv)[rows] if len(rows) else np.zeros((0, m.nv)),
        "efc_type": d.efc_type[rows], "efc_id": d.efc_id[rows],
        **{k: getattr(d, k)[rows] for k in EFC_KEYS},
    }
    return con, efc


def contact_wrenches(m, d):
    """(nbody, 6) the contact part of cfrc_ext at d's last forward pass."""
    out = np.zeros((m.nbody, 6))
    lfrc = np.zeros(6)
    for i in range(d.ncon):
        c = d.contact[i]
        if c.efc_address < 0:
            continue
        mujoco.mj_contactForce(m, d, i, lfrc)
        frame = c.frame.reshape(3, 3)
        force, torque = frame.T @ lfrc[:3], frame.T @ lfrc[3:]
        for sign, body in ((-1.0, m.geom_bodyid[c.geom[0]]), (1.0, m.geom_bodyid[c.geom[1]])):
            if body:
                com = d.subtree_com[m.body_rootid[body]]
                out[body, :3] += sign * (torque + np.cross(c.pos - com, force))
                out[body, 3:] += sign * force
    return out


def check_contact_part(m, d):
    """MuJoCo's own cfrc_ext equals contact_wrenches where actuators pull on nothing."""
    flags = m.opt.disableflags
    saved = d.qacc_warmstart.copy()
    m.opt.disableflags |= int(mujoco.mjtDisableBit.mjDSBL_ACTUATION)
    mujoco.mj_forward(m, d)
    mujoco.mj_rnePostConstraint(m, d)
    err = np.abs(contact_wrenches(m, d) - d.cfrc_ext).max()
    m.opt.disableflags = flags
    d.qacc_warmstart[:] = saved
    mujoco.mj_forward(m, d)
    if err > 1e-9 * max(1.0, np.abs(d.cfrc_ext).max()):
        sys.exit(f"cfrc_ext without actuation differs from the contact sum by {err}")


def pad(arrays, fill):
    nmax = max(1, max(len(a) for a in arrays))
    out = []
    for a in arrays:
        a = np.asarray(a, dtype=float if fill != -1 else np.int64)
        shape = a.shape[1:] if a.ndim > 1 else ()
        if a.size == 0:
            a = a.reshape((0, *shape))
        out.append(np.concatenate([a, np.full((nmax - len(a), *shape), fill, dtype=a.dtype)]))
    return np.stack(out)


def write(path, m, states, snaps, accs, extra):
    out = {
        "state_qpos": np.array([s[0] for s in states]),
        "state_qvel": np.array([s[1] for s in states]),
        "qacc": np.array(accs),
        "body_invweight0": m.body_invweight0.copy(),
        "con_geom": pad([s[0]["geom"] for s in snaps], -1),
        "con_dim": pad([s[0]["dim"] for s in snaps], -1),
        "con_efc_address": pad([s[0]["efc_address"] for s in snaps], -1),
        "efc_type": pad([s[1]["efc_type"] for s in snaps], -1),
        "efc_id": pad([s[1]["efc_id"] for s in snaps], -1),
        "efc_J": pad([s[1]["efc_J"] for s in snaps], 0.0),
        **extra,
    }
    for k in ["dist", "pos", "frame", "includemargin", "friction", "solref", "solimp"]:
        out[f"con_{k}"] = pad([s[0][k] for s in snaps], 0.0)
    for k in EFC_KEYS:
        out[k] = pad([s[1][k] for s in snaps], 0.0)
    np.savez_compressed(path, **out)
    print(f"{path.name:22s} contacts per state {[len(s[0]['geom']) for s in snaps]}")


def write_scene(out_dir, name, xml, place, nstates, rng):
    """Write assets/<name>.xml, then <name>.npz with `nstates` states placed by `place`."""
    path = ROOT / "assets" / f"{name}.xml"
    path.write_text(xml)
    m = mujoco.MjModel.from_xml_path(str(path))
    m.opt.jacobian = mujoco.mjtJacobian.mjJAC_DENSE
    converge(m)
    d = mujoco.MjData(m)
    states, snaps, accs = [], [], []
    for _ in range(nstates):
        qpos = place(m, d, rng)
        qvel = rng.normal(0, 0.3, m.nv)
        mujoco.mj_resetData(m, d)
        d.qpos[:], d.qvel[:] = qpos, qvel
        mujoco.mj_forward(m, d)
        states.append((qpos, qvel))
        snaps.append(snapshot(m, d))
        accs.append(d.qacc.copy())
    write(out_dir / f"{name}.npz", m, states, snaps, accs, {})


def converge(m):
    m.opt.tolerance = 1e-15
    m.opt.ls_tolerance = 1e-6
    m.opt.iterations = 1000


def main() -> None:
    default_models = os.environ.get("SINEW_MODELS") or str(Path.home() / ".cache" / "sinew" / "models")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=default_models)
    ap.add_argument("--out", default=str(ROOT / "tests" / "fixtures" / "contact"))
    ap.add_argument("--states", type=int, default=4)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--cc-states", type=int, default=24)
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = args.names or ["contact_scene", "capsule_cylinder_scene", *FETCHED]
    rng = np.random.default_rng(args.seed)

    if "contact_scene" in names:
        write_scene(out_dir, "contact_scene", scene_xml(), place_scene, args.states, rng)
    if "capsule_cylinder_scene" in names:
        crng = np.random.default_rng(args.seed + 1)
        write_scene(
            out_dir, "capsule_cylinder_scene", capsule_cylinder_xml(), place_capsule_cylinder, args.cc_states, crng
        )

    manifest = json.loads((Path(args.models) / "models.json").read_text())
    for name in [n for n in names if n in FETCHED]:
        m = mujoco.MjModel.from_xml_path(manifest[name])
        m.opt.jacobian = mujoco.mjtJacobian.mjJAC_DENSE
        converge(m)
        d = mujoco.MjData(m)
        mujoco.mj_resetData(m, d)
        # the same open-loop controls as the constraint fixtures
        crng = np.random.default_rng(args.seed)
        phase = crng.uniform(0, 2 * np.pi, m.nu)
        t = np.arange(args.steps)[:, None] * m.opt.timestep
        ctrl = 0.3 + 0.25 * np.sin(2 * np.pi * 2.0 * t + phase[None, :])
        pick = set(np.linspace(args.steps // 5, args.steps - 1, args.states).astype(int).tolist())
        states, snaps, accs, tq, tw = [], [], [], [], []
        for i in range(args.steps):
            d.ctrl[:] = ctrl[i]
            if i in pick:
                # the state this step starts from, with its contacts and rows
                mujoco.mj_forward(m, d)
                states.append((d.qpos.copy(), d.qvel.copy()))
                snaps.append(snapshot(m, d))
                accs.append(d.qacc.copy())
                states[-1] = (*states[-1], d.act.copy(), contact_wrenches(m, d))
                check_contact_part(m, d)
            mujoco.mj_step(m, d)
            if d.warning[mujoco.mjtWarning.mjWARN_BADQACC].number > 0:
                sys.exit(f"{name}: trajectory went unstable at step {i}")
            tq.append(d.qpos.copy())
            # the step's contacts, forces and coms are still in d (mj_step integrates after them)
            tw.append(contact_wrenches(m, d))
        extra = {
            "state_act": np.array([s[2] for s in states]),
            "state_cfrc_contact": np.array([s[3] for s in states]),
            "traj_cfrc_contact": np.array(tw, dtype=np.float32),  # float32: the fixture stays small
            "state_ctrl": np.array([ctrl[i] for i in sorted(pick)]),
            "traj_ctrl": ctrl.reshape(args.steps, -1),
            "traj_qpos": np.array(tq),
        }
        write(out_dir / f"{name}.npz", m, states, snaps, accs, extra)


if __name__ == "__main__":
    main()
