"""Errors of the env node's plain code: one flat family, as in ``gymnasium.error``.

The node maps each to ``success=False`` with ``str(error)`` as the message, so
every message says what was wrong, with the bad value, and what to do.
"""

from __future__ import annotations

from typing import Any

#: Characters of a bad input that a message quotes: a 10 MB request must not come back whole.
QUOTE_LIMIT = 60


def quoted(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)``, cut to ``limit`` characters with the full size said, for messages."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f'{text[:limit]}... ({len(text)} characters)'


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
