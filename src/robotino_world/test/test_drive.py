"""The wheel set-point ramp: bounded acceleration, common timing, exact landing."""

import numpy as np
import pytest

from robotino_world.drive import WheelRamp

LIMIT, STEP = 30.0, 0.005


def test_ramp_keeps_every_wheel_within_the_limit_and_lands_on_target() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        ramp = WheelRamp(LIMIT, STEP)
        target = tuple(float(v) for v in rng.uniform(-12.0, 12.0, size=3))
        rates, steps = ramp.plan(target)
        assert max(abs(r) for r in rates) <= LIMIT * (1.0 + 1e-9)
        assert steps == int(np.ceil(max(abs(t) for t in target) / (LIMIT * STEP) - 1e-9))
        ramp.advance(target, rates, steps, steps - 1)
        assert np.allclose(np.cross(ramp.setpoint, target), 0.0, atol=1e-9)
        ramp.advance(target, *ramp.plan(target), steps)
        assert ramp.setpoint == target


def test_partial_advance_then_replan_continues_the_same_line() -> None:
    ramp = WheelRamp(LIMIT, STEP)
    target = (3.0, -1.5, 0.75)
    rates, steps = ramp.plan(target)
    ramp.advance(target, rates, steps, 5)
    assert ramp.setpoint == pytest.approx((0.75, -0.375, 0.1875))
    again, remaining = ramp.plan(target)
    assert again == pytest.approx(rates) and remaining == steps - 5


def test_at_target_nothing_moves() -> None:
    ramp = WheelRamp(LIMIT, STEP)
    assert ramp.plan((0.0, 0.0, 0.0)) == ((0.0, 0.0, 0.0), 0)


def test_bad_limits_are_rejected() -> None:
    with pytest.raises(ValueError, match='max_acceleration'):
        WheelRamp(0.0, STEP)
