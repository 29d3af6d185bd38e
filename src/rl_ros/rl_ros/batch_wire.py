"""The wire format of the same-host batch socket, shared by its server and its clients.

A frame, both ways, is one kind byte (:data:`STEP` for ``step_batch``,
:data:`RESET` for ``reset_batch``), a 4-byte little-endian payload length,
and the request or response CDR-serialized exactly as on DDS
(``rclpy.serialization``), so the socket carries the same messages as the
services it shortcuts. Addresses are announced with a leading '@' for the
abstract namespace's NUL, as ``ss -x`` prints them.
"""

from __future__ import annotations

import os
import select
import socket
import struct
import time

#: Frame header: kind byte, payload length.
HEADER = struct.Struct('<cI')
#: Kind byte of a StepBatch request or response.
STEP = b's'
#: Kind byte of a ResetBatch request or response.
RESET = b'r'
#: Largest payload taken, bytes: a batch of hundreds of envs fits many times over.
MAX_PAYLOAD = 16 * 1024 * 1024
#: Prefix of an announced address.
ADDRESS_PREFIX = '@rl_env_batch/'
#: Seconds a waiting end polls its socket before it sleeps on it. A process
#: that sleeps between every request and answer pays a wake-up each time,
#: and on this VM that was most of what the socket still cost: measured
#: with PPO and 4 envs, interleaved, 0.79 of in-process sleeping at once and
#: 0.93 polling first. Long enough to cover the agent's own work between two
#: steps (about 0.5 ms) and a batch of a few envs; short enough that a
#: pause (PPO's epochs, SAC's gradient steps) burns only this once.
POLL_FIRST = 0.003


def socket_address(announced: str) -> str:
    """The ``bind``/``connect`` address of an announced one ('@' becomes the abstract NUL)."""
    return '\0' + announced[1:] if announced.startswith('@') else announced


def frame(kind: bytes, payload: bytes) -> bytes:
    """``payload`` framed as ``kind``."""
    return HEADER.pack(kind, len(payload)) + payload

def wait_readable(connection: socket.socket, timeout: float | None) -> bool:
    """True once ``connection`` has something to read (or was closed), within ``timeout`` s.

    Polls for :data:`POLL_FIRST` seconds (or ``timeout``, if shorter) before sleeping.
    """
    poll = POLL_FIRST if timeout is None else min(POLL_FIRST, timeout)
    end = time.perf_counter() + poll
    while time.perf_counter() < end:
        if select.select([connection], [], [], 0)[0]:
            return True
        os.sched_yield()
    remaining = None if timeout is None else timeout - poll
    return bool(select.select([connection], [], [], remaining)[0])


def read_frame(connection: socket.socket) -> tuple[bytes, bytes]:
    """One ``(kind, payload)``, read whole.

    :raises ConnectionError: when the peer closed the connection.
    :raises ValueError: for a payload over :data:`MAX_PAYLOAD`.
    """
    kind, length = HEADER.unpack(read_exactly(connection, HEADER.size))
    if length > MAX_PAYLOAD:
        raise ValueError(f'a frame of {length} bytes is over the {MAX_PAYLOAD} taken')
    return kind, read_exactly(connection, length)


def read_exactly(connection: socket.socket, size: int) -> bytes:
    """``size`` bytes; ConnectionError when the peer closes first."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    while view:
        received = connection.recv_into(view)
        if not received:
            raise ConnectionError('the peer closed the batch socket')
        view = view[received:]
    return bytes(buffer)
