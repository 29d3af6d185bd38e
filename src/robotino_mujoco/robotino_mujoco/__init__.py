"""Embedded MuJoCo simulator of the Robotino 3 speaking the real driver's topics.

The world it simulates (arenas, layouts, the drive ramp, their errors) is
:mod:`robotino_world`'s, shared with Webots. This package's plain modules
know nothing of ROS: :class:`RobotinoSimulator` steps the robot in an
arena; the sim node wraps it in the shared ``sim/`` server;
:mod:`.realism` lists the real robot's imperfections it can add.
"""

from robotino_mujoco.config import SimulatorConfig, simulator_config
from robotino_mujoco.errors import CameraDisabledError
from robotino_mujoco.realism import DEFAULT_RANDOMISATION, PRESETS, Randomisation, Realism
from robotino_mujoco.simulator import RobotinoSimulator

__all__ = [
    'DEFAULT_RANDOMISATION',
    'PRESETS',
    'CameraDisabledError',
    'Randomisation',
    'Realism',
    'RobotinoSimulator',
    'SimulatorConfig',
    'simulator_config',
]
