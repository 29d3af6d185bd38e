"""The URDF for webots_ros2_driver: the Robotino's (IR frames along the PROTO's beams), plus a
<webots> section naming the plugin."""

import importlib
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from robotino_description import ROBOTINO3
from robotino_description.urdf import build_urdf
from robotino_webots.ir_sensors import WEBOTS_ROBOTINO3
from robotino_webots.settings import DriverSettings
from robotino_webots.urdf import PLUGIN_TYPE, URDF_FILE, build_webots_urdf, plugin_properties

URDF = Path(__file__).resolve().parents[1] / 'urdf' / URDF_FILE


def test_checked_in_urdf_is_up_to_date():
    assert URDF.read_text() == build_webots_urdf(), (
        'regenerate: python -m robotino_webots.urdf --out ' + str(URDF))


def test_urdf_parses_and_keeps_the_robot_description():
    robot = ET.fromstring(URDF.read_text())
    plain = ET.fromstring(build_urdf())
    assert robot.get('name') == plain.get('name')
    assert ([link.get('name') for link in robot.iter('link')]
            == [link.get('name') for link in plain.iter('link')])
    assert ([joint.get('name') for joint in robot.iter('joint')]
            == [joint.get('name') for joint in plain.iter('joint')])


def test_the_ir_frames_point_along_the_protos_beams():
    joints = {j.get('name'): j for j in ET.fromstring(URDF.read_text()).iter('joint')}
    for name, (x, y, _, heading) in zip(WEBOTS_ROBOTINO3.ir.names,
                                        WEBOTS_ROBOTINO3.ir.poses(), strict=True):
        origin = joints[f'{name}_joint'].find('origin')
        xyz, rpy = ([float(v) for v in origin.get(k).split()] for k in ('xyz', 'rpy'))
        assert xyz[:2] == pytest.approx([x, y], abs=1e-8)
        assert rpy[2] == pytest.approx(math.remainder(heading, math.tau), abs=1e-8)
    assert joints['ir2_joint'].find('origin').get('rpy') != '0 0 0.698131701'   # not radial


def test_plugin_type_names_a_class_with_the_plugin_interface():
    plugins = ET.fromstring(URDF.read_text()).findall('webots/plugin')
    assert [p.get('type') for p in plugins] == [PLUGIN_TYPE]
    module, _, name = PLUGIN_TYPE.rpartition('.')
    plugin_class = getattr(importlib.import_module(module), name)
    assert callable(plugin_class.init) and callable(plugin_class.step)


def test_the_protos_own_ros_interfaces_are_switched_off():
    devices = ET.fromstring(URDF.read_text()).findall('webots/device')
    disabled = {d.get('reference') for d in devices if d.findtext('ros/enabled') == 'false'}
    assert disabled == {*ROBOTINO3.ir.names, 'compass'}


def test_plugin_properties_carry_the_settings():
    settings = DriverSettings(namespace='env_3', mode='pause', seed=7, scenario='corridor',
                              publish_topics=False, restart_every_resets=50)
    properties = plugin_properties(build_webots_urdf(settings))
    assert DriverSettings.from_properties(properties) == settings
    assert DriverSettings.from_properties(plugin_properties(URDF.read_text())) == DriverSettings()


def test_empty_settings_are_left_out():
    properties = plugin_properties(build_webots_urdf(DriverSettings()))
    assert 'namespace' not in properties and 'scenario' not in properties
    assert all(properties.values())


def test_a_urdf_without_the_plugin_is_refused():
    with pytest.raises(ValueError, match=PLUGIN_TYPE):
        plugin_properties(build_urdf())
