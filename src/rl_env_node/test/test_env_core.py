"""The env core over a fake backend: Gymnasium semantics, bad input, counters, spec."""

import json

import numpy as np
import pytest

from rl_env_node.backend import EpisodeStart, Observation, Twist, WorldRequest
from rl_env_node.env_core import EnvCore, parse_options_json
from rl_env_node.errors import (
    BackendError,
    InvalidActionError,
    RequestError,
    ResetNeededError,
    TaskOptionError,
)
from rl_env_node.tasks import make_task
from robotino_description import ROBOTINO3, RobotState

PERIOD = 0.1


class FakeBackend:
    """A point robot that moves exactly as commanded; the goal's x depends on the seed."""

    control_period = PERIOD

    def __init__(self) -> None:
        self.seeds: list[int] = []
        self.worlds: list[WorldRequest] = []
        self.twists: list[Twist] = []
        self.halts = 0
        self.fail_next_act = False
        self.bump_at_x: float | None = None
        self._pose = np.zeros(3)
        self._stamp = 0.0

    def _state(self) -> RobotState:
        x, y, yaw = (float(v) for v in self._pose)
        bumper = self.bump_at_x is not None and x >= self.bump_at_x
        return RobotState(self._stamp, x, y, yaw, 0.0, 0.0, 0.0,
                          np.full(9, ROBOTINO3.ir.max_range), bumper)

    def start_episode(self, seed: int, world: WorldRequest) -> EpisodeStart:
        self.seeds.append(seed)
        self.worlds.append(world)
        self._pose[:] = 0.0
        self._stamp = 0.0
        return EpisodeStart(self._state(), (0.5 + 0.1 * (seed % 3), 0.0, 0.0), None)

    def act(self, twist: Twist) -> Observation:
        if self.fail_next_act:
            self.fail_next_act = False
            raise BackendError('the simulator did not answer within 1.0 s')
        self.twists.append(twist)
        self._pose += np.asarray(twist) * PERIOD
        self._stamp += PERIOD
        return Observation(self._state(), None)

    def halt(self) -> None:
        self.halts += 1


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def core(backend: FakeBackend) -> EnvCore:
    return EnvCore(make_task('goal_reaching'), backend, max_episode_steps=20)


STILL = np.zeros(3, dtype=np.float32)
FORWARD = np.array([1.0, 0.0, 0.0], dtype=np.float32)


def test_step_before_reset_raises_and_reset_then_works(core: EnvCore) -> None:
    with pytest.raises(ResetNeededError, match='call reset'):
        core.step(STILL)
    obs, _ = core.reset(seed=0)
    assert obs in core.observation_space
    assert core.step(STILL)[0] in core.observation_space


@pytest.mark.parametrize(('action', 'match'), [
    ([0.0, 0.0], 'must have 3 values'),
    (np.zeros((2, 3)), 'must have 3 values'),
    ([0.0, np.nan, 0.0], 'NaN or infinite'),
    ([np.inf, 0.0, 0.0], 'NaN or infinite'),
    (['fast', 'left', 'spin'], 'must be 3 numbers'),
    (None, 'must have 3 values'),
])
def test_bad_actions_raise_and_the_next_valid_step_works(
        core: EnvCore, backend: FakeBackend, action, match: str) -> None:
    core.reset(seed=0)
    with pytest.raises(InvalidActionError, match=match):
        core.step(action)
    assert backend.twists == []
    _, _, _, _, info = core.step(STILL)
    assert info['step_index'] == 0


def test_out_of_range_actions_are_clipped_and_reported(
        core: EnvCore, backend: FakeBackend) -> None:
    core.reset(seed=0)
    _, _, _, _, info = core.step([2.0, 0.0, -3.0])
    assert info['action_clipped'] is True
    assert backend.twists[-1] == pytest.approx((0.4, 0.0, -1.0))
    assert core.last_transition.action.tolist() == [1.0, 0.0, -1.0]
    _, _, _, _, info = core.step([0.1, 0.2, -0.3])
    assert info['action_clipped'] is False


def test_a_checked_action_steps_as_the_raw_one(core: EnvCore, backend: FakeBackend) -> None:
    checked = core.check_action([2.0, 0.0, -3.0])
    assert checked.values.tolist() == [1.0, 0.0, -1.0] and checked.clipped is True
    assert checked.values.dtype == np.float32
    core.reset(seed=0)
    _, _, _, _, info = core.step(checked)
    assert info['action_clipped'] is True
    assert backend.twists[-1] == pytest.approx((0.4, 0.0, -1.0))
    assert core.last_transition.action.tolist() == [1.0, 0.0, -1.0]


def test_time_limit_truncates_and_further_steps_need_a_reset(
        core: EnvCore, backend: FakeBackend) -> None:
    core.reset(seed=0)
    flags = [core.step(STILL)[2:4] for _ in range(20)]
    assert flags[:-1] == [(False, False)] * 19 and flags[-1] == (False, True)
    assert backend.halts == 1
    summary = core.last_episode
    assert (summary.length, summary.truncated, summary.success) == (20, True, False)
    assert summary.sim_duration == pytest.approx(20 * PERIOD)
    with pytest.raises(ResetNeededError, match='episode 0 is over'):
        core.step(STILL)
    core.reset()
    assert core.episode_id == 1


def test_reaching_the_goal_terminates_with_success(core: EnvCore) -> None:
    _, info = core.reset(seed=0)
    total, steps = 0.0, 0
    terminated = False
    while not terminated:
        _, reward, terminated, truncated, info = core.step(FORWARD)
        total += reward
        steps += 1
        assert not truncated
    assert info['is_success'] and not info['collision']
    summary = core.last_episode
    assert summary.success and not summary.truncated and summary.length == steps
    assert summary.episode_return == pytest.approx(total)
    assert summary.seed == 0 and summary.episode_id == 0
    with pytest.raises(ResetNeededError):
        core.step(STILL)


def test_a_bumper_hit_terminates_with_a_collision(core: EnvCore, backend: FakeBackend) -> None:
    backend.bump_at_x = 0.07
    core.reset(seed=0)
    core.step(FORWARD)
    _, reward, terminated, _, info = core.step(FORWARD)
    assert terminated and info['collision'] and not info['is_success']
    assert reward < -5.0
    assert core.last_episode.collision


def test_a_seed_fixes_the_sequence_of_worlds(core: EnvCore, backend: FakeBackend) -> None:
    for _ in range(2):
        core.reset(seed=7)
        core.reset()
        core.reset()
    first, second = backend.seeds[:3], backend.seeds[3:]
    assert first == second and len(set(first)) == 3
    core.reset(seed=8)
    assert backend.seeds[-1] != first[0]


def test_reset_options_apply_to_one_episode(core: EnvCore, backend: FakeBackend) -> None:
    core.reset(seed=0, options={'goal_tolerance': 5.0, 'obstacle_count': [0, 1]})
    assert backend.worlds[-1].arena_options['obstacle_count'] == [0, 1]
    assert core.step(STILL)[2] is True
    core.reset(seed=0)
    assert backend.worlds[-1].arena_options['obstacle_count'] == [3, 8]
    assert core.step(STILL)[2] is False


def test_a_goal_option_reaches_a_backend_that_takes_goals_and_only_it(
        core: EnvCore, backend: FakeBackend) -> None:
    with pytest.raises(RequestError, match="'goal' is for an env node on the real robot"):
        core.reset(seed=0, options={'goal': [1.0, 2.0]})
    assert backend.worlds == []   # refused before anything happened
    backend.accepts_goal = True
    core.reset(seed=0, options={'goal': [1.0, 2.0], 'goal_tolerance': 0.3})
    assert backend.worlds[-1].goal == (1.0, 2.0, 0.0)
    core.reset(seed=0, options={'goal': [1, 2, 0.5]})
    assert backend.worlds[-1].goal == (1.0, 2.0, 0.5)
    core.reset(seed=0)
    assert backend.worlds[-1].goal is None


@pytest.mark.parametrize('goal', [[1.0], [1.0, 2.0, 3.0, 4.0], [1.0, float('nan')], 'home',
                                  [True, 1.0], None])
def test_a_malformed_goal_is_refused_naming_the_form(core: EnvCore, backend: FakeBackend,
                                                     goal) -> None:
    backend.accepts_goal = True
    with pytest.raises(RequestError, match=r'must be \[x, y\] or \[x, y, yaw\]'):
        core.reset(seed=0, options={'goal': goal})


def test_the_layout_option_is_the_scenario_of_the_world_request(
        core: EnvCore, backend: FakeBackend) -> None:
    core.reset(seed=0, options={'layout': 'corridor'})
    assert backend.worlds[-1].scenario == 'corridor'
    core.reset(seed=0)
    assert backend.worlds[-1] == WorldRequest(
        '', {'obstacle_count': [3, 8], 'min_start_goal_distance': 2.0})


def test_bad_reset_input_raises_and_leaves_the_episode_running(
        core: EnvCore, backend: FakeBackend) -> None:
    core.reset(seed=0)
    with pytest.raises(TaskOptionError, match='goal_tolerence'):
        core.reset(options={'goal_tolerence': 1.0})
    with pytest.raises(RequestError, match='seed'):
        core.reset(seed=-1)
    with pytest.raises(RequestError, match='mapping'):
        core.reset(options='{"goal_tolerance": 1.0}')
    assert len(backend.seeds) == 1 and backend.halts == 0
    assert core.step(STILL)[4]['step_index'] == 0


def test_options_json_is_parsed_or_rejected() -> None:
    assert parse_options_json('') == {}
    assert parse_options_json(' {"goal_tolerance": 0.3} ') == {'goal_tolerance': 0.3}
    with pytest.raises(RequestError, match='not valid JSON'):
        parse_options_json('{goal_tolerance: 0.3}')
    with pytest.raises(RequestError, match='must be a JSON object'):
        parse_options_json('[1, 2]')


def test_a_backend_failure_ends_the_episode_and_halts(
        core: EnvCore, backend: FakeBackend) -> None:
    core.reset(seed=0)
    backend.fail_next_act = True
    with pytest.raises(BackendError, match='did not answer'):
        core.step(STILL)
    assert backend.halts == 1
    with pytest.raises(ResetNeededError, match='the last step failed'):
        core.step(STILL)
    core.reset()
    core.step(STILL)


def test_transitions_carry_the_observation_the_action_was_chosen_from(core: EnvCore) -> None:
    obs0, _ = core.reset(seed=0)
    obs1 = core.step(FORWARD)[0]
    assert np.array_equal(core.last_transition.observation, obs0)
    core.step(STILL)
    transition = core.last_transition
    assert np.array_equal(transition.observation, obs1)
    assert (transition.episode_id, transition.step_index) == (0, 1)
    assert transition.stamp == pytest.approx(2 * PERIOD)


def test_info_is_json_ready(core: EnvCore) -> None:
    _, info = core.reset(seed=0)
    json.dumps(info)
    json.dumps(core.step(FORWARD)[4])


def test_spec_describes_spaces_and_task(core: EnvCore) -> None:
    spec = core.spec()
    assert spec.task == 'goal_reaching'
    assert spec.observation_shape == (31,) and spec.action_shape == (3,)
    assert spec.observation_low.dtype == np.float32 and spec.action_high.tolist() == [1.0] * 3
    assert spec.control_period == PERIOD and spec.max_episode_steps == 20
    extra = json.loads(json.dumps(spec.extra))
    assert len(extra['observation_names']) == 31
    assert extra['task_options']['goal_tolerance']['value'] == 0.2
    assert extra['uses_ground_truth'] is False


def test_max_episode_steps_defaults_to_the_task_and_must_be_positive(
        backend: FakeBackend) -> None:
    task = make_task('goal_reaching')
    assert EnvCore(task, backend).max_episode_steps == task.default_max_episode_steps
    with pytest.raises(ValueError, match='max_episode_steps'):
        EnvCore(task, backend, max_episode_steps=0)
