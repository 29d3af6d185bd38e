"""The Webots backend's own errors; the rest come from :mod:`robotino_world.errors`.

Both derive from :class:`robotino_world.errors.SimulationError`, so the
shared ``sim/`` server refuses them like any other simulator's.
"""

from __future__ import annotations

from robotino_world.errors import SimulationError


class SettingsError(SimulationError, ValueError):
    """A plugin property (URDF ``<plugin>`` child) that cannot be used; the message names it."""


class WorldSetupError(SimulationError, RuntimeError):
    """The Webots world lacks a device or DEF node the plugin needs, or times do not fit."""
