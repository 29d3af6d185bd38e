"""The robot contract's messages <-> plain Python, in one place.

The MuJoCo sim node, the Webots plugin and the env node's topic facade all
speak the real Robotino driver's topics; they convert through these functions
so the three cannot disagree on a frame, a unit or an offset. The rest of the
code works on :class:`RobotState`, :class:`GroundTruth` and twist tuples.
"""

from __future__ import annotations

import array
import math

import numpy as np
from builtin_interfaces.msg import Duration, Time
from geometry_msgs.msg import Point32, Pose, Twist
from nav_msgs.msg import Odometry
from sensor_msgs.msg import PointCloud

from rl_interfaces.msg import GroundTruth as GroundTruthMsg
from rl_interfaces.msg import RobotState as RobotStateMsg
from robotino_description.ir_layout import IrSensorLayout
from robotino_description.state import GroundTruth, RobotState

#: The real driver puts reading ``i`` at ``range + 0.2`` m from the centre
#: along ``40 * i`` degrees, 0.05 m up, in ``base_link``
#: (robocup-logistics/ros2-robotino, DistanceSensorArrayROS.cpp). The
#: simulators publish the same way, so a consumer cannot tell them apart.
DRIVER_CLOUD_RADIUS = 0.2
DRIVER_CLOUD_HEIGHT = 0.05

#: Odometry covariance (diagonal) for x, y, yaw and their rates: wheel
#: odometry of an omni base drifts, most of all in yaw.
_POSE_VARIANCE = (1e-3, 1e-3, 1e6, 1e6, 1e6, 5e-3)
_TWIST_VARIANCE = (1e-3, 1e-3, 1e6, 1e6, 1e6, 5e-3)


def float32_array(values: np.ndarray) -> array.array:
    """A ``float32[]`` field's value, copied in one go.

    rclpy's setters take an ``array.array('f')`` as it is, but convert
    anything else element by element: 12 us for a batch's 160 floats, where
    this takes a fifth of a microsecond.
    """
    return array.array('f', np.ascontiguousarray(values, dtype=np.float32).tobytes())


def time_from_seconds(seconds: float) -> Time:
    """A ``builtin_interfaces/Time`` for a non-negative time in seconds."""
    return time_from_nanoseconds(round(seconds * 1e9))


def time_from_nanoseconds(nanoseconds: int) -> Time:
    """Exact conversion; the simulators count time in integer nanoseconds."""
    sec, nanosec = divmod(int(nanoseconds), 1_000_000_000)
    return Time(sec=sec, nanosec=nanosec)


def duration_from_seconds(seconds: float) -> Duration:
    """A ``builtin_interfaces/Duration`` for a non-negative span in seconds."""
    sec, nanosec = divmod(round(seconds * 1e9), 1_000_000_000)
    return Duration(sec=sec, nanosec=nanosec)


def seconds_from_time(stamp: Time) -> float:
    """Seconds as a float from a ``builtin_interfaces/Time``."""
    return stamp.sec + stamp.nanosec * 1e-9


def twist_from_msg(msg: Twist) -> tuple[float, float, float]:
    """``(vx, vy, wz)`` in ``base_link`` from a ``geometry_msgs/Twist``."""
    return (msg.linear.x, msg.linear.y, msg.angular.z)


def twist_to_msg(twist: tuple[float, float, float]) -> Twist:
    """A ``geometry_msgs/Twist`` from ``(vx, vy, wz)``; other axes zero."""
    msg = Twist()
    msg.linear.x, msg.linear.y, msg.angular.z = (float(v) for v in twist)
    return msg


def state_to_msg(state: RobotState) -> RobotStateMsg:
    """The snapshot as ``rl_interfaces/RobotState``."""
    return RobotStateMsg(
        stamp=time_from_seconds(state.stamp), x=state.x, y=state.y, yaw=state.yaw,
        vx=state.vx, vy=state.vy, wz=state.wz,
        ranges=float32_array(state.ranges), bumper=bool(state.bumper),
    )


def state_from_msg(msg: RobotStateMsg) -> RobotState:
    """The snapshot from ``rl_interfaces/RobotState``; ranges as float64."""
    return RobotState(
        stamp=seconds_from_time(msg.stamp), x=msg.x, y=msg.y, yaw=msg.yaw,
        vx=msg.vx, vy=msg.vy, wz=msg.wz,
        ranges=np.asarray(msg.ranges, dtype=float), bumper=bool(msg.bumper),
    )


def ground_truth_to_msg(truth: GroundTruth) -> GroundTruthMsg:
    """The supervisor's view as ``rl_interfaces/GroundTruth``."""
    return GroundTruthMsg(
        stamp=time_from_seconds(truth.stamp), x=truth.x, y=truth.y, yaw=truth.yaw,
        goal_x=truth.goal_x, goal_y=truth.goal_y, goal_yaw=truth.goal_yaw,
        in_collision=bool(truth.in_collision), collisions=int(truth.collisions),
    )


def ground_truth_from_msg(msg: GroundTruthMsg) -> GroundTruth:
    """The supervisor's view from ``rl_interfaces/GroundTruth``."""
    return GroundTruth(
        stamp=seconds_from_time(msg.stamp), x=msg.x, y=msg.y, yaw=msg.yaw,
        goal_x=msg.goal_x, goal_y=msg.goal_y, goal_yaw=msg.goal_yaw,
        in_collision=bool(msg.in_collision), collisions=int(msg.collisions),
    )


def odometry_msg(state: RobotState, odom_frame: str, base_frame: str) -> Odometry:
    """``nav_msgs/Odometry``: pose in ``odom_frame``, twist in ``base_frame`` (REP 105)."""
    msg = Odometry()
    msg.header.stamp = time_from_seconds(state.stamp)
    msg.header.frame_id = odom_frame
    msg.child_frame_id = base_frame
    msg.pose.pose.position.x = state.x
    msg.pose.pose.position.y = state.y
    msg.pose.pose.orientation.z = math.sin(0.5 * state.yaw)
    msg.pose.pose.orientation.w = math.cos(0.5 * state.yaw)
    msg.twist.twist.linear.x = state.vx
    msg.twist.twist.linear.y = state.vy
    msg.twist.twist.angular.z = state.wz
    for k, variance in enumerate(_POSE_VARIANCE):
        msg.pose.covariance[7 * k] = variance
    for k, variance in enumerate(_TWIST_VARIANCE):
        msg.twist.covariance[7 * k] = variance
    return msg


def planar_pose(pose: Pose) -> tuple[float, float, float]:
    """``(x, y, yaw)`` of a ``geometry_msgs/Pose``: its position and its heading about z."""
    q = pose.orientation
    yaw = math.atan2(2.0 * (q.w * q.z + q.x * q.y), 1.0 - 2.0 * (q.y * q.y + q.z * q.z))
    return (pose.position.x, pose.position.y, yaw)


def pose_from_odometry(msg: Odometry) -> tuple[float, float, float]:
    """``(x, y, yaw)`` from an odometry message's planar pose."""
    return planar_pose(msg.pose.pose)


def distance_sensors_msg(
    ranges: np.ndarray, stamp: float, layout: IrSensorLayout, base_frame: str,
) -> PointCloud:
    """``sensor_msgs/PointCloud`` of the IR readings, placed as the real driver places them."""
    msg = PointCloud()
    msg.header.stamp = time_from_seconds(stamp)
    msg.header.frame_id = base_frame
    reach = DRIVER_CLOUD_RADIUS + np.asarray(ranges, dtype=float)
    headings = layout.headings()
    msg.points = [
        Point32(x=float(r * math.cos(h)), y=float(r * math.sin(h)), z=DRIVER_CLOUD_HEIGHT)
        for r, h in zip(reach, headings, strict=True)
    ]
    return msg


def ranges_from_distance_sensors(msg: PointCloud, layout: IrSensorLayout) -> np.ndarray:
    """The IR ranges (metres, sensor order) back from the driver's point cloud.

    :raises ValueError: when the cloud does not hold one point per sensor.
    """
    if len(msg.points) != layout.count:
        raise ValueError(
            f'distance_sensors has {len(msg.points)} points, expected {layout.count}')
    reach = np.array([math.hypot(p.x, p.y) for p in msg.points])
    return np.clip(reach - DRIVER_CLOUD_RADIUS, layout.min_range, layout.max_range)
