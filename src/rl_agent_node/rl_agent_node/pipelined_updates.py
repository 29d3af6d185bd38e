"""Off-policy training whose gradient steps run while the env nodes step.

Why: over ROS, SB3's off-policy loop leaves one process idle at a time. The
agent sends the envs their actions and waits; the env nodes answer and
wait while the agent does the gradient steps of that env step. Here the
gradient steps SB3 does after a step run after the next step's actions are
sent, before its answers are collected, so the update and the env nodes'
work overlap.

What differs from SB3: the actions of a step come from the
policy before the previous step's gradient steps rather than after (SB3
computes them in between), and so the random draws of the two interleave
otherwise. The replay buffer, the number of gradient steps, and what the
buffer holds when each is taken, are SB3's, step by step. Callbacks at a
step's end see the model trained as far as SB3's; at a rollout's start
(every step, for these algorithms) the last step's gradient steps are still
owed, so an evaluation or a checkpoint taken there is one step's update
behind, and a run resumed from that checkpoint never does it. A ``learn``
that returns does the gradient steps still owed.

Where the VecEnv steps in process (its ``step_async`` does no work of its
own) SB3's loop runs unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from stable_baselines3 import DDPG, SAC, TD3
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.noise import ActionNoise
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm
from stable_baselines3.common.type_aliases import RolloutReturn, TrainFreq
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper
from stable_baselines3.common.vec_env.base_vec_env import VecEnvObs, VecEnvStepReturn

from rl_agent_node.vec_env_parts import steps_in_parts


class _UpdateWhileStepping(VecEnvWrapper):
    """Runs the algorithm's owed gradient steps between sending actions and collecting answers."""

    def __init__(self, venv: VecEnv, algorithm: PipelinedUpdates) -> None:
        super().__init__(venv)
        self._algorithm = algorithm

    def step_async(self, actions: np.ndarray) -> None:
        self.venv.step_async(actions)
        self._algorithm.run_owed_updates()

    def step_wait(self) -> VecEnvStepReturn:
        return self.venv.step_wait()

    def reset(self) -> VecEnvObs:
        return self.venv.reset()


class PipelinedUpdates(OffPolicyAlgorithm):
    """Off-policy gradient steps overlapped with the next env step (mixed in first)."""

    _owed: tuple[int, int] | None = None
    _stepping: _UpdateWhileStepping | None = None

    def collect_rollouts(self, env: VecEnv, callback: BaseCallback, train_freq: TrainFreq,
                         replay_buffer: Any, action_noise: ActionNoise | None = None,
                         learning_starts: int = 0,
                         log_interval: int | None = None) -> RolloutReturn:
        """SB3's collection, over a VecEnv that runs the owed gradient steps while it steps."""
        if steps_in_parts(env):
            if self._stepping is None or self._stepping.venv is not env:
                self._stepping = _UpdateWhileStepping(env, self)
            env = self._stepping
        return super().collect_rollouts(env, callback, train_freq, replay_buffer, action_noise,
                                        learning_starts, log_interval)

    def train(self, gradient_steps: int, batch_size: int) -> None:
        """Owe the gradient steps to the next env step when it overlaps them; else do them now."""
        if self._stepping is not None and self._stepping.venv is self.env:
            self.run_owed_updates()
            self._owed = (gradient_steps, batch_size)
            return
        super().train(gradient_steps, batch_size)

    def run_owed_updates(self) -> None:
        """Do the gradient steps SB3 would have done after the last env step, if any."""
        if self._owed is None:
            return
        gradient_steps, batch_size = self._owed
        self._owed = None
        super().train(gradient_steps, batch_size)
        self.policy.set_training_mode(False)   # collection's mode, as SB3 leaves it

    def _excluded_save_params(self) -> list[str]:
        """The wrapper holds the env, which a saved model never does."""
        return [*super()._excluded_save_params(), '_stepping', '_owed']

    def learn(self, *args: Any, **kwargs: Any) -> PipelinedUpdates:
        """SB3's ``learn``; the gradient steps owed at its end are done before it returns."""
        super().learn(*args, **kwargs)
        self.run_owed_updates()
        return self


class PipelinedSAC(PipelinedUpdates, SAC):
    """SAC whose gradient steps over ROS run while the env nodes step."""


class PipelinedTD3(PipelinedUpdates, TD3):
    """TD3 whose gradient steps over ROS run while the env nodes step."""


class PipelinedDDPG(PipelinedUpdates, DDPG):
    """DDPG whose gradient steps over ROS run while the env nodes step."""
