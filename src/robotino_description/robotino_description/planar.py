"""Planar poses and their composition: ``(x m, y m, yaw rad)`` tuples, REP 103 units.

The frames of REP 105 that the robot moves in (``map``, ``odom``,
``base_link``) differ by such poses; the env node, the replay and the
monitor move points and poses between them with these two functions.
"""

from __future__ import annotations

import math

from robotino_description.odometry import wrap_angle

#: ``(x m, y m, yaw rad)``.
PlanarPose = tuple[float, float, float]


def compose(origin: PlanarPose, offset: PlanarPose) -> PlanarPose:
    """The pose ``offset`` (given in ``origin``'s frame) in ``origin``'s parent frame."""
    ox, oy, oyaw = origin
    cos_o, sin_o = math.cos(oyaw), math.sin(oyaw)
    return (ox + cos_o * offset[0] - sin_o * offset[1],
            oy + sin_o * offset[0] + cos_o * offset[1],
            wrap_angle(oyaw + offset[2]))


def relative_pose(origin: PlanarPose, target: PlanarPose) -> PlanarPose:
    """``target`` in the frame whose pose is ``origin``: the inverse of :func:`compose`."""
    ox, oy, oyaw = origin
    dx, dy = target[0] - ox, target[1] - oy
    cos_o, sin_o = math.cos(oyaw), math.sin(oyaw)
    return (cos_o * dx + sin_o * dy, -sin_o * dx + cos_o * dy, wrap_angle(target[2] - oyaw))
