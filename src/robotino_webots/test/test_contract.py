"""One contract, two simulators: the same topics, types, frames and ``sim/`` services.

Each backend runs as its own process on the session's private ROS domain, in
a namespace of its own, and is inspected only over DDS (the node graph,
messages, service calls); every test runs against both with the same
assertions:

- ``mujoco``: the real ``robotino_mujoco.sim_node``;
- ``webots``: the real :class:`robotino_webots.robotino_driver.RobotinoDriver`
  plugin, loaded by ``webots_double_runner.py`` as webots_ros2_driver loads
  it. TEST DOUBLE: Webots cannot run on this machine, so the runner drives
  the plugin against ``webots_double.py``, a stand-in for the Webots
  controller API (and a kinematic stand-in for Webots' physics); everything
  above that API is the code that runs in Webots. Its IR sensors are the
  PROTO's: beams 3.33 degrees off radial (ir2 .. ir9) and readings with
  Gaussian noise (0.5 %), so IR ranges are compared with tolerances.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from geometry_msgs.msg import Twist
from nav_msgs.msg import Odometry
from rclpy.node import Node
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import PointCloud
from std_msgs.msg import Bool

from rl_interfaces.srv import Advance, GetGroundTruth, ResetWorld, SetSimMode
from rl_ros.contract import ODOM_CHILD_FRAME, PUBLISHED, SERVICES, SUBSCRIBED
from rl_testing import NodeProcess, stop_all
from rl_testing.ros import call, spin_until, wait_for_service
from robotino_description import ROBOTINO3
from robotino_webots.settings import DriverSettings
from robotino_webots.urdf import build_webots_urdf

TEST_DIR = Path(__file__).resolve().parent
WORLD = TEST_DIR.parent / 'worlds' / 'robotino_arena.wbt'
RUNNER = TEST_DIR / 'webots_double_runner.py'
BACKENDS = ('mujoco', 'webots')
_ROS_INTERNAL = {'/rosout', '/parameter_events'}
_MESSAGES = {'odom': Odometry, 'distance_sensors': PointCloud, 'bumper': Bool, 'clock': Clock}


@dataclass
class Backend:
    """A simulator process and where it lives in the graph."""

    name: str
    node: str
    namespace: str
    process: NodeProcess

    def topic(self, name: str) -> str:
        return f'/{self.namespace}/{name}'


def start_backend(name: str, logs: Path) -> Backend:
    """Start one simulator, paused, in the namespace ``name``; wait until it serves."""
    if name == 'mujoco':
        process = NodeProcess.python_module(
            'sim_mujoco', 'robotino_mujoco.sim_node',
            ['--ros-args', '-p', 'mode:=pause', '-r', f'__ns:=/{name}'], logs)
        node, ready = 'robotino_sim', 'robotino sim ready'
    else:
        urdf = logs / 'robotino3_webots.urdf'
        urdf.write_text(build_webots_urdf(DriverSettings(namespace=name, mode='pause')))
        process = NodeProcess('sim_webots', [sys.executable, str(RUNNER), '--world', str(WORLD),
                                             '--urdf', str(urdf)], logs)
        node, ready = 'robotino_webots', 'robotino webots driver ready'
    process.start().wait_for_output(ready, timeout=60)
    return Backend(name, node, name, process)


@pytest.fixture(scope='module')
def simulators(ros_domain, tmp_path_factory):
    """Both backends, started on first use and stopped after the module."""
    started: dict[str, Backend] = {}

    def get(name: str) -> Backend:
        if name not in started:
            started[name] = start_backend(name, tmp_path_factory.mktemp(f'{name}_logs'))
        return started[name]

    yield get
    stop_all([backend.process for backend in started.values()])


@pytest.fixture(scope='module', params=BACKENDS)
def backend(request, simulators) -> Backend:
    return simulators(request.param)


class Latest:
    """Keeps the last message of a topic."""

    def __init__(self, node: Node, msg_type: type, topic: str) -> None:
        self.msg = None
        node.create_subscription(msg_type, topic, self._keep, 10)

    def _keep(self, msg) -> None:
        self.msg = msg


def client(node: Node, backend: Backend, srv_type: type, name: str):
    service = node.create_client(srv_type, backend.topic(name))
    wait_for_service(service, 30)
    return service


def advance(node: Node, backend: Backend, periods: int = 1, vx: float = 0.0,
            world_id: int = 0) -> Advance.Response:
    request = Advance.Request(periods=periods, world_id=world_id)
    request.command.linear.x = vx
    return call(node, client(node, backend, Advance, 'sim/advance'), request)


def reset(node: Node, backend: Backend, **fields) -> ResetWorld.Response:
    return call(node, client(node, backend, ResetWorld, 'sim/reset_world'),
                ResetWorld.Request(**fields))


def set_mode(node: Node, backend: Backend, mode: int) -> SetSimMode.Response:
    return call(node, client(node, backend, SetSimMode, 'sim/set_mode'),
                SetSimMode.Request(mode=mode))


def graph(node: Node, backend: Backend) -> tuple[dict, dict, dict]:
    """Publishers, subscriptions and ``sim/`` services of the backend's node: name -> types."""
    namespace = '/' + backend.namespace
    publishers = dict(node.get_publisher_names_and_types_by_node(backend.node, namespace))
    subscribers = dict(node.get_subscriber_names_and_types_by_node(backend.node, namespace))
    services = dict(node.get_service_names_and_types_by_node(backend.node, namespace))
    return ({k: v for k, v in publishers.items() if k not in _ROS_INTERNAL},
            {k: v for k, v in subscribers.items() if k not in _ROS_INTERNAL},
            {k: v for k, v in services.items() if '/sim/' in k})


def test_the_node_graph_shows_the_contracts_topics_and_services(backend, ros_node):
    expected = tuple({backend.topic(e.name): [e.type] for e in group}
                     for group in (PUBLISHED, SUBSCRIBED, SERVICES))

    def complete() -> bool:
        try:
            return graph(ros_node, backend) == expected
        except RuntimeError:  # rclpy's NodeNameNonExistentError: not discovered yet
            return False

    spin_until(ros_node, complete, 30, f'the contract in the graph of {backend.node}')
    assert graph(ros_node, backend) == expected


def test_messages_carry_the_contracts_frames(backend, ros_node):
    latest = {name: Latest(ros_node, msg_type, backend.topic(name))
              for name, msg_type in _MESSAGES.items()}
    assert reset(ros_node, backend, seed=2).success

    def received() -> bool:
        return all(item.msg is not None for item in latest.values())

    for _ in range(50):  # a publisher skips topics until it has seen their subscriber
        assert advance(ros_node, backend).success
        try:
            spin_until(ros_node, received, 0.2, 'one message on each topic')
            break
        except AssertionError:
            continue
    assert received()
    frames = {e.name: e.frame for e in PUBLISHED}
    odom, cloud = latest['odom'].msg, latest['distance_sensors'].msg
    assert odom.header.frame_id == frames['odom'] and odom.child_frame_id == ODOM_CHILD_FRAME
    assert cloud.header.frame_id == frames['distance_sensors']
    assert len(cloud.points) == ROBOTINO3.ir.count
    assert isinstance(latest['bumper'].msg.data, bool)
    assert latest['clock'].msg.clock.sec >= 0


def test_reset_and_advance_answer_with_the_same_shapes(backend, ros_node):
    world = reset(ros_node, backend, seed=3)
    assert world.success, world.message
    assert world.world_id >= 2 and world.message == ''
    start = world.state
    assert (start.stamp.sec, start.stamp.nanosec) == (0, 0)
    assert (start.x, start.y, start.yaw) == (0.0, 0.0, 0.0)
    assert len(start.ranges) == 9 and all(0.04 <= r <= 0.30 + 1e-6 for r in start.ranges)
    assert abs(world.ground_truth.goal_x) < 2.5 and abs(world.ground_truth.goal_y) < 2.5
    moved = advance(ros_node, backend, periods=2, vx=0.2, world_id=world.world_id)
    assert moved.success, moved.message
    assert moved.sim_time == pytest.approx(0.2, abs=1e-9)
    assert moved.state.stamp.sec == 0 and moved.state.stamp.nanosec == 200_000_000
    assert 0.0 < moved.state.x < 0.04 and len(moved.state.ranges) == 9
    truth = call(ros_node, client(ros_node, backend, GetGroundTruth, 'sim/ground_truth'),
                 GetGroundTruth.Request())
    assert truth.success
    assert (truth.ground_truth.x, truth.ground_truth.y) == pytest.approx(
        (moved.ground_truth.x, moved.ground_truth.y))
    stale = advance(ros_node, backend, world_id=world.world_id - 1)
    assert not stale.success and 'stale' in stale.message
    assert not advance(ros_node, backend, periods=0).success


def test_advance_is_refused_while_free_running(backend, ros_node):
    try:
        assert set_mode(ros_node, backend, SetSimMode.Request.FAST).success
        refused = advance(ros_node, backend)
        assert not refused.success and 'PAUSE' in refused.message
        assert not set_mode(ros_node, backend, 7).success
    finally:
        assert set_mode(ros_node, backend, SetSimMode.Request.PAUSE).success
    assert advance(ros_node, backend).success


def test_a_wall_ahead_reads_on_the_front_sensor_and_presses_the_bumper(backend, ros_node):
    world = reset(ros_node, backend, seed=0, scenario='wall_test')
    assert world.success, world.message
    assert world.state.ranges[0] == pytest.approx(0.15, abs=0.005)
    assert world.state.ranges[4] == pytest.approx(ROBOTINO3.ir.max_range)
    assert not world.state.bumper
    pushed = advance(ros_node, backend, periods=30, vx=0.3)
    assert pushed.state.bumper and pushed.ground_truth.in_collision
    assert pushed.ground_truth.collisions >= 1


def test_bad_world_requests_are_refused_and_serving_goes_on(backend, ros_node):
    for fields, named in (({'scenario': 'no_such_layout'}, 'no_such_layout'),
                          ({'options_json': '{not json'}, 'JSON'),
                          ({'options_json': '{"size_z": 3}'}, 'size_z')):
        refused = reset(ros_node, backend, seed=1, **fields)
        assert not refused.success and named in refused.message
    assert reset(ros_node, backend, seed=1, options_json='{"size_x": 6.0}').success


def test_cmd_vel_for_one_second_moves_odom_a_tenth_of_a_metre(backend, ros_node):
    assert reset(ros_node, backend, seed=0, scenario='empty_room').success
    clock = Latest(ros_node, Clock, backend.topic('clock'))
    odom = Latest(ros_node, Odometry, backend.topic('odom'))
    publisher = ros_node.create_publisher(Twist, backend.topic('cmd_vel'), 10)
    forward = Twist()
    forward.linear.x = 0.1

    def now() -> float:
        return clock.msg.clock.sec + clock.msg.clock.nanosec * 1e-9

    try:
        assert set_mode(ros_node, backend, SetSimMode.Request.REALTIME).success
        spin_until(ros_node, lambda: None not in (clock.msg, odom.msg), 30, 'clock and odom')
        start_x, start_time = odom.msg.pose.pose.position.x, now()

        def one_second_passed() -> bool:
            publisher.publish(forward)
            return now() >= start_time + 1.0

        spin_until(ros_node, one_second_passed, 30, '1 s of sim time with cmd_vel')
        publisher.publish(Twist())
        stop_time = now()
        spin_until(ros_node, lambda: now() >= stop_time + 1.0, 30, 'the base to stop')
    finally:
        assert set_mode(ros_node, backend, SetSimMode.Request.PAUSE).success
    assert odom.msg.pose.pose.position.x - start_x == pytest.approx(0.1, abs=0.015)
    assert math.isclose(odom.msg.twist.twist.linear.x, 0.0, abs_tol=1e-6)


def test_a_seed_gives_both_simulators_the_same_world(simulators, ros_node):
    worlds = [reset(ros_node, simulators(name), seed=5) for name in BACKENDS]
    assert all(world.success for world in worlds)
    mujoco, webots = (world.ground_truth for world in worlds)
    for field in ('x', 'y', 'yaw', 'goal_x', 'goal_y', 'goal_yaw'):
        assert getattr(webots, field) == pytest.approx(getattr(mujoco, field), abs=1e-6)
    # Webots' noise (about 1 mm at these ranges) and its turned beams (up to 2 cm at an
    # oblique wall) keep the ranges from being equal.
    assert list(worlds[1].state.ranges) == pytest.approx(list(worlds[0].state.ranges), abs=0.02)
