"""Model folders: checkpoints, the best model and the final model, saved whole or not at all.

A model folder holds ``model.zip`` (SB3: policy, optimiser, step counter),
``vecnormalize.pkl`` when observations are normalised, and ``meta.json``
(algorithm, task, step, anything else). A checkpoint adds
``replay_buffer.pkl`` for off-policy algorithms and ``rng.pkl`` (Python,
NumPy and torch generator states), and its ``meta.json`` carries the
counters that callbacks need to continue (episodes, wall time, best score).

Folders are written under a temporary name and renamed when complete, so a
run killed mid-save (SIGKILL, power) leaves the previous checkpoint as the
latest one, never a torn one.
"""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path
from typing import Any

from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm
from stable_baselines3.common.vec_env import VecNormalize

from rl_agent_node.errors import RunDirError
from rl_agent_node.seeding import rng_state

MODEL = 'model.zip'
VECNORMALIZE = 'vecnormalize.pkl'
REPLAY_BUFFER = 'replay_buffer.pkl'
RNG = 'rng.pkl'
META = 'meta.json'
_PREFIX = 'step_'


def save_model_dir(folder: Path, model: BaseAlgorithm, meta: dict[str, Any],
                   full: bool = False) -> Path:
    """Write a model folder atomically, replacing any folder of that name.

    :param folder: the folder to (re)create, e.g. ``<run>/best``.
    :param model: the algorithm; its VecNormalize wrapper, if any, is saved too.
    :param meta: JSON-able facts: at least ``algo``, ``task`` and ``step``.
    :param full: also save the replay buffer and the RNG states (a checkpoint).
    """
    folder = Path(folder)
    partial = folder.with_name(f'.{folder.name}.partial')
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    model.save(partial / MODEL)
    vec_normalize = model.get_vec_normalize_env()
    if vec_normalize is not None:
        vec_normalize.save(str(partial / VECNORMALIZE))
    if full:
        if isinstance(model, OffPolicyAlgorithm):
            model.save_replay_buffer(partial / REPLAY_BUFFER)
        with open(partial / RNG, 'wb') as out:
            pickle.dump(rng_state(), out)
    (partial / META).write_text(json.dumps(meta, indent=2))
    old = folder.with_name(f'.{folder.name}.old')
    if folder.exists():
        shutil.rmtree(old, ignore_errors=True)
        folder.rename(old)
    partial.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
    return folder


def save_checkpoint(checkpoints: Path, model: BaseAlgorithm, meta: dict[str, Any],
                    keep: int) -> Path:
    """Save ``checkpoints/step_<N>`` for the model's step count and drop all but ``keep``.

    :param checkpoints: the run's checkpoint folder.
    :param model: the algorithm at a consistent point (between updates).
    :param meta: algorithm, task, counters; ``step`` is set here from the model.
    :param keep: how many of the newest checkpoints stay on disk.
    """
    step = int(model.num_timesteps)
    folder = save_model_dir(Path(checkpoints) / f'{_PREFIX}{step:010d}', model,
                            {**meta, 'step': step}, full=True)
    for old in list_checkpoints(checkpoints)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return folder


def list_checkpoints(checkpoints: Path) -> list[Path]:
    """Complete checkpoints, oldest first."""
    if not Path(checkpoints).is_dir():
        return []
    found = [p for p in Path(checkpoints).iterdir()
             if p.name.startswith(_PREFIX) and (p / META).is_file()]
    return sorted(found, key=lambda p: int(p.name.removeprefix(_PREFIX)))


def latest_checkpoint(checkpoints: Path) -> Path | None:
    """The newest complete checkpoint, or None before the first one."""
    found = list_checkpoints(checkpoints)
    return found[-1] if found else None


def read_meta(folder: Path) -> dict[str, Any]:
    """``meta.json`` of a model folder.

    :raises RunDirError: when the folder holds no ``meta.json``.
    """
    path = Path(folder) / META
    if not path.is_file():
        raise RunDirError(f'{folder} is not a model folder (no {META})')
    return json.loads(path.read_text())


def load_rng(folder: Path) -> dict[str, Any] | None:
    """The RNG states saved with a checkpoint, or None when there are none."""
    path = Path(folder) / RNG
    if not path.is_file():
        return None
    with open(path, 'rb') as source:
        return pickle.load(source)


def load_vec_normalize_stats(folder: Path) -> VecNormalize | None:
    """The saved VecNormalize (statistics only, no env attached), or None.

    Its ``normalize_obs`` works without an env, which is all evaluation and
    export need.
    """
    path = Path(folder) / VECNORMALIZE
    if not path.is_file():
        return None
    with open(path, 'rb') as source:
        return pickle.load(source)
