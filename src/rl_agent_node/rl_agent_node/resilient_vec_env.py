"""A VecEnv that survives env nodes going away: wait, reconnect with backoff, carry on.

Unattended training over ROS must outlive a crashed or restarted env node.
When the inner VecEnv raises one of the recoverable errors (the env node
did not answer, or refused), this wrapper closes it, builds a new one with
the factory (which waits for the env nodes' services and ``get_spec``),
resets every env and hands SB3 a step in which every episode ended by
truncation.

What is lost, and only this:

- the step that failed: its transition is recorded with reward 0 and, as
  the terminal observation, the observation before it (an SB3 time-limit
  truncation, so value targets bootstrap from it rather than treat it as
  an end);
- the rest of every episode under way in any env (all envs are reset,
  since the order of their random streams is broken anyway); those
  episodes are not counted in the return and success statistics;
- nothing else: the model, optimiser, buffers, counters and logs go on.

Parts of the envs stepped on their own (:mod:`rl_agent_node.vec_env_parts`)
are recovered alike: the part whose step failed, and every part under way
with it, is answered with such a truncated step.

A recovery that takes longer than ``recovery_timeout`` (or is cut short by
the stop event) raises :class:`~rl_agent_node.errors.EnvUnavailableError`,
which the trainer answers with a checkpoint, so ``--resume`` continues later.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper
from stable_baselines3.common.vec_env.base_vec_env import VecEnvObs, VecEnvStepReturn

from rl_agent_node.errors import EnvUnavailableError
from rl_agent_node.vec_env_parts import replace_rows, send_part, steps_in_parts, wait_part

_LOG = logging.getLogger(__name__)


@dataclass
class _PartUnderWay:
    """A part sent: the error its sending raised, or the reset observations of a recovery
    that came before its answer (the part is then answered with a truncated step)."""

    part: slice
    error: BaseException | None = None
    recovered_obs: np.ndarray | None = None


class ResilientVecEnv(VecEnvWrapper):
    """Rebuild the wrapped VecEnv whenever it fails with a recoverable error.

    :param make_env: builds the inner VecEnv, waiting (finitely) for its env nodes.
    :param recoverable: exception types that mean "the env nodes are gone or
        refused"; anything else propagates.
    :param recovery_timeout: seconds to keep retrying before giving up.
    :param seed_for: seed of the envs' reset after the n-th recovery (n from 1);
        None keeps the env nodes' own streams.
    :param stop: when set, retrying stops at once (SIGTERM during an outage).
    :param backoff: first and longest wait between attempts, seconds; doubles each time.
    :param on_recovery: called after each recovery (the run's counter, saved with checkpoints).
    """

    def __init__(self, make_env: Callable[[], VecEnv],
                 recoverable: tuple[type[BaseException], ...], recovery_timeout: float,
                 seed_for: Callable[[int], int] | None = None,
                 stop: threading.Event | None = None,
                 backoff: tuple[float, float] = (1.0, 30.0),
                 on_recovery: Callable[[], None] | None = None) -> None:
        if recovery_timeout <= 0:
            raise ValueError(f'recovery_timeout must be > 0 s, got {recovery_timeout!r}')
        if not 0 < backoff[0] <= backoff[1]:
            raise ValueError(f'backoff must be (first, longest) with 0 < first <= longest, '
                             f'got {backoff!r}')
        self._make_env = make_env
        self._recoverable = recoverable
        self._timeout = recovery_timeout
        self._seed_for = seed_for
        self._stop = stop or threading.Event()
        self._backoff = backoff
        self._on_recovery = on_recovery
        self._last_obs: np.ndarray | None = None
        self._failure: BaseException | None = None
        self._parts: deque[_PartUnderWay] = deque()
        self.recoveries = 0
        venv, _ = self._retry(None, reset=False)
        super().__init__(venv)

    def reset(self) -> VecEnvObs:
        """Reset every env; a failure is recovered from (the recovery resets anyway)."""
        self._parts.clear()
        try:
            obs = self.venv.reset()
        except self._recoverable as error:
            obs = self._recover(error)
        self._last_obs = obs
        return obs

    @property
    def steps_in_parts(self) -> bool:
        """True when the wrapped VecEnv can step a part of its envs on its own."""
        return steps_in_parts(self.venv)

    def step_part_async(self, actions: np.ndarray, part: slice) -> None:
        """Send ``part``'s actions; a failure is kept for :meth:`step_part_wait`."""
        under_way = _PartUnderWay(part)
        try:
            send_part(self.venv, actions, part)
        except self._recoverable as error:
            under_way.error = error
        self._parts.append(under_way)

    def step_part_wait(self) -> tuple[slice, VecEnvStepReturn]:
        """The oldest part's step, or after a recovery a truncated one for its envs.

        A recovery resets every env, so each part then under way (sent to
        the VecEnv that failed) is answered with a truncated step too, from
        the recovery's observations.
        """
        under_way = self._parts.popleft()
        part = under_way.part
        if under_way.recovered_obs is not None:
            return part, self._truncated(part, under_way.recovered_obs[part])
        error = under_way.error
        if error is None:
            try:
                part, step = wait_part(self.venv)
            except self._recoverable as failed:
                error = failed
            else:
                self._last_obs = replace_rows(self._last_obs, part, step[0], self.num_envs)
                return part, step
        obs = self._recover(error)
        for later in self._parts:
            later.recovered_obs = obs
        return part, self._truncated(part, obs[part])

    def step_async(self, actions: np.ndarray) -> None:
        """Send the actions; a failure is kept for :meth:`step_wait` to recover from."""
        self._failure = None
        try:
            self.venv.step_async(actions)
        except self._recoverable as error:
            self._failure = error

    def step_wait(self) -> VecEnvStepReturn:
        """The inner step, or after a recovery a step where every episode was truncated."""
        if self._failure is None:
            try:
                obs, rewards, dones, infos = self.venv.step_wait()
            except self._recoverable as error:
                self._failure = error
            else:
                self._last_obs = obs
                return obs, rewards, dones, infos
        error, self._failure = self._failure, None
        return self._truncated(slice(0, self.num_envs), self._recover(error))

    def _truncated(self, part: slice, obs: np.ndarray) -> VecEnvStepReturn:
        """A step of ``part``'s envs in which each episode ended by truncation, at ``obs``."""
        previous = self._last_obs[part] if self._last_obs is not None else obs
        count = len(obs)
        infos = [{'terminal_observation': previous[row], 'TimeLimit.truncated': True,
                  'env_recovered': True} for row in range(count)]
        self._last_obs = replace_rows(self._last_obs, part, obs, self.num_envs)
        return obs, np.zeros(count, dtype=np.float32), np.ones(count, dtype=bool), infos

    def _recover(self, error: BaseException) -> np.ndarray:
        """Rebuild and reset the inner VecEnv after ``error``.

        When stopping, EnvUnavailableError at once: env nodes that failed while
        a stop was asked have most likely stopped with it (a terminal's Ctrl-C
        reaches the whole process group), and the checkpoint needs none of them.
        """
        if self._stop.is_set():
            raise EnvUnavailableError(f'stopped while the env nodes failed: {error}') from None
        _LOG.warning('env failure (%s); reconnecting to the env nodes', error)
        self._close_quietly(self.venv)
        self.venv, obs = self._retry(error, reset=True)
        self.recoveries += 1
        if self._on_recovery is not None:
            self._on_recovery()
        return obs

    def _retry(self, error: BaseException | None,
               reset: bool) -> tuple[VecEnv, np.ndarray | None]:
        """Build (and reset) a VecEnv, retrying with backoff until the deadline."""
        started = time.monotonic()
        delay, attempts = self._backoff[0], 0
        while True:
            attempts += 1
            try:
                venv, obs = self._attempt(reset)
                break
            except self._recoverable as again:
                error = again
            waited = time.monotonic() - started
            if waited + delay > self._timeout or self._stop.is_set():
                raise EnvUnavailableError(
                    f'env nodes unreachable for {waited:.0f} s ({attempts} attempts); last '
                    f'error: {error}') from None
            _LOG.info('env nodes not answering (%s); retrying in %.0f s', error, delay)
            if self._stop.wait(delay):
                raise EnvUnavailableError('stopped while waiting for the env nodes') from None
            delay = min(2.0 * delay, self._backoff[1])
        if attempts > 1 or reset:
            _LOG.warning('env nodes back after %.1f s (%d attempts)%s',
                         time.monotonic() - started, attempts,
                         '; episodes under way were truncated' if reset else '')
        return venv, obs

    def _attempt(self, reset: bool) -> tuple[VecEnv, np.ndarray | None]:
        venv = self._make_env()
        if not reset:
            return venv, None
        try:
            if self._seed_for is not None:
                venv.seed(self._seed_for(self.recoveries + 1))
            return venv, venv.reset()
        except BaseException:
            self._close_quietly(venv)
            raise

    @staticmethod
    def _close_quietly(venv: VecEnv) -> None:
        try:
            venv.close()
        except Exception as error:  # a broken env may fail to close; it is dropped anyway
            _LOG.debug('closing the failed VecEnv: %s', error)

    def close(self) -> None:
        """Close the inner VecEnv."""
        self.venv.close()
