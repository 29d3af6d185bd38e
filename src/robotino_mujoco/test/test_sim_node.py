"""The MuJoCo sim node in its own process, driven over DDS as any ROS user would.

Each test starts a real ``robotino_mujoco.sim_node`` process on the session's
private ROS_DOMAIN_ID and talks to it only through topics and services.
"""

import math

import pytest
from geometry_msgs.msg import Twist
from nav_msgs.msg import Odometry
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import PointCloud
from std_msgs.msg import Bool

from rl_interfaces.srv import Advance, GetGroundTruth, ResetWorld, SetSimMode
from rl_ros.conversions import ranges_from_distance_sensors
from rl_testing import NodeProcess, stop_all
from rl_testing.ros import call, spin_until, wait_for_service
from robotino_description import ROBOTINO3
from robotino_mujoco.realism import DEFAULT_RANDOMISATION, IDEAL, REALISTIC
from robotino_mujoco.sim_node import PARAMETERS, SimNodeSettings

PERIOD_NS = 100_000_000


def start_sim(logs, namespace='', mode='pause', scenario='', seed=0, params=()):
    args = ['--ros-args', '-p', f'mode:={mode}', '-p', f'seed:={seed}']
    if scenario:
        args += ['-p', f'scenario:={scenario}']
    for param in params:
        args += ['-p', param]
    if namespace:
        args += ['-r', f'__ns:=/{namespace}']
    process = NodeProcess.python_module(
        f'sim_{namespace or "root"}', 'robotino_mujoco.sim_node', args, logs).start()
    process.wait_for_output('robotino sim ready', timeout=60)
    return process


class Latest:
    """Keeps the last message of a topic."""

    def __init__(self, node, msg_type, topic, depth=10):
        self.msg = None
        self.count = 0
        node.create_subscription(msg_type, topic, self._on_msg, depth)

    def _on_msg(self, msg):
        self.msg = msg
        self.count += 1


def clock_ns(msg):
    return msg.clock.sec * 1_000_000_000 + msg.clock.nanosec


def advance(node, client, periods, vx=0.0, vy=0.0, wz=0.0):
    request = Advance.Request(periods=periods)
    request.command.linear.x, request.command.linear.y, request.command.angular.z = vx, vy, wz
    response = call(node, client, request)
    assert response.success, response.message
    return response


@pytest.fixture
def paused_sim(node_logs):
    process = start_sim(node_logs, mode='pause')
    yield process
    stop_all([process])


def test_advance_moves_clock_by_exactly_n_periods(paused_sim, ros_node):
    clock = Latest(ros_node, Clock, '/clock', depth=1)
    client = ros_node.create_client(Advance, 'sim/advance')
    wait_for_service(client, 30)
    advance(ros_node, client, 1)
    spin_until(ros_node, lambda: clock.msg is not None, 10, '/clock')
    before = clock_ns(clock.msg)
    response = advance(ros_node, client, 7)
    spin_until(ros_node, lambda: clock_ns(clock.msg) == before + 7 * PERIOD_NS, 10,
               f'/clock at {before + 7 * PERIOD_NS} ns')
    assert round(response.sim_time * 1e9) == before + 7 * PERIOD_NS


def test_advance_refused_while_free_running(paused_sim, ros_node):
    mode = ros_node.create_client(SetSimMode, 'sim/set_mode')
    client = ros_node.create_client(Advance, 'sim/advance')
    wait_for_service(mode, 30)
    assert call(ros_node, mode, SetSimMode.Request(mode=SetSimMode.Request.FAST)).success
    refused = call(ros_node, client, Advance.Request(periods=1))
    assert not refused.success and 'PAUSE' in refused.message
    assert not call(ros_node, mode, SetSimMode.Request(mode=7)).success
    assert call(ros_node, mode, SetSimMode.Request(mode=SetSimMode.Request.PAUSE)).success
    assert call(ros_node, client, Advance.Request(periods=1)).success


def test_driving_into_a_wall_sets_the_bumper(node_logs, ros_node):
    sim = start_sim(node_logs, scenario='wall_test')
    try:
        bumper = Latest(ros_node, Bool, 'bumper')
        client = ros_node.create_client(Advance, 'sim/advance')
        wait_for_service(client, 30)
        response = advance(ros_node, client, 1)
        assert not response.state.bumper
        response = advance(ros_node, client, 30, vx=0.3)
        assert response.state.bumper
        spin_until(ros_node, lambda: bumper.msg is not None and bumper.msg.data, 10,
                   'bumper true')
    finally:
        sim.stop()


def test_wall_ahead_reads_on_the_front_sensor(node_logs, ros_node):
    sim = start_sim(node_logs, scenario='wall_test')
    try:
        cloud = Latest(ros_node, PointCloud, 'distance_sensors')
        client = ros_node.create_client(Advance, 'sim/advance')
        wait_for_service(client, 30)
        advance(ros_node, client, 1)
        spin_until(ros_node, lambda: cloud.msg is not None, 10, 'distance_sensors')
        assert cloud.msg.header.frame_id == 'base_link'
        ranges = ranges_from_distance_sensors(cloud.msg, ROBOTINO3.ir)
        assert ranges[0] == pytest.approx(0.15, abs=0.005)
        assert ranges[4] == pytest.approx(ROBOTINO3.ir.max_range)
    finally:
        sim.stop()


def test_reset_world_is_deterministic_over_services(paused_sim, ros_node):
    reset = ros_node.create_client(ResetWorld, 'sim/reset_world')
    client = ros_node.create_client(Advance, 'sim/advance')
    wait_for_service(reset, 30)
    runs = []
    for _ in range(2):
        world = call(ros_node, reset, ResetWorld.Request(seed=11))
        assert world.success, world.message
        states = [advance(ros_node, client, 3, vx=0.2, wz=0.5 * k).state for k in range(4)]
        runs.append([(s.x, s.y, s.yaw, tuple(s.ranges)) for s in states] +
                    [(world.ground_truth.goal_x, world.ground_truth.goal_y)])
    assert runs[0] == runs[1]
    other = call(ros_node, reset, ResetWorld.Request(seed=12))
    assert (other.ground_truth.goal_x, other.ground_truth.goal_y) != runs[0][-1]


def test_bad_world_requests_are_refused_and_the_node_keeps_serving(paused_sim, ros_node):
    reset = ros_node.create_client(ResetWorld, 'sim/reset_world')
    truth = ros_node.create_client(GetGroundTruth, 'sim/ground_truth')
    wait_for_service(reset, 30)
    for request, expected in (
        (ResetWorld.Request(seed=1, scenario='no_such_layout'), 'no_such_layout'),
        (ResetWorld.Request(seed=1, options_json='{not json'), 'JSON'),
        (ResetWorld.Request(seed=1, options_json='{"size_z": 3}'), 'size_z'),
    ):
        response = call(ros_node, reset, request)
        assert not response.success and expected in response.message
    good = call(ros_node, reset, ResetWorld.Request(seed=1, options_json='{"size_x": 6.0}'))
    assert good.success, good.message
    ground = call(ros_node, truth, GetGroundTruth.Request())
    assert ground.success and abs(ground.ground_truth.x) < 3.0


def test_cmd_vel_for_one_second_moves_odom_a_tenth_of_a_metre(node_logs, ros_node):
    sim = start_sim(node_logs, mode='realtime', scenario='empty_room')
    try:
        clock = Latest(ros_node, Clock, '/clock', depth=1)
        odom = Latest(ros_node, Odometry, 'odom')
        publisher = ros_node.create_publisher(Twist, 'cmd_vel', 10)
        spin_until(ros_node, lambda: odom.msg is not None and clock.msg is not None, 30, 'odom')
        start_x, start_ns = odom.msg.pose.pose.position.x, clock_ns(clock.msg)
        forward = Twist()
        forward.linear.x = 0.1

        def one_second_passed():
            publisher.publish(forward)
            return clock_ns(clock.msg) >= start_ns + 1_000_000_000

        spin_until(ros_node, one_second_passed, 30, '1 s of sim time with cmd_vel')
        publisher.publish(Twist())
        stop_ns = clock_ns(clock.msg)
        spin_until(ros_node, lambda: clock_ns(clock.msg) >= stop_ns + 1_000_000_000, 30,
                   'the base to settle')
        moved = odom.msg.pose.pose.position.x - start_x
        assert moved == pytest.approx(0.1, abs=0.01)
        assert odom.msg.header.frame_id == 'odom' and odom.msg.child_frame_id == 'base_link'
    finally:
        sim.stop()


def test_command_timeout_stops_the_base(node_logs, ros_node):
    sim = start_sim(node_logs, mode='realtime', scenario='empty_room')
    try:
        clock = Latest(ros_node, Clock, '/clock', depth=1)
        odom = Latest(ros_node, Odometry, 'odom')
        publisher = ros_node.create_publisher(Twist, 'cmd_vel', 10)
        spin_until(ros_node, lambda: odom.msg is not None and clock.msg is not None, 30, 'odom')
        forward = Twist()
        forward.linear.x = 0.2

        def moving():
            publisher.publish(forward)
            return odom.msg.twist.twist.linear.x > 0.15

        spin_until(ros_node, moving, 30, 'the base to move')
        last_ns = clock_ns(clock.msg)
        spin_until(ros_node, lambda: clock_ns(clock.msg) >= last_ns + 1_500_000_000, 30,
                   '1.5 s of sim time without cmd_vel')
        assert abs(odom.msg.twist.twist.linear.x) < 1e-6
        resting_x = odom.msg.pose.pose.position.x
        later_ns = clock_ns(clock.msg)
        spin_until(ros_node, lambda: clock_ns(clock.msg) >= later_ns + 500_000_000, 30,
                   'another 0.5 s')
        assert math.isclose(odom.msg.pose.pose.position.x, resting_x, abs_tol=1e-9)
    finally:
        sim.stop()


def test_two_sims_side_by_side_in_namespaces(node_logs, ros_node):
    sims = [start_sim(node_logs, namespace=f'env_{k}', seed=k) for k in range(2)]
    try:
        clients = [ros_node.create_client(Advance, f'/env_{k}/sim/advance') for k in range(2)]
        for client in clients:
            wait_for_service(client, 30)
        first = advance(ros_node, clients[0], 5, vx=0.2)
        second = advance(ros_node, clients[1], 2)
        assert round(first.sim_time, 9) == 0.5 and round(second.sim_time, 9) == 0.2
        assert first.state.x > 0.05 and second.state.x == 0.0
    finally:
        stop_all(sims)


def test_advance_for_an_earlier_world_is_refused(paused_sim, ros_node):
    reset = ros_node.create_client(ResetWorld, 'sim/reset_world')
    client = ros_node.create_client(Advance, 'sim/advance')
    wait_for_service(reset, 30)
    first = call(ros_node, reset, ResetWorld.Request(seed=1)).world_id
    second = call(ros_node, reset, ResetWorld.Request(seed=2)).world_id
    assert second == first + 1
    stale = call(ros_node, client, Advance.Request(periods=1, world_id=first))
    assert not stale.success and 'stale' in stale.message
    assert call(ros_node, client, Advance.Request(periods=1, world_id=second)).success
    assert call(ros_node, client, Advance.Request(periods=1)).success


def test_realism_parameters_pick_the_preset_and_the_randomisation():
    values = {spec.name: spec.default for spec in PARAMETERS}
    plain = SimNodeSettings.from_values(values).simulator
    assert plain.realism == IDEAL and plain.randomisation is None
    real = SimNodeSettings.from_values({**values, 'realism': 'realistic', 'randomise': True})
    assert real.simulator.realism is REALISTIC
    assert real.simulator.randomisation is DEFAULT_RANDOMISATION
    with pytest.raises(ValueError, match="ideal, realistic, got 'perfect'"):
        SimNodeSettings.from_values({**values, 'realism': 'perfect'})


def test_an_unknown_realism_preset_stops_the_node_with_a_clear_error(node_logs):
    process = NodeProcess.python_module(
        'sim_bad_realism', 'robotino_mujoco.sim_node', ['--ros-args', '-p', 'realism:=perfect'],
        node_logs).start()
    try:
        assert process.wait(60) == 2
    finally:
        process.stop()
    assert "cannot start: realism must be one of ideal, realistic, got 'perfect'" \
        in process.output()


def test_a_randomised_realistic_sim_repeats_a_seed_over_services(node_logs, ros_node):
    sim = start_sim(node_logs, params=('realism:=realistic', 'randomise:=true'))
    try:
        sim.wait_for_output('realism realistic randomised', timeout=10)
        reset = ros_node.create_client(ResetWorld, 'sim/reset_world')
        client = ros_node.create_client(Advance, 'sim/advance')
        wait_for_service(reset, 30)
        runs = []
        for seed in (11, 12, 11):
            assert call(ros_node, reset, ResetWorld.Request(seed=seed)).success
            states = [advance(ros_node, client, 2, vx=0.2, wz=0.4 * k).state for k in range(4)]
            runs.append([(s.x, s.y, s.yaw, tuple(s.ranges)) for s in states])
        assert runs[0] == runs[2] != runs[1]
    finally:
        sim.stop()
