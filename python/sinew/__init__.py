"""sinew from Python: MuJoCo-MJCF muscle-driven humanoids simulated on the GPU (WGSL on wgpu),
with Gymnasium vector environments, open-loop rollouts to NumPy and the PPO trainer.

    import sinew, gymnasium as gym
    envs = gym.make_vec("sinew/ElbowPose-v0", num_envs=1024)
    obs, infos = envs.reset(seed=0)

The heavy lifting is Rust (``sinew._sinew``); errors from it are :class:`SinewError`.
"""

from sinew._sinew import (
    CoreEnv,
    Model,
    SinewError,
    __version__,
    adapters,
    evaluate,
    preset_names,
    preset_path,
    rollout,
    train,
)
from sinew.vector import VectorEnv
from sinew import registration as _registration

__all__ = [
    "CoreEnv",
    "Model",
    "SinewError",
    "VectorEnv",
    "__version__",
    "adapters",
    "evaluate",
    "presets",
    "preset_path",
    "rollout",
    "train",
]


def presets():
    """The names of the task presets the package carries (configs usable without a checkout)."""
    return list(preset_names())


_registration.register_all()
