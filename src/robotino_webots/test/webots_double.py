"""TEST DOUBLE of the Webots controller API: a stand-in ``Supervisor`` for the plugin's tests.

Webots cannot be installed on this machine, so the tests run the real
:class:`robotino_webots.robotino_driver.RobotinoDriver` against this double
of the ``controller`` module (Supervisor, Motor, PositionSensor,
DistanceSensor, Node, Field, ContactPoint). It implements only the calls the
plugin makes, with the Webots semantics the plugin depends on (checked
against the R2025a controller library bundled with webots_ros2_driver, and
the Webots sources; see ``robotino_webots.ir_sensors`` for the figures):

- motor set-points and field writes reach Webots only with the next
  ``step``; the set-points Webots holds stay until a step brings new ones,
  so a new controller finds those an earlier one left (``wheel_speeds``);
- field writes on the robot take effect at that step, after which the
  robot is at rest (``resetPhysics``); ``setSFVec3f`` and ``setSFRotation``
  take lists only, as the real ``Field.value`` setter does (it ignores
  anything else with an error message; the double raises);
- position and distance sensors read NaN until the first step after
  ``enable``; distance sensors cast their ray along the PROTO's beam
  headings (3.33 degrees off radial for ir2 .. ir9) and report their
  lookup table's value for the distance along it (the last row's value when
  nothing is in reach), times ``1 + ir_noise N(0, 1)`` as Webots does
  (``ir_noise`` 0 for exact readings); ``getLookupTable`` gives the rows
  with that noise in the third column;
- contact points are those of the robot's own bounding cylinder;
- ``worldReload`` ends the controller: ``step`` returns -1 from then on.

Physics is a kinematic stand-in, not Webots': the base moves with the
motors' velocities through the omni-wheel kinematics, exactly and without
slip, and stays where it is (touching) when a step would take its footprint
into a wall or obstacle. The double knows the world only through the
``.wbt`` text and the VRML nodes the plugin imports, read with regular
expressions that understand :mod:`robotino_webots.world`'s output only.
"""

# The Webots API's camelCase names are kept, so the plugin cannot tell the double apart.
# ruff: noqa: N802, N803

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from robotino_description import RobotinoDescription, body_displacement
from robotino_description.ir_conversion import IrLookupTable
from robotino_webots.ir_sensors import IR_NOISE, WEBOTS_ROBOTINO3
from robotino_world.shapes import Box, Cylinder, Shape, clearance

_NUMBER = r'(-?[\d.e+-]+)'
_SOLID = re.compile(
    rf'Solid \{{ translation {_NUMBER} {_NUMBER} \S+ rotation 0 0 1 {_NUMBER} .*?'
    rf'boundingObject (?:Box \{{ size {_NUMBER} {_NUMBER} {_NUMBER} \}}|'
    rf'Cylinder \{{ height {_NUMBER} radius {_NUMBER} \}})')
_MAX_WHEEL_SPEED = 137.46
"""``maxVelocity`` of the PROTO's wheel motors, rad/s."""


def parse_shape(node: str) -> Shape:
    """The footprint of a wall or obstacle node written by ``robotino_webots.world``."""
    match = _SOLID.search(node)
    if match is None:
        raise ValueError(f'the Webots double cannot read this node: {node[:80]!r}')
    x, y, yaw, size_x, size_y, box_height, cyl_height, radius = match.groups()
    if size_x is not None:
        return Box(float(x), float(y), float(yaw), float(size_x) / 2.0, float(size_y) / 2.0,
                   float(box_height))
    return Cylinder(float(x), float(y), float(radius), float(cyl_height))


def _ray_hit(shape: Shape, ox: float, oy: float, dx: float, dy: float) -> float | None:
    """Distance along a unit ray to a shape's footprint, or None."""
    if isinstance(shape, Cylinder):
        fx, fy = ox - shape.x, oy - shape.y
        b = fx * dx + fy * dy
        disc = b * b - (fx * fx + fy * fy - shape.radius**2)
        if disc < 0.0:
            return None
        far = -b + math.sqrt(disc)
        return None if far < 0.0 else max(-b - math.sqrt(disc), 0.0)
    cos_y, sin_y = math.cos(shape.yaw), math.sin(shape.yaw)
    local_o = (cos_y * (ox - shape.x) + sin_y * (oy - shape.y),
               -sin_y * (ox - shape.x) + cos_y * (oy - shape.y))
    local_d = (cos_y * dx + sin_y * dy, -sin_y * dx + cos_y * dy)
    near, far = -math.inf, math.inf
    for o, d, half in zip(local_o, local_d, (shape.half_x, shape.half_y), strict=True):
        if abs(d) < 1e-12:
            if abs(o) > half:
                return None
            continue
        t1, t2 = sorted(((-half - o) / d, (half - o) / d))
        near, far = max(near, t1), min(far, t2)
    return None if far < max(near, 0.0) else max(near, 0.0)


@dataclass
class ContactPoint:
    """A contact of the robot's body, as ``controller.ContactPoint``."""

    point: list[float]
    node_id: int


class Field:
    """An SF vector field whose writes wait for the next step (as Webots applies them)."""

    def __init__(self, value: list[float]) -> None:
        self.value = list(value)
        self.pending: list[float] | None = None

    def _write(self, value: list[float], size: int) -> None:
        if not isinstance(value, list) or len(value) != size:
            raise TypeError(f'the Webots API takes a list of {size} numbers here, got '
                            f'{value!r} (it would print "new field value has wrong type or '
                            'length" and ignore it)')
        self.pending = list(value)

    def setSFVec3f(self, value: list[float]) -> None:
        self._write(value, 3)

    def setSFRotation(self, value: list[float]) -> None:
        self._write(value, 4)


class ChildrenField:
    """The MF ``children`` field of ``DEF ARENA``: VRML nodes and their footprints."""

    def __init__(self, nodes: list[str]) -> None:
        self.nodes = list(nodes)

    @property
    def shapes(self) -> tuple[Shape, ...]:
        return tuple(parse_shape(node) for node in self.nodes)

    def getCount(self) -> int:
        return len(self.nodes)

    def removeMF(self, index: int) -> None:
        del self.nodes[index]

    def importMFNodeFromString(self, position: int, text: str) -> None:
        parse_shape(text)
        self.nodes.insert(len(self.nodes) if position == -1 else position, text)


class Node:
    """A world node with named fields (the goal, the arena group)."""

    def __init__(self, fields: dict) -> None:
        self._fields = fields

    def getField(self, name: str):
        return self._fields.get(name)


class Motor:
    """A rotational motor in velocity control; ``velocity`` is the controller's set-point."""

    def __init__(self, velocity: float = 0.0) -> None:
        self.velocity = velocity

    def setPosition(self, position: float) -> None:
        if position != math.inf:
            raise AssertionError('the plugin drives its wheels in velocity control')

    def setVelocity(self, velocity: float) -> None:
        self.velocity = max(-_MAX_WHEEL_SPEED, min(_MAX_WHEEL_SPEED, velocity))


class Sensor:
    """A position or distance sensor: ``enable``, then a value each step."""

    def __init__(self) -> None:
        self.enabled = False
        self.value = math.nan

    def enable(self, period_ms: int) -> None:
        self.enabled = period_ms > 0

    def getValue(self) -> float:
        return self.value if self.enabled else math.nan


class DistanceSensor(Sensor):
    """An IR sensor: a value each step, and the ``lookupTable`` it was built with."""

    def __init__(self, lookup_table: list[float]) -> None:
        super().__init__()
        self._lookup_table = lookup_table

    def getLookupTable(self) -> list[float]:
        return list(self._lookup_table)


class RobotNode(Node):
    """The Robot node as the supervisor sees it: pose, contacts, fields."""

    def __init__(self, translation: list[float], rotation: list[float]) -> None:
        self.translation, self.rotation = Field(translation), Field(rotation)
        super().__init__({'translation': self.translation, 'rotation': self.rotation})
        self.touching = False
        self.tracking = False

    @property
    def yaw(self) -> float:
        return self.rotation.value[3] * math.copysign(1.0, self.rotation.value[2])

    def getPosition(self) -> list[float]:
        return list(self.translation.value)

    def getOrientation(self) -> list[float]:
        c, s = math.cos(self.yaw), math.sin(self.yaw)
        return [c, -s, 0.0, s, c, 0.0, 0.0, 0.0, 1.0]

    def resetPhysics(self) -> None:
        """Nothing moves between steps here; the base is at rest after a teleport anyway."""

    def enableContactPointsTracking(self, period_ms: int, include_descendants: bool) -> None:
        self.tracking = period_ms > 0 and not include_descendants

    def getContactPoints(self, includeDescendants: bool = False) -> list[ContactPoint]:
        if not self.tracking or includeDescendants or not self.touching:
            return []
        x, y, _ = self.translation.value
        return [ContactPoint([x, y, 0.05], 1)]


def _world_value(world: str, pattern: str) -> str:
    match = re.search(pattern, world, re.DOTALL)
    if match is None:
        raise ValueError(f'the Webots double found no {pattern!r} in the world')
    return match.group(1)


class Supervisor:
    """The controller's robot, for an extern controller of ``DEF ROBOT Robotino3``.

    :param world: the ``.wbt`` text (as written by ``robotino_webots.world``).
    :param description: the robot (geometry, kinematics, IR ring with the beams).
    :param table: the IR sensors' lookup table.
    :param ir_noise: the readings' noise, standard deviation relative to the
        reading; the PROTO's by default, 0 for exact readings.
    :param seed: seed of that noise.
    :param wheel_speeds: the wheel set-points Webots holds before the first
        step (those an earlier controller left), rad/s.
    """

    SIMULATION_MODE_PAUSE = 0
    SIMULATION_MODE_REAL_TIME = 1
    SIMULATION_MODE_FAST = 2

    def __init__(self, world: str, description: RobotinoDescription = WEBOTS_ROBOTINO3,
                 table: IrLookupTable | None = None, ir_noise: float = IR_NOISE,
                 seed: int = 0, wheel_speeds: Sequence[float] = (0.0, 0.0, 0.0)) -> None:
        robot = _world_value(world, r'DEF ROBOT Robotino3 \{(.*?)\n\}')
        if 'controller "<extern>"' not in robot or 'supervisor TRUE' not in robot:
            raise ValueError('Webots connects an extern supervisor only to a Robot with '
                             'controller "<extern>" and supervisor TRUE')
        numbers = [[float(v) for v in _world_value(robot, rf'{name} ([^\n]+)').split()]
                   for name in ('translation', 'rotation')]
        self._node = RobotNode(*numbers)
        arena = _world_value(world, r'DEF ARENA Group \{\n  children \[\n(.*?)\n  \]')
        self._defs = {
            'ARENA': Node({'children': ChildrenField(arena.splitlines())}),
            'GOAL': Node({'translation': Field([0.0, 0.0, 0.0]),
                          'rotation': Field([0.0, 0.0, 1.0, 0.0])}),
        }
        self._time_step_ms = int(_world_value(world, r'basicTimeStep (\d+)'))
        self._description = description
        self._kinematics = description.kinematics()
        self._table = table or IrLookupTable()
        self._ir_noise = ir_noise
        self._random = random.Random(seed)
        self.wheel_speeds = [float(w) for w in wheel_speeds]
        """The wheel set-points Webots holds: those sent with the last step."""
        self.steps = 0
        """Basic steps Webots has computed."""
        self.fastest_wheel_speed = 0.0
        """The largest wheel set-point, in magnitude, of all the steps computed, rad/s."""
        self._motors = [Motor(w) for w in self.wheel_speeds]
        self._encoders = [Sensor() for _ in range(3)]
        rows = [value for row in self._table.rows for value in (*row, ir_noise)]
        self._ir = [DistanceSensor(rows) for _ in description.ir.names]
        self._devices = {f'wheel{k}_joint': m for k, m in enumerate(self._motors)}
        self._devices |= {f'wheel{k}_joint_sensor': e for k, e in enumerate(self._encoders)}
        self._devices |= dict(zip(description.ir.names, self._ir, strict=True))
        self._angles = [0.0, 0.0, 0.0]
        self._time = 0.0
        self._mode = self.SIMULATION_MODE_REAL_TIME
        self._reloading = False
        self._wall_start = time.monotonic()

    def getBasicTimeStep(self) -> float:
        return float(self._time_step_ms)

    def getDevice(self, name: str):
        return self._devices.get(name)

    def getSelf(self) -> RobotNode:
        return self._node

    def getFromDef(self, name: str) -> Node | None:
        return self._defs.get(name)

    def simulationSetMode(self, mode: int) -> None:
        self._mode = mode
        self._wall_start = time.monotonic() - self._time

    def worldReload(self) -> None:
        self._reloading = True

    def step(self, duration_ms: int) -> int:
        """Advance by ``duration_ms``; -1 once the world reloads (the controller must quit)."""
        if self._reloading:
            return -1
        if duration_ms != self._time_step_ms:
            raise AssertionError(f'step({duration_ms}) is not the basic time step')
        dt = duration_ms / 1000.0
        self.wheel_speeds = [motor.velocity for motor in self._motors]
        self.fastest_wheel_speed = max(self.fastest_wheel_speed, *map(abs, self.wheel_speeds))
        self._apply_field_writes()
        self._move(dt)
        self._time += dt
        self.steps += 1
        self._sense()
        if self._mode == self.SIMULATION_MODE_REAL_TIME:
            time.sleep(max(0.0, self._wall_start + self._time - time.monotonic()))
        return 0

    def _apply_field_writes(self) -> None:
        for field in (self._node.translation, self._node.rotation):
            if field.pending is not None:
                field.value, field.pending = field.pending, None
        for name in ('translation', 'rotation'):
            field = self._defs['GOAL'].getField(name)
            if field.pending is not None:
                field.value, field.pending = field.pending, None

    def _move(self, dt: float) -> None:
        speeds = self.wheel_speeds
        self._angles = [a + w * dt for a, w in zip(self._angles, speeds, strict=True)]
        vx, vy, wz = self._kinematics.forward(speeds)
        dx, dy = body_displacement(float(vx), float(vy), float(wz), dt)
        x, y, z = self._node.translation.value
        yaw = self._node.yaw
        new_x = x + math.cos(yaw) * dx - math.sin(yaw) * dy
        new_y = y + math.sin(yaw) * dx + math.cos(yaw) * dy
        shapes = self._defs['ARENA'].getField('children').shapes
        radius = self._description.geometry.base_radius
        gap = float(clearance(shapes, [[new_x, new_y]])[0])
        if gap < radius:
            self._node.touching = True
            return
        self._node.touching = gap <= radius + 1e-6
        self._node.translation.value = [new_x, new_y, z]
        self._node.rotation.value = [0.0, 0.0, 1.0, yaw + float(wz) * dt]

    def _sense(self) -> None:
        for encoder, angle in zip(self._encoders, self._angles, strict=True):
            encoder.value = angle
        x, y, _ = self._node.translation.value
        yaw = self._node.yaw
        shapes = self._defs['ARENA'].getField('children').shapes
        for sensor, (sx, sy, _, heading) in zip(self._ir, self._description.ir.poses(),
                                                strict=True):
            ox = x + math.cos(yaw) * sx - math.sin(yaw) * sy
            oy = y + math.sin(yaw) * sx + math.cos(yaw) * sy
            dx, dy = math.cos(yaw + heading), math.sin(yaw + heading)
            hits = [d for d in (_ray_hit(s, ox, oy, dx, dy) for s in shapes) if d is not None]
            reading = float(self._table.to_reading(min(hits, default=math.inf)))
            sensor.value = reading * (1.0 + self._ir_noise * self._random.gauss(0.0, 1.0))


class WebotsNode:
    """What webots_ros2_driver hands a Python plugin: ``.robot`` is the Supervisor."""

    def __init__(self, robot: Supervisor) -> None:
        self.robot = robot
