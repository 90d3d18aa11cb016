"""The Python package against the CLI and Gymnasium's vector-env contract (lavapipe in CI).

Uses sinew's own elbow model and the quick-start preset (no download). The CLI binary for the
comparisons is $SINEW_BIN, else `sinew` on PATH, else the cargo build under $CARGO_TARGET_DIR.
"""

import csv
import os
import pathlib
import shutil
import subprocess

import gymnasium as gym
import numpy as np
import pytest

import sinew

ROOT = pathlib.Path(__file__).resolve().parents[2]
ELBOW = str(ROOT / "assets" / "elbow_pose.xml")


def cli():
    for candidate in [os.environ.get("SINEW_BIN"), shutil.which("sinew")]:
        if candidate and os.path.exists(candidate):
            return candidate
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    for profile in ["release", "debug"]:
        p = target / profile / "sinew"
        if p.exists():
            return str(p)
    pytest.fail("no sinew binary: build it (cargo build) or set SINEW_BIN")


def test_model_info_and_errors():
    m = sinew.Model(ELBOW)
    info = m.info()
    assert (info["nq"], info["nv"], info["nu"], info["na"], info["ntendon"]) == (1, 1, 4, 4, 4)
    assert info["mass"] == pytest.approx(3.0)
    with pytest.raises(sinew.SinewError, match="not found"):
        sinew.Model("no_such_model.xml")


def test_rollout_equals_the_cli(tmp_path):
    m = sinew.Model(ELBOW)
    rng = np.random.default_rng(0)
    ctrl = rng.random((3, 40, m.nu), dtype=np.float32)
    np.save(tmp_path / "ctrl.npy", ctrl)
    subprocess.run(
        [cli(), "rollout", ELBOW, "--ctrl", str(tmp_path / "ctrl.npy"), "--out", str(tmp_path / "traj.npz"),
         "--contact-forces"],
        check=True,
        capture_output=True,
    )
    want = np.load(tmp_path / "traj.npz")
    got = sinew.rollout(m, ctrl, contact_forces=True)
    keys = ["qpos", "qvel", "act", "actuator_force", "ten_length", "qacc", "actuator_length", "actuator_velocity"]
    for k in keys:
        assert got[k].shape == want[k].shape == (40, 3, want[k].shape[2])
        assert got[k].dtype == np.float32
        np.testing.assert_array_equal(got[k], want[k], err_msg=k)
    assert got["cfrc_ext"].shape == want["cfrc_ext"].shape == (40, 3, m.info()["nbody"], 6)
    np.testing.assert_array_equal(got["cfrc_ext"], want["cfrc_ext"])
    assert "cfrc_ext" not in sinew.rollout(m, ctrl)
    with pytest.raises(sinew.SinewError, match="ctrl"):
        sinew.rollout(m, np.zeros((5, 3), np.float32))


def test_vector_env_spaces_shapes_and_dtypes():
    envs = gym.make_vec("sinew/ElbowPose-v0", num_envs=6)
    assert isinstance(envs, gym.vector.VectorEnv)
    assert envs.num_envs == 6
    assert envs.metadata["autoreset_mode"] == gym.vector.AutoresetMode.SAME_STEP
    assert envs.single_action_space == gym.spaces.Box(-1, 1, (4,), np.float32)
    assert envs.observation_space.shape == (6,) + envs.single_observation_space.shape
    assert envs.action_space.shape == (6, 4)
    obs, infos = envs.reset(seed=0)
    assert isinstance(infos, dict)
    assert obs.dtype == np.float32 and envs.observation_space.contains(obs)
    obs, rew, term, trunc, infos = envs.step(envs.action_space.sample())
    assert envs.observation_space.contains(obs)
    assert rew.shape == (6,) and rew.dtype == np.float32
    assert term.shape == trunc.shape == (6,) and term.dtype == trunc.dtype == np.bool_
    assert isinstance(infos, dict)
    with pytest.raises(ValueError, match="shape"):
        envs.step(np.zeros((5, 4), np.float32))
    envs.close()


def test_same_step_autoreset_keeps_the_final_observation():
    # the same worlds, seeds and actions; one truncates after 5 steps, the other runs on
    short = sinew.VectorEnv("quickstart", 4, overrides=["env.max_steps=5"])
    long = sinew.VectorEnv("quickstart", 4, overrides=["env.max_steps=50"])
    a, _ = short.reset(seed=7)
    b, _ = long.reset(seed=7)
    np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(1)
    for step in range(5):
        act = rng.uniform(-1, 1, (4, 4)).astype(np.float32)
        a, _, term, trunc, infos = short.step(act)
        b, _, _, _, _ = long.step(act)
        if step < 4:
            assert "final_obs" not in infos
            np.testing.assert_array_equal(a, b)
    assert trunc.all() and not term.any()
    assert infos["_final_obs"].all()
    # the final observation is the state the world ended in; the returned one is the new episode
    np.testing.assert_array_equal(infos["final_obs"], b)
    assert not np.array_equal(a, b)
    assert (infos["episode"]["l"] == 5).all() and infos["_episode"].all()


def test_seeding_is_reproducible():
    def run(seed):
        envs = sinew.VectorEnv("quickstart", 3)
        obs, _ = envs.reset(seed=seed)
        out = [obs]
        for _ in range(8):
            obs, *_ = envs.step(np.full((3, 4), 0.3, np.float32))
            out.append(obs)
        return np.stack(out)

    np.testing.assert_array_equal(run(11), run(11))
    assert not np.array_equal(run(11), run(12))


def test_random_policy_episodes_end_and_report_statistics():
    envs = gym.make_vec("sinew/ElbowPose-v0", num_envs=4, max_episode_steps=20)
    envs.reset(seed=3)
    ended = np.zeros(4, bool)
    for _ in range(20):
        _, rew, term, trunc, infos = envs.step(envs.action_space.sample())
        assert np.isfinite(rew).all()
        if "_episode" in infos:
            ended |= infos["_episode"]
            assert (infos["episode"]["l"][infos["_episode"]] <= 20).all()
    assert ended.all(), "every world finished an episode within max_episode_steps"


def test_render_returns_frames():
    envs = sinew.VectorEnv("quickstart", 2, render_mode="rgb_array")
    envs.reset(seed=0)
    frames = envs.render(worlds=(0, 1), width=64, height=48)
    assert len(frames) == 2 and frames[0].shape == (48, 64, 3) and frames[0].dtype == np.uint8
    assert frames[0].std() > 0


DETERMINISTIC = [
    "iteration", "env_steps", "mean_return", "mean_episode_length", "termination_rate", "success_rate",
    "mean_reward", "policy_loss", "value_loss", "entropy", "approx_kl", "clip_fraction", "grad_norm",
    "explained_variance", "learning_rate",
]


def test_train_learns_as_the_cli_does_and_evaluates(tmp_path):
    overrides = ["train.iterations=3", "train.nworld=32", "train.checkpoint_every=3"]
    rows = []
    result = sinew.train("quickstart", overrides, run_dir=str(tmp_path / "py"), callback=rows.append)
    assert len(rows) == 3 and [r["iteration"] for r in rows] == [1, 2, 3]
    assert result["metrics"][-1]["env_steps"] == rows[-1]["env_steps"]
    subprocess.run(
        [cli(), "train", "--config", sinew.preset_path("quickstart"), "--run-dir", str(tmp_path / "cli"), "--no-progress"]
        + overrides,
        check=True,
        capture_output=True,
    )

    def metrics(run):
        with open(pathlib.Path(run) / "metrics.csv") as f:
            return [{k: row[k] for k in DETERMINISTIC} for row in csv.DictReader(f)]

    assert metrics(result["run_dir"]) == metrics(tmp_path / "cli"), "the same run, bitwise"
    report = sinew.evaluate(result["run_dir"], episodes=4, nworld=4)
    assert report["episodes"] == 4 and "mean_return" in report

    def stop(_row):
        raise RuntimeError("stop here")

    with pytest.raises(sinew.SinewError, match="stop here"):
        sinew.train("quickstart", overrides, run_dir=str(tmp_path / "stopped"), callback=stop)
