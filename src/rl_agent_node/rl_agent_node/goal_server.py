"""The deploy mode's goal interfaces on the agent node: an action and RViz's goal topic.

- ``navigate_to_goal`` (``rl_interfaces/action/NavigateToGoal``, in the spirit
  of Nav2's ``NavigateToPose``): goal a ``PoseStamped`` in ``odom``; feedback
  every control period with the distance left and the time elapsed; result
  reached, collision, timed out, cancelled or failed. A cancel stops the base
  at once; a newer goal preempts (aborts) the current one.
- ``goal_pose`` (``geometry_msgs/PoseStamped``), what RViz's "2D Goal Pose"
  tool publishes: a new episode toward it, preempting any goal under way.

Both hand the goal to :class:`~rl_agent_node.navigation.GoalNavigator`; the
callbacks run in a reentrant group on a multi-threaded executor, so a goal
that drives for seconds leaves cancels, new goals and parameters served.
Goals in another frame are refused: the agent does no transforms.
"""

from __future__ import annotations

import threading

from geometry_msgs.msg import PoseStamped
from rclpy.action import ActionServer, CancelResponse, GoalResponse
from rclpy.action.server import ServerGoalHandle
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy

from rl_agent_node.navigation import (
    Goal,
    GoalNavigator,
    GoalProgress,
    GoalResult,
    Outcome,
    checked_goal,
)
from rl_interfaces.action import NavigateToGoal
from rl_ros.contract import GOAL_POSE, NAVIGATE_TO_GOAL, ODOM
from rl_ros.conversions import duration_from_seconds, planar_pose

#: The action's name, in the agent node's namespace.
ACTION = NAVIGATE_TO_GOAL.name
#: RViz's "2D Goal Pose" topic.
GOAL_TOPIC = GOAL_POSE.name
#: Reliable, depth 1: RViz publishes its goals reliably; only the newest matters.
GOAL_TOPIC_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE)


class GoalServer:
    """The action server and the goal topic of ``node``, driving ``navigator``.

    :param node: the agent node.
    :param navigator: runs the goals on the env node.
    :param goals: goals to serve before :attr:`done` is set; 0 for no limit.
    :param odom_frame: the frame goals must be given in ('' counts as it, and so
        does a prefixed one such as ``robotino/odom``).
    """

    def __init__(self, node: Node, navigator: GoalNavigator, goals: int = 0,
                 odom_frame: str = ODOM.frame) -> None:
        self._node = node
        self._navigator = navigator
        self._odom_frame = odom_frame
        self._limit = goals
        #: Goals that have ended, whatever their outcome.
        self.served = 0
        self._active = 0
        self._count_lock = threading.Condition()
        #: Set once ``goals`` goals have ended.
        self.done = threading.Event()
        group = ReentrantCallbackGroup()
        self._action = ActionServer(
            node, NavigateToGoal, ACTION, execute_callback=self._execute,
            goal_callback=self._on_goal, cancel_callback=lambda handle: CancelResponse.ACCEPT,
            callback_group=group)
        self._topic = node.create_subscription(PoseStamped, GOAL_TOPIC, self._on_goal_pose,
                                               GOAL_TOPIC_QOS, callback_group=group)

    def _goal_of(self, msg: PoseStamped) -> Goal:
        """The pose as an ``odom`` goal; ValueError for another frame or NaN."""
        frame = msg.header.frame_id.strip('/')
        # The ros2-robotino driver prefixes its frames with its namespace: robotino/odom.
        if frame not in ('', self._odom_frame) and not frame.endswith('/' + self._odom_frame):
            raise ValueError(f'goal in frame {frame!r}; give it in {self._odom_frame!r} '
                             '(the agent does no transforms)')
        return checked_goal(planar_pose(msg.pose))

    def _on_goal(self, request: NavigateToGoal.Goal) -> GoalResponse:
        try:
            goal = self._goal_of(request.pose)
        except ValueError as error:
            self._node.get_logger().warning(f'goal refused: {error}')
            return GoalResponse.REJECT
        self._node.get_logger().info(f'goal accepted: x {goal[0]:.2f} m, y {goal[1]:.2f} m')
        return GoalResponse.ACCEPT

    def _execute(self, handle: ServerGoalHandle) -> NavigateToGoal.Result:
        goal = self._goal_of(handle.request.pose)
        self._started()

        def feedback(progress: GoalProgress) -> None:
            handle.publish_feedback(NavigateToGoal.Feedback(
                distance_remaining=progress.distance_remaining,
                elapsed=duration_from_seconds(progress.elapsed), steps=progress.steps))

        result = self._navigator.navigate(goal, lambda: handle.is_cancel_requested, feedback)
        if result.outcome is Outcome.REACHED:
            handle.succeed()
        elif result.outcome is Outcome.CANCELLED and handle.is_cancel_requested:
            handle.canceled()
        else:
            handle.abort()
        return self._ended(result)

    def _on_goal_pose(self, msg: PoseStamped) -> None:
        try:
            goal = self._goal_of(msg)
        except ValueError as error:
            self._node.get_logger().warning(f'{GOAL_TOPIC} refused: {error}')
            return
        self._node.get_logger().info(f'{GOAL_TOPIC}: x {goal[0]:.2f} m, y {goal[1]:.2f} m')
        self._started()
        threading.Thread(target=lambda: self._ended(self._navigator.navigate(goal)),
                         name='goal_pose', daemon=True).start()

    def _ended(self, result: GoalResult) -> NavigateToGoal.Result:
        """Log and count an ended goal; its action result."""
        progress = result.progress
        self._node.get_logger().info(
            f'goal {result.outcome.name.lower()}: {result.message} ({progress.steps} steps, '
            f'{progress.elapsed:.1f} s, {progress.distance_remaining:.2f} m left)')
        with self._count_lock:
            self.served += 1
            self._active -= 1
            self._count_lock.notify_all()
            if self._limit and self.served >= self._limit:
                self.done.set()
        return NavigateToGoal.Result(outcome=int(result.outcome), message=result.message,
                                     distance_remaining=progress.distance_remaining,
                                     elapsed=duration_from_seconds(progress.elapsed),
                                     steps=progress.steps)

    def _started(self) -> None:
        with self._count_lock:
            self._active += 1

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no goal is under way; False on timeout.

        After a stop the goal under way ends with the reset that stops the
        base, so the env client must stay open until then.
        """
        with self._count_lock:
            return self._count_lock.wait_for(lambda: self._active == 0, timeout)

    def destroy(self) -> None:
        """Remove the action server and the subscription from the node."""
        self._action.destroy()
        self._node.destroy_subscription(self._topic)
