"""The deployed agent takes goals the ROS way, over DDS, against a MuJoCo robot stand-in.

A MuJoCo sim node in realtime mode plays the robot (the driver's topics on
the wall clock), an env node in real mode serves it, and the agent node in
deploy mode runs a TorchScript policy that heads straight for the goal
(``rl_testing.policies``, hand-written, so that "reached" does not depend
on a training run). This test process is the user: an rclpy action client, a ``goal_pose``
publisher as RViz's "2D Goal Pose" tool, and a ``cmd_vel`` listener.
"""

from __future__ import annotations

import math
import time

import pytest
from action_msgs.msg import GoalStatus
from geometry_msgs.msg import PoseStamped, Twist
from rclpy.action import ActionClient
from rclpy.executors import SingleThreadedExecutor

from rl_interfaces.action import NavigateToGoal
from rl_testing import NodeProcess, stop_all
from rl_testing.policies import save_head_for_goal

NAMESPACE = 'robot'


@pytest.fixture(scope='module')
def controller(tmp_path_factory):
    return save_head_for_goal(tmp_path_factory.mktemp('policy') / 'head_for_goal.pt')


@pytest.fixture
def deployed(ros_domain, node_logs, controller):
    robot = NodeProcess.python_module(
        'stand_in', 'robotino_mujoco.sim_node',
        ['--ros-args', '-r', f'__ns:=/{NAMESPACE}', '-p', 'mode:=realtime',
         '-p', 'scenario:=empty_room'], node_logs).start()
    env = NodeProcess.python_module(
        'real_env', 'rl_env_node.env_node',
        ['--ros-args', '-r', f'__ns:=/{NAMESPACE}', '-p', 'mode:=real',
         '-p', 'max_episode_steps:=150'], node_logs).start()
    agent = NodeProcess.python_module(
        'deploy_agent', 'rl_agent_node.agent_node',
        ['--ros-args', '-p', 'mode:=deploy', '-p', f'model:={controller}',
         '-p', f'env:={NAMESPACE}', '-p', 'episodes:=5'], node_logs).start()
    processes = [robot, env, agent]
    try:
        agent.wait_for_output('send goals', timeout=90)
        yield agent
    finally:
        stop_all(processes)


def spin_until(node, future, timeout):
    executor = SingleThreadedExecutor(context=node.context)
    executor.add_node(node)
    try:
        executor.spin_until_future_complete(future, timeout_sec=timeout)
    finally:
        executor.remove_node(node)
    assert future.done(), f'no answer within {timeout} s'
    return future.result()


def spin_while(node, condition, timeout):
    executor = SingleThreadedExecutor(context=node.context)
    executor.add_node(node)
    deadline = time.monotonic() + timeout
    try:
        while condition():
            assert time.monotonic() < deadline, f'still waiting after {timeout} s'
            executor.spin_once(timeout_sec=0.1)
    finally:
        executor.remove_node(node)


def pose(x, y, frame='odom'):
    msg = PoseStamped()
    msg.header.frame_id = frame
    msg.pose.position.x, msg.pose.position.y = x, y
    return msg


def test_goals_by_action_and_topic_cancel_preempt_and_a_wrong_frame(deployed, ros_node):
    client = ActionClient(ros_node, NavigateToGoal, '/navigate_to_goal')
    assert client.wait_for_server(timeout_sec=30)
    twists = []
    ros_node.create_subscription(Twist, f'/{NAMESPACE}/cmd_vel',
                                 lambda msg: twists.append((time.monotonic(), msg)), 50)

    # A goal 1 m ahead and 0.5 m left is reached, with feedback on the way.
    feedback = []
    handle = spin_until(ros_node, client.send_goal_async(
        NavigateToGoal.Goal(pose=pose(1.0, 0.5)),
        feedback_callback=lambda msg: feedback.append(msg.feedback)), 10)
    assert handle.accepted
    reached = spin_until(ros_node, handle.get_result_async(), 60).result
    assert reached.outcome == NavigateToGoal.Result.REACHED, reached.message
    assert reached.distance_remaining <= 0.2 and reached.steps == len(feedback) > 5
    assert feedback[0].distance_remaining > feedback[-1].distance_remaining
    assert math.isclose(feedback[0].distance_remaining, math.hypot(1.0, 0.5), abs_tol=0.15)

    # A goal in another frame is refused: the agent does no transforms.
    refused = spin_until(ros_node, client.send_goal_async(
        NavigateToGoal.Goal(pose=pose(0.0, 0.0, frame='map'))), 10)
    assert not refused.accepted

    # A cancel stops the base: the zero twist is out before the cancel's result.
    feedback.clear()
    handle = spin_until(ros_node, client.send_goal_async(
        NavigateToGoal.Goal(pose=pose(-1.5, 0.0)),
        feedback_callback=lambda msg: feedback.append(msg.feedback)), 10)
    spin_while(ros_node, lambda: len(feedback) < 3, 30)
    spin_until(ros_node, handle.cancel_goal_async(), 10)
    cancelled = spin_until(ros_node, handle.get_result_async(), 10).result
    assert cancelled.outcome == NavigateToGoal.Result.CANCELLED, cancelled.message
    assert any(msg.linear.x < -0.1 for _, msg in twists)   # it was driving to -x
    last = twists[-1][1]
    assert (last.linear.x, last.linear.y, last.angular.z) == (0.0, 0.0, 0.0)

    # A newer goal preempts the one under way, which is aborted, and is driven to at once.
    feedback.clear()
    first = spin_until(ros_node, client.send_goal_async(
        NavigateToGoal.Goal(pose=pose(-1.5, 0.0)),
        feedback_callback=lambda msg: feedback.append(msg.feedback)), 10)
    spin_while(ros_node, lambda: len(feedback) < 2, 30)
    second = spin_until(ros_node, client.send_goal_async(
        NavigateToGoal.Goal(pose=pose(0.0, 0.0))), 10)
    preempted = spin_until(ros_node, first.get_result_async(), 10)
    assert preempted.status == GoalStatus.STATUS_ABORTED
    assert preempted.result.outcome == NavigateToGoal.Result.CANCELLED
    assert preempted.result.message == 'preempted by a newer goal'
    back = spin_until(ros_node, second.get_result_async(), 60).result
    assert back.outcome == NavigateToGoal.Result.REACHED, back.message

    # RViz's "2D Goal Pose": a goal on the topic is driven to as well.
    publisher = ros_node.create_publisher(PoseStamped, '/goal_pose', 1)
    deadline = time.monotonic() + 10
    while publisher.get_subscription_count() < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    publisher.publish(pose(0.5, -0.5, frame=f'{NAMESPACE}/odom'))   # a driver's tf_prefix
    # The fifth goal ended (the refused one never started): the agent, told to serve 5, ends.
    assert deployed.wait(90) == 0, deployed.output()
    output = deployed.output()
    assert output.count('goal reached') == 3 and 'goal_pose: x 0.50 m, y -0.50 m' in output
    assert 'deploy ended after 5 goals' in output
