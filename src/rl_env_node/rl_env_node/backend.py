"""What the env core needs from a robot, simulated or real.

One code path above this line: the env core and the tasks see only
:class:`RobotBackend`. Below it, a simulator held in this process, a
simulator behind the ``sim/`` services, or the real Robotino's topics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from robotino_description import GroundTruth, RobotState

#: Body twist in ``base_link``: (vx m/s, vy m/s, wz rad/s), REP 103.
Twist = tuple[float, float, float]


@dataclass(frozen=True)
class WorldRequest:
    """The world a task asks for at reset.

    :param scenario: the scenario, as the ``sim/`` services and the simulators
        take it: '' for an arena generated from the seed, a layout name such as
        ``'corridor'``, or a layout file path.
    :param arena_options: arena generator options (room size, obstacle count, ...),
        checked by :func:`robotino_world.options.arena_with_options`.
    :param goal: a goal pose ``(x, y, yaw)`` in the ``odom`` frame (metres, radians)
        that a client gave for this episode (the reset option ``goal``), or None
        for the world's own. Only the real robot's backend takes one: in
        simulation the arena places the goal.
    """

    scenario: str = ''
    arena_options: dict[str, Any] = field(default_factory=dict)
    goal: tuple[float, float, float] | None = None


@dataclass(frozen=True)
class EpisodeStart:
    """The robot and its goal at the start of an episode.

    :param state: robot state after the reset (odometry at zero in simulation).
    :param goal: goal pose ``(x, y, yaw)`` in the ``odom`` frame (metres,
        radians), or None when the scenario has no goal.
    :param ground_truth: the supervisor's view in simulation; None on the robot.
    """

    state: RobotState
    goal: tuple[float, float, float] | None
    ground_truth: GroundTruth | None


@dataclass(frozen=True)
class Observation:
    """What one control period produced.

    :param state: the robot's own measurements after the period.
    :param ground_truth: the supervisor's view in simulation; None on the robot.
        Rewards may use it, and only in simulation: a task that needs it
        cannot run on the real robot.
    """

    state: RobotState
    ground_truth: GroundTruth | None


class RobotBackend(Protocol):
    """The robot seen from the env core: start an episode, act for one period."""

    #: Seconds of robot time per :meth:`act`.
    control_period: float
    #: Whether a client may place the goal (``WorldRequest.goal``): the real robot's
    #: backend does; simulators place it with the arena. Absent means False.
    accepts_goal: bool

    def start_episode(self, seed: int, world: WorldRequest) -> EpisodeStart:
        """Put the world and robot in the requested world's start; seed makes it reproducible.

        :raises BackendError: when the simulator or robot does not answer in time.
        """

    def act(self, twist: Twist) -> Observation:
        """Command ``twist`` for one control period and return what followed.

        :raises BackendError: when the simulator or robot does not answer in time.
        """

    def halt(self) -> None:
        """Stop the base now (zero velocity); used at episode end and on errors."""
