"""Planar frame arithmetic between the world (``map``) and ``odom`` frames.

The simulators report the goal in the world frame; the robot knows only
odometry, whose frame starts at the robot's pose at reset. Tasks see the
goal in ``odom`` so they run unchanged on the real robot.
"""

from __future__ import annotations

from robotino_description import GroundTruth, PlanarPose, RobotState, compose, relative_pose

Pose2D = PlanarPose


def goal_in_odom(state: RobotState, truth: GroundTruth) -> Pose2D:
    """The ground truth's goal moved from the world (``map``) frame to ``odom``.

    The robot's pose is known in both frames at the same instant (``state`` in
    ``odom``, ``truth`` in the world), which fixes the transform between them.

    :return: ``(x m, y m, yaw rad)`` of the goal in ``odom``.
    """
    in_base = relative_pose((truth.x, truth.y, truth.yaw),
                            (truth.goal_x, truth.goal_y, truth.goal_yaw))
    return compose((state.x, state.y, state.yaw), in_base)
