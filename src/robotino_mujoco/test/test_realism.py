"""The realism model on its own: presets, checks, per-episode draws, the IR measurement model."""

import dataclasses
import math

import numpy as np
import pytest

from robotino_description import ROBOTINO3
from robotino_description.ir_conversion import IrLookupTable
from robotino_mujoco.config import SimulatorConfig, simulator_config
from robotino_mujoco.ir_model import measured_ranges
from robotino_mujoco.realism import (
    DEFAULT_RANDOMISATION,
    IDEAL,
    PRESETS,
    REALISTIC,
    Randomisation,
    Realism,
)

IR = ROBOTINO3.ir
TABLE = IrLookupTable()


def test_presets_are_named_and_ideal_is_no_imperfection():
    assert set(PRESETS) == {'ideal', 'realistic'}
    assert Realism.preset('ideal') == Realism() == IDEAL
    assert Realism.preset('realistic') is REALISTIC
    assert not IDEAL.ir_imperfect and REALISTIC.ir_imperfect
    with pytest.raises(ValueError, match="ideal, realistic, got 'sloppy'"):
        Realism.preset('sloppy')


def test_realistic_carries_the_cited_figures():
    assert REALISTIC.ir_noise == 0.005
    assert REALISTIC.ir_adc_step == pytest.approx(0.00488, abs=1e-5)
    assert REALISTIC.max_wheel_speed == pytest.approx(9.8175, abs=1e-4)
    straight_ahead = (REALISTIC.max_wheel_acceleration * ROBOTINO3.geometry.wheel_radius
                      / math.cos(math.radians(30.0)))
    assert straight_ahead == pytest.approx(0.4)


def test_wheel_limits_replace_the_descriptions_only_when_set():
    assert IDEAL.with_limits(ROBOTINO3) is ROBOTINO3
    limits = REALISTIC.with_limits(ROBOTINO3).limits
    assert limits.max_wheel_speed == REALISTIC.max_wheel_speed
    assert limits.max_wheel_acceleration == REALISTIC.max_wheel_acceleration
    assert limits.max_linear_speed == ROBOTINO3.limits.max_linear_speed


@pytest.mark.parametrize('changes', [
    {'ir_noise': -0.1}, {'ir_dropout': 1.5}, {'ir_false_echo': -0.01}, {'slip': 1.0},
    {'mass_scale': 0.0}, {'latency': math.nan}, {'period_jitter': -1.0},
    {'max_wheel_speed': 0.0}, {'ir_adc_step': 'fine'}, {'motor_gain': True},
])
def test_realism_names_a_bad_value(changes):
    (name,) = changes
    with pytest.raises(ValueError, match=name):
        Realism(**changes)


@pytest.mark.parametrize('changes', [
    {'latency': (0.2, 0.1)}, {'friction': (0.0, 1.0)}, {'slip': (-0.1, 0.1)},
    {'mass': (1.0,)}, {'noise_scale': [0.5, 1.0]}, {'motor_gain': (1.0, math.inf)},
])
def test_randomisation_names_a_bad_range(changes):
    (name,) = changes
    with pytest.raises(ValueError, match=name):
        Randomisation(**changes)


def test_config_refuses_ranges_that_leave_the_presets_domain():
    with pytest.raises(ValueError, match='slip'):
        SimulatorConfig(realism=Realism(slip=0.5), randomisation=Randomisation(slip=(0.0, 0.6)))
    with pytest.raises(ValueError, match='ir_dropout'):
        SimulatorConfig(realism=Realism(ir_dropout=0.4), randomisation=Randomisation(
            noise_scale=(1.0, 3.0)))
    with pytest.raises(ValueError, match=r'Realism\.preset'):
        SimulatorConfig(realism='realistic')
    SimulatorConfig(realism=REALISTIC, randomisation=DEFAULT_RANDOMISATION)


def test_simulator_config_builds_a_preset_with_or_without_randomisation():
    plain = simulator_config(control_period=0.05)
    assert plain.realism == IDEAL and plain.randomisation is None and plain.control_period == 0.05
    randomised = simulator_config('realistic', True)
    assert randomised.realism is REALISTIC and randomised.randomisation is DEFAULT_RANDOMISATION
    with pytest.raises(ValueError, match='realism must be one of'):
        simulator_config('perfect')


def test_a_draw_stays_in_its_ranges_and_repeats_for_the_same_stream():
    draws = [DEFAULT_RANDOMISATION.draw(REALISTIC, np.random.default_rng(seed))
             for seed in (4, 4, 5)]
    assert draws[0] == draws[1] != draws[2]
    for drawn in draws:
        assert 0.5 <= drawn.ir_noise / REALISTIC.ir_noise <= 2.0
        assert 0.0 <= drawn.latency - REALISTIC.latency <= 0.05
        assert 0.7 <= drawn.friction_scale <= 1.3 and 0.9 <= drawn.mass_scale <= 1.25
        assert 0.9 <= drawn.motor_gain <= 1.1 and REALISTIC.slip <= drawn.slip <= 0.08
        assert drawn.ir_adc_step == REALISTIC.ir_adc_step
        assert drawn.max_wheel_speed == REALISTIC.max_wheel_speed


def test_no_ranges_draw_nothing():
    rng = np.random.default_rng(1)
    before = rng.bit_generator.state
    assert Randomisation().draw(REALISTIC, rng) == REALISTIC
    assert rng.bit_generator.state == before


def readings(realism: Realism, distance: float, count: int = 20000, seed: int = 0) -> np.ndarray:
    """``count`` readings of one sensor at ``distance`` metres."""
    rng = np.random.default_rng(seed)
    distances = np.full(IR.count, distance)
    return np.concatenate([measured_ranges(distances, IR, TABLE, realism, rng)
                           for _ in range(count // IR.count)])


def test_without_imperfections_the_band_is_all_and_nothing_is_drawn():
    rng = np.random.default_rng(3)
    before = rng.bit_generator.state
    distances = np.array([-1.0, 0.0, 0.02, 0.1, 0.15, 0.2999, 0.3, 0.5, 0.12])
    assert np.array_equal(measured_ranges(distances, IR, TABLE, IDEAL, rng),
                          IR.to_band(distances))
    assert rng.bit_generator.state == before


def test_noise_is_relative_to_the_voltage_and_unbiased():
    values = readings(Realism(ir_noise=0.005), 0.15)
    volts = float(TABLE.to_reading([0.15])[0])
    slope = float(np.diff(TABLE.to_reading([0.14, 0.16]))[0]) / 0.02
    assert values.mean() == pytest.approx(0.15, abs=5e-5)
    assert values.std() == pytest.approx(0.005 * volts / abs(slope), rel=0.05)


def test_quantisation_leaves_only_whole_adc_steps():
    step = REALISTIC.ir_adc_step
    values = readings(Realism(ir_noise=0.005, ir_adc_step=step), 0.15)
    counts = TABLE.to_reading(values) / step
    assert np.allclose(counts, np.round(counts), atol=1e-6)
    assert 3 <= len(np.unique(values)) <= 12
    assert values.mean() == pytest.approx(0.15, abs=1e-4)


def test_dropouts_read_nothing_and_false_echoes_something_anywhere():
    dropped = readings(Realism(ir_dropout=0.1), 0.15)
    assert np.mean(dropped == IR.max_range) == pytest.approx(0.1, abs=0.01)
    assert np.all((dropped == IR.max_range) | np.isclose(dropped, 0.15))
    echoes = readings(Realism(ir_false_echo=0.1), -1.0)
    seen = echoes[echoes < IR.max_range]
    assert len(seen) / len(echoes) == pytest.approx(0.1, abs=0.01)
    assert seen.min() >= IR.min_range and np.median(seen) == pytest.approx(0.17, abs=0.02)


def test_realistic_readings_are_noisy_unbiased_and_sometimes_missing():
    values = readings(REALISTIC, 0.15)
    assert np.median(values) == pytest.approx(0.15, abs=0.001)
    assert np.mean(values == IR.max_range) == pytest.approx(0.01, abs=0.003)
    assert len(np.unique(values)) > 3
    assert readings(dataclasses.replace(REALISTIC, ir_false_echo=0.0), -1.0).min() \
        == IR.max_range
