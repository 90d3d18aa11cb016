"""Gymnasium ids for sinew's task presets (``gymnasium.make_vec("sinew/...", num_envs=N)``)."""

import gymnasium

# id -> preset config. Models named by short name (myolegs_walk) need `tools/fetch-models`.
IDS = {
    "sinew/ElbowPose-v0": "quickstart",
    "sinew/MyoLegsImitation-v0": "myolegs_imitation",
    "sinew/MyoLegsLocomotion-v0": "myolegs_locomotion",
    "sinew/MyoLegsReaching-v0": "myolegs_reaching",
}


def register_all():
    """Register every id once (importing sinew twice registers nothing twice)."""
    for env_id, preset in IDS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(
                id=env_id,
                vector_entry_point="sinew.vector:VectorEnv",
                kwargs={"config": preset},
            )
