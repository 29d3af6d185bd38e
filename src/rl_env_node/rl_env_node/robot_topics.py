"""The real Robotino's driver topics as one robot-state source, with its safety stops.

Subscribes ``odom``, ``distance_sensors`` and ``bumper`` and publishes
``cmd_vel``, names as the robocup-logistics ros2-robotino driver uses them.
Two stops do not wait for the agent: a watchdog that sends zero velocity when
commands stop for ``watchdog_periods`` control periods, and an immediate stop
when the bumper is pressed.
"""

from __future__ import annotations

import threading
import time

import numpy as np
from geometry_msgs.msg import Twist
from nav_msgs.msg import Odometry
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.node import Node
from rclpy.qos import QoSProfile, qos_profile_sensor_data
from sensor_msgs.msg import PointCloud
from std_msgs.msg import Bool

from rl_env_node.backend import EpisodeStart, Observation, WorldRequest
from rl_env_node.backend import Twist as BodyTwist
from rl_env_node.errors import BackendError
from rl_env_node.frames import Pose2D, compose
from rl_ros.contract import BUMPER, CMD_VEL, DISTANCE_SENSORS, ODOM
from rl_ros.conversions import (
    pose_from_odometry,
    ranges_from_distance_sensors,
    seconds_from_time,
    twist_to_msg,
)
from robotino_description import IrSensorLayout, RobotState

_ZERO = (0.0, 0.0, 0.0)


class RobotinoTopics:
    """Latest odometry, IR ranges and bumper; commands with a watchdog.

    :param node: node owning the subscriptions, publisher and watchdog timer.
    :param layout: the IR ring, to turn the driver's point cloud into ranges.
    :param control_period: seconds between commands the agent is expected to send.
    :param watchdog_periods: control periods without a command before the base is stopped.
    """

    def __init__(self, node: Node, layout: IrSensorLayout, control_period: float,
                 watchdog_periods: float = 2.0) -> None:
        self._layout = layout
        self._lock = threading.Lock()
        self._odom: Odometry | None = None
        self._ranges: np.ndarray | None = None
        self._bumper = False
        self._last_command = time.monotonic()
        self._moving = False
        self._timeout = watchdog_periods * control_period
        group = MutuallyExclusiveCallbackGroup()
        # Sensor-data QoS (best effort) accepts reliable and best-effort drivers alike;
        # a command must arrive, so cmd_vel is reliable.
        self._cmd_pub = node.create_publisher(Twist, CMD_VEL.name, QoSProfile(depth=10))
        node.create_subscription(Odometry, ODOM.name, self._on_odom, qos_profile_sensor_data,
                                 callback_group=group)
        node.create_subscription(PointCloud, DISTANCE_SENSORS.name, self._on_ranges,
                                 qos_profile_sensor_data, callback_group=group)
        node.create_subscription(Bool, BUMPER.name, self._on_bumper, qos_profile_sensor_data,
                                 callback_group=group)
        node.create_timer(0.5 * control_period, self._watchdog, callback_group=group)
        self._logger = node.get_logger()

    def _on_odom(self, msg: Odometry) -> None:
        with self._lock:
            self._odom = msg

    def _on_ranges(self, msg: PointCloud) -> None:
        try:
            ranges = ranges_from_distance_sensors(msg, self._layout)
        except ValueError as error:
            self._logger.warning(str(error), throttle_duration_sec=5.0)
            return
        with self._lock:
            self._ranges = ranges

    def _on_bumper(self, msg: Bool) -> None:
        with self._lock:
            self._bumper = bool(msg.data)
        if msg.data:
            self._cmd_pub.publish(twist_to_msg(_ZERO))

    def _watchdog(self) -> None:
        if self._moving and time.monotonic() - self._last_command > self._timeout:
            self._cmd_pub.publish(twist_to_msg(_ZERO))
            self._moving = False
            self._logger.warning(f'no step for {self._timeout:.2f} s: stopped the base')

    def command(self, twist: BodyTwist) -> None:
        """Send ``twist`` (m/s, m/s, rad/s in ``base_link``); zero while the bumper is pressed."""
        with self._lock:
            pressed = self._bumper
        self._cmd_pub.publish(twist_to_msg(_ZERO if pressed else twist))
        self._last_command = time.monotonic()
        self._moving = not pressed and any(v != 0.0 for v in twist)

    def stop(self) -> None:
        """Zero velocity now."""
        self.command(_ZERO)

    def latest(self) -> RobotState | None:
        """The newest odometry, ranges and bumper as one state; None until all arrived."""
        with self._lock:
            odom, ranges, bumper = self._odom, self._ranges, self._bumper
        if odom is None or ranges is None:
            return None
        x, y, yaw = pose_from_odometry(odom)
        twist = odom.twist.twist
        return RobotState(seconds_from_time(odom.header.stamp), x, y, yaw, twist.linear.x,
                          twist.linear.y, twist.angular.z, ranges, bumper)

    def wait_for_state(self, timeout: float) -> RobotState:
        """Block until a full state has arrived.

        :raises BackendError: after ``timeout`` seconds, naming the missing topics.
        """
        deadline = time.monotonic() + timeout
        while (state := self.latest()) is None:
            if time.monotonic() > deadline:
                raise BackendError(
                    f'no {ODOM.name} and {DISTANCE_SENSORS.name} from the robot within '
                    f'{timeout:g} s: is the Robotino driver running in this namespace?')
            time.sleep(0.01)
        return state


class RealRobot:
    """The real Robotino as a :class:`RobotBackend`: wall clock at the control rate.

    :param topics: the driver's topics.
    :param control_period: seconds per :meth:`act`, kept on the wall clock.
    :param goal_offset: the goal relative to the robot's pose at reset (x m, y m, yaw rad).
    :param timeout: seconds to wait for the robot's first state.
    """

    def __init__(self, topics: RobotinoTopics, control_period: float, goal_offset: Pose2D,
                 timeout: float) -> None:
        self.control_period = control_period
        self.accepts_goal = True
        self._topics = topics
        self._goal_offset = goal_offset
        self._timeout = timeout
        self._next_tick = time.monotonic()

    def start_episode(self, seed: int, world: WorldRequest) -> EpisodeStart:
        """Stop, read the robot, and place the goal: the one asked for, or relative to the robot.

        No world is reset: ``world.goal`` (in ``odom``) is the client's, else the
        goal is ``goal_offset`` from where the robot stands.
        """
        self._topics.stop()
        state = self._topics.wait_for_state(self._timeout)
        goal = world.goal or compose((state.x, state.y, state.yaw), self._goal_offset)
        self._next_tick = time.monotonic() + self.control_period
        return EpisodeStart(state, goal, None)

    def act(self, twist: BodyTwist) -> Observation:
        """Command ``twist``, wait for the next control tick, return the newest state."""
        self._topics.command(twist)
        delay = self._next_tick - time.monotonic()
        if delay > 0.0:
            time.sleep(delay)
        self._next_tick = max(self._next_tick + self.control_period, time.monotonic())
        return Observation(self._topics.wait_for_state(self._timeout), None)

    def halt(self) -> None:
        """Zero velocity now."""
        self._topics.stop()
