"""Velocity and motor limits of the Festo Robotino 3.

Where the figures come from:

- Body twist limits: the real ROS driver clamps each axis of ``cmd_vel`` in
  ``OmniDriveROS::cmdVelCallback`` (robocup-logistics/ros2-robotino,
  ``rto_node/src/OmniDriveROS.cpp``): a magnitude above ``max`` becomes
  ``max``, a non-zero magnitude below ``min`` becomes ``min``. The values are
  those of the driver's launch file ``robotino_node/launch/robotino_node.launch``
  (``max_linear_vel`` 1.0, ``min_linear_vel`` 0.01, ``max_angular_vel`` 1.0,
  ``min_angular_vel`` 0.01); the node's built-in defaults (3.0, 0.02, 3.0,
  0.07) are looser.
- Wheel speed: Festo's Robotino 3 drive unit, a 24 V DC motor of nominal
  3,600 rpm behind a 32:1 gear: 3600 / 32 rpm = 11.78 rad/s at the wheel,
  0.74 m/s at the rim, so about 0.86 m/s straight ahead. The Webots model's
  ``maxVelocity`` 137.46 rad/s (``Robotino3Wheel.proto``) is a physics cap,
  not the motor.
- Wheel acceleration 30 rad/s^2 (1.9 m/s^2 at the rim, about 2.2 m/s^2
  straight ahead): our choice for a 20 kg base; no published figure. The
  Webots sample controller ramps the body twist at 10, 6 and 20 (m/s^2,
  m/s^2, rad/s^2), far above what the motors deliver.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def _clamp_axis(value: float, lowest: float, highest: float) -> float:
    """Clamp one twist axis the way the driver does (see the module docstring)."""
    magnitude = abs(value)
    if magnitude > highest:
        return math.copysign(highest, value)
    if 0.0 < magnitude < lowest:
        return math.copysign(lowest, value)
    return value


@dataclass(frozen=True)
class RobotinoLimits:
    """What the drive can do, as the driver and the motors enforce it.

    :param max_linear_speed: per-axis cap on ``cmd_vel`` linear x and y, m/s.
    :param min_linear_speed: smallest non-zero linear speed per axis, m/s.
    :param max_angular_speed: cap on ``cmd_vel`` angular z, rad/s.
    :param min_angular_speed: smallest non-zero yaw rate, rad/s.
    :param max_wheel_speed: motor speed limit at the wheel, rad/s.
    :param max_wheel_acceleration: motor acceleration limit at the wheel, rad/s^2.
    """

    max_linear_speed: float = 1.0
    min_linear_speed: float = 0.01
    max_angular_speed: float = 1.0
    min_angular_speed: float = 0.01
    max_wheel_speed: float = 3600.0 / 32.0 * 2.0 * math.pi / 60.0
    max_wheel_acceleration: float = 30.0

    def __post_init__(self) -> None:
        """Reject limits that cannot hold, naming the bad value."""
        for name in ('max_linear_speed', 'max_angular_speed', 'max_wheel_speed',
                     'max_wheel_acceleration'):
            value = getattr(self, name)
            if not value > 0.0:
                raise ValueError(f'{name} must be > 0, got {value!r}')
        if not 0.0 <= self.min_linear_speed <= self.max_linear_speed:
            raise ValueError(
                f'min_linear_speed must be in [0, max], got {self.min_linear_speed!r}')
        if not 0.0 <= self.min_angular_speed <= self.max_angular_speed:
            raise ValueError(
                f'min_angular_speed must be in [0, max], got {self.min_angular_speed!r}')

    def clamp_twist(self, vx: float, vy: float, wz: float) -> tuple[float, float, float]:
        """Clamp a body twist axis by axis, as the real driver does with ``cmd_vel``.

        :param vx: forward speed in ``base_link``, m/s.
        :param vy: leftward speed in ``base_link``, m/s.
        :param wz: yaw rate, rad/s, counter-clockwise positive.
        :return: the clamped ``(vx, vy, wz)``.
        """
        return (
            _clamp_axis(vx, self.min_linear_speed, self.max_linear_speed),
            _clamp_axis(vy, self.min_linear_speed, self.max_linear_speed),
            _clamp_axis(wz, self.min_angular_speed, self.max_angular_speed),
        )
