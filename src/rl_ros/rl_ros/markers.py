"""An arena as ``visualization_msgs/MarkerArray``: what RViz, Foxglove and the monitor draw.

One array per episode, in the world frame (``map``, REP 105), replacing the
previous episode's: first a DELETEALL, then namespaces

- ``walls``: a CUBE per wall;
- ``obstacles``: a CUBE per box, a CYLINDER per cylinder;
- ``goal``: a flat CYLINDER whose diameter is twice the goal tolerance;
- ``start``: an ARROW at the robot's start pose, which is also where the
  episode's ``odom`` frame lies in ``map`` (odometry restarts at zero there).

:func:`start_pose` reads the last one back, so a consumer of the bag or the
topic needs nothing else to put ``odom`` into ``map``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from builtin_interfaces.msg import Time
from geometry_msgs.msg import Quaternion
from std_msgs.msg import ColorRGBA
from visualization_msgs.msg import Marker, MarkerArray

from rl_ros.contract import MAP_FRAME
from rl_ros.conversions import planar_pose
from robotino_world.arena import Arena
from robotino_world.shapes import Box, Pose2D, Shape

#: Colours (r, g, b, a): grey walls, brown obstacles, a translucent green goal, a blue start.
_WALL = (0.55, 0.55, 0.55, 1.0)
_OBSTACLE = (0.6, 0.4, 0.2, 1.0)
_GOAL = (0.1, 0.8, 0.2, 0.6)
_START = (0.2, 0.4, 1.0, 1.0)
#: Height of the goal disc and size of the start arrow, metres (cosmetic).
_GOAL_HEIGHT = 0.01
_ARROW = (0.3, 0.05, 0.05)

WALLS, OBSTACLES, GOAL, START = 'walls', 'obstacles', 'goal', 'start'


def yaw_quaternion(yaw: float) -> Quaternion:
    """The rotation about z by ``yaw`` radians."""
    return Quaternion(z=math.sin(yaw / 2.0), w=math.cos(yaw / 2.0))


def _marker(namespace: str, index: int, kind: int, stamp: Time,
            colour: tuple[float, float, float, float]) -> Marker:
    marker = Marker(ns=namespace, id=index, type=kind, action=Marker.ADD)
    marker.header.frame_id = MAP_FRAME
    marker.header.stamp = stamp
    marker.color = ColorRGBA(r=colour[0], g=colour[1], b=colour[2], a=colour[3])
    return marker


def _solid(shape: Shape, namespace: str, index: int, stamp: Time,
           colour: tuple[float, float, float, float]) -> Marker:
    """A wall or obstacle standing on the floor."""
    if isinstance(shape, Box):
        marker = _marker(namespace, index, Marker.CUBE, stamp, colour)
        marker.scale.x, marker.scale.y = 2.0 * shape.half_x, 2.0 * shape.half_y
        marker.pose.orientation = yaw_quaternion(shape.yaw)
    else:
        marker = _marker(namespace, index, Marker.CYLINDER, stamp, colour)
        marker.scale.x = marker.scale.y = 2.0 * shape.radius
        marker.pose.orientation.w = 1.0
    marker.scale.z = shape.height
    marker.pose.position.x, marker.pose.position.y = shape.x, shape.y
    marker.pose.position.z = shape.height / 2.0
    return marker


def _flat(namespace: str, kind: int, pose: Pose2D, stamp: Time,
          colour: tuple[float, float, float, float]) -> Marker:
    marker = _marker(namespace, 0, kind, stamp, colour)
    marker.pose.position.x, marker.pose.position.y = pose.x, pose.y
    marker.pose.orientation = yaw_quaternion(pose.yaw)
    return marker


def arena_markers(arena: Arena, goal_tolerance: float, stamp: Time) -> MarkerArray:
    """The arena's walls, obstacles, goal and start, replacing what was drawn before.

    :param arena: the episode's world.
    :param goal_tolerance: distance to the goal that counts as reached, m (the disc's radius).
    :param stamp: the robot time of the episode's start.
    """
    clear = Marker(action=Marker.DELETEALL)
    clear.header.frame_id = MAP_FRAME
    clear.header.stamp = stamp
    markers = [clear]
    markers += [_solid(wall, WALLS, k, stamp, _WALL) for k, wall in enumerate(arena.walls)]
    markers += [_solid(shape, OBSTACLES, k, stamp, _OBSTACLE)
                for k, shape in enumerate(arena.obstacles)]
    goal = _flat(GOAL, Marker.CYLINDER, arena.goal, stamp, _GOAL)
    goal.scale.x = goal.scale.y = 2.0 * goal_tolerance
    goal.scale.z = _GOAL_HEIGHT
    start = _flat(START, Marker.ARROW, arena.start, stamp, _START)
    start.scale.x, start.scale.y, start.scale.z = _ARROW
    return MarkerArray(markers=[*markers, goal, start])


def start_pose(markers: Sequence) -> Pose2D | None:
    """The ``start`` marker's pose in ``map`` (``map`` -> ``odom``); None without one.

    Takes any objects shaped like ``visualization_msgs/Marker`` (rclpy's, or
    a bag reader's), since bags are read without rclpy.
    """
    for marker in reversed(list(markers)):
        if marker.ns == START and marker.action == Marker.ADD:
            return Pose2D(*planar_pose(marker.pose))
    return None
