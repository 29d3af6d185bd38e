"""Driving a deployed policy to goals, one at a time: plain Python under the goal interfaces.

The agent node in deploy mode takes goals from its ``navigate_to_goal``
action and its ``goal_pose`` topic (RViz's "2D Goal Pose"); both end up in
:meth:`GoalNavigator.navigate`. A goal starts an episode whose reset option
``goal`` places it in the ``odom`` frame (so the env contract is the one
of training), and the policy runs until the episode ends or the goal is
cancelled, preempted by a newer one, or the agent stops. Between goals
nobody steps the env node, so its watchdog keeps the base still.

A cancel or a stop stops the base at once with a reset without a goal (on
the robot a reset only stops the base and reads it); a preempting goal's
own reset does the same before it drives on.
"""

from __future__ import annotations

import enum
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

#: A goal pose in the ``odom`` frame: (x m, y m, yaw rad).
Goal = tuple[float, float, float]


class Outcome(enum.IntEnum):
    """How a goal ended; the values are the action result's constants."""

    REACHED = 0
    COLLISION = 1
    TIMED_OUT = 2
    CANCELLED = 3
    FAILED = 4


@dataclass(frozen=True)
class GoalProgress:
    """Where a goal stands after a control period.

    :param distance_remaining: metres to the goal by odometry.
    :param elapsed: wall seconds since the goal started.
    :param steps: control periods the policy ran.
    """

    distance_remaining: float
    elapsed: float
    steps: int


@dataclass(frozen=True)
class GoalResult:
    """How a goal ended, and where the robot was then (see :class:`GoalProgress`)."""

    outcome: Outcome
    message: str
    progress: GoalProgress


class GoalEnv(Protocol):
    """What :class:`GoalNavigator` needs of an env: Gymnasium's reset and step (``RosEnv``)."""

    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        """Start an episode (toward ``options['goal']``), or stop the base without one."""

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
        """One control period."""


class GoalNavigator:
    """Runs one goal at a time on ``env``; a newer goal preempts the current one.

    :param env: the env node, in real mode (``RosEnv``).
    :param act: the policy: observation to action.
    :param stop: set when the agent stops; the goal under way ends CANCELLED.
    """

    def __init__(self, env: GoalEnv, act: Callable[[np.ndarray], np.ndarray],
                 stop: threading.Event) -> None:
        self._env = env
        self._act = act
        self._stop = stop
        self._driving = threading.Lock()
        self._latest = threading.Lock()
        self._preempt: threading.Event | None = None

    def navigate(self, goal: Goal, cancelled: Callable[[], bool] = lambda: False,
                 on_progress: Callable[[GoalProgress], None] = lambda progress: None,
                 ) -> GoalResult:
        """Drive to ``goal`` (``odom``) until the episode ends; blocks, from any thread.

        :param cancelled: polled every control period; True cancels the goal.
        :param on_progress: called after every control period (the action's feedback).
        """
        preempted = threading.Event()
        with self._latest:
            if self._preempt is not None:
                self._preempt.set()
            self._preempt = preempted
        start = time.monotonic()
        with self._driving:
            def ended() -> str:
                if preempted.is_set():
                    return 'preempted by a newer goal'
                if self._stop.is_set():
                    return 'the agent is stopping'
                return 'cancelled' if cancelled() else ''

            if ended():
                return GoalResult(Outcome.CANCELLED, ended(), GoalProgress(float('nan'), 0.0, 0))
            return self._drive(goal, start, ended, on_progress, preempted)

    def _drive(self, goal: Goal, start: float, ended: Callable[[], str],
               on_progress: Callable[[GoalProgress], None],
               preempted: threading.Event) -> GoalResult:
        observation, info = self._env.reset(options={'goal': list(goal)})
        progress = GoalProgress(float(info.get('goal_distance', float('nan'))), 0.0, 0)
        while True:
            reason = ended()
            if reason:
                if not preempted.is_set():
                    self._env.reset()   # stops the base now; a preempting goal resets anyway
                return GoalResult(Outcome.CANCELLED, reason, progress)
            observation, _, terminated, truncated, info = self._env.step(self._act(observation))
            progress = GoalProgress(float(info.get('goal_distance', float('nan'))),
                                    time.monotonic() - start, progress.steps + 1)
            on_progress(progress)
            if terminated or truncated:
                return _ending(info, terminated, progress)


def _ending(info: dict, terminated: bool, progress: GoalProgress) -> GoalResult:
    """The result of an episode that ended by itself."""
    if terminated and info.get('is_success'):
        return GoalResult(Outcome.REACHED, 'reached', progress)
    if terminated and info.get('collision'):
        return GoalResult(Outcome.COLLISION, 'the bumper hit something; the base is stopped',
                          progress)
    if terminated:
        return GoalResult(Outcome.FAILED, 'the episode ended without reaching the goal',
                          progress)
    return GoalResult(Outcome.TIMED_OUT, f'not reached within {progress.steps} control periods',
                      progress)


def checked_goal(goal: tuple[float, float, float]) -> Goal:
    """``goal`` as floats; ValueError, naming it, for NaN or infinity."""
    if len(goal) != 3 or not all(math.isfinite(value) for value in goal):
        raise ValueError(f'a goal needs finite x, y and yaw, got {list(goal)}')
    return float(goal[0]), float(goal[1]), float(goal[2])
