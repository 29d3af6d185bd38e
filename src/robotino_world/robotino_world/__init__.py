"""The world the Robotino drives in, for any simulator: arenas, layouts, shapes, the drive ramp.

Plain Python and numpy, no simulator and no ROS: MuJoCo and Webots both
build their scenes from an :class:`Arena` drawn by :class:`ArenaStream`, so
a seed gives both the same room, obstacles, start and goal. A *scenario* is
always a string: ``''`` for an arena generated from the seed, a layout
name such as ``'corridor'`` (``arenas/corridor.yaml``), or a path to a
layout file.
"""

from robotino_world.arena import Arena, ArenaConfig, generate_arena, world_stream
from robotino_world.arena_stream import ArenaStream
from robotino_world.drive import (
    DEFAULT_COMMAND_TIMEOUT,
    DEFAULT_CONTROL_PERIOD,
    WheelRamp,
    Wheels,
    wheel_targets,
)
from robotino_world.errors import (
    ArenaGenerationError,
    InvalidArgumentError,
    NotReadyError,
    ScenarioError,
    SimulationError,
    check_world_id,
)
from robotino_world.layouts import Layout, available_layouts, load_layout
from robotino_world.options import arena_with_options, parse_options_json
from robotino_world.shapes import Box, Cylinder, Pose2D, Shape, clearance

__all__ = [
    'DEFAULT_COMMAND_TIMEOUT',
    'DEFAULT_CONTROL_PERIOD',
    'Arena',
    'ArenaConfig',
    'ArenaGenerationError',
    'ArenaStream',
    'Box',
    'Cylinder',
    'InvalidArgumentError',
    'Layout',
    'NotReadyError',
    'Pose2D',
    'ScenarioError',
    'Shape',
    'SimulationError',
    'WheelRamp',
    'Wheels',
    'arena_with_options',
    'available_layouts',
    'check_world_id',
    'clearance',
    'generate_arena',
    'load_layout',
    'parse_options_json',
    'wheel_targets',
    'world_stream',
]
