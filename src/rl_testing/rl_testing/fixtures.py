"""pytest fixtures for real multi-process ROS 2 tests.

Use from a package's ``test/conftest.py`` with
``pytest_plugins = ['rl_testing.fixtures']``. The session claims a private
ROS_DOMAIN_ID before anything touches rclpy, and keeps discovery on this host.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from rl_testing.domain import reserve_domain_id


@pytest.fixture(scope='session', autouse=True)
def ros_domain() -> Iterator[int]:
    """The session's private domain id, exported for this process and its children."""
    reservation = reserve_domain_id()
    previous = {k: os.environ.get(k) for k in ('ROS_DOMAIN_ID', 'ROS_AUTOMATIC_DISCOVERY_RANGE')}
    os.environ['ROS_DOMAIN_ID'] = str(reservation.domain_id)
    os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
    try:
        yield reservation.domain_id
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reservation.release()


@pytest.fixture
def ros_node(ros_domain: int, request: pytest.FixtureRequest) -> Iterator[object]:
    """An rclpy node in a fresh context of its own, torn down after the test."""
    import rclpy
    from rclpy.context import Context

    context = Context()
    rclpy.init(context=context)
    name = 'test_' + request.node.name.split('[')[0][:40]
    node = rclpy.create_node(name, context=context)
    try:
        yield node
    finally:
        node.destroy_node()
        context.try_shutdown()


@pytest.fixture
def node_logs(tmp_path: Path) -> Path:
    """Folder for the log files of the node processes a test starts."""
    folder = tmp_path / 'node_logs'
    folder.mkdir()
    return folder
