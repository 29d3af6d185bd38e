"""A short memory of IR echoes, so a reactive policy remembers the obstacles it passed.

The Robotino's IR band ends at 0.30 m: an obstacle shows only while the
robot nearly touches it. A policy that sees just the current readings backs
out of a gap too narrow to pass, forgets the gap at once and drives straight
back in; that trap was most of the failures of goal reaching. The memory
keeps the last echoes in the ``odom`` frame (from odometry, so it works on
the real robot as in simulation) and reports them around the robot as a
polar histogram in ``base_link``: for each of ``SECTORS`` equal sectors
(sector 0 centred on the robot's x axis, counting counter-clockwise), the
nearest remembered echo, as a fraction of ``reach`` (1 when there is none).
This is the local costmap a navigation stack would keep, shrunk to what a
small policy network can read.
"""

from __future__ import annotations

import math

import numpy as np

from robotino_description import IrSensorLayout, RobotState

SECTORS = 16
"""Sectors of the histogram; part of the observation's shape, so not an option."""

_ECHO_MARGIN = 1e-3
"""A reading this close to the band's top counts as no echo, metres."""


class ObstacleMemory:
    """The last ``capacity`` IR echoes in ``odom``, read back as a sector histogram.

    :param ir: the sensors whose echoes are remembered.
    :param reach: farthest remembered echo that counts, metres from the robot's centre.
    :param capacity: echoes kept; the oldest are dropped first.
    """

    def __init__(self, ir: IrSensorLayout, reach: float = 1.0, capacity: int = 400) -> None:
        if reach <= 0.0 or capacity < 1:
            raise ValueError(f'need reach > 0 and capacity >= 1, got {reach!r}, {capacity!r}')
        self._ir = ir
        self._reach = reach
        poses = ir.poses()
        self._mounts = poses[:, :2]
        self._beams = np.column_stack((np.cos(poses[:, 3]), np.sin(poses[:, 3])))
        self._points = np.zeros((capacity, 2))
        self._count = 0
        self._next = 0

    def clear(self) -> None:
        """Forget everything, at the start of an episode."""
        self._count = 0
        self._next = 0

    def add(self, state: RobotState) -> None:
        """Remember the echoes of one reading (``state``'s pose in ``odom``, ranges in m)."""
        ranges = np.asarray(state.ranges, dtype=float)
        echo = ranges < self._ir.max_range - _ECHO_MARGIN
        if not echo.any():
            return
        echoes = self._mounts[echo] + ranges[echo, None] * self._beams[echo]
        cos, sin = math.cos(state.yaw), math.sin(state.yaw)
        odom = np.column_stack((state.x + cos * echoes[:, 0] - sin * echoes[:, 1],
                                state.y + sin * echoes[:, 0] + cos * echoes[:, 1]))
        capacity = len(self._points)
        rows = (self._next + np.arange(len(odom))) % capacity
        self._points[rows] = odom
        self._next = int(rows[-1] + 1) % capacity
        self._count = min(self._count + len(odom), capacity)

    def features(self, state: RobotState) -> np.ndarray:
        """Nearest remembered echo per sector around ``state``'s pose, in [0, 1] of ``reach``."""
        nearest = np.ones(SECTORS)
        if not self._count:
            return nearest
        offsets = self._points[:self._count] - (state.x, state.y)
        distances = np.hypot(offsets[:, 0], offsets[:, 1]) / self._reach
        close = distances < 1.0
        if not close.any():
            return nearest
        bearings = np.arctan2(offsets[close, 1], offsets[close, 0]) - state.yaw
        width = 2.0 * math.pi / SECTORS
        sectors = np.floor((bearings + width / 2.0) / width).astype(int) % SECTORS
        np.minimum.at(nearest, sectors, distances[close])
        return nearest
