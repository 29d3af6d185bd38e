"""Goal reaching: drive to a goal among obstacles from IR ranges and odometry.

The robot sees only what it measures itself, so this task runs unchanged on
the real Robotino: the goal comes in the ``odom`` frame with the episode
start, and its distance and bearing in ``base_link`` follow from odometry.
Ground truth is never read for reward or termination; in simulation the
info carries the true distance to the goal, for evaluation only.

Observation (31, float32): ``ir1`` .. ``ir9`` in [0, 1] (0 touching, 1
nothing within 0.30 m); ``goal_distance`` in [0, 1] (metres over
``distance_scale``, clipped); ``goal_cos``, ``goal_sin`` of the goal's
bearing in ``base_link``; ``vx``, ``vy``, ``wz`` from odometry as fractions
of the task's speed limits; ``memory_0`` .. ``memory_15``, the nearest IR
echo of this episode in each 22.5-degree sector around the robot, as a
fraction of ``memory_reach`` (see :mod:`.obstacle_memory`: without it the
policy forgets a dead end as soon as it backs out of it).

Action (3, float32): ``(vx, vy, wz)`` in [-1, 1], scaled by ``max_speed``
and ``max_yaw_rate``; a linear part longer than 1 is shortened to 1, so the
speed never exceeds ``max_speed``.

Reward per period: ``progress_reward`` times the metres gained toward the
goal, minus ``time_penalty``, minus ``proximity_penalty`` times the square
of how close the nearest IR reading is (0 at 0.30 m and beyond, 1 at
0.04 m); plus ``success_reward`` on reaching the goal, minus
``collision_penalty`` on a bumper hit. Both end the episode (terminated).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from gymnasium import spaces

from rl_env_node.backend import EpisodeStart, Observation, Twist, WorldRequest
from rl_env_node.errors import BackendError
from rl_env_node.tasks.base import Task, TaskStep
from rl_env_node.tasks.common import (
    VELOCITY_NAMES,
    box,
    check_speeds,
    ir_features,
    scale_twist,
    velocity_action_space,
    velocity_features,
)
from rl_env_node.tasks.obstacle_memory import SECTORS, ObstacleMemory
from rl_env_node.tasks.options import check_ranges, option, require
from robotino_description import ROBOTINO3, RobotinoDescription, RobotState


@dataclass(frozen=True)
class GoalReachingOptions:
    """Options of :class:`GoalReaching`; any may be overridden for one episode at reset."""

    max_speed: float = option(0.4, 'linear speed at an action (vx, vy) of length 1 or more, m/s')
    max_yaw_rate: float = option(1.0, 'yaw rate at action 1 on the wz axis, rad/s')
    goal_tolerance: float = option(0.2, 'distance to the goal that counts as reached, m',
                                   0.0, 10.0, above=True)
    distance_scale: float = option(
        5.0, 'goal distance that the observation maps to 1 (farther is clipped), m', 0.0, 100.0,
        above=True)
    progress_reward: float = option(10.0, 'reward per metre gained toward the goal, 1/m',
                                    0.0, 1000.0)
    success_reward: float = option(10.0, 'bonus on reaching the goal', 0.0, 1000.0)
    collision_penalty: float = option(10.0, 'penalty on a bumper hit, which ends the episode',
                                      0.0, 1000.0)
    time_penalty: float = option(0.01, 'penalty per control period', 0.0, 10.0)
    proximity_penalty: float = option(
        0.05, 'penalty per period at IR contact, falling quadratically to 0 at 0.30 m', 0.0, 10.0)
    memory_reach: float = option(
        1.0, 'farthest remembered IR echo the observation shows, m from the centre', 0.0, 10.0,
        above=True)
    layout: str = option('', "arena layout name or .yaml path; '' generates one from the seed")
    obstacle_count: tuple[int, int] = option(
        (3, 8), 'inclusive range of obstacles in a generated arena', 0, 50)
    min_start_goal_distance: float = option(
        2.0, 'smallest start-to-goal distance the arena generator draws, m', 0.0, 20.0)

    def __post_init__(self) -> None:
        """Reject values outside their ranges, or that make no task together, naming them."""
        check_ranges(self)
        low, high = self.obstacle_count
        require(0 <= low <= high, 'obstacle_count', self.obstacle_count, '0 <= min <= max')


class GoalReaching(Task[GoalReachingOptions]):
    """Reach a goal pose's position among obstacles; see the module docstring."""

    name = 'goal_reaching'
    options_type = GoalReachingOptions
    default_max_episode_steps = 400

    def __init__(self, options: GoalReachingOptions | None = None,
                 description: RobotinoDescription = ROBOTINO3) -> None:
        super().__init__(options, description)
        check_speeds(self.options.max_speed, self.options.max_yaw_rate,
                     self.description.limits)
        self._goal = (0.0, 0.0)
        self._distance = 0.0
        self._memory = ObstacleMemory(self.description.ir, self.options.memory_reach)

    @property
    def observation_names(self) -> tuple[str, ...]:
        """IR sensors, goal distance and bearing, body velocity, obstacle memory."""
        return (*self.description.ir.names, 'goal_distance', 'goal_cos', 'goal_sin',
                *VELOCITY_NAMES, *(f'memory_{k}' for k in range(SECTORS)))

    @property
    def action_names(self) -> tuple[str, ...]:
        """Normalised body twist."""
        return VELOCITY_NAMES

    @property
    def observation_space(self) -> spaces.Box:
        """31 float32 values; bounds as in the module docstring."""
        count = self.description.ir.count
        return box([0.0] * (count + 1) + [-1.0] * 5 + [0.0] * SECTORS,
                   [1.0] * (count + 6 + SECTORS))

    @property
    def action_space(self) -> spaces.Box:
        """``(vx, vy, wz)`` in [-1, 1]."""
        return velocity_action_space()

    def world_request(self, rng: np.random.Generator) -> WorldRequest:
        """The configured layout, or a generated arena with the configured obstacles.

        The option ``layout`` is the world's scenario ('' for a generated arena).
        """
        return WorldRequest(self.options.layout, {
            'obstacle_count': list(self.options.obstacle_count),
            'min_start_goal_distance': self.options.min_start_goal_distance,
        })

    def reset(self, start: EpisodeStart) -> tuple[np.ndarray, dict[str, Any]]:
        """Remember the goal (``odom`` frame) and the starting distance to it."""
        if start.goal is None:
            raise BackendError('goal_reaching needs a goal in the odom frame at reset, '
                               'and the backend gave none; give the scenario a goal')
        self._goal = (float(start.goal[0]), float(start.goal[1]))
        observation = Observation(start.state, start.ground_truth)
        self._memory.clear()
        self._memory.add(start.state)
        self._distance, bearing = self._goal_vector(observation)
        ir = ir_features(start.state.ranges, self.description.ir)
        return (self._observe(start.state, ir, self._distance, bearing),
                self._info(observation, self._distance))

    def twist(self, action: np.ndarray) -> Twist:
        """Scale the normalised action by ``max_speed`` and ``max_yaw_rate``."""
        return scale_twist(action, self.options.max_speed, self.options.max_yaw_rate)

    def step(self, observation: Observation) -> TaskStep:
        """Reward progress; end on reaching the goal or on a bumper hit."""
        options = self.options
        state = observation.state
        self._memory.add(state)
        distance, bearing = self._goal_vector(observation)
        progress = self._distance - distance
        self._distance = distance
        ir = ir_features(state.ranges, self.description.ir)
        closeness = 1.0 - float(ir.min())
        reward = (options.progress_reward * progress - options.time_penalty
                  - options.proximity_penalty * closeness**2)
        collision = bool(state.bumper)
        success = not collision and distance <= options.goal_tolerance
        if success:
            reward += options.success_reward
        if collision:
            reward -= options.collision_penalty
        info = self._info(observation, distance)
        info['progress'] = progress
        return TaskStep(self._observe(state, ir, distance, bearing), float(reward),
                        success or collision, info, success, collision)

    def _goal_vector(self, observation: Observation) -> tuple[float, float]:
        """Distance (m) and bearing (rad, ``base_link``) of the goal from odometry."""
        state = observation.state
        dx, dy = self._goal[0] - state.x, self._goal[1] - state.y
        return math.hypot(dx, dy), math.atan2(dy, dx) - state.yaw

    def _observe(self, state: RobotState, ir: np.ndarray, distance: float,
                 bearing: float) -> np.ndarray:
        """The observation from the state's IR features and the goal's distance and bearing."""
        options = self.options
        values = np.concatenate((
            ir,
            [min(distance / options.distance_scale, 1.0), math.cos(bearing), math.sin(bearing)],
            velocity_features(state, options.max_speed, options.max_yaw_rate),
            self._memory.features(state),
        ))
        return values.astype(np.float32)

    def _info(self, observation: Observation, distance: float) -> dict[str, Any]:
        """Odometry distance to the goal, and the true one when ground truth is there."""
        info: dict[str, Any] = {'goal_distance': distance}
        truth = observation.ground_truth
        if truth is not None:
            info['true_goal_distance'] = math.hypot(truth.goal_x - truth.x, truth.goal_y - truth.y)
        return info
