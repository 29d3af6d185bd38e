"""Errors of the env node's plain code: one flat family, as in ``gymnasium.error``.

The node maps each to ``success=False`` with ``str(error)`` as the message, so
every message says what was wrong, with the bad value, and what to do;
:func:`quoted` (the world's, shared with the ``sim/`` services) cuts a bad
input to a short prefix for the message.
"""

from __future__ import annotations

from robotino_world.options import quoted

__all__ = [
    'BackendError',
    'EnvError',
    'InvalidActionError',
    'RequestError',
    'ResetNeededError',
    'TaskOptionError',
    'UnknownTaskError',
    'quoted',
]


class EnvError(Exception):
    """Base of every error this package raises on purpose."""


class BackendError(EnvError):
    """The simulator or the robot did not answer, or answered with a failure."""


class InvalidActionError(EnvError, ValueError):
    """An action of the wrong length or type, or with NaN or infinite values."""


class ResetNeededError(EnvError, RuntimeError):
    """``step`` before the first ``reset``, or after the episode ended."""


class TaskOptionError(EnvError, ValueError):
    """An unknown task option, an option of the wrong type, or a value out of range."""


class UnknownTaskError(EnvError, KeyError):
    """A task name that is not in the registry; the message lists the known ones."""

    def __str__(self) -> str:
        """The message as given (``KeyError`` would quote it)."""
        return str(self.args[0]) if self.args else ''


class RequestError(EnvError, ValueError):
    """A malformed request: bad JSON, options that are not an object, a bad seed."""
