"""Wheel odometry: exact on constant twists, second order on ramps."""

import math

import numpy as np
import pytest

from robotino_description import ROBOTINO3, WheelOdometry, body_displacement, wrap_angle

KINEMATICS = ROBOTINO3.kinematics()


def drive(odometry: WheelOdometry, twist: tuple, seconds: float, samples: int) -> None:
    wheels = KINEMATICS.inverse(twist)
    for _ in range(samples):
        odometry.update(wheels, seconds / samples)


def test_straight_line_sideways() -> None:
    odometry = WheelOdometry(KINEMATICS)
    odometry.update(KINEMATICS.inverse((0.0, 0.2, 0.0)), 1e-9)
    drive(odometry, (0.0, 0.2, 0.0), 2.0, 40)
    x, y, yaw = odometry.pose
    assert x == pytest.approx(0.0, abs=1e-9)
    assert y == pytest.approx(0.4, abs=1e-6)
    assert yaw == pytest.approx(0.0, abs=1e-9)
    assert odometry.twist == pytest.approx((0.0, 0.2, 0.0), abs=1e-9)


def test_constant_twist_follows_the_circle() -> None:
    odometry = WheelOdometry(KINEMATICS)
    odometry.update(KINEMATICS.inverse((0.3, 0.0, 0.5)), 1e-12)
    drive(odometry, (0.3, 0.0, 0.5), math.pi, 7)
    x, y, yaw = odometry.pose
    radius = 0.3 / 0.5
    assert (x, y) == pytest.approx((radius, radius), abs=1e-6)
    assert yaw == pytest.approx(math.pi / 2.0, abs=1e-6)


def test_reset_restarts_at_rest() -> None:
    odometry = WheelOdometry(KINEMATICS)
    drive(odometry, (0.5, 0.1, 0.2), 1.0, 10)
    odometry.reset(1.0, 2.0, 7.0)
    assert odometry.pose == pytest.approx((1.0, 2.0, wrap_angle(7.0)))
    assert odometry.twist == (0.0, 0.0, 0.0)


def test_body_displacement_without_turn() -> None:
    assert body_displacement(1.0, -2.0, 0.0, 0.5) == (0.5, -1.0)


@pytest.mark.parametrize(('angle', 'wrapped'), [
    (0.0, 0.0), (math.pi, math.pi), (-math.pi, math.pi), (3.0 * math.pi, math.pi),
    (2.0 * math.pi + 0.1, 0.1), (-0.1, -0.1)])
def test_wrap_angle(angle: float, wrapped: float) -> None:
    assert wrap_angle(angle) == pytest.approx(wrapped)
    assert -math.pi < wrap_angle(angle) <= math.pi


def test_sampled_ramp_matches_the_exact_distance() -> None:
    odometry = WheelOdometry(KINEMATICS)
    speeds = np.linspace(0.0, 1.0, 11)
    for speed in speeds[1:]:
        odometry.update(KINEMATICS.inverse((speed, 0.0, 0.0)), 0.1)
    assert odometry.pose[0] == pytest.approx(0.5, abs=1e-12)


def test_mean_speeds_from_encoders_are_exact_from_the_first_interval() -> None:
    odometry = WheelOdometry(KINEMATICS)
    twist = (0.3, -0.1, 0.8)
    for _ in range(50):
        odometry.update_mean(KINEMATICS.inverse(twist), 0.01)
    dx, dy = body_displacement(*twist, 0.5)
    assert odometry.pose == pytest.approx((dx, dy, 0.4), abs=1e-9)
    assert odometry.twist == pytest.approx(twist, abs=1e-9)
