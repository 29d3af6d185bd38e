"""robotino_description loads no ROS, no messages and no MuJoCo, at run time.

A fresh interpreter (this one, this environment) imports the package and
every module in it, then lists which of the watched packages ended up in
``sys.modules``. The static side of the same rule is ``.importlinter``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

PACKAGE = 'robotino_description'
WATCHED = ('rclpy', 'mujoco', 'rl_interfaces', 'rl_ros', 'std_msgs', 'geometry_msgs', 'nav_msgs',
           'sensor_msgs', 'rosgraph_msgs', 'builtin_interfaces', 'rcl_interfaces')
MARK = 'loaded-watched-modules: '


def test_every_module_loads_no_ros_and_no_mujoco(tmp_path):
    script = '\n'.join((
        'import importlib, json, pkgutil, sys',
        f'package = importlib.import_module({PACKAGE!r})',
        f'names = [m.name for m in pkgutil.walk_packages(package.__path__, {PACKAGE + "."!r})]',
        'for name in names:',
        '    importlib.import_module(name)',
        f'leaked = sorted(n for n in {WATCHED!r} if n in sys.modules)',
        f'print({MARK!r} + json.dumps({{"imported": names, "leaked": leaked}}))',
    ))
    result = subprocess.run([sys.executable, '-c', script], cwd=tmp_path, env=dict(os.environ),
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f'importing {PACKAGE} failed:\n{result.stderr}'
    lines = [line for line in result.stdout.splitlines() if line.startswith(MARK)]
    assert lines, f'no result printed:\n{result.stdout}\n{result.stderr}'
    found = json.loads(lines[-1][len(MARK):])
    assert f'{PACKAGE}.kinematics' in found['imported']
    assert found['leaked'] == [], f'importing {PACKAGE} loaded {", ".join(found["leaked"])}'
