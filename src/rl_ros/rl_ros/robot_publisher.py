"""Publishes a robot state on the real driver's topics, plus the clock.

Used by the sim node after every period, and by an env node that holds the
simulator in its own process, so that either way the robot's topics look
exactly like the real Robotino's.
"""

from __future__ import annotations

from nav_msgs.msg import Odometry
from rclpy.node import Node
from rclpy.qos import QoSProfile
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import PointCloud
from std_msgs.msg import Bool

from rl_ros.contract import BUMPER, CLOCK, DISTANCE_SENSORS, ODOM
from rl_ros.conversions import (
    distance_sensors_msg,
    odometry_msg,
    time_from_nanoseconds,
)
from rl_ros.node_main import quiet_publisher
from rl_ros.outbox import Outbox
from robotino_description import IrSensorLayout, RobotState


class RobotTopicPublisher:
    """``clock``, ``odom``, ``distance_sensors`` and ``bumper`` of one simulated robot.

    :param node: the publishing node; topic names resolve in its namespace.
    :param layout: the IR ring, for the point cloud.
    :param odom_frame: frame id of the odometry pose.
    :param base_frame: frame id of the body.
    :param robot_topics: publish odom, distance_sensors and bumper; the clock always.
    :param outbox: where messages go out (held back while an env group answers);
        published at once when None.
    """

    def __init__(self, node: Node, layout: IrSensorLayout, odom_frame: str, base_frame: str,
                 robot_topics: bool = True, outbox: Outbox | None = None) -> None:
        self._outbox = outbox or Outbox()
        self._layout = layout
        self._odom_frame = odom_frame
        self._base_frame = base_frame
        self._robot_topics = robot_topics
        # Reliable, keep-last: the real driver's default, what rviz and bag
        # recorders accept; best-effort (sensor data) subscribers match it too.
        qos = QoSProfile(depth=10)
        self._clock = quiet_publisher(node, Clock, CLOCK.name, QoSProfile(depth=1))
        self._odom = quiet_publisher(node, Odometry, ODOM.name, qos)
        self._ranges = quiet_publisher(node, PointCloud, DISTANCE_SENSORS.name, qos)
        self._bumper = quiet_publisher(node, Bool, BUMPER.name, qos)

    def publish(self, state: RobotState, sim_time_ns: int) -> None:
        """The clock at ``sim_time_ns`` (exact), then the robot topics for ``state``.

        A topic nobody subscribes to is skipped: building its message would
        cost the lockstep loop as much as the physics. A monitor or recorder
        that subscribes gets every message from then on.
        """
        send = self._outbox.publish
        if self._clock.get_subscription_count():
            send(self._clock, Clock(clock=time_from_nanoseconds(sim_time_ns)))
        if not self._robot_topics:
            return
        if self._odom.get_subscription_count():
            send(self._odom, odometry_msg(state, self._odom_frame, self._base_frame))
        if self._ranges.get_subscription_count():
            send(self._ranges,
                 distance_sensors_msg(state.ranges, state.stamp, self._layout, self._base_frame))
        if self._bumper.get_subscription_count():
            send(self._bumper, Bool(data=bool(state.bumper)))
