"""PipelinedPPO over real env groups: its rollout holds what the envs did, step by step.

Two env groups of four run in their own processes. PPO collects one
rollout over the first, stepping its two halves in turn; the same actions
are then stepped all at once over the second, from the same seeds, and
every observation, reward and episode start the rollout buffer holds must
be what that lockstep replay gives. In one part, the same code must give
SB3's own PPO's rollouts exactly, normalisation and training included.
"""

import copy
import threading

import numpy as np
import pytest
import torch as th
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import BaseCallback

from rl_agent_node.config import load_config, sb3_kwargs
from rl_agent_node.envs import make_training_env, normalized
from rl_agent_node.pipelined_rollouts import PipelinedPPO
from rl_agent_node.seeding import seed_everything
from rl_agent_node.vec_env_parts import steps_in_parts
from rl_testing import env_groups

PIPELINED = [f'env_{k}' for k in range(4)]
REPLAY = [f'env_{k}' for k in range(4, 8)]
SEED = 5
N_STEPS = 96
#: Short episodes, so that a rollout holds automatic resets and truncations.
EPISODE_STEPS = 30


@pytest.fixture(scope='module')
def groups(ros_domain, tmp_path_factory):
    logs = tmp_path_factory.mktemp('pipelined_logs')
    with env_groups(logs, [PIPELINED, REPLAY], EPISODE_STEPS) as processes:
        yield processes


def training_env(namespaces):
    config = load_config('ppo', 'goal_reaching', overrides={
        'n_envs': 4, 'n_steps': N_STEPS, 'batch_size': 64, 'normalize': False})
    env = make_training_env(config, namespaces, threading.Event(), lambda n: n)
    return config, env


class KeepRollout(BaseCallback):
    """Copies the rollout buffer at each rollout's end, and the actions each step sent.

    With ``stop_at``, stops at that step; the actions already sent for the
    step after it are kept too (the rollout's ``following`` actions).
    """

    def __init__(self, stop_at=None):
        super().__init__()
        self.rollouts = []
        self.sent = []
        self.stop_at = stop_at

    def _on_step(self):
        self.sent.append(self.locals['actions'].copy())
        if len(self.sent) == self.stop_at:
            self.sent.append(self.locals['following'].actions.copy())
            return False
        return True

    def _on_rollout_end(self):
        buffer = self.model.rollout_buffer
        kept = {name: getattr(buffer, name).copy() for name in
                ('observations', 'actions', 'rewards', 'episode_starts', 'values', 'log_probs')}
        with th.no_grad():   # the policy before this rollout's training: the one that acted
            values, log_probs, _ = self.model.policy.evaluate_actions(
                th.as_tensor(buffer.observations.reshape(-1, buffer.obs_shape[0])),
                th.as_tensor(buffer.actions.reshape(-1, buffer.action_dim)))
        kept['policy_values'] = values.numpy().reshape(buffer.values.shape)
        kept['policy'] = copy.deepcopy(self.model.policy)
        kept['gamma'] = self.model.gamma
        kept['policy_log_probs'] = log_probs.numpy().reshape(buffer.log_probs.shape)
        self.rollouts.append(kept)


def pipelined_model(namespaces):
    config, env = training_env(namespaces)
    assert steps_in_parts(env)
    model = PipelinedPPO(env=env, device='cpu', seed=3, **sb3_kwargs(config, 3))
    env.seed(SEED)
    return model


def lockstep_replay(actions):
    """``(observation before, rewards, dones, truncated, final observations)`` of each
    action, all envs at once."""
    _, replay = training_env(REPLAY)
    low, high = replay.action_space.low, replay.action_space.high
    steps = []
    try:
        replay.seed(SEED)
        obs = replay.reset()
        for action in actions:
            replay.step_async(np.clip(action, low, high))
            following, rewards, dones, infos = replay.step_wait()
            truncated = np.array([info.get('TimeLimit.truncated', False) for info in infos])
            finals = [info.get('terminal_observation') for info in infos]
            steps.append((obs, rewards, dones, truncated, finals))
            obs = following
    finally:
        replay.close()
    return steps, obs


def assert_rollout_is(rollout, steps):
    """The buffer's observations, rewards and episode starts are the replay's, and its
    actions, values and log-probabilities the policy's at those observations."""
    np.testing.assert_allclose(rollout['values'], rollout['policy_values'], rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_allclose(rollout['log_probs'], rollout['policy_log_probs'], rtol=1e-4,
                               atol=1e-4)
    for t, (obs, rewards, dones, truncated, finals) in enumerate(steps):
        np.testing.assert_array_equal(rollout['observations'][t], obs)
        expected = rewards.copy()
        for k in np.flatnonzero(truncated):   # SB3's bootstrap: plus the last state's value
            with th.no_grad():
                value = rollout['policy'].predict_values(th.as_tensor(finals[k][None]))
            expected[k] += rollout['gamma'] * value.item()
        np.testing.assert_allclose(rollout['rewards'][t], expected, rtol=1e-5, atol=1e-5)
        if t + 1 < len(steps):
            np.testing.assert_array_equal(rollout['episode_starts'][t + 1], dones)


def test_a_pipelined_rollout_holds_what_a_lockstep_replay_of_its_actions_gives(groups):
    model = pipelined_model(PIPELINED)
    kept = KeepRollout()
    try:
        model.learn(N_STEPS * 4, callback=kept)
    finally:
        model.get_env().close()
    np.testing.assert_array_equal(np.stack(kept.sent), kept.rollouts[0]['actions'])
    steps, _ = lockstep_replay(kept.sent)
    assert_rollout_is(kept.rollouts[0], steps)
    assert sum(int(step[3].sum()) for step in steps) >= 8   # resets matched too


def test_a_rollout_stopped_between_halves_goes_on_from_where_the_envs_are(groups):
    model = pipelined_model(PIPELINED)
    try:
        stopped = KeepRollout(stop_at=10)
        model.learn(N_STEPS * 4, callback=stopped)
        assert stopped.rollouts == [] and model.num_timesteps == 40
        going_on = KeepRollout()
        model.learn(N_STEPS * 4, callback=going_on, reset_num_timesteps=False)
    finally:
        model.get_env().close()
    # the 10 steps before the stop, and the one sent after it and collected, then a rollout
    steps, _ = lockstep_replay(stopped.sent + going_on.sent)
    assert len(stopped.sent) == 11
    assert_rollout_is(going_on.rollouts[0], steps[11:])


class OnePartPPO(PipelinedPPO):
    """Every env in one part: SB3's rollout, through the pipelined code."""

    rollout_parts = 1


def seeded_model(algo_class, namespaces):
    """PPO with the goal_reaching config's normalisation, seeded as a run is."""
    config = load_config('ppo', 'goal_reaching',
                         overrides={'n_envs': 4, 'n_steps': 64, 'batch_size': 64})
    env = normalized(make_training_env(config, namespaces, threading.Event(), lambda n: n),
                     config, None)
    seed_everything(0, env.action_space, env, SEED)
    return algo_class(env=env, device='cpu', **sb3_kwargs(config, 3))


def test_in_one_part_the_pipelined_code_gives_sb3s_own_rollouts_exactly(groups):
    rollouts = []
    for algo_class, namespaces in ((OnePartPPO, PIPELINED), (PPO, REPLAY)):
        model = seeded_model(algo_class, namespaces)
        kept = KeepRollout()
        try:
            model.learn(64 * 4 * 3, callback=kept)
        finally:
            model.get_env().close()
        rollouts.append(kept.rollouts)
    assert len(rollouts[0]) == 3   # the second and third after training on the first
    for ours, sb3s in zip(*rollouts, strict=True):
        for name in ('observations', 'actions', 'rewards', 'episode_starts', 'values',
                     'log_probs'):
            np.testing.assert_array_equal(ours[name], sb3s[name], err_msg=name)
