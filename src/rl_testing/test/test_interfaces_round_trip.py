"""Every rl_interfaces type imports and crosses a real DDS link between two processes.

It lives here rather than in rl_interfaces because rl_testing depends on
rl_interfaces (for the echo server), not the other way round. The echo
server runs as its own process on this session's private ROS_DOMAIN_ID;
each answer is a function of the request, so a field lost in either
direction fails its assertion.
"""

import math

import pytest

from rl_interfaces.msg import EpisodeStats, GroundTruth, RobotState, Transition
from rl_interfaces.srv import (
    Advance,
    GetGroundTruth,
    GetSpec,
    Reset,
    ResetWorld,
    SetSimMode,
    Step,
)
from rl_ros.contract import (
    ADVANCE,
    EPISODE_STATS,
    GET_SPEC,
    GROUND_TRUTH,
    RESET,
    RESET_WORLD,
    SET_MODE,
    STEP,
    TRANSITIONS,
)
from rl_testing import NodeProcess
from rl_testing.ros import call, spin_until, wait_for_service


@pytest.fixture(scope='module')
def echo_server(ros_domain, tmp_path_factory):
    logs = tmp_path_factory.mktemp('echo_logs')
    process = NodeProcess.python_module('echo_server', 'rl_testing.echo_server', [], logs).start()
    try:
        process.wait_for_output('echo server ready', timeout=30)
        yield process
    finally:
        process.stop()


def _client(node, srv_type, name):
    client = node.create_client(srv_type, name)
    wait_for_service(client, timeout=20)
    return client


def test_reset_round_trip(echo_server, ros_node):
    response = call(ros_node, _client(ros_node, Reset, RESET.name),
                    Reset.Request(seed=42, options_json='{"a": 1}'))
    assert response.success
    assert response.message == '{"a": 1}'
    assert list(response.observation) == [42.0, 42.0, 42.0]
    assert response.info_json == '{"seed": 42}'


def test_step_round_trip(echo_server, ros_node):
    client = _client(ros_node, Step, STEP.name)
    response = call(ros_node, client, Step.Request(action=[0.25, -0.5, 1.0]))
    assert list(response.observation) == [0.5, -1.0, 2.0]
    assert math.isclose(response.reward, 0.75)
    assert response.truncated and not response.terminated
    response = call(ros_node, client, Step.Request(action=[0.5, 0.5]))
    assert response.terminated and not response.truncated


def test_get_spec_round_trip(echo_server, ros_node):
    response = call(ros_node, _client(ros_node, GetSpec, GET_SPEC.name), GetSpec.Request())
    assert response.task == 'echo'
    assert list(response.observation_shape) == [4]
    assert list(response.action_high) == [0.5, 0.5, 0.5]
    assert response.max_episode_steps == 200
    assert math.isclose(response.control_period, 0.1)


def test_sim_services_round_trip(echo_server, ros_node):
    world = call(ros_node, _client(ros_node, ResetWorld, RESET_WORLD.name),
                 ResetWorld.Request(seed=5, scenario='', options_json='{}'))
    assert world.success and world.ground_truth.goal_x == 5.0
    assert world.ground_truth.goal_y == 2.0 and len(world.state.ranges) == 9
    unknown = call(ros_node, _client(ros_node, ResetWorld, RESET_WORLD.name),
                   ResetWorld.Request(seed=5, scenario='unknown'))
    assert not unknown.success and unknown.message == 'no such scenario'

    request = Advance.Request(periods=3)
    request.command.linear.x = 0.75
    request.command.linear.y = -0.125
    request.command.angular.z = 0.5
    advanced = call(ros_node, _client(ros_node, Advance, ADVANCE.name), request)
    assert advanced.success and math.isclose(advanced.sim_time, 0.3)
    assert advanced.state.stamp.sec == 3
    assert (advanced.state.vx, advanced.state.vy, advanced.state.wz) == (0.75, -0.125, 0.5)
    assert advanced.state.bumper
    assert len(advanced.state.ranges) == 9

    mode = _client(ros_node, SetSimMode, SET_MODE.name)
    assert call(ros_node, mode, SetSimMode.Request(mode=SetSimMode.Request.FAST)).success
    refused = call(ros_node, mode, SetSimMode.Request(mode=9))
    assert not refused.success and 'unknown mode 9' in refused.message

    truth = call(ros_node, _client(ros_node, GetGroundTruth, GROUND_TRUTH.name),
                 GetGroundTruth.Request())
    assert truth.ground_truth.in_collision and truth.ground_truth.collisions == 7


@pytest.mark.parametrize('msg_type,topic', [
    (Transition, TRANSITIONS.name), (EpisodeStats, EPISODE_STATS.name),
])
def test_messages_round_trip(echo_server, ros_node, msg_type, topic):
    received = []
    ros_node.create_subscription(msg_type, f'{topic}_out', received.append, 10)
    publisher = ros_node.create_publisher(msg_type, f'{topic}_in', 10)
    message = msg_type(env_namespace='/env_3', episode_id=11)
    message.header.stamp.sec = 12
    if msg_type is Transition:
        message.observation = [0.5, 1.5]
        message.action = [0.1, 0.0, -0.1]
        message.reward = -0.25
        message.truncated = True
    else:
        message.episode_return = 3.5
        message.length = 120
        message.success = True
        message.sim_duration = 12.0

    def delivered():
        publisher.publish(message)
        return bool(received)

    spin_until(ros_node, delivered, timeout=20, what=f'{topic} echoed back')
    assert received[0] == message


def test_nested_messages_have_commented_defaults():
    state = RobotState()
    truth = GroundTruth()
    assert list(state.ranges) == [] and state.bumper is False
    assert truth.collisions == 0 and truth.in_collision is False
