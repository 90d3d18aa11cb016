"""`sinew.VectorEnv`: a Gymnasium 1.x vector environment whose worlds all live on one GPU.

Autoreset follows Gymnasium's ``SAME_STEP`` mode: when a world's episode ends at a step, that
step returns the new episode's first observation, and ``infos["final_obs"]`` (with the mask
``infos["_final_obs"]``) holds the observation the world had when it ended — computed on the GPU
before the world was reset. ``infos["episode"]`` carries the returns (``r``) and lengths (``l``)
of the episodes that ended (mask ``infos["_episode"]``), as Gymnasium's RecordEpisodeStatistics.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv as GymVectorEnv
from gymnasium.vector.utils import batch_space

from sinew._sinew import CoreEnv


class VectorEnv(GymVectorEnv):
    """``num_envs`` worlds of a sinew task.

    Args:
        config: a task config TOML file, or a preset name (``sinew.presets()``).
        num_envs: worlds, simulated in lockstep on the GPU.
        overrides: config overrides as ``sinew train`` takes them, e.g. ``["env.max_steps=200"]``.
        device: the GPU adapter (index or part of its name, as ``SINEW_ADAPTER``); one per process.
        render_mode: ``"rgb_array"`` to have :meth:`render` return frames.
        max_episode_steps: overrides the config's ``env.max_steps`` (Gymnasium passes it).
        copy: return copies of the observation arrays (the default), as Gymnasium's vector envs.
    """

    metadata = {"autoreset_mode": AutoresetMode.SAME_STEP, "render_modes": ["rgb_array"]}

    def __init__(
        self,
        config: str,
        num_envs: int,
        overrides=None,
        device: str | None = None,
        render_mode: str | None = None,
        max_episode_steps: int | None = None,
        copy: bool = True,
    ):
        overrides = list(overrides or [])
        if max_episode_steps is not None:
            overrides.append(f"env.max_steps={int(max_episode_steps)}")
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"render_mode={render_mode!r}: sinew renders 'rgb_array'")
        self._core = CoreEnv(config, int(num_envs), overrides, device)
        self.num_envs = self._core.num_envs
        self.render_mode = render_mode
        self.copy = copy
        nobs, nu = self._core.nobs, self._core.nu
        self.single_observation_space = spaces.Box(-np.inf, np.inf, shape=(nobs,), dtype=np.float32)
        self.single_action_space = spaces.Box(-1.0, 1.0, shape=(nu,), dtype=np.float32)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.metadata = dict(self.metadata)
        self.metadata["render_fps"] = 1.0 / self._core.ctrl_dt
        self.task = self._core.task
        self.max_episode_steps = self._core.max_steps

    def reset(self, *, seed: int | list | None = None, options: dict[str, Any] | None = None):
        """Reset every world; ``seed`` (an int) reseeds every world's random stream."""
        if isinstance(seed, (list, tuple)):
            seed = seed[0] if seed else None
        if seed is not None and not 0 <= int(seed) < 2**32:
            raise ValueError(f"seed={seed}: sinew's seeds are 32-bit unsigned integers")
        super().reset(seed=seed)
        obs = self._core.reset(None if seed is None else int(seed))
        return obs, {}

    def step(self, actions):
        """One control step of every world; ``actions`` (num_envs, nu) in [-1, 1]."""
        actions = np.ascontiguousarray(actions, dtype=np.float32)
        if actions.shape != (self.num_envs, self.single_action_space.shape[0]):
            raise ValueError(f"actions: shape {actions.shape}, expected {self.action_space.shape}")
        obs, reward, terminated, truncated, final_obs, ended, ret, length = self._core.step(actions)
        infos: dict[str, Any] = {}
        if ended.any():
            infos["final_obs"] = np.where(ended[:, None], final_obs, 0.0).astype(np.float32)
            infos["_final_obs"] = ended.copy()
            infos["final_info"] = {}
            infos["episode"] = {
                "r": np.where(ended, ret, 0.0).astype(np.float32),
                "l": np.where(ended, length, 0).astype(np.int32),
            }
            infos["_episode"] = ended.copy()
        if self.copy:
            obs = obs.copy()
        return obs, reward, terminated, truncated, infos

    def render(self, worlds=(0,), width: int = 640, height: int = 480):
        """RGB frames (uint8, (height, width, 3)) of ``worlds``, drawn on the simulating GPU."""
        if self.render_mode != "rgb_array":
            return None
        return tuple(self._core.render(list(worlds), int(width), int(height)))

    def close_extras(self, **kwargs):
        self._core = None
