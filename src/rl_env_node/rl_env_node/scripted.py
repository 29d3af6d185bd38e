"""A scripted goal-reaching controller: a baseline, a smoke test and a demo without training.

It reads only the goal-reaching observation (IR features, goal distance and
bearing), so it drives any backend a trained agent could: in-process, over
ROS services, on the real robot. The rule is a potential field with a
sidestep: head for the goal, push away from near IR readings, and when an
obstacle blocks the way slide along it, keeping the side it chose until the
way is clear (so it does not dither in front of an obstacle).
"""

from __future__ import annotations

import math

import numpy as np

from rl_env_node.tasks.goal_reaching import GoalReaching

_REPULSION = 2.0
"""Weight of the push away from an obstacle at contact, relative to the pull to the goal."""

_BLOCKED = 0.5
"""IR feature below which a sensor within 60 degrees of the way ahead blocks it (0.17 m)."""


class ScriptedGoalReacher:
    """Maps a goal-reaching observation to a normalised action.

    Stateful only in the side it sidesteps to; call :meth:`reset` at each episode start.

    :param task: the goal-reaching task whose observations it reads (for the
        layout, the IR headings and the distance scale).
    """

    def __init__(self, task: GoalReaching) -> None:
        names = task.observation_names
        self._ir = np.array([names.index(name) for name in task.description.ir.names])
        self._distance = names.index('goal_distance')
        self._cos, self._sin = names.index('goal_cos'), names.index('goal_sin')
        headings = task.description.ir.headings()
        self._beams = np.column_stack((np.cos(headings), np.sin(headings)))
        self._scale = task.options.distance_scale / task.options.max_speed
        self._side = 0.0

    def reset(self) -> None:
        """Forget the sidestep side; call at the start of each episode."""
        self._side = 0.0

    def __call__(self, observation: np.ndarray) -> np.ndarray:
        """The action ``(vx, vy, wz)`` in [-1, 1] for one observation."""
        goal = np.array([observation[self._cos], observation[self._sin]])
        nearness = 1.0 - np.asarray(observation[self._ir], dtype=float)
        push = -(_REPULSION * nearness**2) @ self._beams
        direction = goal + push + self._sidestep(goal, nearness)
        norm = float(np.hypot(*direction))
        if norm > 1e-6:
            direction = direction / norm
        seconds_to_goal = float(observation[self._distance]) * self._scale
        speed = min(1.0, 0.3 + seconds_to_goal) * (1.0 - 0.5 * float(nearness.max()))
        turn = 0.5 * math.atan2(goal[1], goal[0])
        return np.array([*(speed * direction), turn], dtype=np.float32)

    def _sidestep(self, goal: np.ndarray, nearness: np.ndarray) -> np.ndarray:
        """A push along the obstacle that blocks the way to the goal, or zero."""
        ahead = self._beams @ goal > 0.5
        blocked = ahead & (1.0 - nearness < _BLOCKED)
        if not blocked.any():
            self._side = 0.0
            return np.zeros(2)
        obstacle = (nearness * blocked) @ self._beams
        if self._side == 0.0:
            cross = obstacle[0] * goal[1] - obstacle[1] * goal[0]
            self._side = 1.0 if cross >= 0.0 else -1.0
        tangent = self._side * np.array([-obstacle[1], obstacle[0]])
        return tangent / max(float(np.hypot(*tangent)), 1e-6)
