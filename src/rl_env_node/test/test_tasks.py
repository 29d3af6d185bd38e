"""Tasks on hand-made robot states: registry, options, observations, rewards, termination."""

import math
from dataclasses import dataclass

import numpy as np
import pytest

from rl_env_node.backend import EpisodeStart, Observation, WorldRequest
from rl_env_node.errors import BackendError, TaskOptionError, UnknownTaskError
from rl_env_node.tasks import (
    GoalReaching,
    ObstacleMemory,
    Task,
    TaskStep,
    WallFollowing,
    describe_options,
    make_task,
    option,
    register_task,
    task_names,
)
from rl_env_node.tasks.obstacle_memory import SECTORS
from robotino_description import ROBOTINO3, GroundTruth, RobotState

IR = ROBOTINO3.ir
FREE = np.full(IR.count, IR.max_range)


def state(x=0.0, y=0.0, yaw=0.0, vx=0.0, ranges=FREE, bumper=False, stamp=0.0) -> RobotState:
    return RobotState(stamp, x, y, yaw, vx, 0.0, 0.0, np.asarray(ranges, dtype=float), bumper)


def start(goal=(1.0, 0.0, 0.0), **kwargs) -> EpisodeStart:
    return EpisodeStart(state(**kwargs), goal, None)


def test_registry_lists_both_tasks_and_makes_them() -> None:
    assert {'goal_reaching', 'wall_following'} <= set(task_names())
    assert isinstance(make_task('goal_reaching'), GoalReaching)
    assert isinstance(make_task('wall_following'), WallFollowing)


def test_unknown_task_names_the_known_ones() -> None:
    with pytest.raises(UnknownTaskError, match=r"'no_such_task'.*goal_reaching"):
        make_task('no_such_task')


def test_unknown_option_names_the_key_and_the_valid_ones() -> None:
    with pytest.raises(TaskOptionError, match=r"\['goal_tolerence'\].*goal_tolerance"):
        make_task('goal_reaching', {'goal_tolerence': 0.3})


@pytest.mark.parametrize(('options', 'match'), [
    ({'goal_tolerance': 'wide'}, "'goal_tolerance' must be a finite number"),
    ({'goal_tolerance': True}, "'goal_tolerance' must be a finite number"),
    ({'goal_tolerance': -0.1}, r"'goal_tolerance' must be in \(0, 10\], got -0.1"),
    ({'goal_tolerance': 1e308}, r"'goal_tolerance' must be in \(0, 10\]"),
    ({'progress_reward': 1e308}, r"'progress_reward' must be in \[0, 1000\]"),
    ({'layout': 'x' * 5000}, r"'layout' must be at most 200 characters.*\(5002 characters\)"),
    ({'obstacle_count': [4]}, "'obstacle_count' must be a list of 2"),
    ({'obstacle_count': [5, 2]}, "'obstacle_count' must be 0 <= min <= max"),
    ({'obstacle_count': [1.5, 2]}, "'obstacle_count' must be an integer"),
    ({'layout': 3}, "'layout' must be a str"),
    ({'max_speed': 2.0}, "'max_speed' must be in .*1.0"),
])
def test_bad_option_values_are_rejected_by_name(options: dict, match: str) -> None:
    with pytest.raises(TaskOptionError, match=match):
        make_task('goal_reaching', options)


def test_json_types_are_accepted() -> None:
    task = make_task('goal_reaching', {'goal_tolerance': 1, 'obstacle_count': [0, 2]})
    assert task.options.goal_tolerance == 1.0 and isinstance(task.options.goal_tolerance, float)
    assert task.options.obstacle_count == (0, 2)
    assert task.world_request(np.random.default_rng(0)) == WorldRequest(
        '', {'obstacle_count': [0, 2], 'min_start_goal_distance': 2.0})


def test_replace_keeps_the_original_and_describes_every_option() -> None:
    task = make_task('goal_reaching')
    other = task.replace({'goal_tolerance': 0.5})
    assert (task.options.goal_tolerance, other.options.goal_tolerance) == (0.2, 0.5)
    described = describe_options(other.options)
    assert described['goal_tolerance'] == {
        'value': 0.5, 'default': 0.2, 'help': described['goal_tolerance']['help'],
        'range': 'in (0, 10]'}
    assert all(entry['help'] for entry in described.values())


@dataclass(frozen=True)
class _StandStillOptions:
    reward: float = option(1.0, 'reward per period')


class _StandStill(Task[_StandStillOptions]):
    name = 'test_stand_still'
    options_type = _StandStillOptions
    default_max_episode_steps = 3
    observation_names = ('x',)
    action_names = ('none',)
    observation_space = GoalReaching().action_space
    action_space = GoalReaching().action_space

    def world_request(self, rng):
        return WorldRequest()

    def reset(self, start):
        return np.zeros(3, np.float32), {}

    def twist(self, action):
        return (0.0, 0.0, 0.0)

    def step(self, observation):
        return TaskStep(np.zeros(3, np.float32), self.options.reward, False)


def test_a_user_task_registers_without_touching_the_package() -> None:
    register_task(_StandStill)
    assert 'test_stand_still' in task_names()
    assert make_task('test_stand_still', {'reward': 2}).options.reward == 2.0
    clash = type('Clash', (_StandStill,), {})
    with pytest.raises(ValueError, match='taken'):
        register_task(clash)


def test_goal_observation_from_odometry() -> None:
    task = GoalReaching()
    obs, info = task.reset(start(goal=(1.0, 0.0, 0.0), yaw=math.pi / 2))
    assert obs.dtype == np.float32 and obs in task.observation_space
    assert len(task.observation_names) == obs.shape[0] == 31
    named = dict(zip(task.observation_names, obs, strict=True))
    assert named['goal_distance'] == pytest.approx(1.0 / task.options.distance_scale)
    assert (named['goal_cos'], named['goal_sin']) == pytest.approx((0.0, -1.0), abs=1e-6)
    assert named['ir1'] == 1.0
    assert all(named[f'memory_{k}'] == 1.0 for k in range(SECTORS))
    assert info == {'goal_distance': pytest.approx(1.0)}


def test_goal_reaching_remembers_an_echo_after_backing_away_from_it() -> None:
    task = GoalReaching()
    task.reset(start(goal=(3.0, 0.0, 0.0)))
    ahead = np.array(FREE)
    ahead[0] = 0.1
    task.step(Observation(state(ranges=ahead), None))
    backed = task.step(Observation(state(x=-0.3), None))
    named = dict(zip(task.observation_names, backed.observation, strict=True))
    assert named['ir1'] == 1.0
    echo = (IR.mount_radius + 0.1 + 0.3) / task.options.memory_reach
    assert named['memory_0'] == pytest.approx(echo)
    assert [named[f'memory_{k}'] for k in range(1, SECTORS)] == [1.0] * (SECTORS - 1)
    fresh = task.reset(start(goal=(3.0, 0.0, 0.0)))[0]
    assert fresh[-SECTORS:].tolist() == [1.0] * SECTORS


def test_goal_reaching_needs_a_goal() -> None:
    with pytest.raises(BackendError, match='needs a goal'):
        GoalReaching().reset(start(goal=None))


def test_progress_is_rewarded_and_the_goal_ends_the_episode() -> None:
    task = GoalReaching()
    options = task.options
    task.reset(start(goal=(1.0, 0.0, 0.0)))
    step = task.step(Observation(state(x=0.1), None))
    assert step.reward == pytest.approx(options.progress_reward * 0.1 - options.time_penalty)
    assert not step.terminated and step.info['progress'] == pytest.approx(0.1)
    back = task.step(Observation(state(x=0.0), None))
    assert back.reward < 0.0
    done = task.step(Observation(state(x=0.85), None))
    assert done.terminated and done.success and not done.collision
    assert done.reward == pytest.approx(
        options.progress_reward * 0.85 - options.time_penalty + options.success_reward)


def test_bumper_ends_the_episode_with_a_penalty_and_proximity_costs() -> None:
    task = GoalReaching()
    task.reset(start())
    near = np.array(FREE)
    near[0] = IR.min_range
    step = task.step(Observation(state(ranges=near, bumper=True), None))
    assert step.terminated and step.collision and not step.success
    options = task.options
    assert step.reward == pytest.approx(
        -options.time_penalty - options.proximity_penalty - options.collision_penalty)


def test_true_goal_distance_is_reported_when_ground_truth_is_there() -> None:
    task = GoalReaching()
    truth = GroundTruth(0.0, 1.0, 1.0, 0.0, 4.0, 5.0, 0.0, False, 0)
    _, info = task.reset(EpisodeStart(state(), (1.0, 0.0, 0.0), truth))
    assert info['true_goal_distance'] == pytest.approx(5.0)


def test_actions_scale_to_the_task_limits() -> None:
    task = make_task('goal_reaching', {'max_speed': 0.5, 'max_yaw_rate': 0.8})
    assert task.twist(np.array([1.0, 0.0, 0.5])) == pytest.approx((0.5, 0.0, 0.4))
    diagonal = task.twist(np.array([1.0, -1.0, -1.0]))
    assert diagonal == pytest.approx((0.5 / 2**0.5, -0.5 / 2**0.5, -0.8))


def test_wall_following_rewards_forward_motion_along_a_wall_on_the_right() -> None:
    task = WallFollowing()
    options = task.options
    assert task.side_sensor == 7 and task.observation_names[7] == 'ir8'
    obs, _ = task.reset(EpisodeStart(state(), None, None))
    assert obs.shape == (13,) and obs in task.observation_space
    wall = np.array(FREE)
    wall[task.side_sensor] = options.target_gap
    along = task.step(Observation(state(x=0.1, ranges=wall), None))
    assert along.reward == pytest.approx(options.follow_reward * 0.1 - options.time_penalty)
    assert along.info['followed_length'] == pytest.approx(0.1)
    alone = task.step(Observation(state(x=0.2), None))
    assert alone.reward == pytest.approx(-options.time_penalty)
    assert not alone.terminated


def test_wall_following_succeeds_after_the_follow_length() -> None:
    task = make_task('wall_following', {'follow_length': 0.25})
    task.reset(EpisodeStart(state(), None, None))
    wall = np.array(FREE)
    wall[task.side_sensor] = task.options.target_gap
    steps = [task.step(Observation(state(x=0.1 * k, ranges=wall), None)) for k in (1, 2, 3)]
    assert [s.terminated for s in steps] == [False, False, True]
    assert steps[-1].success and steps[-1].observation[-1] == 1.0


def test_obstacle_memory_sorts_echoes_into_sectors_in_base_link() -> None:
    memory = ObstacleMemory(IR, reach=1.0, capacity=4)
    left = np.array(FREE)
    left[2] = 0.2
    memory.add(state(ranges=left))
    turned = memory.features(state(yaw=math.radians(80.0)))
    expected = np.ones(SECTORS)
    expected[0] = IR.mount_radius + 0.2
    assert turned == pytest.approx(expected)
    assert memory.features(state(x=-5.0)).tolist() == [1.0] * SECTORS


def test_obstacle_memory_drops_the_oldest_echoes_first() -> None:
    memory = ObstacleMemory(IR, reach=1.0, capacity=2)
    near = np.full(IR.count, 0.1)
    memory.add(state(ranges=near))
    assert np.count_nonzero(memory.features(state()) < 1.0) == 2
    memory.clear()
    assert memory.features(state()).tolist() == [1.0] * SECTORS
    with pytest.raises(ValueError, match='reach'):
        ObstacleMemory(IR, reach=0.0)
