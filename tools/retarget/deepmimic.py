"""DeepMimic humanoid clips: reading them and placing their landmarks (forward kinematics).

A clip (pybullet_data/data/motions/humanoid3d_*.txt, JSON) holds "Frames": each row is
[duration, root position (3), root rotation (w, x, y, z), chest (4), neck (4), right hip (4),
right knee (1), right ankle (4), right shoulder (4), right elbow (1), left hip (4), left knee (1),
left ankle (4), left shoulder (4), left elbow (1)]: 44 numbers, y up, metres. Spherical joints are
local rotations relative to the parent link; knees and elbows turn about their local z axis.

The skeleton's joint offsets are those of pybullet's humanoid.urdf, which DeepMimic loads at a
global scale of 0.25 (the numbers below are the URDF's, scaled at use). Landmarks are returned in
MuJoCo's convention, z up (a +90 degree turn about x: y -> z, z -> -y).
"""

import json

import numpy as np

SCALE = 0.25
# parent-frame offsets (URDF units) of each joint, and the landmark points beyond the chains' ends
OFFSETS = {
    "chest": ("root", [0.0, 0.944604, 0.0]),
    "neck": ("chest", [0.0, 0.895576, 0.0]),
    "right_hip": ("root", [0.0, 0.0, 0.339548]),
    "right_knee": ("right_hip", [0.0, -1.686184, 0.0]),
    "right_ankle": ("right_knee", [0.0, -1.639480, 0.0]),
    "right_shoulder": ("chest", [-0.096200, 0.974000, 0.732440]),
    "right_elbow": ("right_shoulder", [0.0, -1.099152, 0.0]),
    "right_wrist": ("right_elbow", [0.0, -1.035788, 0.0]),
    "left_hip": ("root", [0.0, 0.0, -0.339548]),
    "left_knee": ("left_hip", [0.0, -1.686184, 0.0]),
    "left_ankle": ("left_knee", [0.0, -1.639480, 0.0]),
    "left_shoulder": ("chest", [-0.096200, 0.974000, -0.732440]),
    "left_elbow": ("left_shoulder", [0.0, -1.099152, 0.0]),
    "left_wrist": ("left_elbow", [0.0, -1.035788, 0.0]),
}
# the foot box (0.708 x 0.22 x 0.36, centred at (0.18, -0.09, 0) in the ankle frame): its front
# bottom edge is the toe; the neck sphere's centre (0.7 above the neck joint) is the head
TOE = [0.18 + 0.354, -0.09 - 0.11, 0.0]
HEAD = [0.0, 0.7, 0.0]
# where each joint's rotation sits in a frame row, and its kind
LAYOUT = [
    ("chest", 8, 4),
    ("neck", 12, 4),
    ("right_hip", 16, 4),
    ("right_knee", 20, 1),
    ("right_ankle", 21, 4),
    ("right_shoulder", 25, 4),
    ("right_elbow", 29, 1),
    ("left_hip", 30, 4),
    ("left_knee", 34, 1),
    ("left_ankle", 35, 4),
    ("left_shoulder", 39, 4),
    ("left_elbow", 43, 1),
]
Y_UP_TO_Z_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])


def read_clip(path):
    """(frames (T x 44), times (T,), s) of a DeepMimic clip; a frame's first number is the time to
    the next one (0 on the last)."""
    with open(path) as f:
        data = json.load(f)
    frames = np.asarray(data["Frames"], dtype=np.float64)
    if frames.ndim != 2 or frames.shape[1] != 44:
        raise ValueError(f"{path}: expected frames of 44 numbers, got shape {frames.shape}")
    if len(frames) < 2 or not np.all(frames[:-1, 0] > 0):
        raise ValueError(f"{path}: needs two frames or more, each but the last with a positive duration")
    return frames, np.concatenate([[0.0], np.cumsum(frames[:-1, 0])])


def resample(points, times, fps):
    """Landmarks (name -> T x 3) at `times` linearly resampled to a uniform `fps` from 0."""
    grid = np.arange(0.0, times[-1] + 1e-9, 1.0 / fps)
    return {k: np.stack([np.interp(grid, times, v[:, i]) for i in range(3)], 1) for k, v in points.items()}


def quat_to_mat(q):
    """Rotation matrices of (..., 4) quaternions (w, x, y, z), normalised first."""
    q = q / np.linalg.norm(q, axis=-1, keepdims=True)
    w, x, y, z = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    return np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], -1),
            np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], -1),
            np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], -1),
        ],
        -2,
    )


def rot_z(angle):
    c, s = np.cos(angle), np.sin(angle)
    zero, one = np.zeros_like(angle), np.ones_like(angle)
    return np.stack([np.stack([c, -s, zero], -1), np.stack([s, c, zero], -1), np.stack([zero, zero, one], -1)], -2)


def default_points():
    """The end points hung off the chains: name -> (joint whose frame carries it, offset in that
    frame, y up, metres)."""
    points = {f"{side}_toe": (f"{side}_ankle", SCALE * np.asarray(TOE)) for side in ("right", "left")}
    points["head"] = ("neck", SCALE * np.asarray(HEAD))
    return points


def rest_frame():
    """One frame of the rest pose: root at the origin, every rotation identity (facing +x)."""
    row = np.zeros(44)
    row[0] = 1.0 / 30.0
    for col in [4] + [c for _, c, n in LAYOUT if n == 4]:
        row[col] = 1.0
    return row[None]


def landmarks(frames, points=None):
    """Landmark positions (name -> T x 3, z up, metres) of every frame: root, hips, knees,
    ankles, shoulders, elbows, wrists (joint centres), and the end points `points`
    (default_points(): toes and head)."""
    rot = {"root": quat_to_mat(frames[:, 4:8])}
    pos = {"root": frames[:, 1:4]}
    local = {}
    for name, col, n in LAYOUT:
        local[name] = quat_to_mat(frames[:, col : col + 4]) if n == 4 else rot_z(frames[:, col])
    for name, (parent, offset) in OFFSETS.items():
        pos[name] = pos[parent] + np.einsum("tij,j->ti", rot[parent], SCALE * np.asarray(offset))
        rot[name] = rot[parent] @ local[name] if name in local else rot[parent]
    for name, (joint, offset) in (points or default_points()).items():
        pos[name] = pos[joint] + np.einsum("tij,j->ti", rot[joint], offset)
    return {k: v @ Y_UP_TO_Z_UP.T for k, v in pos.items()}
