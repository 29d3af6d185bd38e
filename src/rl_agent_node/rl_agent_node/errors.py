"""Errors of the agent's plain code: one flat family, as in ``gymnasium.error``.

The command line and the node turn each into one line naming what was
wrong and what to do, with exit status 2 for :class:`ConfigError`.
"""

from __future__ import annotations


class AgentError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(AgentError, ValueError):
    """A config file, override or parameter that makes no run; the message names the key."""


class RunDirError(AgentError):
    """A run directory that is missing, incomplete, or holds no usable checkpoint or model."""


class EnvUnavailableError(AgentError):
    """Env nodes stayed unreachable for longer than the recovery timeout."""
