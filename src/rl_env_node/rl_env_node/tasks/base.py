"""The task interface: what a task tells the env core, and what it gets from it.

A task owns everything a data scientist changes between experiments: the
spaces, the world it asks for at reset, the observation built from the
robot's state, the reward and the termination. It never talks to a
simulator: it sees an :class:`~rl_env_node.backend.EpisodeStart` at reset and
an :class:`~rl_env_node.backend.Observation` after each control period, so
the same task runs over MuJoCo, Webots and the real robot. Ground truth is
in those only in simulation; a task that uses it says so in
:attr:`Task.uses_ground_truth` and cannot run on the robot.

The env core owns what is the same for every task: input checks, clipping,
seeding, truncation at ``max_episode_steps`` and the episode counters.

A new task is one module with a :class:`Task` subclass and a frozen options
dataclass, plus one entry in :mod:`rl_env_node.tasks.registry`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
from gymnasium import spaces

from rl_env_node.backend import EpisodeStart, Observation, Twist, WorldRequest
from rl_env_node.errors import TaskOptionError
from rl_env_node.tasks.options import replace_options
from robotino_description import ROBOTINO3, RobotinoDescription

OptionsT = TypeVar('OptionsT')


@dataclass(frozen=True)
class TaskStep:
    """What the task makes of one control period.

    :param observation: the new observation, float32, in the observation space.
    :param reward: reward for the period just ended.
    :param terminated: the episode ended by the task's own rule (success or failure).
    :param info: JSON-ready extra values (plain floats, ints, bools, strings).
    :param success: the task counts the episode as a success (only with ``terminated``).
    :param collision: the episode ended on a collision (only with ``terminated``).
    """

    observation: np.ndarray
    reward: float
    terminated: bool
    info: dict[str, Any] = field(default_factory=dict)
    success: bool = False
    collision: bool = False


class Task(ABC, Generic[OptionsT]):
    """Base class of every task; subclasses set the class attributes and the methods.

    A task instance is stateful over one episode (e.g. the last distance to
    the goal), so each environment holds its own.

    :param options: the task's options; the defaults of :attr:`options_type` when None.
    :param description: the robot, for its velocity limits and IR band.
    :raises TaskOptionError: for options of another type or beyond the robot's limits.
    """

    #: Name in the registry and in ``GetSpec.task``.
    name: ClassVar[str]
    #: The frozen options dataclass, fields made with :func:`~.options.option`.
    options_type: ClassVar[type]
    #: Steps after which the env core truncates, unless the user sets another limit.
    default_max_episode_steps: ClassVar[int]
    #: True when the reward or termination reads ground truth (simulation only).
    uses_ground_truth: ClassVar[bool] = False

    def __init__(self, options: OptionsT | None = None,
                 description: RobotinoDescription = ROBOTINO3) -> None:
        if options is None:
            options = self.options_type()
        if not isinstance(options, self.options_type):
            raise TaskOptionError(f'{self.name} takes {self.options_type.__name__}, '
                                  f'got {type(options).__name__}')
        self._options: OptionsT = options
        self._description = description

    @property
    def options(self) -> OptionsT:
        """The options this instance runs with."""
        return self._options

    @property
    def description(self) -> RobotinoDescription:
        """The robot this task is set up for."""
        return self._description

    def replace(self, overrides: Mapping[str, Any] | None) -> Task[OptionsT]:
        """A new task of the same kind with some options replaced (per-episode options).

        :param overrides: option names to values, as from ``reset(options=...)``.
        :raises TaskOptionError: for unknown keys, wrong types or bad values.
        """
        return type(self)(replace_options(self._options, overrides), description=self._description)

    @property
    @abstractmethod
    def observation_names(self) -> tuple[str, ...]:
        """One name per observation element, for ``spec_json`` and scripted controllers."""

    @property
    @abstractmethod
    def action_names(self) -> tuple[str, ...]:
        """One name per action element."""

    @property
    @abstractmethod
    def observation_space(self) -> spaces.Box:
        """A float32 Box; must not depend on options a reset may change."""

    @property
    @abstractmethod
    def action_space(self) -> spaces.Box:
        """A float32 Box; the env core clips actions to it before :meth:`twist`."""

    @abstractmethod
    def world_request(self, rng: np.random.Generator) -> WorldRequest:
        """The world to ask for at the next reset; may draw from ``rng`` (the env's stream)."""

    @abstractmethod
    def reset(self, start: EpisodeStart) -> tuple[np.ndarray, dict[str, Any]]:
        """Start an episode from the robot's start; return the first observation and info."""

    @abstractmethod
    def twist(self, action: np.ndarray) -> Twist:
        """The body twist in ``base_link`` (m/s, m/s, rad/s) for an action in the space."""

    @abstractmethod
    def step(self, observation: Observation) -> TaskStep:
        """Observation, reward and termination after one control period."""
