"""The batch services of a process that serves several envs: one call per batch.

An env served in a batch says so in its ``get_spec`` (``spec_json['batch']``:
the namespace of ``step_batch`` and ``reset_batch``). :func:`batches_of`
groups a VecEnv's envs by it; envs without one (a Webots env, the real
robot) keep their own ``step`` and ``reset`` calls. Where the group's
same-host socket (``spec_json['batch_socket']``) can be reached, the same
requests go over it instead of DDS (:mod:`.batch_socket`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rclpy.task import Future

from rl_env_client.batch_socket import BatchSocket, SocketAnswer
from rl_env_client.env_client import EnvClient, EnvClientSession, service_name
from rl_env_client.errors import EnvTimeoutError, RemoteEnvError
from rl_interfaces.srv import GetSpec, ResetBatch, StepBatch
from rl_ros.batch_wire import RESET, STEP
from rl_ros.contract import RESET_BATCH, STEP_BATCH
from rl_ros.conversions import float32_array
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
    """``step_batch`` and ``reset_batch`` of the process serving ``members``, in that order.

    :param session: the session whose node owns the clients.
    :param namespace: where the batch services are (the process's first env).
    :param members: the envs this client steps in each call, in the VecEnv's order;
        their followers check that no other client drives them.
    :param batch_socket: the group's same-host socket, connected; None for DDS.
    """

    def __init__(self, session: EnvClientSession, namespace: str,
                 members: Sequence[EnvClient], batch_socket: BatchSocket | None = None) -> None:
        self.namespace = namespace
        self.members = list(members)
        self.batch_socket = batch_socket
        self._names = [member.namespace for member in self.members]
        self._step = session.node.create_client(
            StepBatch, service_name(namespace, STEP_BATCH.name), qos_profile=SERVICE_QOS)
        self._reset = session.node.create_client(
            ResetBatch, service_name(namespace, RESET_BATCH.name), qos_profile=SERVICE_QOS)

    def wait_for_services(self, timeout: float) -> None:
        """Block until the batch is served; EnvTimeoutError naming it otherwise."""
        for client in (self._step, self._reset):
            if not client.wait_for_service(timeout_sec=timeout):
                raise EnvTimeoutError(f'{client.srv_name} is named by the envs '
                                      f'{self._names} but not served (waited {timeout:g} s)')

    def send_reset(self, seeds: Sequence[int | None],
                   options: Mapping[str, Any] | None) -> Future | SocketAnswer:
        """Ask for a reset of every member: one seed each (None keeps its stream), one options."""
        request = ResetBatch.Request(
            namespaces=self._names, seeds=[-1 if seed is None else int(seed) for seed in seeds],
            options_json=json.dumps(dict(options)) if options else '')
        if self.batch_socket is not None:
            return self.batch_socket.send(RESET, request, ResetBatch.Response)
        return self._reset.call_async(request)

    def reset_results(self, response: ResetBatch.Response) -> list[tuple[np.ndarray, dict]]:
        """Each member's ``(observation, info)``.

        :raises RemoteEnvError: the node's message, when refused.
        """
        if not response.success:
            raise RemoteEnvError(f'reset_batch of {self._names} refused: {response.message}')
        observations = np.split(np.asarray(response.observations, dtype=np.float32),
                                len(self.members))
        results = []
        for member, observation, text in zip(self.members, observations, response.infos_json,
                                             strict=True):
            info = json.loads(text) if text else {}
            member.follower.reset(info)
            results.append((observation, info))
        return results

    def send_step(self, actions: np.ndarray,
                  positions: Sequence[int] | None = None) -> Future | SocketAnswer:
        """Ask for one step of the members at ``positions`` (all when None).

        :param actions: one row per stepped member, in the members' order.
        :param positions: indices into :attr:`members`, ascending.
        """
        names = self._names if positions is None else [self._names[p] for p in positions]
        request = StepBatch.Request(namespaces=names, actions=float32_array(np.ravel(actions)))
        if self.batch_socket is not None:
            return self.batch_socket.send(STEP, request, StepBatch.Response)
        return self._step.call_async(request)

    def step_results(self, response: StepBatch.Response,
                     positions: Sequence[int] | None = None) -> list[BatchStep]:
        """Each stepped member's step, checked by its follower.

        :param positions: as given to :meth:`send_step`.

        :raises RemoteEnvError: the node's message when refused, or when another
            client drives a member (see :class:`~rl_env_client.env_client.EpisodeFollower`).
        """
        if not response.success:
            raise RemoteEnvError(f'step_batch of {self._names} refused: {response.message}')
        members = self.members if positions is None else [self.members[p] for p in positions]
        count = len(members)
        observations = np.asarray(response.observations, dtype=np.float32).reshape(count, -1)
        finals = np.asarray(response.final_observations, dtype=np.float32).reshape(count, -1)
        results = []
        for k, member in enumerate(members):
            info = json.loads(response.infos_json[k]) if response.infos_json[k] else {}
            member.follower.step(info)
            ended = bool(response.terminated[k]) or bool(response.truncated[k])
            reset_info = info.pop('reset_info', None)
            if reset_info is not None:
                member.follower.reset(reset_info)
            results.append(BatchStep(
                observations[k], float(response.rewards[k]), bool(response.terminated[k]),
                bool(response.truncated[k]), info, finals[k] if ended else None, reset_info))
        return results

    def close(self) -> None:
        """Close the same-host socket, if any; the DDS clients go with the session."""
        if self.batch_socket is not None:
            self.batch_socket.close()


@dataclass(frozen=True)
class Batch:
    """Envs of a VecEnv that one process serves in batches.

    :param namespace: of the batch services.
    :param indices: the VecEnv's indices of its envs.
    :param socket_address: of its same-host socket ('' when not announced).
    """

    namespace: str
    indices: list[int]
    socket_address: str


def batches_of(specs: Sequence[GetSpec.Response]) -> list[Batch]:
    """The VecEnv's envs grouped by the batch their spec names; unbatched ones left out."""
    groups: dict[str, Batch] = {}
    for index, spec in enumerate(specs):
        extra = json.loads(spec.spec_json) if spec.spec_json else {}
        if extra.get('batch'):
            batch = groups.setdefault(extra['batch'], Batch(
                extra['batch'], [], extra.get('batch_socket', '')))
            batch.indices.append(index)
    return list(groups.values())
