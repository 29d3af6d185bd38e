"""Errors of the MuJoCo simulator, one flat family the sim node maps to ``success=False``.

Each also derives from the built-in exception a caller would expect
(``ValueError`` for bad input, ``RuntimeError`` for a wrong state), so plain
Python code can catch them without importing this module.
"""

from __future__ import annotations


class RobotinoSimError(Exception):
    """Base of every error this package raises on purpose."""


class ScenarioError(RobotinoSimError, ValueError):
    """A scenario name or layout file that cannot be used; the message says why."""


class ArenaGenerationError(RobotinoSimError, RuntimeError):
    """No collision-free start and goal could be placed within the attempts allowed."""


class InvalidArgumentError(RobotinoSimError, ValueError):
    """A bad seed, velocity command or step count; the message shows the value."""


class NotResetError(RobotinoSimError, RuntimeError):
    """The simulator was stepped or read before its first reset."""


class CameraDisabledError(RobotinoSimError, RuntimeError):
    """A camera image was asked for but the camera is off in the configuration."""
