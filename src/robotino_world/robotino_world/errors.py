"""Errors of the world and of the simulators built on it: one family the ``sim/`` server maps.

Every simulator (MuJoCo, Webots) raises these, or subclasses of
:class:`SimulationError`, for a request it refuses, so the one ``sim/``
service server answers ``success=False`` with the message for all of them.
Each also derives from the built-in exception a caller would expect
(``ValueError`` for bad input, ``RuntimeError`` for a wrong state), so plain
Python code can catch them without importing this module.
"""

from __future__ import annotations


class SimulationError(Exception):
    """Base of every error the world or a simulator raises on purpose."""


class ScenarioError(SimulationError, ValueError):
    """A scenario name or layout file that cannot be used; the message says why."""


class ArenaGenerationError(SimulationError, RuntimeError):
    """No collision-free start and goal could be placed within the attempts allowed."""


class InvalidArgumentError(SimulationError, ValueError):
    """A bad seed, option, velocity command, step count or world id; the message shows it."""


class NotReadyError(SimulationError, RuntimeError):
    """The simulator has no world yet (stepped or read before the first), or is restarting."""


def check_world_id(requested: int, current: int) -> None:
    """Refuse an advance meant for an earlier world; 0 means whichever is current.

    :raises InvalidArgumentError: naming both ids and what to call instead.
    """
    if requested not in (0, current):
        raise InvalidArgumentError(
            f'stale advance for world {requested}; the current world is {current}: '
            'call sim/reset_world for a new one')
