"""The batch socket's frames, over a real socket pair."""

import socket

import pytest

from rl_ros.batch_wire import (
    HEADER,
    MAX_PAYLOAD,
    STEP,
    frame,
    read_frame,
    socket_address,
    wait_readable,
)


@pytest.fixture
def pair():
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    yield left, right
    left.close()
    right.close()


def test_a_frame_comes_back_whole_even_when_it_arrives_in_pieces(pair):
    left, right = pair
    payload = bytes(range(256)) * 300
    framed = frame(STEP, payload)
    for start in range(0, len(framed), 7001):
        left.sendall(framed[start:start + 7001])
    assert wait_readable(right, 1.0)
    assert read_frame(right) == (STEP, payload)


def test_waiting_ends_at_the_timeout_when_nothing_comes(pair):
    assert not wait_readable(pair[1], 0.01)


def test_a_peer_that_closes_mid_frame_is_a_connection_error(pair):
    left, right = pair
    left.sendall(frame(STEP, b'abcdef')[:-2])
    left.close()
    with pytest.raises(ConnectionError):
        read_frame(right)


def test_an_oversized_frame_is_refused_before_it_is_read(pair):
    left, right = pair
    left.sendall(HEADER.pack(STEP, MAX_PAYLOAD + 1))
    with pytest.raises(ValueError, match='over the'):
        read_frame(right)


def test_an_announced_address_names_the_abstract_namespace():
    assert socket_address('@rl_env_batch/ab12') == '\0rl_env_batch/ab12'
    assert socket_address('/run/x.sock') == '/run/x.sock'
