"""N env nodes as one stable-baselines3 VecEnv, stepped concurrently.

``step_async`` sends every env node its action at once and ``step_wait``
collects the answers, so N simulators work in parallel while the agent
waits once. Episodes that end are reset automatically, as SB3 expects, with
the last observation in ``info['terminal_observation']``. Envs that one
process serves in a batch (:mod:`rl_env_node.batch_node`, named in their
``get_spec``) are stepped with one ``step_batch`` call per process, their
automatic resets done inside it, and reset with one ``reset_batch`` call;
the others with one ``step`` or ``reset`` call each. A batch's calls go
over its process's same-host socket where this program can reach it
(``same_host_socket``), over DDS otherwise; answers and semantics are the same.
A part of the envs can be stepped on its own (``step_part_async`` and
``step_part_wait``), with other parts under way, so that an agent computes
one part's actions while the env nodes step another
(:mod:`rl_agent_node.pipelined_rollouts`).

A killed env node is not seen by DDS for about 20 s (its lease), so a dead
one is noticed by its silence: a step waits :data:`LATENCY_FACTOR` times the
longest recent wait for one, at least :data:`STEP_TIMEOUT_FLOOR` seconds and at most
the timeout, instead of the whole timeout every time.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
from stable_baselines3.common.vec_env.base_vec_env import (
    VecEnv,
    VecEnvIndices,
    VecEnvObs,
    VecEnvStepReturn,
)

from rl_env_client.batch_client import BatchClient, batches_of
from rl_env_client.batch_socket import BatchSocket
from rl_env_client.env_client import (
    EnvClient,
    EnvClientSession,
    served_task_options,
    spaces_from_spec,
)
from rl_env_client.errors import RemoteEnvError

#: Shortest wait for a step's answers, seconds: they take milliseconds (a hundredth of this
#: on this 2-core machine with 4 env nodes, the recorder and the agent at work).
STEP_TIMEOUT_FLOOR = 1.0
#: A step waits this many times the slowest recent one before the env node counts as gone.
LATENCY_FACTOR = 50.0
#: Per step, the remembered slowest latency decays by this factor (forgets a slow spell).
_LATENCY_DECAY = 0.999


@dataclass(frozen=True)
class _PartPlan:
    """How the envs ``start`` .. ``start + count - 1`` are stepped: alone, or in which batches.

    :param singles: VecEnv indices of the envs stepped with their own ``step``.
    :param batches: ``(client, positions among its members, rows of the part)`` per batch.
    """

    start: int
    count: int
    singles: list[int]
    batches: list[tuple[BatchClient, list[int], list[int]]]


@dataclass(frozen=True)
class _SentPart:
    """A part's step requests, sent and not yet collected."""

    plan: _PartPlan
    futures: list[Any]


class RosVecEnv(VecEnv):
    """Env nodes in ``namespaces`` as one VecEnv; all must serve the same spaces.

    :param namespaces: one per env node, e.g. ``['env_0', 'env_1']``.
    :param timeout: seconds to wait for the env nodes to appear and for each answer.
    :param stop: once set, waits end within a second (see :class:`EnvClientSession`).
    :param same_host_socket: step batches over their process's socket where it is
        reachable; False keeps every call on DDS.
    """

    #: A part of the envs can be stepped on its own (:meth:`step_part_async`).
    steps_in_parts = True

    def __init__(self, namespaces: Sequence[str], timeout: float = 30.0,
                 stop: threading.Event | None = None, same_host_socket: bool = True) -> None:
        if not namespaces:
            raise ValueError('RosVecEnv needs at least one namespace')
        self._session = EnvClientSession('rl_vec_client', timeout, stop)
        try:
            self._clients = [EnvClient(self._session, ns) for ns in namespaces]
            for client in self._clients:
                client.wait_for_services(timeout)
            specs = self._session.wait([c.send_spec() for c in self._clients], 'get_spec')
        except Exception:
            self._session.close()
            raise
        spaces = [spaces_from_spec(spec) for spec in specs]
        for namespace, (obs, act) in zip(namespaces, spaces, strict=True):
            if obs != spaces[0][0] or act != spaces[0][1]:
                self._session.close()
                raise RemoteEnvError(
                    f'{namespace} serves other spaces than {namespaces[0]}: run one task')
        self.namespaces = list(namespaces)
        self.specs = specs
        self._batches: dict[BatchClient, list[int]] = {}
        try:
            self._connect_batches(timeout, same_host_socket)
        except Exception:
            self.close()
            raise
        batched = {k for indices in self._batches.values() for k in indices}
        self._singles = [k for k in range(len(namespaces)) if k not in batched]
        self._plans: dict[tuple[int, int], _PartPlan] = {}
        self._pending: deque[_SentPart] = deque()
        self._slowest: float | None = None
        super().__init__(len(namespaces), spaces[0][0], spaces[0][1])

    def _connect_batches(self, timeout: float, same_host_socket: bool) -> None:
        for batch in batches_of(self.specs):
            connected = (BatchSocket.connect(batch.socket_address)
                         if same_host_socket and batch.socket_address else None)
            client = BatchClient(self._session, batch.namespace,
                                 [self._clients[k] for k in batch.indices], connected)
            self._batches[client] = batch.indices
            client.wait_for_services(timeout)

    def reset(self) -> VecEnvObs:
        """Reset every env with the seeds and options set by ``seed``/``set_options``.

        A batch whose members share their options is reset in one
        ``reset_batch`` call; the other envs with one ``reset`` call each.
        Steps still under way (a rollout stopped between parts) are collected
        first, so that no answer of theirs is taken for the reset's.
        """
        while self._pending:
            self.step_part_wait()
        batches = {batch: indices for batch, indices in self._batches.items()
                   if all(self._options[k] == self._options[indices[0]] for k in indices)}
        batched = {k for indices in batches.values() for k in indices}
        singles = [k for k in range(self.num_envs) if k not in batched]
        futures = [self._clients[k].send_reset(self._seeds[k], self._options[k])
                   for k in singles]
        futures += [batch.send_reset([self._seeds[k] for k in indices],
                                     self._options[indices[0]])
                    for batch, indices in batches.items()]
        responses = self._session.wait(futures, 'reset')
        results: list[tuple[np.ndarray, dict]] = [None] * self.num_envs
        for k, response in zip(singles, responses[:len(singles)], strict=True):
            results[k] = self._clients[k].reset_result(response)
        for (batch, indices), response in zip(batches.items(), responses[len(singles):],
                                              strict=True):
            for k, result in zip(indices, batch.reset_results(response), strict=True):
                results[k] = result
        self.reset_infos = [info for _, info in results]
        self._reset_seeds()
        self._reset_options()
        return np.stack([obs for obs, _ in results])

    def step_async(self, actions: np.ndarray) -> None:
        """Send every env node its action; returns at once."""
        self.step_part_async(actions, slice(0, self.num_envs))

    def step_part_async(self, actions: np.ndarray, part: slice) -> None:
        """Send the envs of ``part``, a slice of this VecEnv's indices, their actions.

        Several parts may be under way at once, and :meth:`step_part_wait`
        collects them in the order sent: an agent computes one part's next
        actions while the env nodes step another (a batch's process serves
        its requests in the order they come).

        :param actions: one row per env of ``part``.
        """
        plan = self._plan(part)
        actions = np.asarray(actions)
        futures = [self._clients[k].send_step(actions[k - plan.start]) for k in plan.singles]
        futures += [batch.send_step(actions[rows], positions)
                    for batch, positions, rows in plan.batches]
        self._pending.append(_SentPart(plan, futures))

    def _plan(self, part: slice) -> _PartPlan:
        key = (part.start, part.stop)
        if key not in self._plans:
            indices = range(self.num_envs)[part]
            if not indices or indices.step != 1:
                raise ValueError(f'a part is a non-empty slice of consecutive envs, got {part}')
            batches = []
            for batch, members in self._batches.items():
                positions = [p for p, k in enumerate(members) if k in indices]
                if positions:
                    batches.append((batch, positions,
                                    [members[p] - indices.start for p in positions]))
            self._plans[key] = _PartPlan(indices.start, len(indices),
                                         [k for k in self._singles if k in indices], batches)
        return self._plans[key]

    def step_timeout(self) -> float:
        """Seconds the next step's answers are waited for (see the module docstring)."""
        if self._slowest is None:
            return self._session.timeout
        return min(self._session.timeout, max(STEP_TIMEOUT_FLOOR, LATENCY_FACTOR * self._slowest))

    def step_wait(self) -> VecEnvStepReturn:
        """Collect the steps, reset the env nodes whose episodes ended, return SB3's tuple."""
        return self.step_part_wait()[1]

    def step_part_wait(self) -> tuple[slice, VecEnvStepReturn]:
        """The oldest part sent, and SB3's step tuple for its envs alone."""
        sent = self._pending.popleft()
        plan = sent.plan
        started = time.monotonic()
        responses = self._session.wait(sent.futures, 'step', self.step_timeout())
        latency = time.monotonic() - started
        self._slowest = latency if self._slowest is None else max(
            latency, self._slowest * _LATENCY_DECAY)
        count, start = plan.count, plan.start
        observations, rewards = [None] * count, [0.0] * count
        dones, infos = [False] * count, [{} for _ in range(count)]
        for k, response in zip(plan.singles, responses[:len(plan.singles)], strict=True):
            obs, reward, terminated, truncated, info = self._clients[k].step_result(response)
            info['TimeLimit.truncated'] = truncated and not terminated
            row = k - start
            observations[row], rewards[row], dones[row], infos[row] = (
                obs, reward, terminated or truncated, info)
        self._reset_finished(plan, observations, dones, infos)
        batch_responses = responses[len(plan.singles):]
        for (batch, positions, rows), response in zip(plan.batches, batch_responses,
                                                      strict=True):
            for row, step in zip(rows, batch.step_results(response, positions), strict=True):
                step.info['TimeLimit.truncated'] = step.truncated and not step.terminated
                if step.final_observation is not None:
                    step.info['terminal_observation'] = step.final_observation
                    self.reset_infos[start + row] = step.reset_info or {}
                observations[row], rewards[row] = step.observation, step.reward
                infos[row], dones[row] = step.info, step.terminated or step.truncated
        return slice(start, start + count), (
            np.stack(observations), np.asarray(rewards, dtype=np.float32), np.asarray(dones),
            infos)

    def _reset_finished(self, plan: _PartPlan, observations: list, dones: list,
                        infos: list) -> None:
        ended = [k for k in plan.singles if dones[k - plan.start]]
        if not ended:
            return
        futures = [self._clients[k].send_reset(None, None) for k in ended]
        responses = self._session.wait(futures, 'automatic reset')
        for k, response in zip(ended, responses, strict=True):
            row = k - plan.start
            infos[row]['terminal_observation'] = observations[row]
            observations[row], self.reset_infos[k] = self._clients[k].reset_result(response)

    def close(self) -> None:
        """Release the ROS clients and batch sockets; the env nodes keep running."""
        for batch in self._batches:
            batch.close()
        self._session.close()

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        """Attributes of the remote envs that the clients know: spaces, task, spec."""
        known = {
            'observation_space': lambda k: self.observation_space,
            'action_space': lambda k: self.action_space,
            'render_mode': lambda k: None,
            'namespace': lambda k: self.namespaces[k],
            'task': lambda k: self.specs[k].task,
            'control_period': lambda k: self.specs[k].control_period,
            'max_episode_steps': lambda k: self.specs[k].max_episode_steps,
            'task_options': lambda k: served_task_options(self.specs[k]),
        }
        if attr_name not in known:
            raise AttributeError(f'a remote env has no attribute {attr_name!r} here; '
                                 f'known: {sorted(known)}')
        return [known[attr_name](k) for k in self._get_indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        """Remote envs take settings through reset options, not attributes."""
        raise AttributeError(
            f'cannot set {attr_name!r} on a remote env; pass it in reset options instead')

    def env_method(self, method_name: str, *method_args: Any, indices: VecEnvIndices = None,
                   **method_kwargs: Any) -> list[Any]:
        """Remote envs expose only the env services; no arbitrary methods."""
        raise AttributeError(f'cannot call {method_name!r} on a remote env')

    def env_is_wrapped(self, wrapper_class: type[gym.Wrapper],
                       indices: VecEnvIndices = None) -> list[bool]:
        """No Gymnasium wrappers run inside an env node."""
        return [False for _ in self._get_indices(indices)]
