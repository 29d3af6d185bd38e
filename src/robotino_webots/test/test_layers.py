"""The Webots plugin loads no MuJoCo, at run time.

A fresh interpreter (this one, this environment) imports every module of
robotino_webots, then lists which of the watched packages ended up in
``sys.modules``: the plugin runs in Webots' controller process, where
MuJoCo is not installed. The static side of the same rule is ``.importlinter``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

PACKAGE = 'robotino_webots'
WATCHED = ('mujoco', 'robotino_mujoco')
MARK = 'loaded-watched-modules: '

# Modules that import the Webots controller API (``controller``) or
# webots_ros2_driver at import time; neither is installed here, so they
# cannot be imported. None do today: webots_io.py is handed the Supervisor
# by the driver rather than importing ``controller``, and only the launch
# file (launch/robotino_webots.launch.py, not a module of the package)
# imports webots_ros2_driver. Add a module here by name, saying why.
NEEDS_WEBOTS: dict[str, str] = {}


def test_every_module_loads_no_mujoco(tmp_path):
    script = '\n'.join((
        'import importlib, json, pkgutil, sys',
        f'package = importlib.import_module({PACKAGE!r})',
        f'names = [m.name for m in pkgutil.walk_packages(package.__path__, {PACKAGE + "."!r})',
        f'         if m.name not in {sorted(NEEDS_WEBOTS)!r}]',
        'for name in names:',
        '    importlib.import_module(name)',
        f'leaked = sorted(n for n in {WATCHED!r} if n in sys.modules)',
        f'print({MARK!r} + json.dumps({{"imported": names, "leaked": leaked}}))',
    ))
    result = subprocess.run([sys.executable, '-c', script], cwd=tmp_path, env=dict(os.environ),
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, (
        f'importing the modules of {PACKAGE} failed (one that needs Webots belongs in '
        f'NEEDS_WEBOTS):\n{result.stderr}')
    lines = [line for line in result.stdout.splitlines() if line.startswith(MARK)]
    assert lines, f'no result printed:\n{result.stdout}\n{result.stderr}'
    found = json.loads(lines[-1][len(MARK):])
    assert f'{PACKAGE}.robotino_driver' in found['imported']
    assert found['leaked'] == [], f'importing {PACKAGE} loaded {", ".join(found["leaked"])}'
