"""``./rl deploy --robot sim`` as a user runs it: goals by action and topic, then Ctrl-C.

``./rl`` itself (the repository's script: set-up check, then the CLI) starts
the launcher, which starts a MuJoCo stand-in for the robot (realtime, ``realistic``
imperfections), the env node in real mode and the agent in deploy mode, all
in the namespace ``robotino``; the policy is ``rl_testing.policies``'s
hand-written one, which heads for the goal, so "reached" tests the plumbing
and not a training run. This test process is the user's rclpy client and
RViz's "2D Goal Pose" publisher.
"""

from __future__ import annotations

import signal
import time

import pytest
from geometry_msgs.msg import PoseStamped, Twist
from rclpy.action import ActionClient
from rclpy.executors import SingleThreadedExecutor

from rl_interfaces.action import NavigateToGoal
from rl_testing import NodeProcess
from rl_testing.policies import save_head_for_goal
from rl_testing.ros2_cli import repository_root


@pytest.fixture
def deployment(ros_domain, node_logs, tmp_path):
    policy = save_head_for_goal(tmp_path / 'head_for_goal.pt')
    process = NodeProcess(
        'rl_deploy', [str(repository_root() / 'rl'), 'deploy', str(policy), '--robot', 'sim',
                      '--namespace', 'robotino', '--scenario', 'empty_room'], node_logs).start()
    try:
        process.wait_for_output('send goals', timeout=90)
        yield process
    finally:
        process.stop()


class User:
    """An rclpy action client and goal publisher, spun on demand."""

    def __init__(self, node) -> None:
        self.node = node
        self.executor = SingleThreadedExecutor(context=node.context)
        self.executor.add_node(node)
        self.client = ActionClient(node, NavigateToGoal, '/robotino/navigate_to_goal')
        self.goal_pose = node.create_publisher(PoseStamped, '/robotino/goal_pose', 1)
        self.twists: list[Twist] = []
        node.create_subscription(Twist, '/robotino/cmd_vel', self.twists.append, 50)

    def wait(self, future, timeout):
        self.executor.spin_until_future_complete(future, timeout_sec=timeout)
        assert future.done(), f'no answer within {timeout} s'
        return future.result()

    def spin_for(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.executor.spin_once(timeout_sec=0.05)

    def spin_while(self, condition, timeout):
        deadline = time.monotonic() + timeout
        while condition():
            assert time.monotonic() < deadline, f'still waiting after {timeout} s'
            self.executor.spin_once(timeout_sec=0.1)


def odom_pose(x, y):
    msg = PoseStamped()
    msg.header.frame_id = 'odom'
    msg.pose.position.x, msg.pose.position.y = x, y
    return msg


def test_rl_deploy_sim_reaches_goals_from_the_action_and_the_topic_and_stops_on_ctrl_c(
        deployment, ros_node):
    user = User(ros_node)
    assert user.client.wait_for_server(timeout_sec=30)
    handle = user.wait(user.client.send_goal_async(NavigateToGoal.Goal(pose=odom_pose(1.0, 0.5))),
                       10)
    reached = user.wait(handle.get_result_async(), 90).result
    assert reached.outcome == NavigateToGoal.Result.REACHED, reached.message

    user.spin_while(lambda: user.goal_pose.get_subscription_count() < 1, 10)
    user.goal_pose.publish(odom_pose(0.0, 0.0))
    deployment.wait_for_output('goal_pose: x 0.00 m, y 0.00 m', timeout=10)
    user.spin_while(lambda: deployment.output().count('goal reached') < 2, 90)

    # Ctrl-C while driving: the agent stops the base before anything else ends.
    feedback = []
    user.wait(user.client.send_goal_async(NavigateToGoal.Goal(pose=odom_pose(-1.5, 0.0)),
                                          feedback_callback=feedback.append), 10)
    user.spin_while(lambda: len(feedback) < 5, 30)
    deployment.send_signal(signal.SIGINT)
    assert deployment.wait(60) == 0, deployment.output()
    user.spin_for(1.0)   # the last cmd_vel messages reach this process
    output = deployment.output()
    assert 'goal cancelled: the agent is stopping' in output
    assert 'deploy ended after 3 goals' in output
    assert any(abs(msg.linear.x) > 0.1 for msg in user.twists)   # it had been driving
    last = user.twists[-1]
    assert (last.linear.x, last.linear.y, last.angular.z) == (0.0, 0.0, 0.0)
