"""What only the Webots plugin does: queued jobs, restarts every K resets, shutdown, failed starts.

The plugin runs in its own process, loaded by ``webots_double_runner.py``
as webots_ros2_driver loads it (its signal handling, loop and exception
printing included), and is driven over DDS. TEST DOUBLE: Webots cannot run
here; ``webots_double.py`` replaces the Webots controller API (see its
docstring). What Webots holds after the controller left is the runner's
exit report: the steps computed and the wheel set-points.
"""

from __future__ import annotations

import ast
import re
import signal
import sys
import time
from pathlib import Path

import pytest
from rclpy.executors import SingleThreadedExecutor
from webots_double_runner import EXIT_REPORT

from rl_interfaces.srv import Advance, ResetWorld
from rl_testing import NodeProcess, stop_all
from rl_testing.ros import call, wait_for_service
from robotino_webots.settings import DriverSettings
from robotino_webots.urdf import build_webots_urdf

TEST_DIR = Path(__file__).resolve().parent
WORLD = TEST_DIR.parent / 'worlds' / 'robotino_arena.wbt'
RUNNER = TEST_DIR / 'webots_double_runner.py'
LEFT_MOVING = ('7.5', '-7.5', '3.0')
"""Wheel set-points (rad/s) an earlier controller left in Webots."""


def start_plugin(logs: Path, name: str, urdf_text: str, ready: bool = True,
                 wheel_speeds: tuple[str, ...] = ('0', '0', '0')) -> NodeProcess:
    urdf = logs / f'{name}.urdf'
    urdf.write_text(urdf_text)
    process = NodeProcess(name, [sys.executable, str(RUNNER), '--world', str(WORLD),
                                 '--urdf', str(urdf), '--wheel-speeds', *wheel_speeds],
                          logs).start()
    if ready:
        process.wait_for_output('robotino webots driver ready', timeout=60)
    return process


def exit_report(process: NodeProcess) -> tuple[int, list[float], float]:
    """Once the controller left: the steps Webots computed, the wheel set-points it holds, and
    the fastest set-point any of those steps ran with."""
    match = re.search(rf'{EXIT_REPORT} after (\d+) steps; wheel set-points (\[.*\]); '
                      r'fastest (\S+)', process.output())
    assert match, process.output()
    return int(match.group(1)), ast.literal_eval(match.group(2)), float(match.group(3))


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


@pytest.mark.parametrize('signum', [signal.SIGINT, signal.SIGTERM], ids=['SIGINT', 'SIGTERM'])
def test_a_signal_ends_the_driver_with_the_wheels_stopped_in_webots(node_logs, ros_node, signum):
    """TEST DOUBLE: Ctrl-C and SIGTERM both end the driver through its own exit path."""
    plugin = start_plugin(node_logs, 'signal', build_webots_urdf(
        DriverSettings(namespace='signal', mode='pause')))
    try:
        reset = ros_node.create_client(ResetWorld, '/signal/sim/reset_world')
        advance = ros_node.create_client(Advance, '/signal/sim/advance')
        wait_for_service(advance, 30)
        assert call(ros_node, reset, ResetWorld.Request(seed=0, scenario='empty_room')).success
        request = Advance.Request(periods=3)
        request.command.linear.x = 0.3
        moving = call(ros_node, advance, request)
        assert moving.success and moving.state.vx > 0.1   # held in PAUSE with the wheels turning
        plugin.send_signal(signum)
        # The 2 s, a generous bound: here the driver is gone in about 0.2 s (one hold
        # wait of 0.1 s, the last step, ROS's shutdown).
        assert plugin.wait(timeout=2.0) == 0, plugin.output()
    finally:
        plugin.stop()
    _, wheels, fastest = exit_report(plugin)
    assert wheels == [0.0, 0.0, 0.0] and fastest > 1.0, plugin.output()
    assert 'ROS has shut down: the wheels are stopped' in plugin.output()
    assert 'Traceback' not in plugin.output()


@pytest.mark.parametrize('default,broken,named', [
    ('<mode>realtime</mode>', '<mode>sideways</mode>', 'mode'),
    ('<seed>0</seed>', '<seed>0</seed><scenario>no_such_layout</scenario>', 'no_such_layout'),
    ('<control_period>0.1<', '<control_period>0.105<', 'basicTimeStep'),
    ('<seed>0</seed>', '<seed>0</seed><namespace>env 0</namespace>', 'InvalidNamespace'),
])
def test_a_plugin_that_cannot_start_says_why_once_and_stops_the_wheels(
        node_logs, default, broken, named):
    """TEST DOUBLE: a failed start is one fatal line, stopped wheels and an idle driver."""
    urdf = build_webots_urdf()
    assert default in urdf
    plugin = start_plugin(node_logs, 'broken', urdf.replace(default, broken), ready=False,
                          wheel_speeds=LEFT_MOVING)
    try:
        plugin.wait_for_output('cannot start', timeout=60)
        time.sleep(0.5)   # lets Webots step the idle plugin; the count below is what is checked
        assert plugin.poll() is None, plugin.output()   # no exit, so no restart loop
        plugin.send_signal(signal.SIGINT)
        assert plugin.wait(timeout=30) == 0, plugin.output()
    finally:
        plugin.stop()
    output = plugin.output()
    fatal = [line for line in output.splitlines() if '[FATAL]' in line]
    assert len(fatal) == 1, output
    assert fatal[0].endswith('the wheels are stopped and the plugin stays idle'), output
    assert 'cannot start' in fatal[0] and named in fatal[0]
    assert 'Traceback' not in output
    steps, wheels, fastest = exit_report(plugin)
    assert steps > 0 and fastest == 0.0 and wheels == [0.0, 0.0, 0.0], output
