"""Embedded MuJoCo simulator of the Robotino 3 speaking the real driver's topics.

This package's plain modules know nothing of ROS: :class:`RobotinoSimulator`
steps the robot in an arena; the sim node wraps it.
"""

from robotino_mujoco.arena import Arena, ArenaConfig, generate_arena
from robotino_mujoco.config import SimulatorConfig
from robotino_mujoco.errors import (
    ArenaGenerationError,
    CameraDisabledError,
    InvalidArgumentError,
    NotResetError,
    RobotinoSimError,
    ScenarioError,
)
from robotino_mujoco.layouts import Layout, available_layouts, load_layout
from robotino_mujoco.shapes import Box, Cylinder, Pose2D
from robotino_mujoco.simulator import RobotinoSimulator

__all__ = [
    'Arena',
    'ArenaConfig',
    'ArenaGenerationError',
    'Box',
    'CameraDisabledError',
    'Cylinder',
    'InvalidArgumentError',
    'Layout',
    'NotResetError',
    'Pose2D',
    'RobotinoSimError',
    'RobotinoSimulator',
    'ScenarioError',
    'SimulatorConfig',
    'available_layouts',
    'generate_arena',
    'load_layout',
]
