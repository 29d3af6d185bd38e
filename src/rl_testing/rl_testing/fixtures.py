"""pytest fixtures for real multi-process ROS 2 tests.

Use from a package's ``test/conftest.py`` with
``pytest_plugins = ['rl_testing.fixtures']``. The session claims a private
ROS_DOMAIN_ID before anything touches rclpy, and keeps discovery on this host.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rl_testing.domain import private_domain
from rl_testing.ros2_cli import Ros2Cli, Ros2CliUnavailable, find_ros2_cli


@pytest.fixture(scope='session', autouse=True)
def ros_domain() -> Iterator[int]:
    """The session's private domain id, exported for this process and its children."""
    with private_domain() as domain_id:
        yield domain_id


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


@pytest.fixture(scope='session')
def ros2_cli(ros_domain: int) -> Ros2Cli:
    """The ROS 2 command line; the test is skipped, saying why, where there is none."""
    try:
        return find_ros2_cli()
    except Ros2CliUnavailable as reason:
        pytest.skip(str(reason))
