"""The environment core: Gymnasium's reset/step contract over a task and a robot backend.

Plain Python, no ROS: the env node serves it as ``/reset``, ``/step`` and
``/get_spec``, and :class:`~rl_env_node.inprocess.RobotinoEnv` wraps it as a
``gymnasium.Env``. Both therefore share one behaviour:

- Seeding as in Gymnasium: ``reset(seed=s)`` restarts the env's random
  stream from ``s``; ``reset()`` continues it. The world seed handed to the
  backend is drawn from that stream, so a seed fixes the whole sequence of
  episodes that follows it.
- ``terminated`` comes from the task (success or failure); ``truncated`` is
  the time limit, set as Gymnasium's ``TimeLimit`` does (both may be true on
  the last step). After either, ``step`` raises until the next ``reset``.
- Reset options are task options for that one episode, over the configured
  ones; the next reset without options goes back to the configured task.
  Options that would change the spaces are refused. One more key, ``goal``
  (``[x, y]`` or ``[x, y, yaw]`` in ``odom``), gives the episode's goal to a
  backend that takes one (the real robot's: that is how a deployed agent is
  told where to go).
- Bad input raises one of :mod:`rl_env_node.errors` and changes nothing, so
  the next valid call works. Out-of-range actions are clipped to the action
  space and ``info['action_clipped']`` says so.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from gymnasium import spaces

from rl_env_node.backend import Observation, RobotBackend, Twist
from rl_env_node.errors import (
    BackendError,
    EnvError,
    InvalidActionError,
    RequestError,
    ResetNeededError,
    TaskOptionError,
    quoted,
)
from rl_env_node.tasks.base import Task, TaskStep
from rl_env_node.tasks.options import describe_options
from robotino_description import RobotState
from robotino_world import options as world_options
from robotino_world.errors import InvalidArgumentError

_WORLD_SEED_BOUND = 2**31 - 1
"""World seeds are drawn from [0, this): they fit the int64 seed fields and every simulator."""


#: The reset option that places the episode's goal, beside the task options.
GOAL_OPTION = 'goal'


def _split_goal(options: Any) -> tuple[Any, tuple[float, float, float] | None]:
    """The task options without ``goal``, and the goal as ``(x, y, yaw)`` in ``odom``.

    :raises RequestError: for a goal that is not 2 or 3 finite numbers.
    """
    if not isinstance(options, Mapping) or GOAL_OPTION not in options:
        return options, None
    value = options[GOAL_OPTION]
    numbers = value if isinstance(value, list | tuple) else ()
    if (len(numbers) not in (2, 3) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in numbers)):
        raise RequestError(f"reset option 'goal' must be [x, y] or [x, y, yaw] in the odom "
                           f'frame (m, rad), got {quoted(value)}')
    x, y, yaw = (*(float(v) for v in numbers), 0.0)[:3]
    rest = {key: item for key, item in options.items() if key != GOAL_OPTION}
    return rest, (x, y, yaw)


def parse_options_json(text: str) -> dict[str, Any]:
    """Reset options from a service request: a JSON object, or '' for none.

    :func:`robotino_world.options.parse_options_json` (bounded in size and
    nesting by its ``MAX_OPTIONS_JSON`` and ``MAX_OPTIONS_DEPTH``) with this
    package's error type.

    :raises RequestError: for oversized, malformed or too deeply nested JSON,
        or JSON that is not an object.
    """
    try:
        return world_options.parse_options_json(text, 'task options',
                                                '{"goal_tolerance": 0.3}')
    except InvalidArgumentError as error:
        raise RequestError(str(error)) from None


class CheckedAction(NamedTuple):
    """An action :meth:`EnvCore.check_action` passed: clipped to the space, float32.

    A batch checks every env's action before stepping any (a malformed batch
    is refused whole); handing :meth:`EnvCore.step` the checked action spares
    it the second check.
    """

    values: np.ndarray
    clipped: bool


@dataclass(frozen=True)
class Transition:
    """One step as the ``transitions`` topic carries it.

    :param episode_id: episode counter, 0 for the first reset.
    :param step_index: index of this step in the episode, from 0.
    :param observation: the observation the action was chosen from.
    :param action: the action applied, after clipping.
    :param reward: reward for this step.
    :param terminated: the task ended the episode.
    :param truncated: the time limit ended the episode.
    :param stamp: robot time after the step, seconds (simulated time in simulation).
    :param robot_before: what the robot measured when the action was chosen.
    :param robot_after: what it measured after the step.
    :param command: the body twist the step sent, ``base_link``, m/s and rad/s.
    """

    episode_id: int
    step_index: int
    observation: np.ndarray
    action: np.ndarray
    reward: float
    terminated: bool
    truncated: bool
    stamp: float
    robot_before: RobotState
    robot_after: RobotState
    command: Twist


@dataclass(frozen=True)
class EpisodeSummary:
    """One finished episode as the ``episode_stats`` topic carries it.

    :param episode_id: episode counter, 0 for the first reset.
    :param seed: the seed ``reset`` was given, or None when it continued the stream.
    :param episode_return: sum of rewards.
    :param length: number of steps.
    :param success: the task counted the episode as a success.
    :param collision: the episode ended on a collision.
    :param truncated: the time limit ended it, not the task.
    :param wall_duration: wall-clock seconds from reset to the last step.
    :param sim_duration: robot seconds from reset to the last step.
    :param stamp: robot time at the end, seconds.
    """

    episode_id: int
    seed: int | None
    episode_return: float
    length: int
    success: bool
    collision: bool
    truncated: bool
    wall_duration: float
    sim_duration: float
    stamp: float


@dataclass(frozen=True)
class EnvCoreSpec:
    """Everything ``GetSpec`` returns; arrays are float32 and flattened.

    :param task: registered task name.
    :param observation_shape: shape of the observation Box.
    :param observation_low: lower bounds, flattened.
    :param observation_high: upper bounds, flattened.
    :param action_shape: shape of the action Box.
    :param action_low: lower bounds, flattened.
    :param action_high: upper bounds, flattened.
    :param control_period: seconds of robot time per step.
    :param max_episode_steps: steps after which an episode is truncated.
    :param extra: JSON-ready content of ``spec_json``: element names, options
        with their descriptions, whether the task needs ground truth.
    """

    task: str
    observation_shape: tuple[int, ...]
    observation_low: np.ndarray
    observation_high: np.ndarray
    action_shape: tuple[int, ...]
    action_low: np.ndarray
    action_high: np.ndarray
    control_period: float
    max_episode_steps: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Episode:
    """Counters of the episode under way (mutable, private)."""

    task: Task
    episode_id: int
    seed: int | None
    observation: np.ndarray
    robot: RobotState
    start_stamp: float
    start_wall: float
    stamp: float
    steps: int = 0
    episode_return: float = 0.0
    ended: str = ''


def _same_box(a: spaces.Box, b: spaces.Box) -> bool:
    return a.shape == b.shape and np.array_equal(a.low, b.low) and np.array_equal(a.high, b.high)


class EnvCore:
    """A task over a robot backend, with Gymnasium's reset/step semantics.

    :param task: the configured task; reset options derive per-episode copies.
    :param backend: the simulator or robot, seen through :class:`RobotBackend`.
    :param max_episode_steps: time limit in steps; the task's default when None.
    :raises ValueError: for a time limit below 1.
    """

    def __init__(self, task: Task, backend: RobotBackend,
                 max_episode_steps: int | None = None) -> None:
        steps = task.default_max_episode_steps if max_episode_steps is None else max_episode_steps
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ValueError(f'max_episode_steps must be an integer >= 1, got {steps!r}')
        self._task = task
        self._backend = backend
        self._max_steps = steps
        # Tasks build their spaces on demand; the core asks once, since a space
        # may not change for the env's life and every step checks against it.
        self._observation_space = task.observation_space
        self._action_space = task.action_space
        self._action_low = self._action_space.low.astype(np.float64)
        self._action_high = self._action_space.high.astype(np.float64)
        self._rng = np.random.default_rng()
        self._episode: _Episode | None = None
        self._next_id = 0
        self._last_transition: Transition | None = None
        self._last_episode: EpisodeSummary | None = None

    @property
    def task(self) -> Task:
        """The configured task (reset options apply to a per-episode copy)."""
        return self._task

    @property
    def observation_space(self) -> spaces.Box:
        """The task's observation space."""
        return self._observation_space

    @property
    def action_space(self) -> spaces.Box:
        """The task's action space; actions outside it are clipped."""
        return self._action_space

    @property
    def max_episode_steps(self) -> int:
        """Time limit in steps."""
        return self._max_steps

    @property
    def rng(self) -> np.random.Generator:
        """The env's random stream (reseeded by ``reset(seed=...)``)."""
        return self._rng

    @property
    def episode_id(self) -> int:
        """Counter of the current or last episode; -1 before the first reset."""
        return self._next_id - 1

    @property
    def needs_reset(self) -> bool:
        """True before the first reset, after an episode's end and after a failed step."""
        return self._episode is None or bool(self._episode.ended)

    @property
    def last_transition(self) -> Transition | None:
        """The last step taken, for the ``transitions`` topic."""
        return self._last_transition

    @property
    def last_episode(self) -> EpisodeSummary | None:
        """The last finished episode, for the ``episode_stats`` topic."""
        return self._last_episode

    def spec(self) -> EnvCoreSpec:
        """What a client needs to build its spaces and know the task."""
        task, obs, act = self._task, self.observation_space, self.action_space
        extra = {
            'observation_names': list(task.observation_names),
            'action_names': list(task.action_names),
            'task_options': describe_options(task.options),
            'reset_options': "any task option, for that one episode; 'goal': [x, y] or "
                             "[x, y, yaw] in odom (m, rad), on the real robot only",
            'uses_ground_truth': task.uses_ground_truth,
            'action_clipping': 'actions outside the bounds are clipped; info.action_clipped',
        }
        return EnvCoreSpec(
            task.name, tuple(obs.shape), obs.low.ravel().copy(), obs.high.ravel().copy(),
            tuple(act.shape), act.low.ravel().copy(), act.high.ravel().copy(),
            float(self._backend.control_period), self._max_steps, extra)

    def reset(self, seed: int | None = None,
              options: Mapping[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        """Start a new episode, as ``gymnasium.Env.reset``.

        :param seed: restarts the random stream when given (an integer >= 0).
        :param options: task options for this episode only.
        :raises RequestError: for a bad seed, options that are not a mapping, or a
            ``goal`` that is malformed or given to a simulator.
        :raises TaskOptionError: for unknown or bad task options.
        :raises BackendError: when the simulator or robot does not answer; reset again.
        """
        options, goal = _split_goal(options)
        if goal is not None and not getattr(self._backend, 'accepts_goal', False):
            raise RequestError("reset option 'goal' is for an env node on the real robot "
                               '(mode real); in simulation the arena places the goal')
        task = self._episode_task(seed, options)
        seed = None if seed is None else int(seed)
        if self._episode is not None and not self._episode.ended:
            self._backend.halt()
        self._episode = None
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        world_seed = int(self._rng.integers(_WORLD_SEED_BOUND))
        world = task.world_request(self._rng)
        if goal is not None:
            world = dataclasses.replace(world, goal=goal)
        start = self._backend.start_episode(world_seed, world)
        observation, info = task.reset(start)
        stamp = start.state.stamp
        self._episode = _Episode(task, self._next_id, seed, observation, start.state, stamp,
                                 time.monotonic(), stamp)
        self._next_id += 1
        info['world_seed'] = world_seed
        return observation, info

    def _episode_task(self, seed: Any, options: Any) -> Task:
        """Check the reset arguments and return the task for the episode."""
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)
                                 or seed < 0):
            raise RequestError(f'seed must be an integer >= 0, or None to continue the random '
                               f'stream, got {quoted(seed)}')
        if options is not None and not isinstance(options, Mapping):
            raise RequestError(f'reset options must be a mapping of task options, '
                               f'got {quoted(options)}')
        if not options:
            return self._task
        task = self._task.replace(options)
        if not (_same_box(task.observation_space, self.observation_space)
                and _same_box(task.action_space, self.action_space)):
            raise TaskOptionError(f'reset options {sorted(options)} would change the spaces; '
                                  'set them when the env is made instead')
        return task

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Apply an action for one control period, as ``gymnasium.Env.step``.

        :param action: values for the action space, flattened or in its shape,
            or a :class:`CheckedAction` of this core's.
        :raises ResetNeededError: before the first reset or after the episode ended.
        :raises InvalidActionError: for a wrong length or type, NaN or infinity.
        :raises BackendError: when the simulator or robot does not answer; the
            episode is over and the base halted: reset next.
        """
        episode = self._require_episode()
        clipped, was_clipped = (action if isinstance(action, CheckedAction)
                                else self.check_action(action))
        twist = episode.task.twist(clipped)
        try:
            observation = self._backend.act(twist)
        except BackendError as error:
            episode.ended = f'the last step failed ({error})'
            self._halt_quietly()
            raise
        result = episode.task.step(observation)
        return self._record(episode, clipped, twist, observation, result, was_clipped)

    def _record(self, episode: _Episode, action: np.ndarray, twist: Twist,
                observation: Observation, result: TaskStep, was_clipped: bool,
                ) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Update the counters, end the episode if it is over, build the step's info."""
        index = episode.steps
        episode.steps += 1
        episode.episode_return += result.reward
        episode.stamp = observation.state.stamp
        terminated = bool(result.terminated)
        truncated = episode.steps >= self._max_steps
        self._last_transition = Transition(
            episode.episode_id, index, episode.observation, action, result.reward,
            terminated, truncated, episode.stamp, episode.robot, observation.state, twist)
        episode.observation = result.observation
        episode.robot = observation.state
        info = dict(result.info)
        info.update(step_index=index, action_clipped=was_clipped,
                    is_success=bool(result.success), collision=bool(result.collision))
        if terminated or truncated:
            episode.ended = 'terminated' if terminated else 'truncated'
            self._backend.halt()
            self._last_episode = EpisodeSummary(
                episode.episode_id, episode.seed, episode.episode_return, episode.steps,
                bool(result.success), bool(result.collision), truncated and not terminated,
                time.monotonic() - episode.start_wall, episode.stamp - episode.start_stamp,
                episode.stamp)
        return result.observation, result.reward, terminated, truncated, info

    def _require_episode(self) -> _Episode:
        episode = self._episode
        if episode is None:
            raise ResetNeededError('no episode under way (no reset yet, or the last reset '
                                   'failed); call reset first')
        if episode.ended:
            raise ResetNeededError(f'episode {episode.episode_id} is over ({episode.ended}); '
                                   'call reset to start a new one')
        return episode

    def check_action(self, action: Any) -> CheckedAction:
        """The action clipped to the space as float32, and whether clipping changed it.

        Public so that a batch of envs can check every action before stepping any.

        :raises InvalidActionError: for a wrong length or type, NaN or infinity.
        """
        space = self.action_space
        try:
            values = np.asarray(action, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidActionError(f'action must be {space.shape[0]} numbers '
                                     f'{list(self._task.action_names)}, got {quoted(action)}'
                                     ) from None
        if values.shape != space.shape and values.shape != (space.low.size,):
            raise InvalidActionError(
                f'action must have {space.low.size} values {list(self._task.action_names)}, '
                f'got {values.size} (shape {values.shape}); see GetSpec.action_shape')
        values = values.reshape(space.shape)
        if not np.isfinite(values).all():
            raise InvalidActionError(f'action has NaN or infinite values: {values.tolist()}; '
                                     f'send finite numbers in [{space.low.min()}, '
                                     f'{space.high.max()}]')
        # The ufuncs, not np.clip: its Python wrapper cost more than the clipping.
        clipped = np.minimum(np.maximum(values, self._action_low), self._action_high)
        return CheckedAction(clipped.astype(np.float32), bool((clipped != values).any()))

    def _halt_quietly(self) -> None:
        """Stop the base after a failure; a second failure must not hide the first."""
        try:
            self._backend.halt()
        except EnvError:
            return

    def close(self) -> None:
        """Halt the base if an episode is under way; the core may be reset again later."""
        if self._episode is not None and not self._episode.ended:
            self._episode.ended = 'closed'
            self._backend.halt()
