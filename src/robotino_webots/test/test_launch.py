"""The launch file, checked without ``launch`` (not installable here), and its plain plan.

The launch file is parsed: it declares every argument of
``launch_config.ARGUMENTS`` with its description, starts webots_ros2_driver's
``WebotsLauncher`` and a respawning ``WebotsController``, and finds its
files with ``get_package_share_directory``. What the arguments turn into is
plain Python, tested directly. The controller respawns after a delay and
gives up after a finite count (``respawn_delay``, ``respawn_max_retries``).
"""

import ast
from pathlib import Path

import pytest

from robotino_webots.errors import SettingsError
from robotino_webots.launch_config import (
    ARGUMENTS,
    CONTROLLER_MAX_RESPAWNS,
    CONTROLLER_RESPAWN_DELAY,
    webots_launch,
    write_urdf,
)
from robotino_webots.settings import DriverSettings
from robotino_webots.urdf import plugin_properties

LAUNCH = Path(__file__).resolve().parents[1] / 'launch' / 'robotino_webots.launch.py'
DEFAULTS = {name: default for name, default, _ in ARGUMENTS}


def calls(tree, name):
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, 'id', getattr(node.func, 'attr', None)) == name]


def keywords(call):
    return {kw.arg: ast.unparse(kw.value) for kw in call.keywords}


@pytest.fixture(scope='module')
def tree():
    return ast.parse(LAUNCH.read_text())


def test_every_argument_is_declared_with_a_description(tree):
    assert all(description for _, _, description in ARGUMENTS)
    declare = calls(tree, 'DeclareLaunchArgument')
    assert len(declare) == 1
    assert keywords(declare[0]) == {'default_value': 'default', 'description': 'description'}
    comprehension = next(node for node in ast.walk(tree) if isinstance(node, ast.ListComp))
    assert ast.unparse(comprehension.generators[0].iter) == 'ARGUMENTS'


def test_webots_and_a_respawning_controller_are_started(tree):
    launcher, = calls(tree, 'WebotsLauncher')
    assert set(keywords(launcher)) == {'world', 'gui', 'mode', 'port', 'respawn'}
    controller, = calls(tree, 'WebotsController')
    options = keywords(controller)
    assert options['respawn'] == 'True' and options['robot_name'] == 'ROBOT_NAME'
    assert options['respawn_delay'] == 'CONTROLLER_RESPAWN_DELAY'
    assert options['respawn_max_retries'] == 'CONTROLLER_MAX_RESPAWNS'
    assert 'robot_description' in options['parameters']
    assert calls(tree, 'get_package_share_directory') and calls(tree, 'OnProcessExit')
    assert 'environ' not in LAUNCH.read_text()


def test_the_controller_waits_before_it_respawns_and_gives_up_some_day():
    assert CONTROLLER_RESPAWN_DELAY > 0.0
    assert 0 < CONTROLLER_MAX_RESPAWNS < 10_000   # launch's -1 would be never


def test_default_plan_is_a_windowed_fast_webots_on_the_installed_world(tmp_path):
    plan = webots_launch(DEFAULTS, tmp_path)
    assert plan.world == str(tmp_path / 'worlds' / 'robotino_arena.wbt')
    assert plan.gui and plan.webots_mode == 'fast' and plan.port == '1234'
    assert plan.settings.mode == 'fast' and plan.settings.restart_every_resets == 500
    assert not plan.respawn   # alone, the launch ends with Webots, as webots_ros2 users expect
    assert webots_launch(DEFAULTS | {'respawn': 'true'}, tmp_path).respawn


def test_headless_lockstep_in_a_namespace(tmp_path):
    values = DEFAULTS | {'headless': 'true', 'mode': 'pause', 'namespace': '/env_2',
                         'seed': '5', 'scenario': 'corridor', 'world': '/w/my.wbt'}
    plan = webots_launch(values, tmp_path)
    assert not plan.gui and plan.webots_mode == 'fast' and plan.world == '/w/my.wbt'
    assert plan.namespace == 'env_2'
    path = write_urdf(plan.settings, tmp_path)
    assert path.suffix == '.urdf'
    settings = DriverSettings.from_properties(plugin_properties(path.read_text()))
    assert (settings.namespace, settings.mode, settings.seed, settings.scenario) == (
        'env_2', 'pause', 5, 'corridor')


def test_realtime_runs_webots_in_real_time(tmp_path):
    assert webots_launch(DEFAULTS | {'mode': 'realtime'}, tmp_path).webots_mode == 'realtime'


@pytest.mark.parametrize('name,value,error', [
    ('headless', 'yes please', ValueError), ('respawn', 'maybe', ValueError),
    ('mode', 'slow', SettingsError),
    ('control_period', '0', SettingsError)])
def test_bad_arguments_are_named(tmp_path, name, value, error):
    with pytest.raises(error, match=name):
        webots_launch(DEFAULTS | {name: value}, tmp_path)
