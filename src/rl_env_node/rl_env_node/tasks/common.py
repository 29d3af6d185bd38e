"""Pieces most Robotino tasks share: velocity actions, IR and velocity features.

Everything is normalised so that a policy network sees values of order one:
IR ranges map the sensor band to [0, 1] (1 is free space), body velocities
and actions are fractions of the task's speed limits. These run at every
step on arrays of three to nine values, where ``np.clip``'s Python wrapper
cost more than the clipping: the ufuncs ``np.minimum``/``np.maximum`` and
plain floats give the same numbers.
"""

from __future__ import annotations

import math

import numpy as np
from gymnasium import spaces

from rl_env_node.backend import Twist
from rl_env_node.errors import TaskOptionError
from robotino_description import IrSensorLayout, RobotinoLimits, RobotState

#: Names of the three elements of a velocity action and of the velocity features.
VELOCITY_NAMES = ('vx', 'vy', 'wz')


def check_speeds(max_speed: float, max_yaw_rate: float, limits: RobotinoLimits) -> None:
    """Reject task speed limits above what the robot's driver accepts.

    :param max_speed: the task's cap per linear axis, m/s.
    :param max_yaw_rate: the task's cap on the yaw rate, rad/s.
    :raises TaskOptionError: naming the option, its value and the robot's limit.
    """
    if not 0.0 < max_speed <= limits.max_linear_speed:
        raise TaskOptionError(f"task option 'max_speed' must be in (0, "
                              f'{limits.max_linear_speed}] m/s, got {max_speed!r}')
    if not 0.0 < max_yaw_rate <= limits.max_angular_speed:
        raise TaskOptionError(f"task option 'max_yaw_rate' must be in (0, "
                              f'{limits.max_angular_speed}] rad/s, got {max_yaw_rate!r}')


def velocity_action_space() -> spaces.Box:
    """The normalised ``(vx, vy, wz)`` action space, [-1, 1]^3, float32."""
    return spaces.Box(-1.0, 1.0, shape=(3,), dtype=np.float32)


def scale_twist(action: np.ndarray, max_speed: float, max_yaw_rate: float) -> Twist:
    """Map a normalised action in [-1, 1]^3 to a body twist in ``base_link``.

    The linear part is scaled down to unit length when longer, so the robot
    never goes faster than ``max_speed`` in any direction (a diagonal action
    would otherwise reach 1.41 times it).

    :param action: ``(vx, vy, wz)`` as fractions of the limits.
    :param max_speed: m/s at a linear part of length 1.
    :param max_yaw_rate: rad/s at ``wz`` = 1.
    :return: ``(vx m/s, vy m/s, wz rad/s)``.
    """
    vx, vy, wz = np.minimum(np.maximum(action, -1.0), 1.0).tolist()
    length = max(1.0, math.hypot(vx, vy))
    return (vx / length * max_speed, vy / length * max_speed, wz * max_yaw_rate)


def ir_features(ranges: np.ndarray, ir: IrSensorLayout) -> np.ndarray:
    """IR ranges mapped from the sensor band to [0, 1]: 0 touching, 1 nothing seen.

    :param ranges: the nine ranges in metres, sensor order.
    """
    span = ir.max_range - ir.min_range
    return np.minimum(np.maximum((np.asarray(ranges, dtype=float) - ir.min_range) / span, 0.0),
                      1.0)


def velocity_features(state: RobotState, max_speed: float, max_yaw_rate: float) -> np.ndarray:
    """Body twist from odometry as fractions of the task's limits, clipped to [-1, 1]."""
    return np.array([min(1.0, max(-1.0, state.vx / max_speed)),
                     min(1.0, max(-1.0, state.vy / max_speed)),
                     min(1.0, max(-1.0, state.wz / max_yaw_rate))])


def box(low: list[float], high: list[float]) -> spaces.Box:
    """A float32 Box from per-element bounds."""
    return spaces.Box(np.asarray(low, dtype=np.float32), np.asarray(high, dtype=np.float32),
                      dtype=np.float32)
