"""The batch services again, over a Unix socket, for an agent on the same host.

Why: an rclpy service round trip costs each side about 0.5 ms of Python
(wait sets, futures, message conversion), which with 4 envs a batch kept
PPO over ROS at about 0.7 of in-process PPO. The same request, written to a
socket and served by the same handlers under the group's callback lock,
costs a small fraction of that, while the envs, their topics, recorder and
episode bookkeeping stay exactly as they are. The DDS services stay too:
for other hosts, for ``ros2 service call`` and for agents that turn the
socket off.

The socket is in Linux's abstract namespace (no file to clean up; it lives
in the network namespace, so an agent in another container or on another
host simply cannot connect and keeps to DDS). Its name carries a random
token, announced in the envs' ``get_spec`` (``spec_json['batch_socket']``).

The frames are :mod:`rl_ros.batch_wire`'s. A frame that cannot be read
ends that connection only, with a warning; the node keeps serving.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from rclpy.executors import (
    ConditionReachedException,
    Executor,
    ShutdownException,
    TimeoutException,
)
from rclpy.impl.rcutils_logger import RcutilsLogger
from rclpy.serialization import deserialize_message, serialize_message

from rl_ros.batch_wire import ADDRESS_PREFIX, frame, read_frame, socket_address, wait_readable

#: A service type and the callback serving it, ``callback(request, response) -> response``.
Handler = tuple[type, Callable[[Any, Any], Any]]


class BatchSocketServer:
    """Serves ``handlers`` (by kind byte) on a fresh abstract socket, holding ``lock``.

    Requests run in this server's threads, holding the lock that the envs'
    executor holds for each of their callbacks (:class:`LockingExecutor`),
    so an env never steps in two threads at once. Handing each request to
    the executor instead costs a wait-set rebuild over every env's entities
    per batch, measured at about 0.5 ms with 4 envs: most of the gain.

    :param handlers: ``{b's': (StepBatch, callback), b'r': (ResetBatch, callback)}``.
    :param lock: held while a handler runs.
    :param logger: where unreadable frames are reported.
    :param after_answer: called once each answer is sent (or failed to be).
    """

    def __init__(self, handlers: Mapping[bytes, Handler], lock: threading.Lock,
                 logger: RcutilsLogger, after_answer: Callable[[], None]) -> None:
        self._handlers = dict(handlers)
        self._lock = lock
        self._after_answer = after_answer
        self._logger = logger
        self._closed = threading.Event()
        self._connections: set[socket.socket] = set()
        self.address = ADDRESS_PREFIX + uuid.uuid4().hex
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(socket_address(self.address))
        self._listener.listen()
        threading.Thread(target=self._accept, name='batch_socket', daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), name='batch_socket_client',
                             daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        self._connections.add(connection)
        try:
            with connection:
                self._exchange(connection)
        finally:
            self._connections.discard(connection)

    def _exchange(self, connection: socket.socket) -> None:
        """Answer frames until the client goes, sends garbage, or the server closes."""
        while not self._closed.is_set():
            try:
                wait_readable(connection, None)
                kind, payload = read_frame(connection)
            except OSError:
                return
            except ValueError as error:
                self._logger.warning(f'batch socket: {error}; closing that connection')
                return
            request = self._request(kind, payload)
            if request is None or not self._answer(connection, kind, request):
                return

    def _request(self, kind: bytes, payload: bytes) -> Any | None:
        if kind not in self._handlers:
            self._logger.warning(f'batch socket: unknown request kind {kind!r} (known: '
                                 f'{sorted(self._handlers)}); closing that connection')
            return None
        srv_type = self._handlers[kind][0]
        try:
            return deserialize_message(payload, srv_type.Request)
        except Exception as error:
            self._logger.warning(f'batch socket: unreadable {srv_type.__name__} request '
                                 f'({error}); closing that connection')
            return None

    def _answer(self, connection: socket.socket, kind: bytes, request: Any) -> bool:
        """Serve ``request``, send the answer, then ``after_answer``; False once closing.

        All under the lock, so that nothing else runs between the answer and
        what follows it (the publications an env group held back).
        """
        srv_type, callback = self._handlers[kind]
        with self._lock:
            if self._closed.is_set():
                return False
            response = callback(request, srv_type.Response())
            try:
                connection.sendall(frame(kind, serialize_message(response)))
            finally:
                self._after_answer()
        return True

    def close(self) -> None:
        """Stop accepting and shut every connection, so that its client hears so at once.

        Returns once no request is being served, so the envs can go after it.
        """
        self._closed.set()
        for endpoint in [self._listener, *self._connections]:
            with contextlib.suppress(OSError):
                endpoint.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            pass


class LockingExecutor(Executor):
    """A single-threaded executor that runs each callback holding ``lock``.

    rclpy's way to a custom executor (:meth:`Executor.spin_once` says so):
    the same waits as ``SingleThreadedExecutor``, with the lock around the
    callback only, never around the wait.

    :param lock: shared with the :class:`BatchSocketServer` of the same envs.
    """

    def __init__(self, lock: threading.Lock) -> None:
        super().__init__()
        self._lock = lock

    def spin_once(self, timeout_sec: float | None = None) -> None:
        """Wait for one callback and run it holding the lock; raise what it raised."""
        try:
            handler, _, _ = self.wait_for_ready_callbacks(timeout_sec=timeout_sec)
        except (ShutdownException, TimeoutException, ConditionReachedException):
            return
        with self._lock:
            handler()
        exception = handler.exception()
        if exception is not None:
            raise exception
