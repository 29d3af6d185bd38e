"""Client side of the env contract: one rclpy session, any number of env nodes.

:class:`EnvClientSession` owns a private context, node and executor, so a
Gymnasium env or a VecEnv can live in any Python program (a notebook, an SB3
script) without touching the program's own rclpy state. Calls are sent
asynchronously and collected together, so N env nodes step concurrently.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
import rclpy
from rclpy.experimental import EventsExecutor
from rclpy.task import Future

from rl_env_client.batch_socket import SocketAnswer
from rl_env_client.errors import EnvTimeoutError, RemoteEnvError
from rl_interfaces.srv import GetSpec, Reset, Step
from rl_ros.contract import GET_SPEC, RESET, STEP
from rl_ros.conversions import float32_array
from rl_ros.qos import SERVICE_QOS

#: Seconds between checks that an env node's services are discovered. rclpy's
#: ``wait_for_service`` sleeps a quarter of a second between its checks, where
#: discovery here takes about 0.07 s (or 1 to 2.5 s when DDS must resend).
_DISCOVERY_POLL = 0.01


def service_name(namespace: str, service: str) -> str:
    """``/ns/service``, or ``/service`` for the root namespace ('' or '/')."""
    namespace = namespace.strip('/')
    return f'/{namespace}/{service}' if namespace else f'/{service}'


class EpisodeFollower:
    """Checks that an env node's answers continue the episode this client reset.

    An env node serves one episode at a time, and any client's reset or step
    acts on it; so a step that is not the next of the episode this client
    reset means another client is driving the same env node. The per-env
    and the batched paths share one follower per env.

    :param where: the env's namespace for messages ('/' for the root).
    """

    def __init__(self, where: str) -> None:
        self.where = where
        #: (episode id, step index) the next step must answer with; None unknown.
        self._expected: tuple[int, int] | None = None

    def reset(self, info: dict) -> None:
        """Follow the episode a reset answer started; takes the server's ``episode_id``."""
        episode = info.pop('episode_id', None)
        self._expected = None if episode is None else (episode, 0)

    def step(self, info: dict) -> None:
        """Check a step answer's episode and step index; takes the server's ``episode_id``.

        :raises RemoteEnvError: when another client reset or stepped the env
            node since this client's last step (and from then on, until a reset).
        """
        episode = info.pop('episode_id', None)
        if self._expected is None or episode is None:
            return
        seen, expected = (episode, info.get('step_index')), self._expected
        if seen != expected:
            raise RemoteEnvError(
                f'step of {self.where}: another client is driving this env node (it is at '
                f'episode {seen[0]}, step {seen[1]}; this client expected episode '
                f'{expected[0]}, step {expected[1]}): an env node serves one client at a '
                'time, so give each agent env nodes of its own')
        self._expected = (seen[0], seen[1] + 1)


class EnvClient:
    """The ``reset``, ``step`` and ``get_spec`` services of one env node.

    :param session: the session whose node owns the clients.
    :param namespace: the env node's namespace, e.g. 'env_0'; '' for the root.
    """

    def __init__(self, session: EnvClientSession, namespace: str) -> None:
        node = session.node
        self.namespace = namespace
        self.where = namespace or '/'
        self._stop = session.stop
        self.follower = EpisodeFollower(self.where)
        self._reset, self._step, self._spec = (
            node.create_client(srv_type, service_name(namespace, name), qos_profile=SERVICE_QOS)
            for srv_type, name in ((Reset, RESET.name), (Step, STEP.name),
                                   (GetSpec, GET_SPEC.name)))

    def wait_for_services(self, timeout: float) -> None:
        """Block until the env node serves; EnvTimeoutError naming it otherwise.

        Gives up at once when the session's stop event is set.
        """
        deadline = time.monotonic() + timeout
        for client in (self._reset, self._step, self._spec):
            while not client.service_is_ready():
                if self._stop.is_set():
                    raise EnvTimeoutError(f'stopping while waiting for {client.srv_name}')
                if time.monotonic() >= deadline:
                    raise EnvTimeoutError(
                        f'no env node serves {client.srv_name} (waited {timeout:g} s): start '
                        "one with './rl sim', or check the namespace")
                time.sleep(_DISCOVERY_POLL)

    def reset_result(self, response: Reset.Response) -> tuple[np.ndarray, dict]:
        """``(observation, info)`` of this env node's Reset answer; RemoteEnvError if refused."""
        observation, info = reset_result(response, f'reset of {self.where}')
        self.follower.reset(info)
        return observation, info

    def step_result(self, response: Step.Response) -> tuple[np.ndarray, float, bool, bool, dict]:
        """Gymnasium's five-tuple of this env node's Step answer.

        :raises RemoteEnvError: when refused, or when another client reset or
            stepped the env node since this client's last step (:class:`EpisodeFollower`).
        """
        result = step_result(response, f'step of {self.where}')
        self.follower.step(result[4])
        return result

    def send_reset(self, seed: int | None, options: Mapping[str, Any] | None) -> Future:
        """Ask for a reset; ``seed`` None keeps the env's random stream."""
        request = Reset.Request(seed=-1 if seed is None else int(seed),
                                options_json=json.dumps(dict(options)) if options else '')
        return self._reset.call_async(request)

    def send_step(self, action: np.ndarray) -> Future:
        """Ask for one step with ``action`` (flattened to float32)."""
        return self._step.call_async(
            Step.Request(action=float32_array(np.ravel(action))))

    def send_spec(self) -> Future:
        """Ask for the env's spec."""
        return self._spec.call_async(GetSpec.Request())

    def forget(self, future: Future) -> None:
        """Drop a request that will not be waited for any more."""
        for client in (self._reset, self._step, self._spec):
            client.remove_pending_request(future)


#: Seconds an answer is still waited for once the stop event is set.
STOP_GRACE = 1.0


class EnvClientSession:
    """A private rclpy context, node and executor for env clients.

    :param name: node name of the client.
    :param timeout: seconds to wait for any answer.
    :param stop: once set (SIGINT, SIGTERM), a wait gives up after
        :data:`STOP_GRACE` seconds, so that a program stopping does not wait
        out the timeout on env nodes that stopped with it.
    """

    def __init__(self, name: str = 'rl_env_client', timeout: float = 30.0,
                 stop: threading.Event | None = None) -> None:
        self.timeout = timeout
        self.stop = stop or threading.Event()
        self._context = rclpy.Context()
        # No arguments: rclpy would otherwise read the host process's --ros-args
        # (an agent node's __node remap and params file) and rename this node.
        rclpy.init(context=self._context, args=[])
        # A client has no parameters worth serving; without the six parameter
        # services its executor waits on three entities per env instead of nine.
        self.node = rclpy.create_node(name, context=self._context,
                                      start_parameter_services=False)
        # rclpy's EventsExecutor waits in C++ on the middleware's events instead
        # of rebuilding a wait set in Python per wake-up: measured here, a
        # service round trip costs the client 0.25 ms instead of 0.42 ms.
        self._executor = EventsExecutor(context=self._context)
        self._executor.add_node(self.node)

    def wait(self, futures: Sequence[Future | SocketAnswer], what: str,
             timeout: float | None = None) -> list[Any]:
        """Spin until every future is done; the responses, in order.

        :param futures: rclpy futures, and answers on a batch socket
            (:class:`~rl_env_client.batch_socket.SocketAnswer`), collected first.
        :param timeout: seconds for this wait; the session's when None.
        :raises EnvTimeoutError: when one is still open after the timeout, or
            :data:`STOP_GRACE` seconds after the stop event was set.
        """
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        stopping = False
        while not all(f.done() for f in futures):
            if self.stop.is_set() and not stopping:
                stopping, deadline = True, min(deadline, time.monotonic() + STOP_GRACE)
            remaining = deadline - time.monotonic()
            if remaining <= 0.0:
                if stopping:
                    raise EnvTimeoutError(f'{what}: stopping, and no answer came')
                raise EnvTimeoutError(
                    f'{what}: no answer within {timeout:.3g} s; is the env node alive?')
            on_socket = next((f for f in futures if isinstance(f, SocketAnswer) and not f.done()),
                             None)
            if on_socket is not None:
                on_socket.poll(min(remaining, 0.1))
            else:
                self._executor.spin_once(timeout_sec=min(remaining, 0.1))
        return [f.result() for f in futures]

    def close(self) -> None:
        """Destroy the node and shut the context down; safe to call twice.

        The executor is released here rather than left to the interpreter's
        exit: destroyed during finalization, its C++ event thread can abort
        the process ("terminate called without an active exception").
        """
        if self._context.ok():
            self._executor.shutdown()
            self.node.destroy_node()
            self._context.try_shutdown()
            self._executor = None


def _checked(response: Any, what: str) -> Any:
    if not response.success:
        raise RemoteEnvError(f'{what} refused: {response.message}')
    return response


def reset_result(response: Reset.Response, what: str) -> tuple[np.ndarray, dict]:
    """``(observation, info)`` of a Reset answer; RemoteEnvError if refused."""
    _checked(response, what)
    return np.asarray(response.observation, dtype=np.float32), _info(response.info_json)


def step_result(response: Step.Response, what: str) -> tuple[np.ndarray, float, bool, bool, dict]:
    """Gymnasium's five-tuple from a Step answer; RemoteEnvError if refused."""
    _checked(response, what)
    return (np.asarray(response.observation, dtype=np.float32), float(response.reward),
            bool(response.terminated), bool(response.truncated), _info(response.info_json))


def _info(text: str) -> dict:
    return json.loads(text) if text else {}


def served_task_options(spec: GetSpec.Response) -> dict[str, Any]:
    """The task options an env node serves (from ``spec_json``), by name."""
    described = json.loads(spec.spec_json).get('task_options', {}) if spec.spec_json else {}
    return {name: entry['value'] for name, entry in described.items()}


def spaces_from_spec(spec: GetSpec.Response) -> tuple[gym.spaces.Box, gym.spaces.Box]:
    """Observation and action spaces (float32 Boxes) as the env node describes them."""
    observation = gym.spaces.Box(
        low=np.asarray(spec.observation_low, dtype=np.float32).reshape(spec.observation_shape),
        high=np.asarray(spec.observation_high, dtype=np.float32).reshape(spec.observation_shape),
        dtype=np.float32)
    action = gym.spaces.Box(
        low=np.asarray(spec.action_low, dtype=np.float32).reshape(spec.action_shape),
        high=np.asarray(spec.action_high, dtype=np.float32).reshape(spec.action_shape),
        dtype=np.float32)
    return observation, action
