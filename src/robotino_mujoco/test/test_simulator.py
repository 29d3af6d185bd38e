"""The plain simulator: sensors, bumper, timing, timeout, odometry, determinism."""

import math
from pathlib import Path

import numpy as np
import pytest

from robotino_description import ROBOTINO3
from robotino_mujoco import CameraDisabledError, RobotinoSimulator, SimulatorConfig
from robotino_world import ArenaConfig, InvalidArgumentError, NotReadyError, ScenarioError

IR = ROBOTINO3.ir


@pytest.fixture(scope='module')
def sim() -> RobotinoSimulator:
    return RobotinoSimulator()


def wall_layout(tmp_path: Path, yaw: float, gap: float) -> str:
    """A room whose interior wall's west face is ``gap`` ahead of the sensor facing +x."""
    face = IR.mount_radius + gap
    path = tmp_path / f'wall_{yaw:.3f}.yaml'
    path.write_text(
        'size_x: 4.0\nsize_y: 4.0\n'
        f'walls: [{{x: {face + 0.05}, y: 0.0, half_x: 0.05, half_y: 1.5}}]\n'
        f'start: {{x: 0.0, y: 0.0, yaw: {yaw!r}}}\ngoal: {{x: -1.5, y: 0.0}}\n')
    return str(path)


@pytest.mark.parametrize('sensor', range(9))
def test_wall_ahead_of_each_sensor_reads_its_distance(
        sim: RobotinoSimulator, tmp_path: Path, sensor: int) -> None:
    heading = IR.headings()[sensor]
    state, _ = sim.reset(0, wall_layout(tmp_path, -float(heading), 0.15))
    assert state.ranges[sensor] == pytest.approx(0.15, abs=0.005)
    assert state.ranges.shape == (9,)


def test_shipped_wall_layout_reads_the_documented_distance(sim: RobotinoSimulator) -> None:
    state, truth = sim.reset(0, 'wall_test')
    assert state.ranges[0] == pytest.approx(0.15, abs=0.005)
    assert np.all(state.ranges[3:7] == IR.max_range)
    assert not state.bumper and not truth.in_collision


def test_driving_into_a_wall_presses_the_bumper(sim: RobotinoSimulator) -> None:
    sim.reset(0, 'wall_test')
    states = [sim.advance(1, (0.3, 0.0, 0.0)) for _ in range(20)]
    assert not states[0].bumper
    assert states[-1].bumper
    truth = sim.ground_truth()
    assert truth.in_collision and truth.collisions == 1
    assert states[-1].ranges[0] == IR.min_range
    wall_face = IR.mount_radius + 0.15
    assert truth.x == pytest.approx(wall_face - ROBOTINO3.geometry.base_radius, abs=0.01)
    for _ in range(10):
        sim.advance(1, (-0.3, 0.0, 0.0))
    assert not sim.state().bumper and not sim.ground_truth().in_collision
    assert sim.ground_truth().collisions == 1


@pytest.mark.parametrize('seed', range(20))
def test_generated_start_is_collision_free_in_mujoco(sim: RobotinoSimulator, seed: int) -> None:
    state, truth = sim.reset(seed)
    assert not state.bumper and not truth.in_collision and truth.collisions == 0
    assert (truth.x, truth.y, truth.yaw) == (sim.arena.start.x, sim.arena.start.y,
                                             pytest.approx(sim.arena.start.yaw))
    assert (state.x, state.y, state.yaw, state.stamp) == (0.0, 0.0, 0.0, 0.0)
    assert np.all((state.ranges >= IR.min_range) & (state.ranges <= IR.max_range))


def run(sim: RobotinoSimulator, seed: int, periods: int = 40) -> np.ndarray:
    rng = np.random.default_rng(1000 + seed)
    rows = []
    for _ in range(periods):
        state = sim.advance(1, rng.uniform(-1.0, 1.0, size=3))
        truth = sim.ground_truth()
        rows.append([state.stamp, state.x, state.y, state.yaw, state.vx, state.vy, state.wz,
                     float(state.bumper), truth.x, truth.y, truth.yaw, *state.ranges])
    return np.array(rows)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_same_seed_and_actions_give_identical_trajectories(seed: int) -> None:
    first = RobotinoSimulator()
    first.reset(seed)
    expected = run(first, seed)
    second = RobotinoSimulator()
    second.reset(seed + 11)
    run(second, seed + 11, periods=7)
    second.reset(seed)
    again = run(second, seed)
    assert np.array_equal(again, expected)
    assert np.any(expected[:, 1] != 0.0)


def test_sim_time_counts_whole_periods(sim: RobotinoSimulator) -> None:
    sim.reset(0, 'empty_room')
    config = sim.config
    period_ns = config.steps_per_period * config.physics_step_ns
    total = 0
    for periods in (1, 3, 7, 20):
        state = sim.advance(periods, (0.1, 0.0, 0.0))
        total += periods
        assert sim.steps == total * config.steps_per_period
        assert sim.sim_time_ns == total * period_ns
        assert state.stamp == sim.sim_time == total * period_ns / 1e9
        assert sim.ground_truth().stamp == state.stamp


def test_odometry_of_a_tenth_metre_per_second_for_one_second(sim: RobotinoSimulator) -> None:
    sim.reset(0, 'empty_room')
    start = sim.ground_truth()
    state = sim.advance(10, (0.1, 0.0, 0.0))
    assert state.x == pytest.approx(0.1, abs=0.01)
    assert state.y == pytest.approx(0.0, abs=1e-6)
    assert state.vx == pytest.approx(0.1, abs=1e-3)
    truth = sim.ground_truth()
    moved = math.hypot(truth.x - start.x, truth.y - start.y)
    assert moved == pytest.approx(math.hypot(state.x, state.y), abs=0.002)


def test_command_timeout_stops_the_base(sim: RobotinoSimulator) -> None:
    sim.reset(0, 'empty_room')
    config = sim.config
    sim.set_command((0.3, 0.0, 0.0))
    moving = sim.step_physics(config.timeout_steps - 1)
    assert moving.vx == pytest.approx(0.3, abs=0.01)
    stopped = sim.step_physics(config.steps_per_period * 5)
    assert abs(stopped.vx) < 1e-3
    before = sim.ground_truth()
    sim.step_physics(config.steps_per_period * 5)
    after = sim.ground_truth()
    assert math.hypot(after.x - before.x, after.y - before.y) < 1e-3
    sim.set_command((0.3, 0.0, 0.0))
    assert sim.step_physics(config.steps_per_period * 3).vx > 0.2


def test_advance_renews_the_command_beyond_the_timeout(sim: RobotinoSimulator) -> None:
    sim.reset(0, 'empty_room')
    periods = int(sim.config.command_timeout / sim.config.control_period) + 5
    assert sim.advance(periods, (0.2, 0.0, 0.0)).vx == pytest.approx(0.2, abs=1e-3)


def test_acceleration_is_limited(sim: RobotinoSimulator) -> None:
    sim.reset(0, 'empty_room')
    state = sim.advance(1, (0.0, 0.0, 1.0))
    limits, geometry = ROBOTINO3.limits, ROBOTINO3.geometry
    peak = limits.max_wheel_acceleration * geometry.wheel_radius / geometry.wheel_distance
    assert 0.0 < state.wz <= peak * sim.config.control_period


def test_wheel_saturation_caps_full_speed(sim: RobotinoSimulator) -> None:
    sim.reset(0, 'corridor')
    state = sim.advance(15, (1.0, 0.0, 0.0))
    expected = ROBOTINO3.limits.max_wheel_speed * ROBOTINO3.geometry.wheel_radius / math.sqrt(0.75)
    assert state.vx == pytest.approx(expected, rel=1e-3)


def test_bad_requests_raise_clear_errors(sim: RobotinoSimulator) -> None:
    with pytest.raises(NotReadyError):
        RobotinoSimulator().advance(1, (0.0, 0.0, 0.0))
    sim.reset(0, 'empty_room')
    for twist in ((0.1, 0.0), (0.1, math.nan, 0.0), 'abc'):
        with pytest.raises(InvalidArgumentError, match='twist'):
            sim.advance(1, twist)
    with pytest.raises(InvalidArgumentError, match='n_periods'):
        sim.advance(0, (0.0, 0.0, 0.0))
    with pytest.raises(InvalidArgumentError, match='seed'):
        sim.reset(-1)
    with pytest.raises(ScenarioError, match='unknown scenario'):
        sim.reset(0, 'atlantis')
    with pytest.raises(CameraDisabledError):
        sim.render_camera()


def test_config_rejects_a_period_that_is_not_whole_steps() -> None:
    with pytest.raises(ValueError, match='control_period'):
        SimulatorConfig(control_period=0.0123)
    with pytest.raises(ValueError, match='command_timeout'):
        SimulatorConfig(command_timeout=0.05)


def test_arena_settings_can_change_for_one_reset(sim: RobotinoSimulator) -> None:
    sim.reset(5, arena=ArenaConfig(size_x=3.0, size_y=2.5, obstacle_count=(0, 0)))
    assert (sim.arena.size_x, sim.arena.size_y, sim.arena.obstacles) == (3.0, 2.5, ())
    sim.reset(5)
    assert sim.arena.size_x == sim.config.arena.size_x and sim.arena.obstacles
    with pytest.raises(ScenarioError, match='pools'):
        sim.reset(5, arena=ArenaConfig(obstacle_count=(0, 50)))
