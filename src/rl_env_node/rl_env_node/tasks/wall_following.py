"""Wall following: drive forward with a wall on the right at a set gap; no goal.

It shows what the task interface leaves open: another observation (no goal,
but the progress made so far), another reward (distance driven along a
wall) and another success rule (a length of wall followed). It uses only
the robot's own measurements, so it runs on the real Robotino too.

The side sensor is the IR sensor whose beam points closest to the robot's
right (``-y`` in ``base_link``): ``ir8`` at 280 degrees on the Robotino 3.

Observation (13, float32): ``ir1`` .. ``ir9`` in [0, 1] (0 touching, 1
nothing within 0.30 m); ``vx``, ``vy``, ``wz`` from odometry as fractions of
the task's speed limits; ``followed`` in [0, 1], the metres of wall followed
so far over ``follow_length``.

Action (3, float32): ``(vx, vy, wz)`` in [-1, 1], scaled by ``max_speed``
and ``max_yaw_rate``; a linear part longer than 1 is shortened to 1, so the
speed never exceeds ``max_speed``.

Reward per period: ``follow_reward`` times the metres driven forward
(odometry, along the heading) times the side gap's match, which is 1 at
``target_gap`` and falls linearly to 0 at ``gap_tolerance`` away; minus
``time_penalty``. The match-weighted forward metres add up to the
``followed`` length; reaching ``follow_length`` ends the episode with
``success_reward`` (terminated), and so does a bumper hit, with
``collision_penalty``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from gymnasium import spaces

from rl_env_node.backend import EpisodeStart, Observation, Twist, WorldRequest
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
from rl_env_node.tasks.options import check_ranges, option, require
from robotino_description import ROBOTINO3, RobotinoDescription


@dataclass(frozen=True)
class WallFollowingOptions:
    """Options of :class:`WallFollowing`; any may be overridden for one episode at reset."""

    max_speed: float = option(0.3, 'linear speed at an action (vx, vy) of length 1 or more, m/s')
    max_yaw_rate: float = option(1.0, 'yaw rate at action 1 on the wz axis, rad/s')
    target_gap: float = option(0.15, 'wanted side IR reading, wall to sensor, m (0.04..0.30)',
                               0.0, 1.0, above=True)
    gap_tolerance: float = option(0.1, 'side-gap error at which following counts nothing, m',
                                  0.0, 1.0, above=True)
    follow_length: float = option(3.0, 'metres of wall followed that end the episode in success',
                                  0.0, 100.0, above=True)
    follow_reward: float = option(10.0, 'reward per metre followed at the target gap, 1/m',
                                  0.0, 1000.0)
    success_reward: float = option(10.0, 'bonus on following follow_length metres', 0.0, 1000.0)
    collision_penalty: float = option(10.0, 'penalty on a bumper hit, which ends the episode',
                                      0.0, 1000.0)
    time_penalty: float = option(0.01, 'penalty per control period', 0.0, 10.0)
    layout: str = option('', "arena layout name or .yaml path; '' generates one from the seed")
    obstacle_count: tuple[int, int] = option(
        (0, 2), 'inclusive range of obstacles in a generated arena', 0, 50)

    def __post_init__(self) -> None:
        """Reject values outside their ranges, or that make no task together, naming them."""
        check_ranges(self)
        low, high = self.obstacle_count
        require(0 <= low <= high, 'obstacle_count', self.obstacle_count, '0 <= min <= max')


class WallFollowing(Task[WallFollowingOptions]):
    """Follow walls on the right at a set gap; see the module docstring."""

    name = 'wall_following'
    options_type = WallFollowingOptions
    default_max_episode_steps = 400

    def __init__(self, options: WallFollowingOptions | None = None,
                 description: RobotinoDescription = ROBOTINO3) -> None:
        super().__init__(options, description)
        check_speeds(self.options.max_speed, self.options.max_yaw_rate,
                     self.description.limits)
        ir = self.description.ir
        require(ir.min_range <= self.options.target_gap <= ir.max_range, 'target_gap',
                self.options.target_gap, f'within the IR band [{ir.min_range}, {ir.max_range}] m')
        right = np.abs(np.remainder(ir.headings() + math.pi / 2.0 + math.pi, 2.0 * math.pi)
                       - math.pi)
        self._side = int(np.argmin(right))
        self._followed = 0.0
        self._pose = (0.0, 0.0, 0.0)

    @property
    def side_sensor(self) -> int:
        """Index of the IR sensor that faces right, whose reading is the side gap."""
        return self._side

    @property
    def observation_names(self) -> tuple[str, ...]:
        """IR sensors, body velocity, fraction of the length followed."""
        return (*self.description.ir.names, *VELOCITY_NAMES, 'followed')

    @property
    def action_names(self) -> tuple[str, ...]:
        """Normalised body twist."""
        return VELOCITY_NAMES

    @property
    def observation_space(self) -> spaces.Box:
        """13 float32 values; bounds as in the module docstring."""
        count = self.description.ir.count
        return box([0.0] * count + [-1.0] * 3 + [0.0], [1.0] * (count + 4))

    @property
    def action_space(self) -> spaces.Box:
        """``(vx, vy, wz)`` in [-1, 1]."""
        return velocity_action_space()

    def world_request(self, rng: np.random.Generator) -> WorldRequest:
        """The configured layout, or a generated arena; no start-goal path is needed.

        The option ``layout`` is the world's scenario ('' for a generated arena).
        """
        return WorldRequest(self.options.layout, {
            'obstacle_count': list(self.options.obstacle_count),
            'min_start_goal_distance': 0.0,
            'require_path': False,
        })

    def reset(self, start: EpisodeStart) -> tuple[np.ndarray, dict[str, Any]]:
        """Nothing followed yet; remember the odometry pose."""
        self._followed = 0.0
        state = start.state
        self._pose = (state.x, state.y, state.yaw)
        return self._observe(Observation(state, start.ground_truth)), {'followed_length': 0.0}

    def twist(self, action: np.ndarray) -> Twist:
        """Scale the normalised action by ``max_speed`` and ``max_yaw_rate``."""
        return scale_twist(action, self.options.max_speed, self.options.max_yaw_rate)

    def step(self, observation: Observation) -> TaskStep:
        """Reward forward metres at the target gap; end on success or a bumper hit."""
        options = self.options
        state = observation.state
        x0, y0, yaw0 = self._pose
        heading = yaw0 + 0.5 * math.remainder(state.yaw - yaw0, 2.0 * math.pi)
        forward = (state.x - x0) * math.cos(heading) + (state.y - y0) * math.sin(heading)
        self._pose = (state.x, state.y, state.yaw)
        gap = float(state.ranges[self._side])
        match = max(0.0, 1.0 - abs(gap - options.target_gap) / options.gap_tolerance)
        gained = max(forward, 0.0) * match
        self._followed += gained
        reward = options.follow_reward * gained - options.time_penalty
        collision = bool(state.bumper)
        success = not collision and self._followed >= options.follow_length
        reward += options.success_reward if success else 0.0
        reward -= options.collision_penalty if collision else 0.0
        info = {'followed_length': self._followed, 'side_gap': gap, 'gap_match': match}
        return TaskStep(self._observe(observation), float(reward), success or collision, info,
                        success, collision)

    def _observe(self, observation: Observation) -> np.ndarray:
        options = self.options
        state = observation.state
        values = np.concatenate((
            ir_features(state.ranges, self.description.ir),
            velocity_features(state, options.max_speed, options.max_yaw_rate),
            [min(self._followed / options.follow_length, 1.0)],
        ))
        return values.astype(np.float32)
