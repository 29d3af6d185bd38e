"""The Robotino's accounting in Webots, run in process on the TEST DOUBLE of Webots.

Webots cannot run here: ``webots_double.Supervisor`` stands in for it (a
kinematic base, analytic IR rays along the PROTO's beams); what is tested is
the plugin's own logic on top of the device I/O: settling a placed world,
odometry from encoders, the command timeout, the IR conversion (exact
readings, then with Webots' noise), and refusing worlds it cannot use.
"""

import math

import numpy as np
import pytest
from webots_double import Supervisor

from robotino_description import ROBOTINO3
from robotino_webots.errors import WorldSetupError
from robotino_webots.simulation import WebotsSimulation
from robotino_webots.webots_io import WebotsRobotino
from robotino_webots.world import default_world
from robotino_world.arena import ArenaConfig
from robotino_world.arena_stream import ArenaStream
from robotino_world.errors import NotReadyError

PERIOD = 0.1
TIMEOUT = 0.5


@pytest.fixture
def robot():
    return Supervisor(default_world(), ir_noise=0.0)


def make_sim(robot, period=PERIOD):
    return WebotsSimulation(WebotsRobotino(robot, ROBOTINO3), ROBOTINO3, period, TIMEOUT)


def run(sim, robot, steps, renew=False):
    """What the plugin does around each Webots step, without a job in between."""
    for _ in range(steps):
        sim.actuate(renew_command=renew)
        robot.step(int(robot.getBasicTimeStep()))
        sim.observe()


def new_episode(sim, robot, seed=3, scenario=''):
    arena = ArenaStream(ArenaConfig(), ROBOTINO3.geometry.base_radius).next_arena(seed, scenario)
    sim.place(arena)
    run(sim, robot, 1)
    return arena, *sim.begin_episode()


def test_a_placed_world_is_seen_after_one_step_and_starts_at_zero(robot):
    sim = make_sim(robot)
    with pytest.raises(NotReadyError):
        sim.state()
    arena, state, truth = new_episode(sim, robot)
    assert state.stamp == 0.0 and (state.x, state.y, state.yaw) == (0.0, 0.0, 0.0)
    assert (truth.x, truth.y) == pytest.approx((arena.start.x, arena.start.y))
    assert truth.yaw == pytest.approx(arena.start.yaw)
    assert (truth.goal_x, truth.goal_y) == (arena.goal.x, arena.goal.y)
    assert state.ranges.shape == (9,) and np.all(state.ranges <= ROBOTINO3.ir.max_range)


def test_odometry_follows_the_base_in_the_start_frame(robot):
    sim = make_sim(robot)
    _, _, start = new_episode(sim, robot, scenario='empty_room')
    sim.set_command((0.2, 0.1, 0.3))
    run(sim, robot, 2 * sim.steps_per_period, renew=True)
    state, truth = sim.state(), sim.ground_truth()
    dx, dy = truth.x - start.x, truth.y - start.y
    c, s = math.cos(start.yaw), math.sin(start.yaw)
    assert (state.x, state.y) == pytest.approx((c * dx + s * dy, -s * dx + c * dy), abs=1e-3)
    assert state.yaw == pytest.approx(truth.yaw - start.yaw, abs=1e-3)
    assert state.stamp == pytest.approx(0.2)


def test_without_commands_the_base_stops_after_the_timeout(robot):
    sim = make_sim(robot)
    new_episode(sim, robot, scenario='empty_room')
    sim.set_command((0.3, 0.0, 0.0))
    run(sim, robot, round(TIMEOUT / 0.01) + 40)
    resting = sim.state()
    assert resting.vx == pytest.approx(0.0, abs=1e-9)
    run(sim, robot, 20)
    assert sim.state().x == pytest.approx(resting.x, abs=1e-12)
    assert resting.x > 0.05


def test_ir_reads_the_wall_ahead(robot):
    sim = make_sim(robot)
    _, state, _ = new_episode(sim, robot, seed=0, scenario='wall_test')
    assert state.ranges[0] == pytest.approx(0.15, abs=1e-6)
    assert state.ranges[4] == ROBOTINO3.ir.max_range


def test_with_the_protos_noise_the_wall_reads_within_a_millimetre_or_two():
    robot = Supervisor(default_world(), seed=3)
    sim = make_sim(robot)
    new_episode(sim, robot, seed=0, scenario='wall_test')
    fronts = []
    for _ in range(50):
        run(sim, robot, 1)
        fronts.append(sim.state().ranges[0])
    assert np.std(fronts) > 1e-4   # the readings are noisy
    assert np.mean(fronts) == pytest.approx(0.15, abs=0.001)
    assert np.max(np.abs(np.array(fronts) - 0.15)) < 0.005
    assert sim.state().ranges[4] == ROBOTINO3.ir.max_range   # no echo stays the band's end


def test_the_double_takes_field_values_as_lists_only(robot):
    field = robot.getSelf().getField('translation')
    with pytest.raises(TypeError, match='list of 3'):
        field.setSFVec3f((0.0, 0.0, 0.0))
    field.setSFVec3f([0.0, 0.0, 0.0])


def test_a_control_period_off_the_basic_step_is_refused(robot):
    with pytest.raises(WorldSetupError, match='basicTimeStep'):
        make_sim(robot, period=0.105)


def test_a_world_without_the_robotino_devices_is_refused(robot):
    class NoIr(Supervisor):
        def getDevice(self, name):  # noqa: N802 - the Webots API name
            return None if name == 'ir5' else super().getDevice(name)

    with pytest.raises(WorldSetupError, match="'ir5'"):
        WebotsRobotino(NoIr(default_world()), ROBOTINO3)
