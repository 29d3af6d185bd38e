"""The client end of an env group's same-host batch socket.

An env group announces it in its envs' ``get_spec`` (``spec_json['batch_socket']``);
:meth:`BatchSocket.connect` returns None where it cannot be reached (another
host, another container's network namespace), and the batch is then stepped
over its DDS services. A request sent returns a :class:`SocketAnswer`, which
:meth:`~rl_env_client.env_client.EnvClientSession.wait` collects beside
rclpy futures, under the same timeout and stop rules.
"""

from __future__ import annotations

import socket
from typing import Any

from rclpy.serialization import deserialize_message, serialize_message

from rl_env_client.errors import RemoteEnvError
from rl_ros.batch_wire import frame, read_frame, socket_address, wait_readable


class BatchSocket:
    """One connection to a batch socket; answers come back in the order asked.

    :param connection: a connected Unix stream socket.
    :param address: the announced address, for messages.
    """

    def __init__(self, connection: socket.socket, address: str) -> None:
        self._connection = connection
        self.address = address

    @classmethod
    def connect(cls, address: str) -> BatchSocket | None:
        """Connect to the announced ``address``; None when it is not on this host."""
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.connect(socket_address(address))
        except OSError:
            connection.close()
            return None
        return cls(connection, address)

    def send(self, kind: bytes, request: Any, response_type: type) -> SocketAnswer:
        """Send ``request`` as ``kind``; its answer, to be waited for.

        :raises RemoteEnvError: when the env group closed the socket.
        """
        try:
            self._connection.sendall(frame(kind, serialize_message(request)))
        except OSError as error:
            raise RemoteEnvError(f'the batch socket {self.address} is gone ({error}): '
                                 'did its env group stop?') from None
        return SocketAnswer(self, kind, response_type)

    def receive(self, kind: bytes, response_type: type, timeout: float) -> Any | None:
        """The next answer, if one comes within ``timeout`` seconds; else None.

        :raises RemoteEnvError: when the env group closed the socket, or
            answered with another kind than asked.
        """
        if not wait_readable(self._connection, timeout):
            return None
        try:
            answered, payload = read_frame(self._connection)
        except (ConnectionError, ValueError) as error:
            raise RemoteEnvError(f'the batch socket {self.address} broke off ({error}): '
                                 'did its env group stop?') from None
        if answered != kind:
            raise RemoteEnvError(f'the batch socket {self.address} answered {answered!r} '
                                 f'to a {kind!r} request')
        return deserialize_message(payload, response_type)

    def close(self) -> None:
        """Close the connection; the env group keeps serving."""
        self._connection.close()


class SocketAnswer:
    """An answer still to come on a :class:`BatchSocket`, shaped like an rclpy future."""

    def __init__(self, batch_socket: BatchSocket, kind: bytes, response_type: type) -> None:
        self._socket = batch_socket
        self._kind = kind
        self._response_type = response_type
        self._response: Any | None = None

    def poll(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the answer (see :meth:`BatchSocket.receive`)."""
        if self._response is None:
            self._response = self._socket.receive(self._kind, self._response_type, timeout)

    def done(self) -> bool:
        """True once the answer came."""
        return self._response is not None

    def result(self) -> Any:
        """The response (None until :meth:`done`)."""
        return self._response
