"""A Gymnasium env whose environment is an env node on the ROS graph.

Importable by any agent, not only ours: spaces come from ``get_spec``,
``reset`` and ``step`` are the env node's services, and the semantics are
Gymnasium's (seeding, terminated vs truncated). Refusals and silences raise
:class:`~rl_env_client.errors.RemoteEnvError` and
:class:`~rl_env_client.errors.EnvTimeoutError` with the env node's message.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import gymnasium as gym
import numpy as np

from rl_env_client.env_client import (
    EnvClient,
    EnvClientSession,
    spaces_from_spec,
)


class RosEnv(gym.Env):
    """One env node as a ``gymnasium.Env``.

    :param namespace: the env node's namespace, '' for the root one.
    :param timeout: seconds to wait for the env node to appear and for each answer.
    :param stop: once set, waits end within a second (see :class:`EnvClientSession`).
    """

    metadata = {'render_modes': []}

    def __init__(self, namespace: str = '', timeout: float = 30.0,
                 stop: threading.Event | None = None) -> None:
        self._session = EnvClientSession('rl_gym_client', timeout, stop)
        try:
            self._client = EnvClient(self._session, namespace)
            self._client.wait_for_services(timeout)
            (spec,) = self._session.wait([self._client.send_spec()], 'get_spec')
        except Exception:
            self._session.close()
            raise
        self.observation_space, self.action_space = spaces_from_spec(spec)
        self.task = spec.task
        self.control_period = spec.control_period
        self.max_episode_steps = spec.max_episode_steps
        self.spec_info: dict[str, Any] = json.loads(spec.spec_json) if spec.spec_json else {}

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None,
    ) -> tuple[np.ndarray, dict]:
        """Reset the env node; ``seed`` reseeds its random stream (Gymnasium semantics)."""
        super().reset(seed=seed)
        (response,) = self._session.wait(
            [self._client.send_reset(seed, options)], f'reset of {self._client.where}')
        return self._client.reset_result(response)

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
        """One control period on the env node."""
        (response,) = self._session.wait(
            [self._client.send_step(action)], f'step of {self._client.where}')
        return self._client.step_result(response)

    def close(self) -> None:
        """Release the ROS client; the env node keeps running."""
        self._session.close()
