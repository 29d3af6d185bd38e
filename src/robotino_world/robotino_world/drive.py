"""Acceleration-limited wheel set-points: the motor controllers' ramp.

Each wheel's set-point moves toward its target at no more than the motor's
acceleration limit, and all wheels take the same number of steps, so the
set-points pass through scaled copies of the change and the direction of
travel holds during the ramp too (as the Webots sample controller's
``base_accelerate`` does with body speeds). Plain floats: this runs several
times per control period.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from robotino_description import RobotinoKinematics
from robotino_world.errors import InvalidArgumentError

Wheels = tuple[float, float, float]

DEFAULT_CONTROL_PERIOD = 0.1
"""Seconds of robot time per control period by default: the real driver's 10 Hz."""

DEFAULT_COMMAND_TIMEOUT = 0.5
"""Seconds without a velocity command after which every simulated base brakes to a stop."""


def wheel_targets(kinematics: RobotinoKinematics, twist: Sequence[float]) -> Wheels:
    """The wheel speeds (rad/s) a ``cmd_vel`` asks for, clamped and saturated as the robot does.

    Every simulator takes commands through here, so a bad one is refused alike.

    :param twist: ``(vx, vy, wz)`` in ``base_link``, m/s and rad/s.
    :raises InvalidArgumentError: unless ``twist`` is three finite numbers.
    """
    try:
        values = np.asarray(twist, dtype=float)
    except (TypeError, ValueError) as error:
        raise InvalidArgumentError(f'twist must be 3 numbers, got {twist!r}') from error
    if values.shape != (3,) or not np.isfinite(values).all():
        raise InvalidArgumentError(f'twist must be 3 finite numbers, got {twist!r}')
    return tuple(kinematics.wheel_command(values).tolist())


class WheelRamp:
    """Wheel speed set-points (rad/s) ramping toward targets, step by physics step.

    :param max_acceleration: per-wheel limit, rad/s^2.
    :param step_time: physics step, seconds.
    """

    def __init__(self, max_acceleration: float, step_time: float) -> None:
        if not max_acceleration > 0.0 or not step_time > 0.0:
            raise ValueError('max_acceleration and step_time must be > 0, got '
                             f'{max_acceleration!r}, {step_time!r}')
        self._max_change = max_acceleration * step_time
        self._step_time = step_time
        self._setpoint: Wheels = (0.0, 0.0, 0.0)

    @property
    def setpoint(self) -> Wheels:
        """The current set-points, rad/s."""
        return self._setpoint

    def reset(self) -> None:
        """Set every set-point to zero (motors at rest)."""
        self._setpoint = (0.0, 0.0, 0.0)

    def plan(self, target: Wheels) -> tuple[Wheels, int]:
        """How to reach ``target``: per-wheel rates (rad/s^2) and the steps it takes.

        The steps are the fewest that keep every wheel within the limit; zero
        (and zero rates) when the set-points are already there.
        """
        deltas = tuple(t - s for t, s in zip(target, self._setpoint, strict=True))
        steps = math.ceil(max(abs(d) for d in deltas) / self._max_change - 1e-9)
        if steps <= 0:
            return (0.0, 0.0, 0.0), 0
        duration = steps * self._step_time
        return tuple(d / duration for d in deltas), steps

    def advance(self, target: Wheels, rates: Wheels, ramp_steps: int, steps: int) -> None:
        """Move the set-points ``steps`` physics steps along a :meth:`plan`.

        Reaching the end of the ramp lands exactly on ``target``.
        """
        if steps >= ramp_steps:
            self._setpoint = tuple(target)
            return
        elapsed = steps * self._step_time
        self._setpoint = tuple(s + r * elapsed for s, r in zip(self._setpoint, rates, strict=True))
