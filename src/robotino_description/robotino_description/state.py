"""The robot-state snapshot every backend yields, whatever its transport.

The MuJoCo simulator returns it from ``advance``, the Webots plugin builds it
from its devices, and the env node's robot facade assembles it from the real
driver's topics. One type means a task cannot tell these sources apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class RobotState:
    """What the robot knows about itself at one instant.

    :param stamp: time of the snapshot in seconds (simulated time in simulation,
        wall time on the real robot).
    :param x: odometry position in the ``odom`` frame, metres (REP 105).
    :param y: odometry position in the ``odom`` frame, metres.
    :param yaw: odometry heading in the ``odom`` frame, radians, in (-pi, pi].
    :param vx: body-frame (``base_link``) forward velocity, m/s (REP 103).
    :param vy: body-frame leftward velocity, m/s.
    :param wz: body-frame yaw rate, rad/s, counter-clockwise positive.
    :param ranges: the nine IR ranges in metres, sensor order, clipped to the
        sensor band; a sensor that sees nothing reads the band's maximum.
    :param bumper: true while the bumper strip is pressed.
    """

    stamp: float
    x: float
    y: float
    yaw: float
    vx: float
    vy: float
    wz: float
    ranges: np.ndarray = field(repr=False)
    bumper: bool


@dataclass(frozen=True)
class GroundTruth:
    """The supervisor's view, which the robot itself cannot measure.

    Rewards may use it only in simulation, through the Simulation facade.

    :param stamp: simulated time in seconds.
    :param x: robot position in the world (``map``) frame, metres.
    :param y: robot position in the world frame, metres.
    :param yaw: robot heading in the world frame, radians.
    :param goal_x: goal position in the world frame, metres.
    :param goal_y: goal position in the world frame, metres.
    :param goal_yaw: goal heading in the world frame, radians.
    :param in_collision: true while the robot body touches a wall or obstacle.
    :param collisions: number of contact onsets since the last world reset.
    """

    stamp: float
    x: float
    y: float
    yaw: float
    goal_x: float
    goal_y: float
    goal_yaw: float
    in_collision: bool
    collisions: int
