"""The MuJoCo model of the Robotino 3 and its arena, generated from the description.

The base is a planar body (slides along world x and y, hinge about z)
carrying the collision cylinder, the nine IR ``rangefinder`` sensors on
sites whose z axis follows each beam (set back by :data:`RAY_SETBACK`), and
three wheel motors. A motor is a
``general`` actuator on a site at its wheel hub whose gear maps the hub's
velocity along the drive heading to a wheel speed (rad/s): the actuator's
velocity *is* the wheel speed, its force the wheel torque (N m), and its
activation the speed set-point, which integrates the control (rad/s^2),
so a control held for ``n`` steps ramps the set-point linearly. A velocity
servo (gain ``kv``) makes the wheel follow the set-point.

Walls and obstacles come from fixed pools of boxes and cylinders in the
world body, compiled once; :func:`apply_arena` moves, resizes, shows or
hides them for each new arena. Hidden geoms are transparent (MuJoCo rays
skip geoms with alpha 0), far below the floor and without contacts. Mid-phase
collision is disabled because its per-body tree of the world body is built
at compile time and would not see the moved geoms, and the world body's
collision bits, compiled from its (then hidden) geoms, are switched on.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import mujoco

from robotino_description import RobotinoDescription
from robotino_world.arena import Arena
from robotino_world.errors import ScenarioError
from robotino_world.shapes import Box, Cylinder

SERVO_TIME_CONSTANT = 0.02
"""Time constant of the wheels following their set-points, seconds (a tuning choice)."""

RAY_SETBACK = 0.02
"""How far behind each IR sensor, inside the body, its ray starts, metres.

A MuJoCo ray that starts inside a geom reports where it leaves it, so a
sensor pressed against a wall would see through it; starting the ray inside
the robot (whose own geoms rays skip) avoids that. Subtract this from the
``rangefinder`` readings.
"""

_HIDDEN_Z = -50.0
_WALL_RGBA = (0.72, 0.72, 0.75, 1.0)
_BOX_RGBA = (0.85, 0.45, 0.2, 1.0)
_CYLINDER_RGBA = (0.25, 0.5, 0.8, 1.0)


@dataclass(frozen=True)
class ModelHandles:
    """Indices into the compiled model that the simulator reads and writes.

    :param base_geom: the base's collision cylinder.
    :param box_geoms: the box pool, walls first.
    :param cylinder_geoms: the cylinder pool.
    :param qpos: address of the base's x, y, yaw in ``qpos`` (and ``qvel``).
    :param camera: the onboard camera, or -1 when the model has none.
    """

    base_geom: int
    box_geoms: tuple[int, ...]
    cylinder_geoms: tuple[int, ...]
    qpos: int
    camera: int


def _f(*values: float) -> str:
    return ' '.join(repr(round(float(v), 12) + 0.0) for v in values)


def _servo_gain(description: RobotinoDescription) -> float:
    """Wheel servo gain, N m per rad/s: 3 wheels move the mass with SERVO_TIME_CONSTANT."""
    geometry = description.geometry
    return geometry.mass * geometry.wheel_radius**2 / (1.5 * SERVO_TIME_CONSTANT)


def _add_base(world: ET.Element, description: RobotinoDescription, camera: bool) -> None:
    geometry, ir = description.geometry, description.ir
    base = ET.SubElement(world, 'body', name='base_link')
    for name, kind, axis in (('base_x', 'slide', '1 0 0'), ('base_y', 'slide', '0 1 0'),
                             ('base_yaw', 'hinge', '0 0 1')):
        ET.SubElement(base, 'joint', name=name, type=kind, axis=axis)
    ET.SubElement(base, 'geom', name='base', type='cylinder', mass=_f(geometry.mass),
                  size=_f(geometry.base_radius, geometry.base_height / 2.0),
                  pos=_f(0, 0, geometry.base_center_height), rgba='0.8 0.8 0.82 1',
                  condim='3', friction='0.3 0.005 0.0001')
    top = geometry.base_bottom + geometry.base_height
    ET.SubElement(base, 'geom', name='heading_marker', type='box', contype='0',
                  conaffinity='0', density='0', group='1', rgba='0.15 0.15 0.15 1',
                  size=_f(0.05, 0.02, 0.004), pos=_f(geometry.base_radius - 0.07, 0, top))
    for name, (x, y, z, heading) in zip(ir.names, ir.poses(), strict=True):
        cos_h, sin_h = math.cos(heading), math.sin(heading)
        ET.SubElement(base, 'site', name=name, size='0.008', rgba='0.9 0.1 0.1 1',
                      pos=_f(x - RAY_SETBACK * cos_h, y - RAY_SETBACK * sin_h, z),
                      zaxis=_f(cos_h, sin_h, 0))
    for index, (hub, drive) in enumerate(
            zip(geometry.wheel_positions(), geometry.drive_angles, strict=True)):
        ET.SubElement(base, 'site', name=f'wheel{index}', pos=_f(*hub),
                      euler=_f(0, 0, drive), group='4')
    if camera:
        ET.SubElement(base, 'camera', name='onboard', pos=_f(*geometry.camera_position),
                      xyaxes='0 -1 0 0 0 1', fovy='45')


def _add_pools(world: ET.Element, max_boxes: int, max_cylinders: int) -> None:
    hidden = {'contype': '0', 'conaffinity': '0', 'rgba': '0 0 0 0', 'pos': _f(0, 0, _HIDDEN_Z)}
    for index in range(max_boxes):
        ET.SubElement(world, 'geom', name=f'box{index}', type='box', size='0.1 0.1 0.1', **hidden)
    for index in range(max_cylinders):
        ET.SubElement(world, 'geom', name=f'cylinder{index}', type='cylinder', size='0.1 0.1',
                      **hidden)


def _add_motors_and_sensors(root: ET.Element, description: RobotinoDescription) -> None:
    """Wheel motors and IR rangefinders.

    The torque limit is twice what the steepest allowed ramp needs, so the
    set-point ramp, not the torque, limits acceleration; it is also what a
    wheel pushes with against a wall.
    """
    geometry, limits = description.geometry, description.limits
    gain = _servo_gain(description)
    torque = 2.0 * geometry.mass * limits.max_wheel_acceleration * geometry.wheel_radius**2
    actuator = ET.SubElement(root, 'actuator')
    for index in range(len(geometry.drive_angles_deg)):
        ET.SubElement(actuator, 'general', name=f'wheel{index}_motor', site=f'wheel{index}',
                      gear=_f(1.0 / geometry.wheel_radius, 0, 0, 0, 0, 0),
                      dyntype='integrator', gaintype='fixed', gainprm=_f(gain),
                      biastype='affine', biasprm=_f(0, 0, -gain),
                      ctrlrange=_f(-limits.max_wheel_acceleration, limits.max_wheel_acceleration),
                      actrange=_f(-limits.max_wheel_speed, limits.max_wheel_speed),
                      forcerange=_f(-torque, torque))
    sensor = ET.SubElement(root, 'sensor')
    for name in description.ir.names:
        ET.SubElement(sensor, 'rangefinder', name=name, site=name)


def build_mjcf(description: RobotinoDescription, physics_step: float, max_boxes: int,
               max_cylinders: int, camera_size: tuple[int, int] | None = None) -> str:
    """MJCF text of the robot in an empty pool arena.

    :param description: the robot.
    :param physics_step: integration step, seconds.
    :param max_boxes: size of the box pool (walls and box obstacles).
    :param max_cylinders: size of the cylinder pool.
    :param camera_size: ``(width, height)`` of the onboard camera; None for no camera.
    """
    root = ET.Element('mujoco', model=description.name)
    ET.SubElement(root, 'compiler', autolimits='true', angle='radian')
    ET.SubElement(root, 'option', timestep=_f(physics_step), integrator='implicitfast')
    visual = ET.SubElement(root, 'visual')
    ET.SubElement(visual, 'quality', shadowsize='0', offsamples='0')
    ET.SubElement(visual, 'headlight', ambient='0.45 0.45 0.45', diffuse='0.5 0.5 0.5',
                  specular='0 0 0')
    if camera_size is not None:
        ET.SubElement(visual, 'global', offwidth=str(camera_size[0]),
                      offheight=str(camera_size[1]))
    asset = ET.SubElement(root, 'asset')
    ET.SubElement(asset, 'texture', name='sky', type='skybox', builtin='gradient', width='64',
                  height='64', rgb1='0.75 0.82 0.9', rgb2='0.95 0.95 0.95')
    ET.SubElement(asset, 'texture', name='floor', type='2d', builtin='checker', width='256',
                  height='256', rgb1='0.92 0.92 0.9', rgb2='0.82 0.82 0.8')
    ET.SubElement(asset, 'material', name='floor', texture='floor', texrepeat='20 20')
    world = ET.SubElement(root, 'worldbody')
    ET.SubElement(world, 'light', directional='true', pos='0 0 4', dir='0 0 -1',
                  castshadow='false')
    ET.SubElement(world, 'geom', name='floor', type='plane', size='20 20 0.1',
                  material='floor', contype='0', conaffinity='0')
    _add_pools(world, max_boxes, max_cylinders)
    _add_base(world, description, camera_size is not None)
    _add_motors_and_sensors(root, description)
    return ET.tostring(root, encoding='unicode')


def build_model(description: RobotinoDescription, physics_step: float, max_boxes: int,
                max_cylinders: int,
                camera_size: tuple[int, int] | None = None) -> tuple[mujoco.MjModel, ModelHandles]:
    """Compile the model of :func:`build_mjcf` and find its handles."""
    model = mujoco.MjModel.from_xml_string(
        build_mjcf(description, physics_step, max_boxes, max_cylinders, camera_size))
    model.opt.disableflags |= int(mujoco.mjtDisableBit.mjDSBL_MIDPHASE)
    world = 0
    model.body_contype[world] = model.body_conaffinity[world] = 1
    handles = ModelHandles(
        base_geom=model.geom('base').id,
        box_geoms=tuple(model.geom(f'box{i}').id for i in range(max_boxes)),
        cylinder_geoms=tuple(model.geom(f'cylinder{i}').id for i in range(max_cylinders)),
        qpos=int(model.jnt_qposadr[model.joint('base_x').id]),
        camera=model.camera('onboard').id if camera_size is not None else -1,
    )
    return model, handles


def _place(model: mujoco.MjModel, geom: int, x: float, y: float, yaw: float,
           half_sizes: tuple[float, float, float], rgba: tuple[float, ...]) -> None:
    """Show pool geom ``geom`` standing on the floor; ``half_sizes`` as its aabb."""
    half_height = half_sizes[2]
    model.geom_pos[geom] = (x, y, half_height)
    model.geom_quat[geom] = (math.cos(yaw / 2.0), 0.0, 0.0, math.sin(yaw / 2.0))
    model.geom_aabb[geom] = (0.0, 0.0, 0.0, *half_sizes)
    model.geom_rbound[geom] = math.sqrt(sum(h * h for h in half_sizes))
    model.geom_rgba[geom] = rgba
    model.geom_contype[geom] = model.geom_conaffinity[geom] = 1


def _hide(model: mujoco.MjModel, geom: int) -> None:
    model.geom_pos[geom] = (0.0, 0.0, _HIDDEN_Z)
    model.geom_rgba[geom] = (0.0, 0.0, 0.0, 0.0)
    model.geom_contype[geom] = model.geom_conaffinity[geom] = 0


def apply_arena(model: mujoco.MjModel, handles: ModelHandles, arena: Arena) -> None:
    """Move the pool geoms to the arena's walls and obstacles; hide the rest.

    :raises ScenarioError: when the arena needs more boxes or cylinders than the pools hold.
    """
    boxes = [(box, _WALL_RGBA) for box in arena.walls]
    boxes += [(shape, _BOX_RGBA) for shape in arena.obstacles if isinstance(shape, Box)]
    cylinders = [shape for shape in arena.obstacles if isinstance(shape, Cylinder)]
    if len(boxes) > len(handles.box_geoms) or len(cylinders) > len(handles.cylinder_geoms):
        raise ScenarioError(
            f'arena {arena.name!r} needs {len(boxes)} boxes and {len(cylinders)} cylinders; '
            f'the pools hold {len(handles.box_geoms)} and {len(handles.cylinder_geoms)} '
            '(SimulatorConfig.max_boxes, max_cylinders)')
    for geom, (box, rgba) in zip(handles.box_geoms, boxes, strict=False):
        model.geom_size[geom] = (box.half_x, box.half_y, box.height / 2.0)
        _place(model, geom, box.x, box.y, box.yaw,
               (box.half_x, box.half_y, box.height / 2.0), rgba)
    for geom, cylinder in zip(handles.cylinder_geoms, cylinders, strict=False):
        model.geom_size[geom] = (cylinder.radius, cylinder.height / 2.0, 0.0)
        _place(model, geom, cylinder.x, cylinder.y, 0.0,
               (cylinder.radius, cylinder.radius, cylinder.height / 2.0), _CYLINDER_RGBA)
    for geom in handles.box_geoms[len(boxes):] + handles.cylinder_geoms[len(cylinders):]:
        _hide(model, geom)

