"""The ``step_batch`` service of a process that serves several envs: one call per batch.

An env served in a batch says so in its ``get_spec`` (``spec_json['batch']``:
the namespace of the batch services). :func:`batches_of` groups a VecEnv's
envs by it; envs without one (a Webots env, the real robot) keep their own
``step`` calls.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rclpy.task import Future

from rl_env_client.env_client import EnvClientSession, service_name
from rl_env_client.errors import EnvTimeoutError, RemoteEnvError
from rl_interfaces.srv import GetSpec, StepBatch
from rl_ros.contract import STEP_BATCH
from rl_ros.qos import SERVICE_QOS


@dataclass(frozen=True)
class BatchStep:
    """One env's part of a batch answer, already reset where its episode ended.

    :param observation: the next observation (the new episode's first after an end).
    :param final_observation: the ended episode's last observation, else None.
    :param reset_info: the new episode's reset info after an end, else None.
    """

    observation: np.ndarray
    reward: float
    terminated: bool
    truncated: bool
    info: dict
    final_observation: np.ndarray | None
    reset_info: dict | None


class BatchClient:
    """``step_batch`` of the process serving ``members`` (namespaces), in that order.

    :param session: the session whose node owns the client.
    :param namespace: where the batch services are (the process's first env).
    :param members: the envs this client steps in each call, in the VecEnv's order.
    """

    def __init__(self, session: EnvClientSession, namespace: str,
                 members: Sequence[str]) -> None:
        self.namespace = namespace
        self.members = list(members)
        self._step = session.node.create_client(
            StepBatch, service_name(namespace, STEP_BATCH.name), qos_profile=SERVICE_QOS)

    def wait_for_service(self, timeout: float) -> None:
        """Block until the batch is served; EnvTimeoutError naming it otherwise."""
        if not self._step.wait_for_service(timeout_sec=timeout):
            raise EnvTimeoutError(f'{self._step.srv_name} is named by the envs '
                                  f'{self.members} but not served (waited {timeout:g} s)')

    def send_step(self, actions: Sequence[np.ndarray]) -> Future:
        """Ask for one step of every member, ``actions`` in the members' order."""
        flat = np.concatenate([np.asarray(a, dtype=np.float32).ravel() for a in actions])
        return self._step.call_async(StepBatch.Request(namespaces=self.members, actions=flat))

    def step_results(self, response: StepBatch.Response) -> list[BatchStep]:
        """Each member's step; RemoteEnvError (the node's message) when refused."""
        if not response.success:
            raise RemoteEnvError(f'step_batch of {self.members} refused: {response.message}')
        count = len(self.members)
        observations = np.split(np.asarray(response.observations, dtype=np.float32), count)
        finals = np.split(np.asarray(response.final_observations, dtype=np.float32), count)
        results = []
        for k in range(count):
            info = json.loads(response.infos_json[k]) if response.infos_json[k] else {}
            info.pop('episode_id', None)
            ended = bool(response.terminated[k]) or bool(response.truncated[k])
            reset_info = info.pop('reset_info', None)
            if reset_info is not None:
                reset_info.pop('episode_id', None)
            results.append(BatchStep(
                observations[k], float(response.rewards[k]), bool(response.terminated[k]),
                bool(response.truncated[k]), info, finals[k] if ended else None, reset_info))
        return results


def batches_of(specs: Sequence[GetSpec.Response]) -> dict[str, list[int]]:
    """The VecEnv's env indices by the batch namespace their spec names; unbatched left out."""
    groups: dict[str, list[int]] = {}
    for index, spec in enumerate(specs):
        batch = json.loads(spec.spec_json).get('batch') if spec.spec_json else None
        if batch:
            groups.setdefault(batch, []).append(index)
    return groups
