"""Body and drive geometry of the Festo Robotino 3, in ``base_link``.

Frames follow REP 103/105: ``base_link`` sits on the floor under the centre of
the robot, x forward, y left, z up; angles are counter-clockwise from x.

Where the figures come from:

- Wheel radius 0.063 m and wheel distance 0.1826 m: the Webots Robotino 3
  sample controller (cyberbotics/webots,
  ``projects/robots/festo/robotino3/controllers/robotino3/base.c``:
  ``WHEEL_RADIUS``, ``DISTANCE_WHEEL_TO_ROBOT_CENTRE``), matching
  ``Robotino3Wheel.proto``, which puts the hubs of ``wheel0``, ``wheel1`` and
  ``wheel2`` 0.1826 m from the centre at 180, 300 and 60 degrees.
- Drive directions 90, 210 and 330 degrees: the direction in which each wheel
  pushes the base when it turns positively, 90 degrees clockwise of its hub
  (``base.c`` drives wheel0 with ``vy - R*w``). These are the "wheels at 90,
  210 and 330 degrees" of the robot contract (docs/architecture.md), numbered as the
  Webots motors are.
- Body radius 0.2266 m, height 0.276 m from 0.015 m above the floor, mass
  20 kg: the bounding cylinder and ``Physics`` node of ``Robotino3.proto``.
  The real driver (robocup-logistics/ros2-robotino,
  ``rto_node/src/DistanceSensorArrayROS.cpp``) adds 0.225 m to IR readings
  for the same radius.
- Bumper strip: a 0.03 m band at the bottom of the body. Our estimate from
  photographs; no published figure.
- Camera: the Festo webcam's ``Camera`` node in ``Robotino3Webcam.proto``,
  0.11 m ahead of the centre and 0.303 m up, looking forward.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RobotinoGeometry:
    """Where the wheels and the body of the Robotino 3 are.

    :param wheel_radius: omni-wheel radius, metres.
    :param wheel_distance: distance from the robot centre to each wheel hub, metres.
    :param drive_angles_deg: for wheel0, wheel1, wheel2, the ``base_link``
        heading (degrees) along which the wheel pushes the base when it turns at
        a positive speed; each hub sits 90 degrees counter-clockwise of it.
    :param base_radius: radius of the body's collision cylinder, metres.
    :param base_height: height of the body's collision cylinder, metres.
    :param base_bottom: height of the body's underside above the floor, metres.
    :param bumper_height: height of the bumper strip above ``base_bottom``, metres.
    :param mass: total mass, kilograms.
    :param camera_position: optical centre of the optional webcam in
        ``base_link``, metres; it looks along x.
    """

    wheel_radius: float = 0.063
    wheel_distance: float = 0.1826
    drive_angles_deg: tuple[float, float, float] = (90.0, 210.0, 330.0)
    base_radius: float = 0.2266
    base_height: float = 0.276
    base_bottom: float = 0.015
    bumper_height: float = 0.03
    mass: float = 20.0
    camera_position: tuple[float, float, float] = (0.11, 0.0, 0.303)

    def __post_init__(self) -> None:
        """Reject non-physical values early, naming the bad one."""
        for name in ('wheel_radius', 'wheel_distance', 'base_radius', 'base_height', 'mass'):
            value = getattr(self, name)
            if not value > 0.0:
                raise ValueError(f'{name} must be > 0, got {value!r}')
        if len(self.drive_angles_deg) != 3:
            raise ValueError(f'drive_angles_deg needs 3 angles, got {self.drive_angles_deg!r}')

    @property
    def drive_angles(self) -> np.ndarray:
        """Drive directions of wheel0..wheel2 in radians, ``base_link``."""
        return np.radians(np.asarray(self.drive_angles_deg, dtype=float))

    @property
    def hub_angles(self) -> np.ndarray:
        """Headings of the wheel hubs from the centre in radians, ``base_link``."""
        return self.drive_angles + math.pi / 2.0

    def wheel_positions(self) -> np.ndarray:
        """Hub positions in ``base_link``, shape (3, 3): x, y, z in metres.

        The axle height equals the wheel radius since ``base_link`` is on the floor.
        """
        angles = self.hub_angles
        return np.column_stack(
            (
                self.wheel_distance * np.cos(angles),
                self.wheel_distance * np.sin(angles),
                np.full(3, self.wheel_radius),
            )
        )

    @property
    def base_center_height(self) -> float:
        """Height of the body cylinder's centre above the floor, metres."""
        return self.base_bottom + self.base_height / 2.0

    @property
    def yaw_inertia(self) -> float:
        """Moment of inertia about z of a uniform cylinder of the body's size, kg m^2."""
        return 0.5 * self.mass * self.base_radius**2
