"""Omni-wheel kinematics of the Robotino 3: body twist <-> wheel speeds.

A wheel at drive heading ``b`` (see :mod:`.geometry`) turning at ``w`` rad/s
moves its contact point along ``b`` at ``r * w``, so for a body twist
``(vx, vy, wz)`` in ``base_link``::

    r * w = cos(b) * vx + sin(b) * vy - R * wz

with ``r`` the wheel radius and ``R`` the hub distance; the ``-R`` holds for
every wheel because each hub sits 90 degrees counter-clockwise of its drive
direction. These are the equations of the Webots sample controller
(``base.c``, ``base_set_speeds_now``), wheel for wheel and sign for sign, so
the Webots motors ``wheel0_joint`` .. ``wheel2_joint`` take these speeds
unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from robotino_description.geometry import RobotinoGeometry
from robotino_description.limits import RobotinoLimits


def _as_vector3(values: Sequence[float] | np.ndarray, what: str) -> np.ndarray:
    """Return ``values`` as a float array of shape (3,), or raise naming ``what``."""
    vector = np.asarray(values, dtype=float)
    if vector.shape != (3,):
        raise ValueError(f'{what} needs 3 values, got shape {vector.shape}')
    return vector


class RobotinoKinematics:
    """Maps body twists to wheel speeds and back, with the drive's limits.

    Twists are ``(vx, vy, wz)`` in ``base_link`` (m/s, m/s, rad/s); wheel
    speeds are ``(w0, w1, w2)`` in rad/s, positive driving the base along
    each wheel's drive heading.

    :param geometry: wheel layout and sizes.
    :param limits: twist clamps and motor limits.
    """

    def __init__(self, geometry: RobotinoGeometry, limits: RobotinoLimits) -> None:
        self._geometry = geometry
        self._limits = limits
        angles = geometry.drive_angles
        rows = np.column_stack(
            (np.cos(angles), np.sin(angles), np.full(3, -geometry.wheel_distance))
        )
        self._wheels_from_twist = rows / geometry.wheel_radius
        self._twist_from_wheels = np.linalg.inv(self._wheels_from_twist)

    @property
    def geometry(self) -> RobotinoGeometry:
        """The wheel layout these kinematics use."""
        return self._geometry

    @property
    def limits(self) -> RobotinoLimits:
        """The limits :meth:`wheel_command` applies."""
        return self._limits

    @property
    def wheels_from_twist(self) -> np.ndarray:
        """The 3x3 matrix taking a body twist to wheel speeds (a copy)."""
        return self._wheels_from_twist.copy()

    @property
    def twist_from_wheels(self) -> np.ndarray:
        """The 3x3 matrix taking wheel speeds to a body twist (a copy)."""
        return self._twist_from_wheels.copy()

    def inverse(self, twist: Sequence[float] | np.ndarray) -> np.ndarray:
        """Wheel speeds (rad/s) that produce a body twist, without any limit."""
        return self._wheels_from_twist @ _as_vector3(twist, 'twist')

    def forward(self, wheel_speeds: Sequence[float] | np.ndarray) -> np.ndarray:
        """Body twist ``(vx, vy, wz)`` that wheel speeds (rad/s) produce without slip."""
        return self._twist_from_wheels @ _as_vector3(wheel_speeds, 'wheel_speeds')

    def saturate(self, wheel_speeds: Sequence[float] | np.ndarray) -> np.ndarray:
        """Scale all wheel speeds by one factor so none exceeds the motor limit.

        One common factor keeps the ratios between the wheels, hence the
        direction of travel and the curvature; only the speed drops.
        """
        speeds = _as_vector3(wheel_speeds, 'wheel_speeds')
        peak = float(np.abs(speeds).max())
        if peak <= self._limits.max_wheel_speed:
            return speeds.copy()
        return speeds * (self._limits.max_wheel_speed / peak)

    def wheel_command(self, twist: Sequence[float] | np.ndarray) -> np.ndarray:
        """Clamp, invert and saturate a ``cmd_vel`` twist, as the real drive does.

        :param twist: requested ``(vx, vy, wz)`` in ``base_link``.
        :return: the wheel speed set-points in rad/s.
        """
        vx, vy, wz = _as_vector3(twist, 'twist')
        clamped = self._limits.clamp_twist(float(vx), float(vy), float(wz))
        return self.saturate(self.inverse(clamped))
