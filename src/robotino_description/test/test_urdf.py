"""The checked-in URDF is the generator's output and agrees with the Python figures."""

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from robotino_description import ROBOTINO3
from robotino_description.urdf import build_urdf

URDF = Path(__file__).resolve().parents[1] / 'urdf' / 'robotino3.urdf'


@pytest.fixture(scope='module')
def robot() -> ET.Element:
    return ET.fromstring(build_urdf())


def numbers(text: str) -> np.ndarray:
    return np.array([float(v) for v in text.split()])


def test_checked_in_urdf_is_up_to_date() -> None:
    assert URDF.read_text() == build_urdf(), (
        'regenerate: python -m robotino_description.urdf --out ' + str(URDF))


def test_links_and_joints_are_named_as_in_webots(robot: ET.Element) -> None:
    links = {link.get('name') for link in robot.iter('link')}
    expected = {'base_link', 'bumper_link', 'camera_link'}
    expected |= {f'wheel{i}_link' for i in range(3)} | {f'ir{k}' for k in range(1, 10)}
    assert links == expected
    wheels = [j for j in robot.iter('joint') if j.get('type') == 'continuous']
    assert [j.get('name') for j in wheels] == ['wheel0_joint', 'wheel1_joint', 'wheel2_joint']


def test_positive_wheel_turn_pushes_along_the_drive_heading(robot: ET.Element) -> None:
    geometry = ROBOTINO3.geometry
    for index, joint in enumerate(j for j in robot.iter('joint') if j.get('type') == 'continuous'):
        origin = joint.find('origin')
        xyz, yaw = numbers(origin.get('xyz')), numbers(origin.get('rpy'))[2]
        assert math.hypot(xyz[0], xyz[1]) == pytest.approx(geometry.wheel_distance)
        axis = numbers(joint.find('axis').get('xyz'))
        axis_world = np.array([math.cos(yaw) * axis[0] - math.sin(yaw) * axis[1],
                               math.sin(yaw) * axis[0] + math.cos(yaw) * axis[1], axis[2]])
        contact_velocity = np.cross(axis_world, (0.0, 0.0, -geometry.wheel_radius))
        base_direction = -contact_velocity / np.linalg.norm(contact_velocity)
        drive = geometry.drive_angles[index]
        assert base_direction == pytest.approx((math.cos(drive), math.sin(drive), 0.0), abs=1e-9)


def test_ir_frames_match_the_layout(robot: ET.Element) -> None:
    joints = {j.find('child').get('link'): j for j in robot.iter('joint')}
    for name, (x, y, z, heading) in zip(ROBOTINO3.ir.names, ROBOTINO3.ir.poses(), strict=True):
        origin = joints[name].find('origin')
        assert numbers(origin.get('xyz')) == pytest.approx((x, y, z), abs=1e-9)
        yaw = numbers(origin.get('rpy'))[2]
        assert math.cos(yaw) == pytest.approx(math.cos(heading), abs=1e-9)
        assert math.sin(yaw) == pytest.approx(math.sin(heading), abs=1e-9)
