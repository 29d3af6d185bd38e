"""The run directory: one folder per training run, everything needed to trust and resume it.

Layout (``runs/<task>_<algo>_<seed>_<time>/``)::

    config.yaml          resolved config (our keys and SB3's), read back on --resume
    command.txt          every command line that ran in this folder, one per start
    git.txt              git revision of the code, and whether the tree was dirty
    checkpoints/step_N/  model, VecNormalize statistics, replay buffer, RNG, counters
    best/                the best model by periodic evaluation on held-out seeds
    final/               the model at the end of training
    tb/                  TensorBoard event files (resumed runs write to the same folder)
    metrics.csv          training and evaluation metrics against steps
    learning_curve.png   return and success rate against steps
    summary.json         the run's outcome
"""

from __future__ import annotations

import datetime
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from rl_agent_node.errors import RunDirError

if TYPE_CHECKING:   # the learning library, imported only by what trains
    from rl_agent_node.config import TrainingConfig


def new_run_path(root: Path, task: str, algo: str, seed: int,
                 now: datetime.datetime | None = None) -> Path:
    """``<root>/<task>_<algo>_<seed>_<YYYYmmdd-HHMMSS>``, suffixed ``_2``... if taken."""
    stamp = (now or datetime.datetime.now()).strftime('%Y%m%d-%H%M%S')
    base = f'{task}_{algo}_{seed}_{stamp}'
    path = Path(root) / base
    suffix = 1
    while path.exists():
        suffix += 1
        path = Path(root) / f'{base}_{suffix}'
    return path


class RunDir:
    """Paths of one run directory, and the records written when a run starts.

    :param path: the folder; it must exist (see :meth:`create` and :meth:`open`).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.config_path = self.path / 'config.yaml'
        self.checkpoints = self.path / 'checkpoints'
        self.best = self.path / 'best'
        self.final = self.path / 'final'
        self.tensorboard = self.path / 'tb'
        self.metrics = self.path / 'metrics.csv'
        self.curve = self.path / 'learning_curve.png'
        self.summary = self.path / 'summary.json'

    @classmethod
    def create(cls, root: Path, config: TrainingConfig,
               now: datetime.datetime | None = None, path: Path | None = None) -> RunDir:
        """A new run folder holding the config: ``path``, or a fresh :func:`new_run_path`.

        :param root: parent folder of all runs, e.g. ``runs``.
        :param config: the resolved config, written as ``config.yaml``.
        :param now: the start time in the name; the current local time when None.
        :param path: the folder to use (a bring-up that placed bags in it already).
        """
        path = Path(path) if path is not None else new_run_path(
            root, config.task, config.algo, config.agent.seed, now)
        path.mkdir(parents=True, exist_ok=True)
        if (path / 'config.yaml').exists():
            raise RunDirError(f'{path} holds a run already; pass it as --resume to continue it')
        run = cls(path)
        run.save_config(config, {})
        return run

    @classmethod
    def open(cls, path: Path) -> RunDir:
        """An existing run directory, for ``--resume``.

        :raises RunDirError: when ``path`` holds no ``config.yaml``.
        """
        run = cls(Path(path))
        if not run.config_path.is_file():
            raise RunDirError(f'{path} is not a run directory (no config.yaml); give the '
                              'folder a training run created under runs/')
        return run

    def read(self) -> dict[str, Any]:
        """``config.yaml`` as written: ``algo``, ``task``, ``agent``, ``hyperparams``, ``run``.

        Plain data, for what only plans a run; :meth:`load_config` resolves it.
        """
        return yaml.safe_load(self.config_path.read_text())

    def load_config(self) -> TrainingConfig:
        """The resolved config the run started with."""
        from rl_agent_node.config import TrainingConfig

        return TrainingConfig.from_dict(self.read())

    def load_placement(self) -> dict[str, Any]:
        """Where the run's envs are (``envs``, ``eval_env``); empty if never recorded."""
        return self.read().get('run') or {}

    def save_config(self, config: TrainingConfig, placement: dict[str, Any]) -> None:
        """Write ``config.yaml``: the config, and under ``run`` where its envs are."""
        document = {**config.to_dict(), 'run': placement}
        self.config_path.write_text(yaml.safe_dump(document, sort_keys=False))

    def record_start(self, argv: Sequence[str] | None = None) -> None:
        """Append this start's command line and the code's git revision.

        :param argv: the command; the interpreter's own command line when None
            (``python -m rl_agent_node.cli train ...``, as typed).
        """
        argv = list(sys.orig_argv if argv is None else argv)
        stamp = datetime.datetime.now().isoformat(timespec='seconds')
        with open(self.path / 'command.txt', 'a') as out:
            out.write(f'# {stamp}\n{shlex.join(argv)}\n')
        with open(self.path / 'git.txt', 'a') as out:
            out.write(f'{stamp} {git_revision()}\n')


def git_revision(where: Path | None = None) -> str:
    """``<commit>`` or ``<commit>-dirty`` of the repository holding ``where``; 'unknown'.

    :param where: a path inside the repository; this module's folder when None,
        so the revision is the code's, not the current directory's.
    """
    folder = where or Path(__file__).resolve().parent
    try:
        commit = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=folder, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        status = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'],
                                cwd=folder, capture_output=True, text=True, timeout=10,
                                check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return 'unknown (not a git checkout)'
    return f'{commit}-dirty' if status else commit
