"""Wheel odometry: the pose in ``odom`` from sampled wheel speeds.

The real Robotino integrates its encoders the same way in its controller;
the simulators feed this class the speeds their wheels turn at, so their
``odom`` drifts from ground truth only where the wheels do (slip, sampling).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from robotino_description.kinematics import RobotinoKinematics


def wrap_angle(angle: float) -> float:
    """Wrap an angle in radians into (-pi, pi]."""
    wrapped = math.remainder(angle, 2.0 * math.pi)
    return math.pi if wrapped == -math.pi else wrapped


def body_displacement(vx: float, vy: float, wz: float, dt: float) -> tuple[float, float]:
    """Displacement in the starting ``base_link`` after a constant twist for ``dt`` s.

    Exact for a constant twist (the base moves on a circular arc), so the
    step size only matters where the twist changes.
    """
    turn = wz * dt
    if abs(turn) < 1e-9:
        return vx * dt, vy * dt
    sin_t, cos_t = math.sin(turn), math.cos(turn)
    dx = (vx * sin_t + vy * (cos_t - 1.0)) / wz
    dy = (vx * (1.0 - cos_t) + vy * sin_t) / wz
    return dx, dy


class WheelOdometry:
    """Integrates wheel-speed samples into a pose in the ``odom`` frame.

    Speeds are sampled at the ends of each interval; the interval uses their
    mean, which is exact for speeds that ramp linearly, as the motors'
    acceleration limit makes them. Plain floats, no numpy: the simulators
    call this many times per control period.

    :param kinematics: turns wheel speeds into a body twist.
    """

    def __init__(self, kinematics: RobotinoKinematics) -> None:
        self._rows = tuple(tuple(float(v) for v in row) for row in kinematics.twist_from_wheels)
        self._pose = (0.0, 0.0, 0.0)
        self._twist = (0.0, 0.0, 0.0)

    def reset(self, x: float = 0.0, y: float = 0.0, yaw: float = 0.0) -> None:
        """Restart from a pose in ``odom`` (metres, radians) with the base at rest."""
        self._pose = (float(x), float(y), wrap_angle(float(yaw)))
        self._twist = (0.0, 0.0, 0.0)

    def update(self, wheel_speeds: Sequence[float] | np.ndarray, dt: float) -> None:
        """Advance by ``dt`` seconds ending with the given wheel speeds (rad/s)."""
        vx1, vy1, wz1 = self._body_twist(wheel_speeds)
        vx0, vy0, wz0 = self._twist
        self._move(0.5 * (vx0 + vx1), 0.5 * (vy0 + vy1), 0.5 * (wz0 + wz1), dt)
        self._twist = (vx1, vy1, wz1)

    def update_mean(self, mean_wheel_speeds: Sequence[float] | np.ndarray, dt: float) -> None:
        """Advance by ``dt`` seconds at the wheels' mean speeds over it (rad/s).

        For encoders: angle increments divided by ``dt`` are these mean speeds,
        so no end-point averaging applies; exact while the twist is constant.
        """
        self._twist = self._body_twist(mean_wheel_speeds)
        self._move(*self._twist, dt)

    def _body_twist(self, wheel_speeds: Sequence[float] | np.ndarray) -> tuple[float, ...]:
        w0, w1, w2 = (float(w) for w in wheel_speeds)
        return tuple(a * w0 + b * w1 + c * w2 for a, b, c in self._rows)

    def _move(self, vx: float, vy: float, wz: float, dt: float) -> None:
        """Integrate a constant body twist for ``dt`` seconds into the pose."""
        dx, dy = body_displacement(vx, vy, wz, dt)
        x, y, yaw = self._pose
        cos_y, sin_y = math.cos(yaw), math.sin(yaw)
        self._pose = (
            x + cos_y * dx - sin_y * dy,
            y + sin_y * dx + cos_y * dy,
            wrap_angle(yaw + wz * dt),
        )

    @property
    def pose(self) -> tuple[float, float, float]:
        """``(x, y, yaw)`` of ``base_link`` in ``odom``, metres and radians."""
        return self._pose

    @property
    def twist(self) -> tuple[float, float, float]:
        """Latest body twist ``(vx, vy, wz)`` in ``base_link``, m/s and rad/s."""
        return self._twist
