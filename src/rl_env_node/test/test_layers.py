"""The env node starts without the simulator or the learning library, at run time.

Each check imports in a fresh interpreter (this one, this environment) and
lists which of the watched packages ended up in ``sys.modules``. MuJoCo
belongs to ``rl_env_node.inprocess`` only, which the node imports lazily
when configured for it; the real robot and the ``sim/`` services never
need it. The static side of the same rule is ``.importlinter``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

WATCHED = ('mujoco', 'robotino_mujoco', 'stable_baselines3', 'torch')
MARK = 'loaded-watched-modules: '


def loaded_after(tmp_path, code: str) -> list[str]:
    """The sorted WATCHED packages in ``sys.modules`` after running ``code`` in a new process."""
    script = '\n'.join((
        code,
        'import json, sys',
        f'print({MARK!r} + json.dumps(sorted(n for n in {WATCHED!r} if n in sys.modules)))',
    ))
    result = subprocess.run([sys.executable, '-c', script], cwd=tmp_path, env=dict(os.environ),
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f'the import failed:\n{result.stderr}'
    lines = [line for line in result.stdout.splitlines() if line.startswith(MARK)]
    assert lines, f'no result printed:\n{result.stdout}\n{result.stderr}'
    return json.loads(lines[-1][len(MARK):])


def test_env_node_module_loads_no_simulator_and_no_learning_library(tmp_path):
    leaked = loaded_after(tmp_path, 'import rl_env_node.env_node')
    assert leaked == [], f'import rl_env_node.env_node loaded {", ".join(leaked)}'


def test_real_robot_configuration_loads_no_simulator_and_no_learning_library(tmp_path):
    # What EnvNode does for mode:=real before it needs DDS: its settings and
    # task, and the robot backend's module (plus the sim/ services backend's).
    code = '\n'.join((
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
    leaked = loaded_after(tmp_path, code)
    assert leaked == [], f'the real-robot configuration loaded {", ".join(leaked)}'
