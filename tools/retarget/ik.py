"""Inverse kinematics on a MuJoCo model: landmark positions -> qpos, one frame after another.

Damped least squares on MuJoCo's site and body Jacobians (mj_jacSite / mj_jacBody), over the
model's independent degrees of freedom: a joint that an active joint equality drives (the knee's
coupled translations and rotations, the shoulder rhythm) follows its polynomial of its driver,
so its Jacobian columns are folded into the driver's by the chain rule, and after every step the
driven joints are set from their polynomials again; joints listed as frozen stay at qpos0. Every
step is projected into the joint ranges. A weak pull towards qpos0 keeps what the landmarks do
not observe (lumbar twist, hip rotation) near neutral.
"""

import mujoco
import numpy as np

# joint types as plain ints (the model's arrays hold numpy ints, which the enum does not equal)
HINGE_SLIDE = (int(mujoco.mjtJoint.mjJNT_HINGE), int(mujoco.mjtJoint.mjJNT_SLIDE))


class Landmark:
    """A point on the model: a site, or a body's origin."""

    def __init__(self, model, kind, name, weight):
        obj = mujoco.mjtObj.mjOBJ_SITE if kind == "site" else mujoco.mjtObj.mjOBJ_BODY
        self.id = mujoco.mj_name2id(model, obj, name)
        if self.id < 0:
            raise ValueError(f"the model has no {kind} '{name}'")
        self.kind, self.name, self.weight = kind, name, weight

    def pos(self, data):
        return (data.site_xpos if self.kind == "site" else data.xpos)[self.id].copy()

    def jac(self, model, data, out):
        if self.kind == "site":
            mujoco.mj_jacSite(model, data, out, None, self.id)
        else:
            mujoco.mj_jacBody(model, data, out, None, self.id)


class Coupling:
    """The model's joint equalities: which joints are driven, and the map from the independent
    velocities to all of them (nv x nfree), re-derived at each configuration."""

    def __init__(self, model, frozen_joints):
        self.model = model
        self.driven = []  # (driven joint, driver joint or -1, polycoef)
        for e in range(model.neq):
            if model.eq_type[e] == mujoco.mjtEq.mjEQ_JOINT and model.eq_active0[e]:
                self.driven.append((model.eq_obj1id[e], model.eq_obj2id[e], model.eq_data[e, :5].copy()))
        driven_joints = {j for j, _, _ in self.driven}
        frozen = set(frozen_joints)
        self.free = [
            d for d in range(model.nv) if model.dof_jntid[d] not in driven_joints | frozen
        ]  # independent dofs IK moves
        self.frozen = frozen

    def driven_value(self, qpos, j1, j2, c):
        m = self.model
        x = qpos[m.jnt_qposadr[j2]] - m.qpos0[m.jnt_qposadr[j2]] if j2 >= 0 else 0.0
        return m.qpos0[m.jnt_qposadr[j1]] + sum(c[i] * x**i for i in range(5))

    def project(self, qpos):
        """Set every driven joint from its driver's position (in place). Where that would take a
        limited driven joint past its range (a spine rhythm driven far), the driver is drawn
        back towards qpos0 until every joint it drives is inside."""
        m = self.model
        for driver in {j2 for _, j2, _ in self.driven if j2 >= 0}:
            a = m.jnt_qposadr[driver]
            mine = [(j1, c) for j1, j2, c in self.driven if j2 == driver]
            for _ in range(30):
                outside = any(
                    m.jnt_limited[j1]
                    and not (m.jnt_range[j1][0] - 1e-6 <= self.driven_value(qpos, j1, driver, c) <= m.jnt_range[j1][1] + 1e-6)
                    for j1, c in mine
                )
                if not outside:
                    break
                qpos[a] = m.qpos0[a] + 0.9 * (qpos[a] - m.qpos0[a])
        for j1, j2, c in self.driven:
            qpos[m.jnt_qposadr[j1]] = self.driven_value(qpos, j1, j2, c)

    def velocity_map(self, qpos):
        """(nv x nfree) dq_all / dq_free at qpos."""
        m = self.model
        col = {d: k for k, d in enumerate(self.free)}
        c_map = np.zeros((m.nv, len(self.free)))
        for d, k in col.items():
            c_map[d, k] = 1.0
        for j1, j2, c in self.driven:
            if j2 < 0 or m.jnt_dofadr[j2] not in col:
                continue
            x = qpos[m.jnt_qposadr[j2]] - m.qpos0[m.jnt_qposadr[j2]]
            slope = sum(i * c[i] * x ** (i - 1) for i in range(1, 5))
            c_map[m.jnt_dofadr[j1], col[m.jnt_dofadr[j2]]] += slope
        return c_map


def clamp_to_ranges(model, qpos):
    """Clamp limited hinge and slide joints into their ranges (in place)."""
    for j in range(model.njnt):
        if model.jnt_limited[j] and int(model.jnt_type[j]) in HINGE_SLIDE:
            a = model.jnt_qposadr[j]
            qpos[a] = np.clip(qpos[a], *model.jnt_range[j])


class Solver:
    """Per-frame IK for a list of landmarks."""

    def __init__(self, model, landmarks, frozen_joints=(), damping=0.05, posture=0.02, iterations=40):
        self.m, self.d = model, mujoco.MjData(model)
        self.landmarks = landmarks
        self.coupling = Coupling(model, frozen_joints)
        self.damping, self.posture, self.iterations = damping, posture, iterations
        free_root = [j for j in range(model.njnt) if model.jnt_type[j] == mujoco.mjtJoint.mjJNT_FREE]
        root_dofs = set(range(model.jnt_dofadr[free_root[0]], model.jnt_dofadr[free_root[0]] + 6)) if free_root else set()
        # posture rows for every independent hinge and slide dof (not the free root's)
        self.posture_cols = [
            k
            for k, d in enumerate(self.coupling.free)
            if d not in root_dofs and int(model.jnt_type[model.dof_jntid[d]]) in HINGE_SLIDE
        ]
        self._jac = np.zeros((3, model.nv))

    def positions(self, qpos):
        self.d.qpos[:] = qpos
        mujoco.mj_kinematics(self.m, self.d)
        return np.array([lm.pos(self.d) for lm in self.landmarks])

    def solve(self, qpos, targets):
        """qpos reaching `targets` (n_landmarks x 3) from the start `qpos`; returns (qpos, rms
        landmark error in m)."""
        m, d = self.m, self.d
        q = qpos.copy()
        w = np.repeat([lm.weight for lm in self.landmarks], 3)
        last = np.inf
        for _ in range(self.iterations):
            d.qpos[:] = q
            mujoco.mj_kinematics(m, d)
            mujoco.mj_comPos(m, d)
            err = (targets - np.array([lm.pos(d) for lm in self.landmarks])).ravel()
            cost = float(np.sum((w * err) ** 2))
            if last - cost < 1e-10:
                break
            last = cost
            jac = np.zeros((3 * len(self.landmarks), m.nv))
            for i, lm in enumerate(self.landmarks):
                lm.jac(m, d, self._jac)
                jac[3 * i : 3 * i + 3] = self._jac
            j_free = (w[:, None] * jac) @ self.coupling.velocity_map(q)
            rhs = w * err
            # posture: sqrt(posture) (q0 - q) on the independent non-root dofs (hinges and slides)
            if self.posture > 0 and self.posture_cols:
                rows = np.zeros((len(self.posture_cols), j_free.shape[1]))
                rows[np.arange(len(self.posture_cols)), self.posture_cols] = np.sqrt(self.posture)
                dofs = [self.coupling.free[k] for k in self.posture_cols]
                target = np.array([m.qpos0[m.jnt_qposadr[m.dof_jntid[x]]] - q[m.jnt_qposadr[m.dof_jntid[x]]] for x in dofs])
                j_free = np.vstack([j_free, rows])
                rhs = np.concatenate([rhs, np.sqrt(self.posture) * target])
            n = j_free.shape[1]
            step = np.linalg.solve(j_free.T @ j_free + self.damping**2 * np.eye(n), j_free.T @ rhs)
            v = self.coupling.velocity_map(q) @ step
            mujoco.mj_integratePos(m, q, v, 1.0)
            clamp_to_ranges(m, q)
            self.coupling.project(q)
        err = targets - self.positions(q)
        return q, float(np.sqrt(np.mean(np.sum(err**2, axis=1))))
