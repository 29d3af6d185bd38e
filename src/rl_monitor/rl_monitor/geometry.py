"""Planar poses and the arena of an episode, in plain Python, for the top view.

Frames (REP 105): the arena is in ``map``; a robot's odometry is in its
env's ``odom``, which is where the episode started, so a pose in ``map`` is
``compose(start, pose_odom)``. IR points are in ``base_link``.
"""

from __future__ import annotations

from dataclasses import dataclass

from robotino_description import PlanarPose

#: ``(x m, y m, yaw rad)``.
Pose2D = PlanarPose

IDENTITY: Pose2D = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Box:
    """A wall or box obstacle: centre and heading in ``map``, full sizes, metres."""

    x: float
    y: float
    yaw: float
    size_x: float
    size_y: float


@dataclass(frozen=True)
class Disc:
    """A cylinder obstacle or the goal's tolerance disc in ``map``, metres."""

    x: float
    y: float
    radius: float


@dataclass(frozen=True)
class Arena:
    """What the env node says about one episode's world.

    :param walls: the arena's walls.
    :param boxes: box obstacles.
    :param cylinders: cylinder obstacles.
    :param goal: the goal, its radius the goal tolerance; None when the task has none.
    :param start: the episode's start pose in ``map``: the ``map`` -> ``odom`` transform.
    """

    walls: tuple[Box, ...] = ()
    boxes: tuple[Box, ...] = ()
    cylinders: tuple[Disc, ...] = ()
    goal: Disc | None = None
    start: Pose2D = IDENTITY

    def to_json(self) -> dict:
        """The arena for the page: lists of numbers, rounded to millimetres."""
        def box(b: Box) -> list[float]:
            return [round(v, 3) for v in (b.x, b.y, b.yaw, b.size_x, b.size_y)]

        def disc(d: Disc) -> list[float]:
            return [round(v, 3) for v in (d.x, d.y, d.radius)]

        return {'walls': [box(b) for b in self.walls], 'boxes': [box(b) for b in self.boxes],
                'cylinders': [disc(d) for d in self.cylinders],
                'goal': disc(self.goal) if self.goal else None,
                'start': [round(v, 3) for v in self.start]}
