"""What only the Webots plugin does: queued jobs, the restart every K resets, start-up errors.

The plugin runs in its own process, loaded by ``webots_double_runner.py``
as webots_ros2_driver loads it, and is driven over DDS. TEST DOUBLE:
Webots cannot run here; ``webots_double.py`` replaces the Webots
controller API (see its docstring).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rclpy.executors import SingleThreadedExecutor

from rl_interfaces.srv import Advance, ResetWorld
from rl_testing import NodeProcess, stop_all
from rl_testing.ros import call, wait_for_service
from robotino_webots.settings import DriverSettings
from robotino_webots.urdf import build_webots_urdf

TEST_DIR = Path(__file__).resolve().parent
WORLD = TEST_DIR.parent / 'worlds' / 'robotino_arena.wbt'
RUNNER = TEST_DIR / 'webots_double_runner.py'


def start_plugin(logs: Path, name: str, urdf_text: str, ready: bool = True) -> NodeProcess:
    urdf = logs / f'{name}.urdf'
    urdf.write_text(urdf_text)
    process = NodeProcess(name, [sys.executable, str(RUNNER), '--world', str(WORLD),
                                 '--urdf', str(urdf)], logs).start()
    if ready:
        process.wait_for_output('robotino webots driver ready', timeout=60)
    return process


def test_concurrent_advances_are_served_in_order(node_logs, ros_node):
    plugin = start_plugin(node_logs, 'queue', build_webots_urdf(
        DriverSettings(namespace='queue', mode='pause')))
    try:
        reset = ros_node.create_client(ResetWorld, '/queue/sim/reset_world')
        client = ros_node.create_client(Advance, '/queue/sim/advance')
        wait_for_service(client, 30)
        assert call(ros_node, reset, ResetWorld.Request(seed=4)).success
        executor = SingleThreadedExecutor(context=ros_node.context)
        executor.add_node(ros_node)
        futures = [client.call_async(Advance.Request(periods=periods)) for periods in (3, 1, 2)]
        for future in futures:
            executor.spin_until_future_complete(future, timeout_sec=30)
        executor.remove_node(ros_node)
        executor.shutdown()
        assert [round(f.result().sim_time, 9) for f in futures] == [0.3, 0.4, 0.6]
    finally:
        stop_all([plugin])


def test_the_reset_after_the_kth_is_refused_and_webots_reloads(node_logs, ros_node):
    plugin = start_plugin(node_logs, 'restart', build_webots_urdf(
        DriverSettings(namespace='restart', mode='pause', restart_every_resets=2)))
    reset = ros_node.create_client(ResetWorld, '/restart/sim/reset_world')
    wait_for_service(reset, 30)
    try:
        for seed in (1, 2):
            assert call(ros_node, reset, ResetWorld.Request(seed=seed)).success
        refused = call(ros_node, reset, ResetWorld.Request(seed=3))
        assert not refused.success and 'reloading' in refused.message
        assert plugin.wait(timeout=30) == 0, plugin.output()
        assert 'reloading the Webots world' in plugin.output()
    finally:
        stop_all([plugin])


@pytest.mark.parametrize('default,broken,named', [
    ('<mode>realtime</mode>', '<mode>sideways</mode>', 'mode'),
    ('<seed>0</seed>', '<seed>0</seed><scenario>no_such_layout</scenario>', 'no_such_layout'),
    ('<control_period>0.1<', '<control_period>0.105<', 'basicTimeStep'),
])
def test_a_plugin_that_cannot_start_says_why_and_exits_2(node_logs, default, broken, named):
    urdf = build_webots_urdf()
    assert default in urdf
    plugin = start_plugin(node_logs, 'broken', urdf.replace(default, broken), ready=False)
    try:
        assert plugin.wait(timeout=60) == 2
        assert 'cannot start' in plugin.output() and named in plugin.output()
    finally:
        plugin.stop()
