"""The lockstep state machine that the plugin's ``step()`` runs, without Webots or ROS.

webots_ros2_driver calls the plugin's ``step()`` once per Webots basic time
step, right after the simulator computed it; Webots computes the next one
only when ``step()`` returns (the robot's ``synchronization`` is TRUE). So
the plugin moves simulated time by returning, and holds it by not
returning. Service callbacks never step: they queue a :class:`Job` (a world
to build, periods to advance) that the machine starts and finishes at step
boundaries, counting basic steps:

- a world job takes one step to settle (Webots updates the sensors of a
  teleported robot only in the next step);
- an advance job of ``n`` periods takes ``n * steps_per_period`` steps;
- with nothing queued, PAUSE holds (``step()`` waits for a request instead
  of returning) and the free-running modes let Webots run on.

Jobs run one at a time in arrival order; each action tells the plugin what
to do at this boundary, and whether Webots may compute the next step.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from rl_ros.contract import SimMode


class JobKind(Enum):
    """What a queued request asks for."""

    WORLD = 'world'
    ADVANCE = 'advance'


class Action(Enum):
    """What the plugin does at a step boundary."""

    STEP = 'step'
    """Return: let Webots compute the next basic step."""
    HOLD = 'hold'
    """Paused and idle: wait for a request without returning."""
    START = 'start'
    """Start the job (build the world, set the command), then return."""
    FINISH = 'finish'
    """The job's steps have elapsed: answer it, then ask again."""


@dataclass
class Job:
    """A request the step loop carries out.

    :param kind: world or advance.
    :param steps: basic steps the job lasts once started.
    :param payload: what the plugin needs to start and answer it (opaque here).
    """

    kind: JobKind
    steps: int
    payload: Any = field(default=None, repr=False)


class Lockstep:
    """Which job runs, how many of its steps remain, and whether to hold.

    :param mode: the initial mode.
    """

    def __init__(self, mode: SimMode) -> None:
        self._mode = mode
        self._queue: deque[Job] = deque()
        self._current: Job | None = None
        self._remaining = 0

    @property
    def mode(self) -> SimMode:
        """The mode in force."""
        return self._mode

    @mode.setter
    def mode(self, mode: SimMode) -> None:
        self._mode = SimMode(mode)

    @property
    def current(self) -> Job | None:
        """The running job, if any."""
        return self._current

    @property
    def busy(self) -> bool:
        """True while a job runs or waits in the queue."""
        return self._current is not None or bool(self._queue)

    def submit(self, job: Job) -> None:
        """Queue a job behind those already waiting.

        :raises ValueError: for a job of fewer than one step.
        """
        if job.steps < 1:
            raise ValueError(f'a job lasts at least one step, got {job.steps!r}')
        self._queue.append(job)

    def tick(self) -> None:
        """Count one elapsed basic step against the running job."""
        if self._current is not None and self._remaining > 0:
            self._remaining -= 1

    def next_action(self) -> tuple[Action, Job | None]:
        """What to do now; call again after FINISH (and after a START the plugin refused).

        :return: the action and the job it concerns (None for STEP and HOLD
            outside a job).
        """
        if self._current is not None:
            if self._remaining > 0:
                return Action.STEP, self._current
            finished, self._current = self._current, None
            return Action.FINISH, finished
        if self._queue:
            self._current = self._queue.popleft()
            self._remaining = self._current.steps
            return Action.START, self._current
        return (Action.HOLD if self._mode is SimMode.PAUSE else Action.STEP), None

    def drop_current(self) -> Job | None:
        """Abandon the running job (the plugin refused to start it); returns it."""
        dropped, self._current = self._current, None
        self._remaining = 0
        return dropped
