"""Omni-wheel kinematics and the driver's clamps, against hand-derived values."""

import math

import numpy as np
import pytest

from robotino_description import ROBOTINO3, RobotinoKinematics, RobotinoLimits

KINEMATICS = ROBOTINO3.kinematics()
R = ROBOTINO3.geometry.wheel_distance
r = ROBOTINO3.geometry.wheel_radius


def random_twists(count: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-2.0, 2.0, size=(count, 3))


def test_inverse_then_forward_is_identity() -> None:
    for twist in random_twists(1000):
        assert np.allclose(KINEMATICS.forward(KINEMATICS.inverse(twist)), twist,
                           rtol=0.0, atol=1e-9)


def test_forward_then_inverse_is_identity() -> None:
    for wheels in random_twists(1000, seed=1) * 10.0:
        assert np.allclose(KINEMATICS.inverse(KINEMATICS.forward(wheels)), wheels,
                           rtol=0.0, atol=1e-9)


def test_wheel_speeds_match_the_webots_controller_equations() -> None:
    # base.c: w0 = (vy - R wz) / r, w1 = (-sqrt(.75) vx - .5 vy - R wz) / r,
    #         w2 = (sqrt(.75) vx - .5 vy - R wz) / r
    for vx, vy, wz in random_twists(100, seed=2):
        expected = np.array([
            vy - R * wz,
            -math.sqrt(0.75) * vx - 0.5 * vy - R * wz,
            math.sqrt(0.75) * vx - 0.5 * vy - R * wz,
        ]) / r
        assert np.allclose(KINEMATICS.inverse((vx, vy, wz)), expected, atol=1e-12)


def test_pure_rotation_turns_all_wheels_equally() -> None:
    wheels = KINEMATICS.inverse((0.0, 0.0, 1.0))
    assert np.allclose(wheels, -R / r)


def test_saturation_preserves_direction_and_caps_the_fastest_wheel() -> None:
    limit = ROBOTINO3.limits.max_wheel_speed
    for wheels in random_twists(500, seed=3) * 20.0:
        saturated = KINEMATICS.saturate(wheels)
        assert np.max(np.abs(saturated)) <= limit * (1.0 + 1e-12)
        twist, limited = KINEMATICS.forward(wheels), KINEMATICS.forward(saturated)
        assert np.allclose(np.cross(twist, limited), 0.0, atol=1e-9)
        assert np.dot(twist, limited) > 0.0
        if np.max(np.abs(wheels)) > limit:
            assert np.isclose(np.max(np.abs(saturated)), limit)
        else:
            assert np.array_equal(saturated, wheels)


def test_full_speed_ahead_is_wheel_limited() -> None:
    twist = KINEMATICS.forward(KINEMATICS.wheel_command((1.0, 0.0, 0.0)))
    expected = ROBOTINO3.limits.max_wheel_speed * r / math.sqrt(0.75)
    assert twist[0] == pytest.approx(expected)
    assert abs(twist[1]) < 1e-12 and abs(twist[2]) < 1e-12


def test_clamp_twist_follows_the_driver() -> None:
    limits = RobotinoLimits(max_linear_speed=0.5, min_linear_speed=0.05,
                            max_angular_speed=1.0, min_angular_speed=0.1)
    assert limits.clamp_twist(0.9, -0.9, 3.0) == (0.5, -0.5, 1.0)
    assert limits.clamp_twist(0.01, -0.01, -0.02) == (0.05, -0.05, -0.1)
    assert limits.clamp_twist(0.0, 0.2, -0.3) == (0.0, 0.2, -0.3)


def test_wheel_command_clamps_before_inverting() -> None:
    kinematics = RobotinoKinematics(ROBOTINO3.geometry, RobotinoLimits(max_angular_speed=0.5))
    assert np.allclose(kinematics.wheel_command((0.0, 0.0, 2.0)),
                       kinematics.inverse((0.0, 0.0, 0.5)))


@pytest.mark.parametrize('bad', [(1.0, 2.0), (1.0, 2.0, 3.0, 4.0)])
def test_wrong_length_is_rejected(bad: tuple) -> None:
    with pytest.raises(ValueError, match='3 values'):
        KINEMATICS.inverse(bad)


def test_limits_reject_impossible_values() -> None:
    with pytest.raises(ValueError, match='max_wheel_speed'):
        RobotinoLimits(max_wheel_speed=0.0)
    with pytest.raises(ValueError, match='min_linear_speed'):
        RobotinoLimits(min_linear_speed=2.0)
