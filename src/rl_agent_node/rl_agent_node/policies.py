"""Loading a trained policy for evaluation and deployment, from SB3 or TorchScript.

A model is named by any of: a run directory (its ``best/`` model, else
``final/``, else the newest checkpoint), a model folder (``model.zip`` +
``meta.json`` + maybe ``vecnormalize.pkl``), a ``model.zip`` file inside
one, or an exported TorchScript file (``.pt``). The TorchScript path
imports neither stable-baselines3 nor the training code, so a robot with
only torch can run it.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rl_agent_node.errors import RunDirError
from rl_agent_node.evaluation import Policy

#: Name of the metadata stored inside an exported TorchScript file.
EXPORT_META = 'meta.json'
_TORCHSCRIPT_SUFFIXES = ('.pt', '.ts', '.torchscript')


@dataclass(frozen=True)
class LoadedPolicy:
    """A deterministic policy and what is known about it.

    :param act: observation (env units) to action (env units).
    :param meta: algorithm, task, step and the like, from the model's folder.
    :param source: the file the policy came from.
    """

    act: Policy
    meta: dict[str, Any]
    source: Path


def model_folder(path: Path) -> Path:
    """The model folder that ``path`` names (see the module docs).

    :raises RunDirError: when ``path`` names no model.
    """
    path = Path(path)
    if path.is_file() and path.suffix == '.zip':
        return path.parent
    if (path / 'meta.json').is_file() and (path / 'model.zip').is_file():
        return path
    if (path / 'config.yaml').is_file():
        for candidate in (path / 'best', path / 'final'):
            if (candidate / 'model.zip').is_file():
                return candidate
        checkpoints = sorted((path / 'checkpoints').glob('step_*/meta.json'))
        if checkpoints:
            return checkpoints[-1].parent
    raise RunDirError(f'{path} names no model: give a run directory, a model folder, its '
                      'model.zip, or an exported .pt file')


def load_policy(path: Path, torch_threads: int = 1) -> LoadedPolicy:
    """A deterministic policy from an SB3 model or a TorchScript export, on the CPU.

    :param path: see the module docs.
    :param torch_threads: torch intra-op threads for inference.
    """
    torch.set_num_threads(torch_threads)
    path = Path(path)
    if path.suffix in _TORCHSCRIPT_SUFFIXES:
        return _load_torchscript(path)
    return _load_sb3(model_folder(path))


@contextmanager
def quiet_torchscript() -> Iterator[None]:
    """Silence torch's deprecation of ``torch.jit``: TorchScript is chosen on purpose.

    A TorchScript file runs with torch alone (even libtorch from C++), which
    ``torch.export`` programs do not yet match for a robot without Python
    training tools; the warning would only repeat that on every load.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message=r'`torch\.jit', category=DeprecationWarning)
        yield


def _load_torchscript(path: Path) -> LoadedPolicy:
    extra = {EXPORT_META: ''}
    try:
        with quiet_torchscript():
            module = torch.jit.load(str(path), map_location='cpu', _extra_files=extra)
    except (OSError, RuntimeError, ValueError) as error:
        raise RunDirError(f'cannot load the TorchScript policy {path}: {error}') from None
    module.eval()
    meta = json.loads(extra[EXPORT_META]) if extra[EXPORT_META] else {}

    def act(observation: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            batch = torch.as_tensor(np.asarray(observation, dtype=np.float32)[None])
            return module(batch)[0].numpy()

    return LoadedPolicy(act, meta, path)


def load_sb3_model(folder: Path) -> tuple[Any, Any, dict[str, Any]]:
    """``(model, vec_normalize or None, meta)`` of a model folder, on the CPU, for inference.

    Schedules are replaced by constants on load: inference needs none, and
    this keeps loading independent of how they were pickled.
    """
    from rl_agent_node.checkpoint import load_vec_normalize_stats, read_meta
    from rl_agent_node.config import ALGORITHMS

    meta = read_meta(folder)
    algo = meta.get('algo')
    if algo not in ALGORITHMS:
        raise RunDirError(f'{folder}/meta.json names algorithm {algo!r}; known: '
                          f'{sorted(ALGORITHMS)}')
    constants = {'learning_rate': 0.0, 'lr_schedule': lambda _: 0.0,
                 'clip_range': lambda _: 0.0, 'exploration_schedule': lambda _: 0.0}
    model = ALGORITHMS[algo].load(folder / 'model.zip', device='cpu',
                                  custom_objects=constants)
    return model, load_vec_normalize_stats(folder), meta


def _load_sb3(folder: Path) -> LoadedPolicy:
    model, vec_normalize, meta = load_sb3_model(folder)

    def act(observation: np.ndarray) -> np.ndarray:
        observation = np.asarray(observation, dtype=np.float32)
        if vec_normalize is not None:
            observation = vec_normalize.normalize_obs(observation)
        action, _ = model.predict(observation, deterministic=True)
        return action

    return LoadedPolicy(act, meta, folder / 'model.zip')
