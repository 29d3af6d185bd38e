"""Several env nodes of one process served in batches: ``step_batch`` and ``reset_batch``.

An ``env_group`` process holding envs with MuJoCo in process also starts
this node, in its first env's namespace, so an agent steps all of them in
one round trip instead of one per env (each rclpy service hop costs both
sides about 0.45 ms of CPU here). Each env keeps its own services, topics,
seed stream and recorder episodes; its ``get_spec`` names the batch
namespace (``spec_json['batch']``), which is how a client finds it.

Semantics are SB3's VecEnv: an env whose episode ends is reset at once and
answers with the next episode's first observation, the last one beside it.
Every action is checked before any env steps, so a malformed batch is
refused whole; a simulator failing midway is reported for the env it hit.

The same two services are also served on a socket for agents on this host
(:mod:`.batch_socket`, announced as ``spec_json['batch_socket']``): the
same requests and answers, without the rclpy round trip. Either way the
envs' topics go out just after the answer, not before it
(:class:`~rl_ros.outbox.Outbox`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.node import Node

from rl_env_node.batch_socket import BatchSocketServer
from rl_env_node.env_core import CheckedAction
from rl_env_node.env_node import EnvNode, refuse
from rl_env_node.errors import EnvError, RequestError, ResetNeededError, quoted
from rl_env_node.msg_conversions import info_json
from rl_interfaces.srv import ResetBatch, StepBatch
from rl_ros.batch_wire import RESET, STEP
from rl_ros.contract import RESET_BATCH, STEP_BATCH
from rl_ros.conversions import float32_array
from rl_ros.qos import SERVICE_QOS


class EnvBatchNode(Node):
    """Serves the batch services over ``envs``, which share this node's process and executor.

    :param envs: the env nodes, all with their simulator in process (their
        callbacks and these must run one at a time: one
        :class:`~rl_env_node.batch_socket.LockingExecutor` on :attr:`callback_lock`).
    """

    def __init__(self, envs: Sequence[EnvNode], **kwargs: Any) -> None:
        namespace = envs[0].get_namespace()
        super().__init__('rl_env_batch', namespace=namespace, **kwargs)
        self._envs = {env.get_namespace().strip('/'): env for env in envs}
        #: Held by every callback of these envs: spin them with a LockingExecutor on it.
        self.callback_lock = threading.Lock()
        self._socket = BatchSocketServer(
            {STEP: (StepBatch, self._holding(self._step_batch)),
             RESET: (ResetBatch, self._holding(self._reset_batch))},
            self.callback_lock, self.get_logger(), self._release_publications)
        for env in envs:
            env.serve_in_batch(namespace, self._socket.address)
        group = MutuallyExclusiveCallbackGroup()
        self.create_service(StepBatch, STEP_BATCH.name, self._over_dds(self._step_batch),
                            qos_profile=SERVICE_QOS, callback_group=group)
        self.create_service(ResetBatch, RESET_BATCH.name, self._over_dds(self._reset_batch),
                            qos_profile=SERVICE_QOS, callback_group=group)
        self.get_logger().info(f'batch ready: {", ".join(self._envs)}')

    def _holding(self, handler: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        """``handler`` with every env's publications held (see :class:`~rl_ros.outbox.Outbox`)."""
        def serve(request: Any, response: Any) -> Any:
            for env in self._envs.values():
                env.outbox.hold()
            return handler(request, response)

        return serve

    def _over_dds(self, handler: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        """``handler`` as a service callback: the publications follow in the next spin.

        rclpy sends the response as the callback returns; a task created now
        runs after that, so the agent has its answer before the topics go out.
        With nothing kept (nobody subscribes) no task is made: waking the
        executor for it would cost a wait-set rebuild per batch.
        """
        held = self._holding(handler)

        def serve(request: Any, response: Any) -> Any:
            try:
                return held(request, response)
            finally:
                if any(env.outbox.pending for env in self._envs.values()):
                    self.executor.create_task(self._release_publications)
                else:
                    self._release_publications()

        return serve

    def _release_publications(self) -> None:
        for env in self._envs.values():
            env.outbox.release()

    def _chosen(self, namespaces: Sequence[str]) -> list[tuple[str, EnvNode]]:
        names = [name.strip('/') for name in namespaces]
        unknown = sorted(set(names) - set(self._envs))
        if not names or unknown or len(set(names)) != len(names):
            raise RequestError(f'namespaces must name each of {sorted(self._envs)} at most '
                               f'once, got {quoted(list(namespaces))}')
        return [(name, self._envs[name]) for name in names]

    @staticmethod
    def _checked_actions(chosen: list[tuple[str, EnvNode]],
                         actions: Sequence[float]) -> list[CheckedAction]:
        sizes = [env.core.action_space.shape[0] for _, env in chosen]
        if len(actions) != sum(sizes):
            raise RequestError(f'actions must hold {sum(sizes)} values ({sizes} for '
                               f'{[name for name, _ in chosen]}), got {len(actions)}')
        values = np.asarray(actions, dtype=np.float32)
        checked = []
        end = 0
        for (name, env), size in zip(chosen, sizes, strict=True):
            action, end = values[end:end + size], end + size
            if env.core.needs_reset:
                raise ResetNeededError(f'{name} needs a reset first (reset_batch or {name}/reset)')
            try:
                checked.append(env.core.check_action(action))
            except EnvError as error:
                raise type(error)(f'{name}: {error}') from None
        return checked

    def _step_batch(self, request: StepBatch.Request,
                    response: StepBatch.Response) -> StepBatch.Response:
        try:
            chosen = self._chosen(request.namespaces)
            actions = self._checked_actions(chosen, request.actions)
            results = [_step_and_reset(name, env, action)
                       for (name, env), action in zip(chosen, actions, strict=True)]
        except EnvError as error:
            return refuse(self, response, error)
        response.success = True
        response.observations = float32_array(np.concatenate([r[0] for r in results]))
        response.rewards = [r[1] for r in results]
        response.terminated = [r[2] for r in results]
        response.truncated = [r[3] for r in results]
        response.final_observations = float32_array(np.concatenate([r[4] for r in results]))
        response.infos_json = [info_json(r[5]) for r in results]
        return response

    def _reset_batch(self, request: ResetBatch.Request,
                     response: ResetBatch.Response) -> ResetBatch.Response:
        try:
            chosen = self._chosen(request.namespaces)
            seeds = list(request.seeds) or [-1] * len(chosen)
            if len(seeds) != len(chosen):
                raise RequestError(f'seeds must be empty or one per namespace ({len(chosen)}), '
                                   f'got {len(seeds)}')
            results = [env.reset_env(seed, request.options_json)
                       for (_, env), seed in zip(chosen, seeds, strict=True)]
        except EnvError as error:
            return refuse(self, response, error)
        response.success = True
        response.observations = float32_array(np.concatenate([obs.ravel() for obs, _ in results]))
        response.infos_json = [info_json(info) for _, info in results]
        return response

    def destroy_node(self) -> None:
        """Close the socket before the node goes."""
        self._socket.close()
        super().destroy_node()


def _step_and_reset(name: str, env: EnvNode, action: CheckedAction) -> tuple:
    """One env's step, reset at once when its episode ended (SB3's automatic reset)."""
    try:
        observation, reward, terminated, truncated, info = env.step_env(action)
        final = np.zeros(observation.size, dtype=np.float32)
        if terminated or truncated:
            final = observation.ravel()
            observation, info['reset_info'] = env.reset_env(-1, '')
    except EnvError as error:
        raise type(error)(f'{name}: {error}') from None
    return observation.ravel(), reward, terminated, truncated, final, info
