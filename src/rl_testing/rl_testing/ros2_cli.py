"""The ROS 2 command line (``ros2 launch``, ``ros2 service call``, ...) for tests.

The users' front door is ``ros2 launch rl_bringup train.launch.py`` and
``ros2 service call /reset``, so tests run exactly that. Where ``ros2`` is on
PATH (a ROS 2 install) it is used as it is. Otherwise the command line is
built from the sources in ``../shared/ros2-cli`` beside the repository (the
PyPI wheels lack launch, launch_ros and ros2cli) into ``build/ros2-cli``,
once: its ``build.sh`` keeps a stamp and returns at once when nothing
changed. Where neither exists (a user's plain clone) the tests that need it
are skipped with that reason; a build that fails is an error, never a skip.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: Where the shared sources' build script sits, relative to the repository's parent.
SHARED_BUILD = Path('shared') / 'ros2-cli' / 'build.sh'
#: Where it builds, relative to the repository (colcon ignores build/).
BUILD_PREFIX = Path('build') / 'ros2-cli'
_DOMAIN = ('ROS_DOMAIN_ID', 'ROS_AUTOMATIC_DISCOVERY_RANGE')


class Ros2CliUnavailable(Exception):  # noqa: N818 - a reason to skip, not an error
    """Neither a ROS 2 install nor the shared sources: the message says which is missing."""


@dataclass(frozen=True)
class Ros2Cli:
    """How to run ``ros2``: the environment it needs (everything else is the caller's).

    :param env: the environment of a shell in which ``ros2`` works.
    :param origin: where it came from, for messages: 'PATH' or the build prefix.
    """

    env: dict[str, str]
    origin: str

    def environment(self, **extra: str) -> dict[str, str]:
        """The environment, on this process's ROS domain, with ``extra`` laid over it."""
        domain = {key: os.environ[key] for key in _DOMAIN if key in os.environ}
        return {**self.env, **domain, **extra}

    def run(self, *args: str, timeout: float = 60.0,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """``ros2 args...`` to its end (a service call, ``topic echo --once``); output kept.

        :raises subprocess.TimeoutExpired: when it runs past ``timeout`` seconds.
        """
        return subprocess.run(['ros2', *args], env=self.environment(), cwd=cwd,
                              capture_output=True, text=True, timeout=timeout, check=False)


def repository_root() -> Path:
    """The repository: ``RL_ROOT`` (set by scripts/env.sh), else the current directory."""
    return Path(os.environ.get('RL_ROOT') or Path.cwd()).resolve()


def _has_launch(env: dict[str, str]) -> bool:
    probe = subprocess.run(['python3', '-c', 'import launch_ros, ros2cli'], env=env,
                           capture_output=True, timeout=60, check=False)
    return probe.returncode == 0


def _sourced(setup: Path, env: dict[str, str]) -> dict[str, str]:
    """The environment after ``source setup`` in bash."""
    dump = subprocess.run(['bash', '-c', f'set +u; . "{setup}" >/dev/null && env -0'],
                          env=env, capture_output=True, timeout=60, check=True).stdout
    pairs = (entry.split('=', 1) for entry in dump.decode().split('\0') if '=' in entry)
    return dict(pairs)


def build_from_shared(root: Path) -> Ros2Cli:
    """Build ``../shared/ros2-cli`` into ``build/ros2-cli`` (once) and source it.

    :raises Ros2CliUnavailable: when the shared sources are not beside the repository.
    :raises subprocess.CalledProcessError: when the build fails (its output attached).
    """
    script = root.parent / SHARED_BUILD
    if not script.is_file():
        raise Ros2CliUnavailable(
            f'no ros2 on PATH and no {script} to build it from: install ROS 2 (see the '
            "README's 'With a ROS 2 install') to run the ros2 launch tests")
    prefix = root / BUILD_PREFIX
    prefix.parent.mkdir(parents=True, exist_ok=True)
    with open(prefix.parent / 'ros2-cli.lock', 'w') as lock:  # sessions run in parallel
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(['bash', str(script), str(prefix)], env=dict(os.environ),
                       capture_output=True, timeout=900, check=True)
    return Ros2Cli(_sourced(prefix / 'setup.bash', dict(os.environ)), str(prefix))


def find_ros2_cli() -> Ros2Cli:
    """``ros2`` from PATH if it can launch, else built from the shared sources.

    :raises Ros2CliUnavailable: when neither is there.
    """
    env = dict(os.environ)
    if shutil.which('ros2', path=env.get('PATH')) and _has_launch(env):
        return Ros2Cli(env, 'PATH')
    return build_from_shared(repository_root())
