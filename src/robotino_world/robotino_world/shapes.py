"""Planar shapes of an arena: poses, boxes and cylinders in the world frame.

The world (``map``) frame has its origin at the centre of the room, x and y
on the floor, z up; lengths in metres, angles in radians.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Pose2D:
    """A position and heading on the floor, world frame.

    :param x: metres.
    :param y: metres.
    :param yaw: radians, counter-clockwise from the world x axis.
    """

    x: float
    y: float
    yaw: float = 0.0


@dataclass(frozen=True)
class Box:
    """An upright box standing on the floor: a wall or a box obstacle.

    :param x: centre, metres.
    :param y: centre, metres.
    :param yaw: rotation about z, radians.
    :param half_x: half length along its own x axis, metres.
    :param half_y: half length along its own y axis, metres.
    :param height: metres.
    """

    x: float
    y: float
    yaw: float
    half_x: float
    half_y: float
    height: float

    def __post_init__(self) -> None:
        """Reject empty boxes, naming the bad size."""
        if not (self.half_x > 0.0 and self.half_y > 0.0 and self.height > 0.0):
            raise ValueError(f'box sizes must be > 0, got {self!r}')

    def distance(self, points: np.ndarray) -> np.ndarray:
        """Distance from each point (N, 2) to the box's footprint; 0 inside, metres."""
        cos_y, sin_y = math.cos(self.yaw), math.sin(self.yaw)
        dx = points[:, 0] - self.x
        dy = points[:, 1] - self.y
        local_x = np.abs(cos_y * dx + sin_y * dy) - self.half_x
        local_y = np.abs(-sin_y * dx + cos_y * dy) - self.half_y
        return np.hypot(np.maximum(local_x, 0.0), np.maximum(local_y, 0.0))

    def corners(self) -> np.ndarray:
        """Footprint corners (4, 2), counter-clockwise, world frame; for drawing."""
        cos_y, sin_y = math.cos(self.yaw), math.sin(self.yaw)
        local = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]]) * (self.half_x, self.half_y)
        rotation = np.array([[cos_y, -sin_y], [sin_y, cos_y]])
        return local @ rotation.T + (self.x, self.y)


@dataclass(frozen=True)
class Cylinder:
    """An upright cylinder standing on the floor, e.g. a pillar.

    :param x: centre, metres.
    :param y: centre, metres.
    :param radius: metres.
    :param height: metres.
    """

    x: float
    y: float
    radius: float
    height: float

    def __post_init__(self) -> None:
        """Reject empty cylinders, naming the bad size."""
        if not (self.radius > 0.0 and self.height > 0.0):
            raise ValueError(f'cylinder sizes must be > 0, got {self!r}')

    def distance(self, points: np.ndarray) -> np.ndarray:
        """Distance from each point (N, 2) to the footprint; 0 inside, metres."""
        gap = np.hypot(points[:, 0] - self.x, points[:, 1] - self.y) - self.radius
        return np.maximum(gap, 0.0)


Shape = Box | Cylinder


def clearance(shapes: tuple[Shape, ...], points: np.ndarray) -> np.ndarray:
    """Distance from each point (N, 2) to the nearest shape's footprint, metres.

    Points with no shape at all get ``inf``.
    """
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    nearest = np.full(len(points), np.inf)
    for shape in shapes:
        np.minimum(nearest, shape.distance(points), out=nearest)
    return nearest
