"""The env clients load neither the env server nor a simulator, at run time.

Each check imports in a fresh interpreter (this one, this environment) and
lists which of the watched packages ended up in ``sys.modules``. The
clients reach the env server over ROS services only. ``RosVecEnv`` is an
SB3 ``VecEnv``, so it may load stable_baselines3 and torch; the plain
Gymnasium client may not. The static side of the same rule is ``.importlinter``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SERVER_AND_SIMULATOR = ('rl_env_node', 'mujoco', 'robotino_mujoco')
LEARNING = ('stable_baselines3', 'torch')
MARK = 'loaded-watched-modules: '


def loaded_after(tmp_path, modules: tuple[str, ...], watched: tuple[str, ...]) -> list[str]:
    """The sorted ``watched`` packages in ``sys.modules`` after importing ``modules`` afresh."""
    script = '\n'.join((
        'import importlib, json, sys',
        f'for name in {modules!r}:',
        '    importlib.import_module(name)',
        f'print({MARK!r} + json.dumps(sorted(n for n in {watched!r} if n in sys.modules)))',
    ))
    result = subprocess.run([sys.executable, '-c', script], cwd=tmp_path, env=dict(os.environ),
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f'importing {", ".join(modules)} failed:\n{result.stderr}'
    lines = [line for line in result.stdout.splitlines() if line.startswith(MARK)]
    assert lines, f'no result printed:\n{result.stdout}\n{result.stderr}'
    return json.loads(lines[-1][len(MARK):])


@pytest.mark.parametrize(('modules', 'watched'), [
    (('rl_env_client', 'rl_env_client.ros_env'), SERVER_AND_SIMULATOR + LEARNING),
    (('rl_env_client.ros_vec_env',), SERVER_AND_SIMULATOR),
], ids=['ros_env', 'ros_vec_env'])
def test_client_loads_no_env_server_and_no_simulator(tmp_path, modules, watched):
    leaked = loaded_after(tmp_path, modules, watched)
    assert leaked == [], f'importing {", ".join(modules)} loaded {", ".join(leaked)}'
