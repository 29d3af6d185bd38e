"""PipelinedSAC over a real env group: its gradient steps run while the envs step.

An env group of four runs in its own process, a second one serves a
lockstep replay. Over the first, each step after the warm-up must do the
previous step's gradient steps between sending its actions and collecting
the answers, as many in all as SB3's SAC does, and the replay buffer must
hold what stepping the same actions all at once gives. In process, where
nothing overlaps, PipelinedSAC must be SB3's SAC exactly.
"""

import threading

import numpy as np
import pytest
import torch as th
from stable_baselines3 import SAC
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import DummyVecEnv, VecEnvWrapper

from rl_agent_node.config import load_config, sb3_kwargs
from rl_agent_node.envs import make_training_env
from rl_agent_node.pipelined_updates import PipelinedSAC
from rl_agent_node.vec_env_parts import steps_in_parts
from rl_env_node.inprocess import RobotinoEnv
from rl_testing import env_groups

OVERLAPPED = [f'env_{k}' for k in range(4)]
REPLAY = [f'env_{k}' for k in range(4, 8)]
SEED = 7
WARM_UP = 64
STEPS = 48   # of all four envs
SMALL_SAC = {'n_envs': 4, 'normalize': False, 'learning_starts': WARM_UP, 'batch_size': 32,
             'buffer_size': 2000, 'gradient_steps': 2, 'policy_kwargs': {'net_arch': [32, 32]}}


@pytest.fixture(scope='module')
def groups(ros_domain, tmp_path_factory):
    logs = tmp_path_factory.mktemp('pipelined_updates_logs')
    with env_groups(logs, [OVERLAPPED, REPLAY], 30) as processes:
        yield processes


class UpdateCounts(VecEnvWrapper):
    """The model's gradient step count as each step's actions go out and as its answers come."""

    def __init__(self, venv):
        super().__init__(venv)
        self.model = None
        self.at_send, self.at_answer, self.sent = [], [], []

    @property
    def steps_in_parts(self):
        return steps_in_parts(self.venv)   # SB3's lookup through wrappers finds it twice

    def step_async(self, actions):
        self.at_send.append(self.model._n_updates)
        self.sent.append(np.array(actions))
        self.venv.step_async(actions)

    def step_wait(self):
        answer = self.venv.step_wait()
        self.at_answer.append(self.model._n_updates)
        return answer

    def reset(self):
        return self.venv.reset()


class UpdatesAtEachStep(BaseCallback):
    """The gradient step count after each step's callback, as a saved checkpoint would see it."""

    def __init__(self):
        super().__init__()
        self.updates = []

    def _on_step(self):
        self.updates.append(self.model._n_updates)
        return True


def ros_model(algo_class, namespaces):
    config = load_config('sac', 'goal_reaching', overrides=SMALL_SAC)
    env = UpdateCounts(make_training_env(config, namespaces, threading.Event(), lambda n: n))
    model = algo_class(env=env, device='cpu', seed=3, **sb3_kwargs(config, 3))
    env.model = model
    env.seed(SEED)
    return model, env


def learn(algo_class, namespaces):
    model, env = ros_model(algo_class, namespaces)
    kept = UpdatesAtEachStep()
    try:
        model.learn(STEPS * 4, callback=kept)
    finally:
        env.close()
    return model, env, kept


def test_gradient_steps_run_while_the_envs_step_and_as_many_as_sb3s(groups):
    model, env, kept = learn(PipelinedSAC, OVERLAPPED)
    sb3, sb3_env, sb3_kept = learn(SAC, REPLAY)
    assert model._n_updates == sb3._n_updates > 0
    assert kept.updates == sb3_kept.updates   # a checkpoint at a step sees SB3's count
    during = np.array(env.at_answer) - np.array(env.at_send)
    trained = WARM_UP // 4 + 1   # the first step after which SB3 trains
    assert not during[:trained].any()   # nothing owed during the warm-up
    assert (during[trained:] == 2).all()   # each step does the previous one's two
    assert not (np.array(sb3_env.at_answer) - np.array(sb3_env.at_send)).any()


def test_the_replay_buffer_holds_what_stepping_its_actions_all_at_once_gives(groups):
    model, env, _ = learn(PipelinedSAC, OVERLAPPED)
    config = load_config('sac', 'goal_reaching', overrides=SMALL_SAC)
    replay = make_training_env(config, REPLAY, threading.Event(), lambda n: n)
    try:
        replay.seed(SEED)
        obs = replay.reset()
        buffer = model.replay_buffer
        for t, actions in enumerate(env.sent):
            replay.step_async(actions)
            following, rewards, dones, infos = replay.step_wait()
            np.testing.assert_array_equal(buffer.observations[t], obs)
            np.testing.assert_allclose(buffer.rewards[t], rewards, rtol=1e-6)
            np.testing.assert_array_equal(buffer.dones[t], dones)
            finals = np.stack([info.get('terminal_observation', following[k])
                               for k, info in enumerate(infos)])
            np.testing.assert_array_equal(buffer.next_observations[t], finals)
            obs = following
    finally:
        replay.close()
    assert buffer.dones[:len(env.sent)].sum() >= 4   # resets matched too


def in_process_sac(algo_class):
    config = load_config('sac', 'goal_reaching', overrides=SMALL_SAC)
    env = DummyVecEnv([lambda: RobotinoEnv(max_episode_steps=30)] * 4)
    env.seed(SEED)
    model = algo_class(env=env, device='cpu', seed=3, **sb3_kwargs(config, 3))
    model.learn(STEPS * 4)
    return model


def test_in_process_pipelined_sac_is_sb3s_sac_exactly():
    ours, sb3s = in_process_sac(PipelinedSAC), in_process_sac(SAC)
    for mine, theirs in zip(ours.policy.parameters(), sb3s.policy.parameters(), strict=True):
        assert th.equal(mine, theirs)
    assert ours._n_updates == sb3s._n_updates > 0


def test_a_model_trained_over_ros_saves_without_its_env_and_loads_as_sac(groups, tmp_path):
    model, _, _ = learn(PipelinedSAC, OVERLAPPED)
    model.save(tmp_path / 'model.zip')
    loaded = SAC.load(tmp_path / 'model.zip', device='cpu')
    for mine, theirs in zip(model.policy.parameters(), loaded.policy.parameters(), strict=True):
        assert th.equal(mine, theirs)
