"""What each package loads at run time: the layers of ``.importlinter``, checked live.

``lint-imports`` (run by ``make test``) reads the import statements; these
checks import for real, each in a fresh interpreter (this one, this
environment), and list which of the watched packages ended up in
``sys.modules``. They catch what a static graph allows but users must not
pay for: the env node loading MuJoCo on the robot, a client loading the
server. Here, at the top of the stack, because every package is importable
from rl_bringup's tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROS = ('rclpy', 'rl_interfaces', 'rl_ros', 'std_msgs', 'geometry_msgs', 'nav_msgs',
       'sensor_msgs', 'rosgraph_msgs', 'builtin_interfaces', 'rcl_interfaces')
MUJOCO = ('mujoco', 'robotino_mujoco')
LEARNING = ('stable_baselines3', 'torch')
MARK = 'loaded-watched-modules: '

# What EnvNode does for mode:=real before it needs DDS: its settings and
# task, and the robot backend's module (plus the sim/ services backend's).
REAL_ROBOT = '\n'.join((
    'import rl_env_node.env_node',
    'import rl_env_node.robot_topics',
    'import rl_env_node.service_simulation',
    'from rl_env_node.env_node import PARAMETERS, EnvNodeSettings',
    'from rl_env_node.tasks import make_task',
    "values = {spec.name: spec.default for spec in PARAMETERS} | {'mode': 'real'}",
    'settings = EnvNodeSettings.from_values(values)',
    "assert settings.mode == 'real'",
    'make_task(settings.task, settings.task_options)',
))


def every_module(package: str) -> str:
    """Code that imports ``package`` and each of its modules (asserting there are some)."""
    return '\n'.join((
        'import importlib, pkgutil',
        f'package = importlib.import_module({package!r})',
        f'names = [m.name for m in pkgutil.walk_packages(package.__path__, {package + "."!r})]',
        'assert len(names) > 2, names',
        'for name in names:',
        '    importlib.import_module(name)',
    ))


def loaded_after(tmp_path, code: str, watched: tuple[str, ...]) -> list[str]:
    """The sorted ``watched`` packages in ``sys.modules`` after running ``code`` afresh."""
    script = '\n'.join((
        code,
        'import json, sys',
        f'print({MARK!r} + json.dumps(sorted(n for n in {watched!r} if n in sys.modules)))',
    ))
    result = subprocess.run([sys.executable, '-c', script], cwd=tmp_path, env=dict(os.environ),
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f'the imports failed:\n{result.stderr}'
    lines = [line for line in result.stdout.splitlines() if line.startswith(MARK)]
    assert lines, f'no result printed:\n{result.stdout}\n{result.stderr}'
    return json.loads(lines[-1][len(MARK):])


@pytest.mark.parametrize(('code', 'watched'), [
    pytest.param(every_module('robotino_description'), ROS + MUJOCO, id='description'),
    pytest.param(every_module('robotino_world'), ROS + MUJOCO, id='world'),
    # The plugin runs in Webots' controller process, where MuJoCo is not
    # installed. No module of it imports the Webots controller API at import
    # time (the driver is handed the Supervisor), so every one imports here.
    pytest.param(every_module('robotino_webots'), MUJOCO, id='webots'),
    pytest.param(every_module('rl_ros'),
                 MUJOCO + LEARNING + ('robotino_webots', 'rl_env_node'), id='ros_plumbing'),
    pytest.param('import rl_env_node.env_node', MUJOCO + LEARNING, id='env_node'),
    pytest.param(REAL_ROBOT, MUJOCO + LEARNING, id='env_node_real_robot'),
    pytest.param('import rl_env_client, rl_env_client.ros_env',
                 ('rl_env_node', *MUJOCO, *LEARNING), id='gymnasium_client'),
    # RosVecEnv is a stable-baselines3 VecEnv, so it may load SB3 and torch.
    pytest.param('import rl_env_client.ros_vec_env', ('rl_env_node', *MUJOCO),
                 id='vec_env_client'),
])
def test_a_package_loads_nothing_above_its_layer(tmp_path, code, watched):
    leaked = loaded_after(tmp_path, code, watched)
    assert leaked == [], f'{code.splitlines()[-1]!r} ... loaded {", ".join(leaked)}'
