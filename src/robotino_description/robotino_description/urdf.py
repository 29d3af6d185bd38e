"""Generate the Robotino 3 URDF from :data:`ROBOTINO3`, so the figures live once.

The checked-in ``urdf/robotino3.urdf`` is this module's output (a test keeps
them equal); regenerate it after changing a figure::

    python -m robotino_description.urdf --out src/robotino_description/urdf/robotino3.urdf

Frames: ``base_link`` on the floor under the centre (REP 105); continuous
joints ``wheel0_joint`` .. ``wheel2_joint`` named and signed like the Webots
motors (positive speed pushes the base along the wheel's drive heading);
fixed frames ``ir1`` .. ``ir9`` with x along each beam; ``bumper_link``;
``camera_link`` with x along the optical axis (REP 103).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from robotino_description.description import ROBOTINO3, RobotinoDescription
from robotino_description.generated_text import generated_text_main

_WHEEL_WIDTH = 0.04
"""Visual width of a wheel, metres (cosmetic only)."""


def _fmt(*values: float) -> str:
    """Format numbers for URDF attributes, rounding away float noise."""
    return ' '.join(f'{round(v, 9) + 0.0:.10g}' for v in values)


def _origin(parent: ET.Element, xyz: tuple[float, ...],
            rpy: tuple[float, ...] = (0.0, 0.0, 0.0)) -> None:
    ET.SubElement(parent, 'origin', xyz=_fmt(*xyz), rpy=_fmt(*rpy))


def _cylinder_link(robot: ET.Element, name: str, radius: float, length: float,
                   z: float, material: str, collide: bool) -> ET.Element:
    """Add a link with a vertical cylinder centred ``z`` metres above its origin."""
    link = ET.SubElement(robot, 'link', name=name)
    for tag in ('visual', 'collision') if collide else ('visual',):
        element = ET.SubElement(link, tag)
        _origin(element, (0.0, 0.0, z))
        ET.SubElement(ET.SubElement(element, 'geometry'), 'cylinder',
                      radius=_fmt(radius), length=_fmt(length))
        if tag == 'visual':
            ET.SubElement(element, 'material', name=material)
    return link


def _fixed_joint(robot: ET.Element, name: str, child: str, xyz: tuple[float, ...],
                 yaw: float = 0.0) -> None:
    joint = ET.SubElement(robot, 'joint', name=name, type='fixed')
    _origin(joint, xyz, (0.0, 0.0, yaw))
    ET.SubElement(joint, 'parent', link='base_link')
    ET.SubElement(joint, 'child', link=child)


def _add_base(robot: ET.Element, description: RobotinoDescription) -> None:
    geometry = description.geometry
    radius, height, mass = geometry.base_radius, geometry.base_height, geometry.mass
    base = _cylinder_link(robot, 'base_link', radius, height,
                          geometry.base_center_height, 'robotino_grey', collide=True)
    inertial = ET.SubElement(base, 'inertial')
    _origin(inertial, (0.0, 0.0, geometry.base_center_height))
    ET.SubElement(inertial, 'mass', value=_fmt(mass))
    side = mass * (3.0 * radius**2 + height**2) / 12.0
    ET.SubElement(inertial, 'inertia', ixx=_fmt(side), ixy='0', ixz='0', iyy=_fmt(side),
                  iyz='0', izz=_fmt(geometry.yaw_inertia))


def _add_wheels(robot: ET.Element, description: RobotinoDescription) -> None:
    geometry = description.geometry
    hubs = geometry.wheel_positions()
    for index, drive in enumerate(geometry.drive_angles):
        name = f'wheel{index}'
        link = ET.SubElement(robot, 'link', name=f'{name}_link')
        visual = ET.SubElement(link, 'visual')
        _origin(visual, (0.0, 0.0, 0.0), (math.pi / 2.0, 0.0, 0.0))
        ET.SubElement(ET.SubElement(visual, 'geometry'), 'cylinder',
                      radius=_fmt(geometry.wheel_radius), length=_fmt(_WHEEL_WIDTH))
        ET.SubElement(visual, 'material', name='robotino_black')
        joint = ET.SubElement(robot, 'joint', name=f'{name}_joint', type='continuous')
        _origin(joint, tuple(hubs[index]), (0.0, 0.0, math.remainder(float(drive), math.tau)))
        ET.SubElement(joint, 'parent', link='base_link')
        ET.SubElement(joint, 'child', link=f'{name}_link')
        ET.SubElement(joint, 'axis', xyz='0 1 0')


def _add_frames(robot: ET.Element, description: RobotinoDescription) -> None:
    geometry = description.geometry
    for name, (x, y, z, heading) in zip(description.ir.names, description.ir.poses(),
                                        strict=True):
        ET.SubElement(robot, 'link', name=name)
        _fixed_joint(robot, f'{name}_joint', name, (x, y, z), math.remainder(heading, math.tau))
    _cylinder_link(robot, 'bumper_link', geometry.base_radius, geometry.bumper_height,
                   0.0, 'robotino_black', collide=False)
    _fixed_joint(robot, 'bumper_joint', 'bumper_link',
                 (0.0, 0.0, geometry.base_bottom + geometry.bumper_height / 2.0))
    ET.SubElement(robot, 'link', name='camera_link')
    _fixed_joint(robot, 'camera_joint', 'camera_link', geometry.camera_position)


def build_urdf(description: RobotinoDescription = ROBOTINO3) -> str:
    """Return the URDF text of ``description``."""
    robot = ET.Element('robot', name=description.name)
    for name, rgba in (('robotino_grey', '0.75 0.75 0.75 1'), ('robotino_black', '0.1 0.1 0.1 1')):
        ET.SubElement(ET.SubElement(robot, 'material', name=name), 'color', rgba=rgba)
    _add_base(robot, description)
    _add_wheels(robot, description)
    _add_frames(robot, description)
    ET.indent(robot, space='  ')
    header = ('<?xml version="1.0"?>\n'
              '<!-- Generated by `python -m robotino_description.urdf`; do not edit. -->\n')
    return header + ET.tostring(robot, encoding='unicode') + '\n'


def main(args: list[str] | None = None) -> None:
    """Write the URDF to ``--out`` or print it."""
    generated_text_main(__doc__.splitlines()[0], build_urdf, args)


if __name__ == '__main__':
    main()
