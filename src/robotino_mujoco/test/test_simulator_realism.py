"""The simulator with realism: ideal is exact, each imperfection shows where it should, seeded."""

import math

import numpy as np
import pytest

from robotino_description import ROBOTINO3
from robotino_description.ir_conversion import IrLookupTable
from robotino_mujoco import RobotinoSimulator, SimulatorConfig
from robotino_mujoco.realism import (
    DEFAULT_RANDOMISATION,
    IDEAL,
    REALISTIC,
    Randomisation,
    Realism,
)

IR = ROBOTINO3.ir
NEUTRAL = Randomisation(noise_scale=(1.0, 1.0), latency=(0.0, 0.0), friction=(1.0, 1.0),
                        mass=(1.0, 1.0), motor_gain=(1.0, 1.0), slip=(0.0, 0.0))


def simulator(realism: Realism = IDEAL, randomisation: Randomisation | None = None):
    return RobotinoSimulator(SimulatorConfig(realism=realism, randomisation=randomisation))


def rollout(sim: RobotinoSimulator, seed: int, scenario: str = '') -> np.ndarray:
    """A seeded episode, lockstep then free running: every state and ground truth, as rows."""
    sim.reset(seed, scenario)
    rng = np.random.default_rng(100 + seed)
    states = [sim.advance(int(rng.integers(1, 3)), rng.uniform(-1.0, 1.0, 3)) for _ in range(25)]
    sim.set_command(rng.uniform(-1.0, 1.0, 3))
    states += [sim.step_period() for _ in range(8)]
    states += [sim.step_physics(int(rng.integers(1, 30))) for _ in range(8)]
    truths = [sim.ground_truth()] * len(states)
    return np.array([[s.stamp, s.x, s.y, s.yaw, s.vx, s.vy, s.wz, s.bumper, *s.ranges,
                      t.x, t.y, t.yaw] for s, t in zip(states, truths, strict=True)])


@pytest.mark.parametrize('seed,scenario', [(0, ''), (3, 'wall_test'), (8, 'corridor')])
def test_ideal_and_neutral_draws_are_the_plain_simulator_bit_for_bit(seed, scenario):
    expected = rollout(RobotinoSimulator(), seed, scenario)
    assert rollout(simulator(IDEAL), seed, scenario).tobytes() == expected.tobytes()
    assert rollout(simulator(IDEAL, NEUTRAL), seed, scenario).tobytes() == expected.tobytes()


def test_realistic_ir_is_noisy_quantised_and_drops_out_while_the_truth_stays_true():
    ideal, real = simulator(), simulator(REALISTIC)
    clean, _ = ideal.reset(0, 'wall_test')
    real.reset(0, 'wall_test')
    front = np.array([real.step_physics(1).ranges[0] for _ in range(1000)])
    assert clean.ranges[0] == pytest.approx(0.15, abs=0.005)
    assert np.median(front) == pytest.approx(clean.ranges[0], abs=0.002)
    assert len(np.unique(front)) > 3
    assert 0 < np.count_nonzero(front == IR.max_range) < 30
    inside = front[(front > IR.min_range) & (front < IR.max_range)]
    steps = IrLookupTable().to_reading(inside) / REALISTIC.ir_adc_step
    assert np.allclose(steps, np.round(steps), atol=1e-6)
    ideal.step_physics(1000)
    truth, real_truth = ideal.ground_truth(), real.ground_truth()
    assert (real_truth.x, real_truth.y, real_truth.yaw) == (truth.x, truth.y, truth.yaw)


def travelled(sim: RobotinoSimulator, periods: int, twist=(0.3, 0.0, 0.0)) -> list[float]:
    """Ground-truth distance from the start after each of ``periods`` periods of ``twist``."""
    sim.reset(0, 'empty_room')
    start = sim.ground_truth()
    moved = []
    for _ in range(periods):
        sim.advance(1, twist)
        truth = sim.ground_truth()
        moved.append(math.hypot(truth.x - start.x, truth.y - start.y))
    return moved


def test_latency_delays_the_motion_by_the_configured_time():
    ideal = travelled(simulator(), 12)
    late = travelled(simulator(Realism(latency=0.2)), 12)
    assert late[:2] == [0.0, 0.0] and ideal[0] > 0.0
    assert late[2:] == pytest.approx(ideal[:-2], abs=1e-9)


def test_latency_also_delays_a_free_running_command_and_its_timeout():
    sim = simulator(Realism(latency=0.2))
    sim.reset(0, 'empty_room')
    start = sim.ground_truth()
    sim.set_command((0.3, 0.0, 0.0))
    assert sim.step_physics(40).vx == 0.0
    truth = sim.ground_truth()
    assert (truth.x, truth.y, truth.yaw) == (start.x, start.y, start.yaw)
    assert sim.step_physics(20).vx > 0.1
    config = sim.config
    assert sim.step_physics(config.timeout_steps - 25).vx == pytest.approx(0.3, abs=0.01)
    assert abs(sim.step_physics(5 * config.steps_per_period).vx) < 1e-3


def test_slip_makes_odometry_overestimate_the_true_displacement():
    sim = simulator(Realism(slip=0.1))
    moved = travelled(sim, 20)[-1]
    odometry = math.hypot(sim.state().x, sim.state().y)
    assert moved == pytest.approx(0.9 * travelled(simulator(), 20)[-1], rel=0.01)
    assert odometry == pytest.approx(moved / 0.9, rel=0.01)


def test_motor_gain_moves_the_base_less_and_the_encoders_see_it():
    sim = simulator(Realism(motor_gain=0.8))
    moved = travelled(sim, 20)[-1]
    assert moved == pytest.approx(0.8 * travelled(simulator(), 20)[-1], rel=0.01)
    assert math.hypot(sim.state().x, sim.state().y) == pytest.approx(moved, rel=0.01)


def test_encoder_errors_make_the_heading_drift_differently_per_seed():
    sim = simulator(Realism(encoder_error=0.02))
    yaws = []
    for seed in (1, 2, 1):
        sim.reset(seed, 'empty_room')
        yaws.append(sim.advance(20, (0.3, 0.0, 0.0)).yaw)
        assert abs(sim.ground_truth().yaw - sim.arena.start.yaw) < 1e-6
    assert yaws[0] == yaws[2] != yaws[1] and abs(yaws[0]) > 1e-4


def test_randomisation_differs_across_seeds_and_repeats_for_a_seed():
    sim = simulator(REALISTIC, DEFAULT_RANDOMISATION)
    drawn, runs = [], []
    for seed in (1, 2, 1):
        runs.append(rollout(sim, seed))
        drawn.append(sim.realism)
    assert drawn[0] == drawn[2] != drawn[1]
    assert runs[0].tobytes() == runs[2].tobytes()
    assert not np.array_equal(runs[0], runs[1])
    sim.reset(None)
    assert sim.realism != drawn[0]


def test_friction_and_mass_change_on_the_model_and_change_the_motion():
    sim = simulator(randomisation=Randomisation(friction=(2.0, 3.0), mass=(1.8, 2.0)))
    model, plain = sim.mj_model, RobotinoSimulator().mj_model
    base = model.geom_bodyid[model.geom('base').id]
    heavy = travelled(sim, 3)
    mass, friction = sim.realism.mass_scale, sim.realism.friction_scale
    assert 1.8 <= mass <= 2.0 and 2.0 <= friction <= 3.0
    assert model.body_mass[base] == pytest.approx(mass * plain.body_mass[base])
    assert np.allclose(model.body_inertia[base], mass * plain.body_inertia[base])
    assert np.allclose(model.geom_friction, friction * plain.geom_friction)
    assert heavy[0] < travelled(RobotinoSimulator(), 3)[0]


def test_lockstep_time_stays_exact_while_free_running_periods_jitter():
    sim = simulator(Realism(period_jitter=0.02))
    sim.reset(0, 'empty_room')
    config = sim.config
    for periods in range(1, 6):
        before = sim.steps
        sim.advance(periods, (0.1, 0.0, 0.0))
        assert sim.steps - before == periods * config.steps_per_period
    lengths = []
    for _ in range(200):
        before = sim.steps
        sim.step_period()
        lengths.append(sim.steps - before)
    assert min(lengths) >= 1 and len(set(lengths)) > 3
    assert np.mean(lengths) == pytest.approx(config.steps_per_period, abs=0.5)
    assert np.std(lengths) * config.physics_step == pytest.approx(0.02, rel=0.2)


def test_realistic_drive_limits_are_the_drivers():
    limits = Realism(max_wheel_speed=REALISTIC.max_wheel_speed,
                     max_wheel_acceleration=REALISTIC.max_wheel_acceleration)
    sim = simulator(limits)
    sim.reset(0, 'corridor')
    early = sim.advance(5, (1.0, 0.0, 0.0)).vx
    later = sim.advance(5, (1.0, 0.0, 0.0)).vx
    top = sim.advance(30, (1.0, 0.0, 0.0)).vx
    assert (later - early) / (5 * sim.config.control_period) == pytest.approx(0.4, rel=0.02)
    assert top == pytest.approx(
        REALISTIC.max_wheel_speed * ROBOTINO3.geometry.wheel_radius / math.sqrt(0.75), rel=1e-3)
