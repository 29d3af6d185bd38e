"""Device and supervisor I/O of the Robotino in Webots: reads and writes, no decisions.

Everything here is a call on the Webots controller API (the ``Supervisor``
webots_ros2_driver hands the plugin as ``webots_node.robot``); the logic
that uses it is in :mod:`robotino_webots.simulation`. Device names are the
``Robotino3.proto`` ones (cyberbotics/webots,
``projects/robots/festo/robotino3/protos/``): motors ``wheel0_joint`` ..
``wheel2_joint`` with position sensors ``wheel0_joint_sensor`` ..,
distance sensors ``ir1`` .. ``ir9``.

The bumper: the PROTO's ``TouchSensor`` (``base_bumper``) has no bounding
object, so Webots never reports a touch on it. The bumper is therefore read
from the supervisor's contact points of the robot's own bounding cylinder
(not its wheels): true while the body touches anything, as in MuJoCo.
"""

from __future__ import annotations

import math
from typing import Any

from rl_ros.contract import SimMode
from robotino_description import RobotinoDescription
from robotino_webots.errors import WorldSetupError
from robotino_webots.world import (
    ARENA_DEF,
    GOAL_DEF,
    arena_nodes,
    goal_translation,
    robot_translation,
    yaw_rotation,
)
from robotino_world.arena import Arena
from robotino_world.shapes import Pose2D

Wheels = tuple[float, float, float]

WHEEL_MOTORS = tuple(f'wheel{k}_joint' for k in range(3))
"""The PROTO's wheel motors, wheel0 .. wheel2."""


def stop_wheels(robot: Any) -> None:
    """Set every wheel motor the robot has to zero velocity (sent to Webots with the next step).

    Needs nothing but the robot, so that a plugin which could not start
    still stops the wheels: Webots keeps the set-points an earlier
    controller left until a step brings new ones.
    """
    for name in WHEEL_MOTORS:
        motor = robot.getDevice(name)
        if motor is not None:
            motor.setVelocity(0.0)


def _device(robot: Any, name: str) -> Any:
    device = robot.getDevice(name)
    if device is None:
        raise WorldSetupError(f'the robot has no device {name!r}: the plugin needs the '
                              'Robotino3 PROTO with its default devices')
    return device


def _field(node: Any, name: str, what: str) -> Any:
    field = node.getField(name)
    if field is None:
        raise WorldSetupError(f'{what} has no field {name!r}')
    return field


class WebotsRobotino:
    """The Robotino's devices and the supervisor's handles on the world.

    :param robot: the controller's ``Supervisor`` (the Robot node needs
        ``supervisor TRUE``).
    :param description: the robot, for the IR sensor names.
    :raises WorldSetupError: when a device or DEF node is missing; the
        message names it.
    """

    def __init__(self, robot: Any, description: RobotinoDescription) -> None:
        self._robot = robot
        self.time_step_ms = int(robot.getBasicTimeStep())
        self._motors = [_device(robot, name) for name in WHEEL_MOTORS]
        for motor in self._motors:
            motor.setPosition(math.inf)
            motor.setVelocity(0.0)
        self._encoders = [_device(robot, f'wheel{k}_joint_sensor') for k in range(3)]
        self._ir_names = description.ir.names
        self._ir = [_device(robot, name) for name in self._ir_names]
        for sensor in (*self._encoders, *self._ir):
            sensor.enable(self.time_step_ms)
        self._self = robot.getSelf()
        self._self.enableContactPointsTracking(self.time_step_ms, False)
        self._translation = _field(self._self, 'translation', 'the robot')
        self._rotation = _field(self._self, 'rotation', 'the robot')
        goal = self._def_node(GOAL_DEF)
        self._goal_translation = _field(goal, 'translation', f'DEF {GOAL_DEF}')
        self._goal_rotation = _field(goal, 'rotation', f'DEF {GOAL_DEF}')
        self._arena_children = _field(self._def_node(ARENA_DEF), 'children', f'DEF {ARENA_DEF}')
        self._shown: tuple[Any, ...] | None = None

    def _def_node(self, name: str) -> Any:
        node = self._robot.getFromDef(name)
        if node is None:
            raise WorldSetupError(f'the world has no DEF {name} node; use the world of '
                                  'robotino_webots.world (worlds/robotino_arena.wbt)')
        return node

    def wheel_angles(self) -> Wheels:
        """Wheel angles from the encoders, radians (NaN before the first step)."""
        return tuple(sensor.getValue() for sensor in self._encoders)

    def ir_readings(self) -> list[float]:
        """Raw IR readings in sensor order, in the lookup table's unit (volts)."""
        return [sensor.getValue() for sensor in self._ir]

    def ir_lookup_tables(self) -> dict[str, list[float]]:
        """Each IR sensor's ``lookupTable`` as Webots reports it: rows of three, flattened."""
        return {name: list(sensor.getLookupTable())
                for name, sensor in zip(self._ir_names, self._ir, strict=True)}

    def body_touching(self) -> bool:
        """True while the robot's own bounding object touches something."""
        return len(self._self.getContactPoints(False)) > 0

    def pose(self) -> tuple[float, float, float]:
        """Ground-truth ``(x, y, yaw)`` of the robot, world frame, metres and radians."""
        x, y, _ = self._self.getPosition()
        matrix = self._self.getOrientation()
        return x, y, math.atan2(matrix[3], matrix[0])

    def set_wheel_speeds(self, speeds: Wheels) -> None:
        """Motor velocity set-points, rad/s, wheel0..wheel2."""
        for motor, speed in zip(self._motors, speeds, strict=True):
            motor.setVelocity(float(speed))

    def place_robot(self, pose: Pose2D) -> None:
        """Teleport the robot to a pose at rest (takes effect in the next step)."""
        self._translation.setSFVec3f(robot_translation(pose))
        self._rotation.setSFRotation(yaw_rotation(pose.yaw))
        self._self.resetPhysics()

    def place_goal(self, pose: Pose2D) -> None:
        """Move the goal marker."""
        self._goal_translation.setSFVec3f(goal_translation(pose))
        self._goal_rotation.setSFRotation(yaw_rotation(pose.yaw))

    def show_arena(self, arena: Arena) -> None:
        """Make the walls and obstacles those of ``arena``; unchanged ones are kept.

        Rebuilding only when the shapes differ spares Webots the node churn
        of a fixed layout's resets.
        """
        if arena.shapes == self._shown:
            return
        while self._arena_children.getCount() > 0:
            self._arena_children.removeMF(-1)
        for node in arena_nodes(arena):
            self._arena_children.importMFNodeFromString(-1, node)
        self._shown = arena.shapes

    def set_mode(self, mode: SimMode) -> None:
        """Webots' own run mode for ours: PAUSE runs fast (the plugin holds the steps)."""
        robot = self._robot
        webots_mode = (robot.SIMULATION_MODE_REAL_TIME if mode is SimMode.REALTIME
                       else robot.SIMULATION_MODE_FAST)
        robot.simulationSetMode(webots_mode)

    def reload_world(self) -> None:
        """Ask Webots to reload the world file; this controller's next step returns -1."""
        self._robot.worldReload()
