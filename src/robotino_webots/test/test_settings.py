"""Plugin properties: one table, checked and typed once, bad ones named."""

import dataclasses

import pytest

from rl_ros.contract import SimMode
from rl_ros.sim_parameters import SIM_PARAMETERS
from robotino_mujoco.config import SimulatorConfig
from robotino_webots.errors import SettingsError
from robotino_webots.settings import SETTINGS, DriverSettings


def test_the_dataclass_and_the_table_declare_the_same_settings():
    assert [f.name for f in dataclasses.fields(DriverSettings)] == [s.name for s in SETTINGS]
    assert {s.name for s in SIM_PARAMETERS} <= {s.name for s in SETTINGS}
    for setting in SETTINGS:
        assert setting.description
        assert getattr(DriverSettings(), setting.name) == setting.default


def test_timing_defaults_are_the_mujoco_simulators():
    mujoco = SimulatorConfig()
    assert DriverSettings().control_period == mujoco.control_period
    assert DriverSettings().command_timeout == mujoco.command_timeout


def test_properties_are_typed():
    settings = DriverSettings.from_properties({
        'control_period': '0.05', 'seed': '12', 'publish_topics': 'False', 'mode': 'PAUSE',
        'arena_options': '{"obstacle_count": [0, 2]}', 'scenario': ' corridor '})
    assert settings.control_period == 0.05 and settings.seed == 12
    assert settings.publish_topics is False and settings.sim.mode is SimMode.PAUSE
    assert settings.sim.arena.obstacle_count == (0, 2) and settings.scenario == 'corridor'


@pytest.mark.parametrize('properties,named', [
    ({'control_periodd': '0.1'}, 'control_periodd'),
    ({'control_period': 'fast'}, 'control_period'),
    ({'seed': '-1'}, 'seed'),
    ({'seed': '1.5'}, 'seed'),
    ({'publish_topics': 'maybe'}, 'publish_topics'),
    ({'mode': 'sideways'}, 'mode'),
    ({'arena_options': '{"size_z": 1}'}, 'size_z'),
    ({'command_timeout': '0.05'}, 'command_timeout'),
])
def test_bad_properties_are_named(properties, named):
    with pytest.raises(SettingsError, match=named):
        DriverSettings.from_properties(properties)
