"""The simulator's configuration: one frozen dataclass, checked on creation.

The sim node declares these as ROS parameters and hands the values here
through :func:`simulator_config`; plain scripts and tests build it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from robotino_description import ROBOTINO3, RobotinoDescription
from robotino_mujoco.realism import DEFAULT_RANDOMISATION, IDEAL, Randomisation, Realism
from robotino_world import DEFAULT_COMMAND_TIMEOUT, DEFAULT_CONTROL_PERIOD, ArenaConfig

_ROOM_WALLS = 4


def _nanoseconds(seconds: float, name: str) -> int:
    """``seconds`` as a whole number of nanoseconds, or ValueError naming ``name``."""
    if not seconds > 0.0:
        raise ValueError(f'{name} must be > 0 s, got {seconds!r}')
    ns = round(seconds * 1e9)
    if abs(ns - seconds * 1e9) > 1e-3:
        raise ValueError(f'{name} must be a whole number of nanoseconds, got {seconds!r}')
    return ns


@dataclass(frozen=True)
class SimulatorConfig:
    """How the MuJoCo simulator runs.

    :param control_period: seconds of simulated time per :meth:`advance` period.
    :param physics_step: integration step, seconds; must divide ``control_period``.
    :param command_timeout: seconds of simulated time without a command after
        which the base brakes to a stop (the free-running API); at least one period.
    :param odometry_period: seconds between wheel-speed samples for odometry;
        must be a multiple of ``physics_step``.
    :param arena: how generated arenas look.
    :param camera: render an onboard camera (needs an OpenGL context such as
        ``MUJOCO_GL=egl``).
    :param camera_width: image width, pixels.
    :param camera_height: image height, pixels.
    :param max_boxes: box pool size: room walls, interior walls and box obstacles.
    :param max_cylinders: cylinder pool size.
    :param description: the robot.
    :param realism: the imperfections of the robot's measurements and drive;
        :data:`~robotino_mujoco.realism.IDEAL` (none) by default.
    :param randomisation: per-episode ranges drawn on top of ``realism`` at
        every reset, from the reset's seed; None draws nothing.
    """

    control_period: float = DEFAULT_CONTROL_PERIOD
    physics_step: float = 0.005
    command_timeout: float = DEFAULT_COMMAND_TIMEOUT
    odometry_period: float = 0.05
    arena: ArenaConfig = field(default_factory=ArenaConfig)
    camera: bool = False
    camera_width: int = 64
    camera_height: int = 64
    max_boxes: int = 24
    max_cylinders: int = 12
    description: RobotinoDescription = ROBOTINO3
    realism: Realism = IDEAL
    randomisation: Randomisation | None = None

    def __post_init__(self) -> None:
        """Reject settings the simulator cannot honour, naming the bad value."""
        step = _nanoseconds(self.physics_step, 'physics_step')
        for name in ('control_period', 'odometry_period'):
            if _nanoseconds(getattr(self, name), name) % step:
                raise ValueError(f'{name} must be a multiple of physics_step '
                                 f'{self.physics_step!r}, got {getattr(self, name)!r}')
        if not self.command_timeout >= self.control_period:
            raise ValueError('command_timeout must be >= control_period, got '
                             f'{self.command_timeout!r}')
        if self.camera_width < 1 or self.camera_height < 1:
            raise ValueError('camera size must be >= 1 pixel, got '
                             f'{self.camera_width!r} x {self.camera_height!r}')
        if not self.pools_fit(self.arena):
            raise ValueError(
                f'pools of {self.max_boxes} boxes and {self.max_cylinders} cylinders cannot hold '
                f'{_ROOM_WALLS} walls and up to {self.arena.obstacle_count[1]} obstacles')
        if not isinstance(self.realism, Realism):
            raise ValueError(f'realism must be a Realism (Realism.preset(name) for a named one), '
                             f'got {self.realism!r}')
        if self.randomisation is not None:
            if not isinstance(self.randomisation, Randomisation):
                raise ValueError(
                    f'randomisation must be a Randomisation or None, got {self.randomisation!r}')
            self.randomisation.check(self.realism)

    def pools_fit(self, arena: ArenaConfig) -> bool:
        """Whether the geom pools hold the room's walls and ``arena``'s most obstacles.

        Any obstacle may be a box or a cylinder, so both pools must hold them all.
        """
        most = arena.obstacle_count[1]
        return self.max_boxes >= _ROOM_WALLS + most and self.max_cylinders >= most

    @cached_property
    def physics_step_ns(self) -> int:
        """The integration step in nanoseconds, exact."""
        return _nanoseconds(self.physics_step, 'physics_step')

    @cached_property
    def steps_per_period(self) -> int:
        """Physics steps in one control period."""
        return _nanoseconds(self.control_period, 'control_period') // self.physics_step_ns

    @cached_property
    def odometry_steps(self) -> int:
        """Physics steps between odometry samples."""
        return _nanoseconds(self.odometry_period, 'odometry_period') // self.physics_step_ns

    @cached_property
    def timeout_steps(self) -> int:
        """Physics steps without a command before the base brakes (rounded up)."""
        return -(-round(self.command_timeout * 1e9) // self.physics_step_ns)


def simulator_config(realism: str = 'ideal', randomise: bool = False,
                     **options: Any) -> SimulatorConfig:
    """A configuration with a named realism preset, randomised per episode when asked.

    What the nodes call with their ``realism`` and ``randomise`` parameters.

    :param realism: a name in :data:`~robotino_mujoco.realism.PRESETS`.
    :param randomise: draw :data:`~robotino_mujoco.realism.DEFAULT_RANDOMISATION`
        on top of the preset at every reset.
    :param options: any other :class:`SimulatorConfig` field.
    :raises ValueError: for an unknown preset (listing the known ones) or a bad option.
    """
    return SimulatorConfig(realism=Realism.preset(realism),
                           randomisation=DEFAULT_RANDOMISATION if randomise else None, **options)
