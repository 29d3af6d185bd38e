"""The MuJoCo simulator's own error; the rest come from :mod:`robotino_world.errors`."""

from __future__ import annotations

from robotino_world.errors import SimulationError


class CameraDisabledError(SimulationError, RuntimeError):
    """A camera image was asked for but the camera is off in the configuration."""
