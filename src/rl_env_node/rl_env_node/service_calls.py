"""Blocking service calls from inside another callback, with a deadline.

The env node's ``step`` callback must wait for the simulator's ``advance``
answer. Spinning inside a callback is forbidden (STYLE rule 4), so the
client lives in a callback group of its own, a multi-threaded executor
delivers its answer on another thread, and the caller waits on an event
with a timeout; a silent server becomes a :class:`BackendError`.
"""

from __future__ import annotations

import threading
from typing import Any

from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.client import Client
from rclpy.node import Node

from rl_env_node.errors import BackendError


class BlockingClient:
    """A service client whose :meth:`call` blocks the calling thread, never the executor.

    :param node: the node that owns the client.
    :param srv_type: the service type.
    :param name: service name, relative names resolve in the node's namespace.
    :param timeout: seconds to wait for an answer before giving up.
    :param discovery_timeout: seconds to wait for the server to be discovered;
        longer than ``timeout`` because a simulator may still be starting.
    """

    def __init__(self, node: Node, srv_type: Any, name: str, timeout: float,
                 discovery_timeout: float) -> None:
        self._client: Client = node.create_client(
            srv_type, name, callback_group=MutuallyExclusiveCallbackGroup())
        self._timeout = timeout
        self._discovery_timeout = discovery_timeout

    @property
    def name(self) -> str:
        """Fully qualified service name."""
        return self._client.srv_name

    def call(self, request: Any) -> Any:
        """Send ``request`` and wait for the response.

        :raises BackendError: no server, or no answer within the timeout; the
            message says which service and what to check.
        """
        if not self._client.wait_for_service(timeout_sec=self._discovery_timeout):
            raise BackendError(f'{self.name} has no server after {self._discovery_timeout:g} s: '
                               'is the simulator running in this namespace?')
        done = threading.Event()
        future = self._client.call_async(request)
        future.add_done_callback(lambda _: done.set())
        if not done.wait(self._timeout):
            self._client.remove_pending_request(future)
            raise BackendError(
                f'{self.name} did not answer within {self._timeout:g} s; the simulator may '
                'be stuck or restarting; call reset again once it is back')
        return future.result()
