"""Retarget DeepMimic humanoid clips onto sinew's models (myolegs_walk, mm_fullbody).

    python tools/retarget/retarget.py --clips DIR_OR_FILE... --model myolegs_walk \\
        --out assets/motions/retargeted/myolegs_walk [--report REPORT.md]

The clips are the CMU-derived ones pybullet's wheel ships (pybullet_data/data/motions, zlib
licence; `pip download pybullet --no-deps` and unzip it). For each clip:
1. landmarks of the source skeleton per frame (deepmimic.py): pelvis (between the hips), hips,
   knees, ankles, toes, and for the full body shoulders, elbows, wrists and head;
2. scaled to the model: every segment (pelvis -> hip -> knee -> ankle -> toe, pelvis ->
   shoulder -> elbow -> wrist, pelvis -> head) keeps the source's direction and takes the model's
   length at qpos0; the pelvis path scales by the ratio of leg lengths; then smoothed in time
   (Gaussian, sigma 1 frame); a clip whose frames last unequally is first resampled to its
   usual rate; a foot the source plants (low and slow) is pinned horizontally for as long as it
   stays planted, so the scaling does not make it slide;
3. per-frame inverse kinematics within joint ranges (ik.py), warm-started from the last frame,
   the first frame's heading aligned with the source's;
4. feet on the ground and out of it: where the source has a foot on its floor, the root is moved
   vertically so the model's lowest foot geom touches the floor (MuJoCo's mj_geomDistance);
   between such frames the shift is interpolated, and no frame leaves a foot below the floor.
Writes one npz per clip (qpos T x nq float32, fps, name) and, with --report, a markdown table of
each motion's quality: landmark error after IK, joint-range excess, foot skating (horizontal
speed of a foot while it touches the floor) and ground penetration, plus a JSON twin.

Needs pip `mujoco` (tools/fetch-models' venv) and numpy.
"""

import argparse
import json
import os
import re
import sys
from pathlib import Path

import mujoco
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import deepmimic  # noqa: E402
import ik  # noqa: E402

# Per model: landmarks (source name -> (site|body, model name, weight)), each landmark's parent for
# the segment scaling, the feet's bodies, and joints IK leaves at qpos0.
LEGS = {
    "right_hip": ("pelvis", 1.0),
    "right_knee": ("right_hip", 1.0),
    "right_ankle": ("right_knee", 1.0),
    "right_toe": ("right_ankle", 0.5),
    "left_hip": ("pelvis", 1.0),
    "left_knee": ("left_hip", 1.0),
    "left_ankle": ("left_knee", 1.0),
    "left_toe": ("left_ankle", 0.5),
}
MODELS = {
    "myolegs_walk": {
        "points": {
            "right_hip": ("site", "HJC_r"),
            "right_knee": ("site", "KJC_r"),
            "right_ankle": ("site", "AJC_r"),
            "right_toe": ("site", "TOE_r"),
            "left_hip": ("site", "HJC_l"),
            "left_knee": ("site", "KJC_l"),
            "left_ankle": ("site", "AJC_l"),
            "left_toe": ("site", "TOE_l"),
            # the trunk is rigid on the pelvis here: the head only steers the pelvis' pitch and roll
            "head": ("body", "head"),
        },
        "extra": {"head": ("pelvis", 0.3)},
        "feet": {"right": ["talus_r", "calcn_r", "toes_r"], "left": ["talus_l", "calcn_l", "toes_l"]},
        "frozen": None,
    },
    "mm_fullbody": {
        "points": {
            "right_hip": ("site", "RHJC"),
            "right_knee": ("site", "RKJC"),
            "right_ankle": ("site", "RAJC"),
            "right_toe": ("site", "RTOE"),
            "left_hip": ("site", "LHJC"),
            "left_knee": ("site", "LKJC"),
            "left_ankle": ("site", "LAJC"),
            "left_toe": ("site", "LTOE"),
            "right_shoulder": ("body", "humerus_r"),
            "right_elbow": ("body", "ulna_r"),
            "right_wrist": ("site", "s_wrist_r"),
            "left_shoulder": ("body", "humerus_l"),
            "left_elbow": ("body", "ulna_l"),
            "left_wrist": ("site", "s_wrist_l"),
            "head": ("body", "head"),
        },
        "extra": {
            "right_shoulder": ("pelvis", 0.7),
            "right_elbow": ("right_shoulder", 0.7),
            "right_wrist": ("right_elbow", 0.7),
            "left_shoulder": ("pelvis", 0.7),
            "left_elbow": ("left_shoulder", 0.7),
            "left_wrist": ("left_elbow", 0.7),
            "head": ("pelvis", 0.7),
        },
        "feet": {"right": ["talus_r", "calcn_r", "toes_r"], "left": ["talus_l", "calcn_l", "toes_l"]},
        # the hand and wrist (no landmark beyond the wrist) and forearm rotation stay neutral
        "frozen": r"^(pro_sup|deviation|flexion|cmc_|mp_|ip_|mcp\d|pm\d|md\d)",
    },
}
CONTACT_HEIGHT = 0.03  # m above the source's floor: a source foot on the ground
FLOOR_TOUCH = 0.005  # m: a model foot touching the floor (for the skating measure)
LOCK_SPEED = 0.4  # m/s: a source foot slower than this near its floor is planted
LOCK_ANKLE_HEIGHT = 0.06  # m: the source ankle's height over its floor with the sole flat
LOCK_BLEND = 4  # frames over which a planted foot's correction eases in and out
SWING_CLEARANCE = 0.015  # m: the least height of a swinging foot over the floor
SWING_PASSES = 2  # rounds of lifting swinging feet


def smooth(x, sigma=1.0):
    """Gaussian smoothing along axis 0 (edges padded with the end values)."""
    if sigma <= 0 or len(x) < 3:
        return x
    r = int(3 * sigma)
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    pad = np.concatenate([np.repeat(x[:1], r, 0), x, np.repeat(x[-1:], r, 0)])
    return np.stack([np.convolve(pad[:, i], k, mode="valid") for i in range(x.shape[1])], 1)


def heading(left, right):
    """Facing angle about z of a body whose left and right hips are given (x forward, y left)."""
    lateral = left - right
    forward = np.cross(lateral, [0.0, 0.0, 1.0])
    return np.arctan2(forward[1], forward[0])


def quat_z(angle):
    return np.array([np.cos(angle / 2), 0.0, 0.0, np.sin(angle / 2)])


class Target:
    """A model and its landmark setup."""

    def __init__(self, name, path):
        spec = MODELS[name]
        self.name, self.spec = name, spec
        self.m = mujoco.MjModel.from_xml_path(str(path))
        self.parents = dict(LEGS, **spec["extra"])
        self.names = list(spec["points"])
        self.points = [
            ik.Landmark(self.m, kind, body_or_site, self.parents[n][1]) for n, (kind, body_or_site) in spec["points"].items()
        ]
        frozen = []
        if spec["frozen"]:
            pattern = re.compile(spec["frozen"])
            frozen = [j for j in range(self.m.njnt) if pattern.match(mujoco.mj_id2name(self.m, mujoco.mjtObj.mjOBJ_JOINT, j))]
        self.solver = ik.Solver(self.m, self.points, frozen_joints=frozen)
        self.root = next(j for j in range(self.m.njnt) if self.m.jnt_type[j] == mujoco.mjtJoint.mjJNT_FREE)
        self.root_adr = self.m.jnt_qposadr[self.root]
        rest = self.solver.positions(self.m.qpos0.copy())
        self.rest = dict(zip(self.names, rest))
        self.rest["pelvis"] = 0.5 * (self.rest["right_hip"] + self.rest["left_hip"])
        self.floor = mujoco.mj_name2id(self.m, mujoco.mjtObj.mjOBJ_GEOM, "floor")
        if self.floor < 0:
            raise ValueError(f"{name}: no geom named 'floor' to put the feet on")
        self.foot_geoms = {
            side: [
                g
                for g in range(self.m.ngeom)
                if mujoco.mj_id2name(self.m, mujoco.mjtObj.mjOBJ_BODY, self.m.geom_bodyid[g]) in bodies
                and (self.m.geom_contype[g] or self.m.geom_conaffinity[g])
            ]
            for side, bodies in spec["feet"].items()
        }
        self.source_points = self.calibrated_points()
        for side, geoms in self.foot_geoms.items():
            if not geoms:
                raise ValueError(f"{name}: no collision geom on the {side} foot's bodies {spec['feet'][side]}")

    def calibrated_points(self):
        """The source's toes and head placed so that, in the rest poses of both skeletons, each
        points from its segment's parent the way the model's does (the DeepMimic foot box's toe
        sits lower and its head straighter over the pelvis than the models' landmarks): the
        same posture then asks for the same joint angles, not a constant ankle or trunk offset."""
        points = deepmimic.default_points()
        rest = {k: v[0] for k, v in deepmimic.landmarks(deepmimic.rest_frame()).items()}
        rest["pelvis"] = 0.5 * (rest["right_hip"] + rest["left_hip"])
        # the model's rest directions turned to face +x like the source's rest, then y up
        turn = -heading(self.rest["left_hip"], self.rest["right_hip"])
        c, s_ = np.cos(turn), np.sin(turn)
        facing = np.array([[c, -s_, 0.0], [s_, c, 0.0], [0.0, 0.0, 1.0]])
        for name, (joint, _) in list(points.items()):
            if name not in self.names:
                continue
            parent = self.parents[name][0]
            d = facing @ (self.rest[name] - self.rest[parent])
            d /= np.linalg.norm(d)
            length = np.linalg.norm(rest[name] - rest[parent])
            # the point's rest position, relative to its carrying joint, back in y-up coordinates
            local_zup = rest[parent] + d * length - rest[joint]
            points[name] = (joint, deepmimic.Y_UP_TO_Z_UP.T @ local_zup)
        return points

    def length(self, child):
        return np.linalg.norm(self.rest[child] - self.rest[self.parents[child][0]])

    def scaled_targets(self, src):
        """Landmark targets (T x n x 3) from the source landmarks, segment by segment."""
        src = dict(src)
        src["pelvis"] = 0.5 * (src["right_hip"] + src["left_hip"])
        leg = lambda L, s: sum(np.linalg.norm(L[f"{s}_{b}"] - L[f"{s}_{a}"], axis=-1) for a, b in (("hip", "knee"), ("knee", "ankle")))  # noqa: E731
        ratio = (leg(self.rest, "right") + leg(self.rest, "left")) / np.mean(leg(src, "right") + leg(src, "left"))
        out = {"pelvis": src["pelvis"] * ratio}
        # parents before children: the landmark order in LEGS / extra is parent-first
        for name in list(LEGS) + [n for n in self.spec["extra"] if n not in LEGS]:
            parent = self.parents[name][0]
            d = src[name] - src[parent]
            d /= np.linalg.norm(d, axis=1, keepdims=True)
            out[name] = out[parent] + d * self.length(name)
        return smooth(np.stack([out[n] for n in self.names], 1).reshape(len(src["pelvis"]), -1)).reshape(-1, len(self.names), 3)

    def lowest(self, qpos, side=None):
        """Signed height of the lowest foot geom above the floor (one side, or both)."""
        d = self.solver.d
        d.qpos[:] = qpos
        mujoco.mj_kinematics(self.m, d)
        geoms = self.foot_geoms[side] if side else self.foot_geoms["right"] + self.foot_geoms["left"]
        return min(mujoco.mj_geomDistance(self.m, d, self.floor, g, 1.0, None) for g in geoms)


def planted_frames(src, fps, side):
    """(T,) bool: frames where the source's foot on `side` rests on its floor (low and slow)."""
    floor = min(src["right_toe"][:, 2].min(), src["left_toe"][:, 2].min())
    height = np.minimum(src[f"{side}_toe"][:, 2], src[f"{side}_ankle"][:, 2] - LOCK_ANKLE_HEIGHT) - floor
    speed = np.linalg.norm(np.gradient(src[f"{side}_toe"][:, :2], axis=0), axis=1) * fps
    return (height < CONTACT_HEIGHT) & (speed < LOCK_SPEED)


def lock_feet(target, targets, src, fps):
    """Pin each foot's ankle and toe targets horizontally while the source foot rests on its floor
    (low and slow), at the run's mean position, easing the correction in and out over
    LOCK_BLEND frames: a foot planted in the source stays planted on the model, whatever the
    segment scaling did to the path between pelvis and foot."""
    t = len(targets)
    for side in ("right", "left"):
        cols = [target.names.index(f"{side}_ankle"), target.names.index(f"{side}_toe")]
        planted = planted_frames(src, fps, side)
        delta = np.zeros((t, len(cols), 2))
        weight = np.zeros(t)
        f = 0
        while f < t:
            if not planted[f]:
                f += 1
                continue
            end = f
            while end + 1 < t and planted[end + 1]:
                end += 1
            run = slice(f, end + 1)
            locked = targets[run][:, cols, :2].mean(axis=0)
            delta[run] = locked - targets[run][:, cols, :2]
            weight[run] = 1.0
            # ease out after the run and in before it, from the run's edge corrections
            for k in range(1, LOCK_BLEND + 1):
                w = 1.0 - k / (LOCK_BLEND + 1)
                for g, edge in ((end + k, end), (f - k, f)):
                    if 0 <= g < t and weight[g] < w:
                        delta[g], weight[g] = w * delta[edge], w
            f = end + 1
        targets[:, cols, :2] += delta
    return targets


def retarget(target, clip):
    frames, times = deepmimic.read_clip(clip)
    # the clip's usual frame rate; clips with frames of other durations are resampled to it
    fps = 1.0 / np.median(np.diff(times))
    src = deepmimic.resample(deepmimic.landmarks(frames, target.source_points), times, fps)
    targets = lock_feet(target, target.scaled_targets(src), src, fps)
    t = len(src["root"])
    q = target.m.qpos0.copy()
    a = target.root_adr
    # the first frame: heading aligned with the source's, pelvis over the source's pelvis
    turn = heading(src["left_hip"][0], src["right_hip"][0]) - heading(target.rest["left_hip"], target.rest["right_hip"])
    quat = np.zeros(4)
    mujoco.mju_mulQuat(quat, quat_z(turn), q[a + 3 : a + 7])
    q[a + 3 : a + 7] = quat
    pelvis_target = 0.5 * (targets[0, target.names.index("right_hip")] + targets[0, target.names.index("left_hip")])
    q[a : a + 3] += pelvis_target - (q[a : a + 3] + target.rest["pelvis"] - target.m.qpos0[a : a + 3])
    target.solver.iterations = 300
    qpos = np.zeros((t, target.m.nq))
    residual = np.zeros(t)
    for f in range(t):
        q, residual[f] = target.solver.solve(q, targets[f])
        target.solver.iterations = 40
        qpos[f] = q
    # swing feet clear of the floor: where a foot the source has in the air comes within
    # SWING_CLEARANCE of the floor, its ankle and toe targets go up by the shortfall (eased over
    # neighbouring frames) and those frames are solved again; twice, as the floor moves with them
    lift = np.zeros((t, 2))
    for _ in range(SWING_PASSES):
        shift = ground_shift(target, qpos, src)
        for s_, side in enumerate(("right", "left")):
            swing = ~planted_frames(src, fps, side)
            heights = np.array([target.lowest(qpos[f] + shift_vector(target, shift[f]), side) for f in range(t)])
            lift[:, s_] += np.where(swing, np.maximum(SWING_CLEARANCE - heights, 0.0), 0.0)
        lift = np.maximum(lift, smooth(lift))
        for f in np.flatnonzero(lift.max(axis=1) > 1e-4):
            goal = targets[f].copy()
            for s_, side in enumerate(("right", "left")):
                for part in ("ankle", "toe"):
                    goal[target.names.index(f"{side}_{part}"), 2] += lift[f, s_]
            qpos[f], residual[f] = target.solver.solve(qpos[f], goal)
    shift = ground_shift(target, qpos, src)
    qpos[:, a + 2] += shift
    return qpos, fps, residual, src


def shift_vector(target, dz):
    """A qpos offset raising the free root by dz."""
    v = np.zeros(target.m.nq)
    v[target.root_adr + 2] = dz
    return v


def ground_shift(target, qpos, src):
    """Per frame, how far to raise the root: the lowest foot on the floor where the source has a
    foot on its floor (interpolated between such frames), and no frame below the floor."""
    t = len(qpos)
    src_floor = min(src["right_toe"][:, 2].min(), src["left_toe"][:, 2].min())
    src_foot = np.minimum(src["right_toe"][:, 2], src["left_toe"][:, 2]) - src_floor
    contact = src_foot < CONTACT_HEIGHT
    low = np.array([target.lowest(qpos[f]) for f in range(t)])
    shift = -low
    if contact.any():
        idx = np.flatnonzero(contact)
        shift = np.interp(np.arange(t), idx, -low[idx])
    return np.maximum(smooth(shift[:, None])[:, 0], -low)


def quality(target, qpos, fps, residual, src):
    """Per-motion measures: landmark error, joint-range excess, skating, penetration."""
    m = target.m
    excess = 0.0
    for j in range(m.njnt):
        if m.jnt_limited[j] and int(m.jnt_type[j]) in ik.HINGE_SLIDE:
            x = qpos[:, m.jnt_qposadr[j]]
            lo, hi = m.jnt_range[j]
            excess = max(excess, float(np.max(np.maximum(lo - x, 0) + np.maximum(x - hi, 0))))
    penetration, skate, touching, scrapes = 0.0, [], 0, 0
    d = target.solver.d
    for side in ("right", "left"):
        heights, points = [], []  # per frame: the foot's lowest height, and that point on its body
        for q in qpos:
            d.qpos[:] = q
            mujoco.mj_kinematics(m, d)
            best = (np.inf, None)
            for g in target.foot_geoms[side]:
                fromto = np.zeros(6)
                h = mujoco.mj_geomDistance(m, d, target.floor, g, 1.0, fromto)
                if h < best[0]:
                    body = m.geom_bodyid[g]
                    # the foot's nearest point to the floor, in its body's frame
                    local = d.xmat[body].reshape(3, 3).T @ (fromto[3:] - d.xpos[body])
                    best = (h, (body, local))
            heights.append(best[0])
            points.append(best[1])
        heights = np.array(heights)
        penetration = max(penetration, float(-heights.min()))
        on = heights < FLOOR_TOUCH
        planted = planted_frames(src, fps, side)
        touching += int(on.sum())
        scrapes += int((on & ~planted).sum())
        # skating: how far the material point touching the floor at one frame slides
        # horizontally by the next, while the foot stays on the floor and the source's is planted
        for f in np.flatnonzero(on[:-1] & on[1:] & planted[:-1] & planted[1:]):
            body, local = points[f]
            where = []
            for q in (qpos[f], qpos[f + 1]):
                d.qpos[:] = q
                mujoco.mj_kinematics(m, d)
                where.append(d.xpos[body] + d.xmat[body].reshape(3, 3) @ local)
            skate.append(np.linalg.norm((where[1] - where[0])[:2]) * fps)
    return {
        "frames": len(qpos),
        "fps": round(fps, 3),
        "seconds": round((len(qpos) - 1) / fps, 3),
        "landmark_error_m": round(float(residual.mean()), 4),
        "joint_range_excess": round(excess, 5),
        "foot_skating_m_per_s": round(float(np.mean(skate)) if skate else 0.0, 4),
        "foot_contact_frames": touching,
        "swing_scrape_frames": scrapes,
        "ground_penetration_m": round(max(penetration, 0.0), 4),
    }


def model_path(name):
    manifest = Path(os.environ.get("SINEW_MODELS", Path.home() / ".cache/sinew/models")) / "models.json"
    return json.loads(manifest.read_text())[name]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clips", nargs="+", required=True, help="DeepMimic clip files or folders of them")
    ap.add_argument("--model", required=True, choices=sorted(MODELS))
    ap.add_argument("--model-path", help="the model's XML (default: the fetched models' manifest)")
    ap.add_argument("--out", required=True, help="folder for the npz files")
    ap.add_argument("--report", help="markdown quality report to write (a .json twin beside it)")
    args = ap.parse_args()
    clips = []
    for c in args.clips:
        p = Path(c)
        clips += sorted(p.glob("humanoid3d_*.txt")) + sorted(p.glob("walker/*.txt")) if p.is_dir() else [p]
    if not clips:
        sys.exit("no clips found")
    target = Target(args.model, args.model_path or model_path(args.model))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = {}
    for clip in clips:
        name = clip.stem.replace("humanoid3d_", "")
        if clip.parent.name == "walker":
            name = f"walker_{name}"
        qpos, fps, residual, src = retarget(target, clip)
        np.savez_compressed(out / f"{name}.npz", qpos=qpos.astype(np.float32), fps=np.float64(fps), name=np.array(name))
        rows[name] = quality(target, qpos, fps, residual, src)
        rows[name]["source"] = f"pybullet_data/data/motions/{'walker/' if clip.parent.name == 'walker' else ''}{clip.name}"
        print(name, rows[name], flush=True)
    if args.report:
        write_report(Path(args.report), args.model, rows)


def write_report(path, model, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".json").write_text(json.dumps({"model": model, "motions": rows}, indent=1) + "\n")
    lines = [
        f"# Retargeted motions for {model}: quality",
        "",
        "Made by `tools/retarget/retarget.py` from pybullet's DeepMimic clips (provenance and licence: ../README.md).",
        "Landmark error: RMS distance between the model's landmarks and the scaled targets after IK.",
        "Joint-range excess: the largest excursion of a limited joint past its range (rad or m).",
        "Foot skating: mean horizontal speed of the point of a foot that touches the floor (<5 mm), over",
        " consecutive frames it stays there while the source's foot is planted.",
        "Swing scrapes: frames where a foot the source has in the air (not planted) is within 5 mm of",
        " the floor (over both feet; toe clearance the retargeting did not keep).",
        "Ground penetration: the deepest any foot geom goes below the floor.",
        "",
        "| motion | frames | s | landmark error (m) | range excess | skating (m/s) | swing scrapes | penetration (m) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows.items():
        lines.append(
            f"| {name} | {r['frames']} | {r['seconds']} | {r['landmark_error_m']} | {r['joint_range_excess']} | "
            f"{r['foot_skating_m_per_s']} | {r['swing_scrape_frames']} | {r['ground_penetration_m']} |"
        )
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
