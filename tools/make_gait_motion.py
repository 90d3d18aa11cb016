"""Make sinew's reference walking motion for myolegs (assets/motions/myolegs_walk.npz).

A normal adult gait cycle built from published sagittal joint-angle curves: the key values below
are read off the normative curves of Winter (Biomechanics and Motor Control of Human Movement,
1991/2009) and Perry & Burnfield (Gait Analysis, 2010) at a self-selected speed. Each curve is a
periodic least-squares Fourier series (5 harmonics) through its key points; the left side is the
right side half a cycle later. Pelvis tilt, obliquity and rotation are small sinusoids of the same
sources' amplitudes. The knee's coupled joints (translations, rotations, patella) follow the
model's own joint-equality polynomials, so every frame satisfies the model's couplings. The root
moves forward at the gait's speed and its height is set per frame so the lower foot touches the
floor (MuJoCo's mj_geomDistance between the floor and the foot geoms).

    python tools/make_gait_motion.py [--model PATH] [--out assets/motions/myolegs_walk.npz]

Needs pip `mujoco` (tools/fetch-models' venv); the model defaults to the manifest's myolegs_walk.
Output npz: qpos (T x nq, float64), fps (scalar), joint_names (njnt strings), and the cycle's
speed and period.
"""

import argparse
import json
import os
from pathlib import Path

import mujoco
import numpy as np

FPS = 100.0
PERIOD = 1.10  # s per stride (cadence ~109 steps/min)
SPEED = 1.25  # m/s
STRIDES = 10
HARMONICS = 5

# Gait-cycle percent (0 = right heel strike) -> degrees; positive = flexion / dorsiflexion.
HIP_FLEXION = [(0, 30), (10, 26), (30, 8), (50, -10), (60, -4), (75, 20), (87, 32), (100, 30)]
KNEE_FLEXION = [(0, 4), (15, 18), (40, 4), (50, 10), (60, 38), (72, 62), (85, 35), (96, 3), (100, 4)]
ANKLE_DORSIFLEXION = [(0, 0), (8, -6), (30, 6), (45, 10), (55, 2), (62, -16), (72, -2), (90, 2), (100, 0)]
PELVIS_TILT_AMPLITUDE = 2.0  # deg, twice per stride
PELVIS_OBLIQUITY_AMPLITUDE = 4.0  # deg, once per stride
PELVIS_ROTATION_AMPLITUDE = 5.0  # deg, once per stride


def fourier_fit(points, harmonics=HARMONICS):
    """Coefficients of a periodic series through (percent, degrees) key points (least squares)."""
    x = np.array([p for p, _ in points[:-1]]) / 100.0  # the 100 % point repeats 0 %
    y = np.radians([v for _, v in points[:-1]])
    cols = [np.ones_like(x)]
    for k in range(1, harmonics + 1):
        cols += [np.cos(2 * np.pi * k * x), np.sin(2 * np.pi * k * x)]
    a = np.stack(cols, axis=1)
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    return coef


def fourier_eval(coef, phase):
    out = np.full_like(phase, coef[0])
    for k in range(1, (len(coef) - 1) // 2 + 1):
        out += coef[2 * k - 1] * np.cos(2 * np.pi * k * phase) + coef[2 * k] * np.sin(2 * np.pi * k * phase)
    return out


def quat_mul(a, b):
    w1, x1, y1, z1 = a
    w2, x2, y2, z2 = b
    return np.array([
        w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
        w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
        w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
        w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2,
    ])


def axis_angle(axis, angle):
    axis = np.asarray(axis, float)
    return np.concatenate([[np.cos(angle / 2)], np.sin(angle / 2) * axis / np.linalg.norm(axis)])


def default_model():
    root = Path(os.environ.get("SINEW_MODELS", Path.home() / ".cache/sinew/models"))
    return json.loads((root / "models.json").read_text())["myolegs_walk"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "assets/motions/myolegs_walk.npz"))
    args = ap.parse_args()
    m = mujoco.MjModel.from_xml_path(args.model or default_model())
    d = mujoco.MjData(m)
    qadr = {m.joint(j).name: m.jnt_qposadr[j] for j in range(m.njnt)}

    # forward direction: heel to toe at the reference pose, in the floor plane
    mujoco.mj_forward(m, d)
    # (both feet: each is toed out a few degrees)
    fwd = d.site("TOE_r").xpos - d.site("CAL_r").xpos + d.site("TOE_l").xpos - d.site("CAL_l").xpos
    fwd[2] = 0.0
    fwd /= np.linalg.norm(fwd)
    side = np.cross([0.0, 0.0, 1.0], fwd)  # to the model's left

    n = int(round(STRIDES * PERIOD * FPS)) + 1
    t = np.arange(n) / FPS
    phase = (t / PERIOD) % 1.0
    curves = {name: fourier_fit(pts) for name, pts in
              [("hip", HIP_FLEXION), ("knee", KNEE_FLEXION), ("ankle", ANKLE_DORSIFLEXION)]}
    qpos = np.tile(m.qpos0, (n, 1))
    for side_name, shift in [("r", 0.0), ("l", 0.5)]:
        ph = (phase + shift) % 1.0
        qpos[:, qadr[f"hip_flexion_{side_name}"]] = fourier_eval(curves["hip"], ph)
        qpos[:, qadr[f"knee_angle_{side_name}"]] = fourier_eval(curves["knee"], ph)
        qpos[:, qadr[f"ankle_angle_{side_name}"]] = fourier_eval(curves["ankle"], ph)
    # the model's joint couplings: q1 - q1_0 = sum_i c_i (q2 - q2_0)^i
    for e in range(m.neq):
        if m.eq_type[e] != mujoco.mjtEq.mjEQ_JOINT:
            continue
        j1, j2 = m.eq_obj1id[e], m.eq_obj2id[e]
        a1, a2 = m.jnt_qposadr[j1], m.jnt_qposadr[j2]
        x = qpos[:, a2] - m.qpos0[a2]
        qpos[:, a1] = m.qpos0[a1] + sum(m.eq_data[e, i] * x**i for i in range(5))
    # clamp into the model's ranges: the curves stay inside them, but the knee-coupling polynomials
    # overshoot their joints' ranges by up to 2.4e-4 rad at full knee flexion
    for j in range(m.njnt):
        if m.jnt_limited[j] and int(m.jnt_type[j]) in (int(mujoco.mjtJoint.mjJNT_HINGE), int(mujoco.mjtJoint.mjJNT_SLIDE)):
            lo, hi = m.jnt_range[j]
            qpos[:, m.jnt_qposadr[j]] = np.clip(qpos[:, m.jnt_qposadr[j]], lo, hi)

    # root: forward travel, pelvis tilt / obliquity / rotation, height from the floor distance
    tilt = np.radians(PELVIS_TILT_AMPLITUDE) * np.sin(4 * np.pi * phase)
    obliq = np.radians(PELVIS_OBLIQUITY_AMPLITUDE) * np.sin(2 * np.pi * phase)
    rot = np.radians(PELVIS_ROTATION_AMPLITUDE) * np.sin(2 * np.pi * phase)
    floor = mujoco.mj_name2id(m, mujoco.mjtObj.mjOBJ_GEOM, "floor")
    foot_bodies = {m.body(b).id for b in ["calcn_r", "toes_r", "calcn_l", "toes_l"]}
    feet = [g for g in range(m.ngeom) if m.geom_bodyid[g] in foot_bodies and m.geom_contype[g]]
    for i in range(n):
        q = quat_mul(axis_angle([0, 0, 1], rot[i]), quat_mul(axis_angle(fwd, obliq[i]), axis_angle(side, -tilt[i])))
        qpos[i, 3:7] = q
        qpos[i, 0:2] = (SPEED * t[i]) * fwd[:2]
        d.qpos[:] = qpos[i]
        mujoco.mj_kinematics(m, d)
        gap = min(mujoco.mj_geomDistance(m, d, floor, g, 1.0, None) for g in feet)
        qpos[i, 2] -= gap
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    names = np.array([m.joint(j).name for j in range(m.njnt)])
    np.savez(out, qpos=qpos, fps=np.float64(FPS), joint_names=names, speed=np.float64(SPEED),
             period=np.float64(PERIOD))
    print(f"wrote {out}: {n} frames at {FPS:g} fps, {STRIDES} strides, speed {SPEED} m/s, "
          f"root height {qpos[:, 2].min():.3f}..{qpos[:, 2].max():.3f} m, forward {fwd.round(3)}")


if __name__ == "__main__":
    main()
