"""Embedded MuJoCo simulator of the Robotino 3 speaking the real driver's topics.

The world it simulates (arenas, layouts, the drive ramp, their errors) is
:mod:`robotino_world`'s, shared with Webots. This package's plain modules
know nothing of ROS: :class:`RobotinoSimulator` steps the robot in an
arena; the sim node wraps it in the shared ``sim/`` server.
"""

from robotino_mujoco.config import SimulatorConfig
from robotino_mujoco.errors import CameraDisabledError
from robotino_mujoco.simulator import RobotinoSimulator

__all__ = ['CameraDisabledError', 'RobotinoSimulator', 'SimulatorConfig']
