"""Errors of the Webots backend, one flat family the plugin maps to ``success=False``.

Each also derives from the built-in exception a caller would expect, as in
:mod:`robotino_mujoco.errors`; the arena generator's own errors (a bad
scenario, no room for a start and goal) come from that module unchanged.
"""

from __future__ import annotations


class RobotinoWebotsError(Exception):
    """Base of every error this package raises on purpose."""


class SettingsError(RobotinoWebotsError, ValueError):
    """A plugin property (URDF ``<plugin>`` child) that cannot be used; the message names it."""


class WorldSetupError(RobotinoWebotsError, RuntimeError):
    """The Webots world lacks a device or DEF node the plugin needs, or times do not fit."""


class InvalidRequestError(RobotinoWebotsError, ValueError):
    """A malformed request (bad twist, zero periods, stale world); the message shows the value."""


class NotReadyError(RobotinoWebotsError, RuntimeError):
    """The first world is not built yet, or the simulator is restarting."""
