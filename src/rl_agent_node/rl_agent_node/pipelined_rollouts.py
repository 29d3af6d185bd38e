"""On-policy rollouts that step half the envs while the policy acts for the other half.

Why: over ROS, SB3's rollout is a ping-pong between two processes. The env
nodes step every env while the agent waits, then the agent computes every
action while the env nodes wait. Here the envs are cut into two halves
(:mod:`rl_agent_node.vec_env_parts`): the agent sends the first half's
actions, and while that half steps it computes and sends the second's.
When an answer comes, it computes that half's next actions while the env
nodes step the other half. One env group then works with few pauses, and
the policy's time is off its critical path.

What the rollout buffer receives is what SB3's ``collect_rollouts`` stores:
for each step of all envs, the observations before it, the actions, the
rewards with the time-limit bootstrap, the episode starts, the values and
the log-probabilities. All of it comes from one policy, which does not
change within a rollout. The halves take the policy's random draws in env
order, step by step, so each env gets the draws it gets in SB3's rollout.
Two things differ, so a run does not repeat a lockstep run's numbers:

- VecNormalize's statistics take the first half's step before the second
  half's is normalised.
- The forward pass runs on half the envs at a time, which rounds
  differently.

The steps to the success target move with perturbations as small as these
(goal_reaching's plateau is near the target), for SB3's rollout as for
this one; over seeds they come out alike (see the README), so
``pipelined_rollouts`` is on by default.

When a callback stops the rollout, the steps already sent are collected,
and the envs' observations kept, but not learned from (as SB3 drops the
step that a callback stops). Where the VecEnv cannot step parts (envs in
process), or the policy uses gSDE, SB3's own ``collect_rollouts`` runs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import torch as th
from gymnasium import spaces
from stable_baselines3 import A2C, PPO
from stable_baselines3.common.buffers import RolloutBuffer
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm
from stable_baselines3.common.utils import obs_as_tensor
from stable_baselines3.common.vec_env import VecEnv

from rl_agent_node.vec_env_parts import send_part, steps_in_parts, wait_part


@dataclass
class _Actions:
    """What the policy said for one step of every env, filled half by half."""

    actions: np.ndarray
    values: th.Tensor
    log_probs: th.Tensor

    @classmethod
    def empty(cls, num_envs: int, action_shape: tuple[int, ...]) -> _Actions:
        return cls(np.zeros((num_envs, *action_shape), dtype=np.float32),
                   th.zeros((num_envs, 1)), th.zeros(num_envs))


class PipelinedRollouts(OnPolicyAlgorithm):
    """``collect_rollouts`` in parts, for an on-policy algorithm (mixed in before it)."""

    #: Consecutive parts the envs are cut into. With 1, every env steps at once through
    #: the same code, which then gives SB3's rollout exactly (the tests compare the two).
    rollout_parts: int = 2

    def collect_rollouts(self, env: VecEnv, callback: BaseCallback,
                         rollout_buffer: RolloutBuffer, n_rollout_steps: int) -> bool:
        """Fill ``rollout_buffer`` as SB3 does, stepping the parts in turn (see the module)."""
        if (self.use_sde or env.num_envs < self.rollout_parts
                or not isinstance(self.action_space, spaces.Box) or not steps_in_parts(env)):
            return super().collect_rollouts(env, callback, rollout_buffer, n_rollout_steps)
        assert self._last_obs is not None, 'No previous observation was provided'
        self.policy.set_training_mode(False)
        rollout_buffer.reset()
        callback.on_rollout_start()
        bounds = np.linspace(0, env.num_envs, self.rollout_parts + 1).astype(int)
        parts = tuple(slice(start, stop) for start, stop in itertools.pairwise(bounds))
        taken = _Actions.empty(env.num_envs, self.action_space.shape)
        for part in parts:
            self._act(env, part, self._last_obs[part], taken)
        n_steps = 0
        while n_steps < n_rollout_steps:
            more = n_steps + 1 < n_rollout_steps
            following = _Actions.empty(env.num_envs, self.action_space.shape)
            new_obs, rewards, dones, infos = self._collect(env, parts, following if more else None)
            self.num_timesteps += env.num_envs
            actions, values, log_probs = taken.actions, taken.values, taken.log_probs
            callback.update_locals(locals())
            if not callback.on_step():
                self._last_obs, self._last_episode_starts = new_obs, dones
                if more:
                    self._drain(env, parts)
                return False
            self._update_info_buffer(infos, dones)
            n_steps += 1
            self._bootstrap_truncations(rewards, dones, infos)
            rollout_buffer.add(self._last_obs, actions, rewards, self._last_episode_starts,
                               values, log_probs)
            self._last_obs, self._last_episode_starts = new_obs, dones
            taken = following
        with th.no_grad():
            values = self.policy.predict_values(obs_as_tensor(new_obs, self.device))
        rollout_buffer.compute_returns_and_advantage(last_values=values, dones=dones)
        callback.update_locals(locals())
        callback.on_rollout_end()
        return True

    def _act(self, env: VecEnv, part: slice, obs: np.ndarray, taken: _Actions) -> None:
        """The policy's actions for ``part`` at ``obs``, kept in ``taken`` and sent to its envs."""
        with th.no_grad():
            actions, values, log_probs = self.policy(obs_as_tensor(obs, self.device))
        actions = actions.cpu().numpy()
        if self.policy.squash_output:
            clipped = self.policy.unscale_action(actions)
        else:
            clipped = np.clip(actions, self.action_space.low, self.action_space.high)
        send_part(env, clipped, part)
        taken.actions[part], taken.values[part], taken.log_probs[part] = actions, values, log_probs

    def _collect(self, env: VecEnv, parts: tuple[slice, ...],
                 following: _Actions | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
        """Every part's answer, in the order sent; each part's next actions sent at once."""
        num_envs = env.num_envs
        new_obs = np.zeros((num_envs, *self._last_obs.shape[1:]), dtype=self._last_obs.dtype)
        rewards = np.zeros(num_envs, dtype=np.float32)
        dones = np.zeros(num_envs, dtype=bool)
        infos: list[dict] = [{} for _ in range(num_envs)]
        for _ in parts:
            part, (obs, part_rewards, part_dones, part_infos) = wait_part(env)
            new_obs[part], rewards[part], dones[part] = obs, part_rewards, part_dones
            infos[part] = part_infos
            if following is not None:
                self._act(env, part, obs, following)
        return new_obs, rewards, dones, infos

    def _drain(self, env: VecEnv, parts: tuple[slice, ...]) -> None:
        """Collect the steps sent after a stop, keeping where the envs now are."""
        last_obs, starts = self._last_obs.copy(), np.array(self._last_episode_starts)
        for _ in parts:
            part, (obs, _, dones, _) = wait_part(env)
            last_obs[part], starts[part] = obs, dones
        self._last_obs, self._last_episode_starts = last_obs, starts

    def _bootstrap_truncations(self, rewards: np.ndarray, dones: np.ndarray,
                               infos: list[dict]) -> None:
        """SB3's time-limit bootstrap: a truncated episode's reward gains its last value."""
        for idx, done in enumerate(dones):
            if (done and infos[idx].get('terminal_observation') is not None
                    and infos[idx].get('TimeLimit.truncated', False)):
                terminal_obs = self.policy.obs_to_tensor(infos[idx]['terminal_observation'])[0]
                with th.no_grad():
                    terminal_value = self.policy.predict_values(terminal_obs)[0]
                rewards[idx] += self.gamma * terminal_value


class PipelinedPPO(PipelinedRollouts, PPO):
    """PPO whose rollouts over ROS step half the envs while the policy acts for the other."""


class PipelinedA2C(PipelinedRollouts, A2C):
    """A2C whose rollouts over ROS step half the envs while the policy acts for the other."""
