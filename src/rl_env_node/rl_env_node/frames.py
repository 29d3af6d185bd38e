"""Planar frame arithmetic between the world (``map``) and ``odom`` frames.

The simulators report the goal in the world frame; the robot knows only
odometry, whose frame starts at the robot's pose at reset. Tasks see the
goal in ``odom`` so they run unchanged on the real robot.
"""

from __future__ import annotations

import math

from robotino_description import GroundTruth, RobotState, wrap_angle

Pose2D = tuple[float, float, float]


def relative_pose(origin: Pose2D, target: Pose2D) -> Pose2D:
    """``target`` expressed in the frame whose pose is ``origin`` (x m, y m, yaw rad)."""
    ox, oy, oyaw = origin
    dx, dy = target[0] - ox, target[1] - oy
    cos_o, sin_o = math.cos(oyaw), math.sin(oyaw)
    return (cos_o * dx + sin_o * dy, -sin_o * dx + cos_o * dy, wrap_angle(target[2] - oyaw))


def compose(origin: Pose2D, offset: Pose2D) -> Pose2D:
    """The pose ``offset`` (given in ``origin``'s frame) in ``origin``'s parent frame."""
    ox, oy, oyaw = origin
    cos_o, sin_o = math.cos(oyaw), math.sin(oyaw)
    return (ox + cos_o * offset[0] - sin_o * offset[1],
            oy + sin_o * offset[0] + cos_o * offset[1],
            wrap_angle(oyaw + offset[2]))


def goal_in_odom(state: RobotState, truth: GroundTruth) -> Pose2D:
    """The ground truth's goal moved from the world (``map``) frame to ``odom``.

    The robot's pose is known in both frames at the same instant (``state`` in
    ``odom``, ``truth`` in the world), which fixes the transform between them.

    :return: ``(x m, y m, yaw rad)`` of the goal in ``odom``.
    """
    in_base = relative_pose((truth.x, truth.y, truth.yaw),
                            (truth.goal_x, truth.goal_y, truth.goal_yaw))
    return compose((state.x, state.y, state.yaw), in_base)
