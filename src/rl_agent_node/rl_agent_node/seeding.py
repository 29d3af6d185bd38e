"""One place that seeds everything, and the random state a checkpoint carries.

A run is reproducible (in process, where the simulator is deterministic for
a seed) only if every generator is seeded from the run's seed: Python's,
NumPy's global, torch's, the action space's (off-policy warm-up samples it)
and the envs' reset seeds. On resume, :func:`restore_rng_state` puts the
global generators back where the checkpoint left them.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.vec_env import VecEnv


def derive_seed(seed: int, purpose: int, index: int = 0) -> int:
    """A 32-bit seed for one purpose, independent of the others drawn from ``seed``.

    :param seed: the run's seed.
    :param purpose: small integer naming what the seed is for (envs, a restart...).
    :param index: which one of several for that purpose (e.g. the n-th start).
    """
    return int(np.random.SeedSequence([seed, purpose, index]).generate_state(1)[0])


def seed_everything(seed: int, action_space: spaces.Space | None = None,
                    env: VecEnv | None = None, env_seed: int | None = None) -> None:
    """Seed Python, NumPy, torch, the action space and the envs' next reset.

    :param seed: the run's seed.
    :param action_space: the algorithm's action space, sampled during warm-up.
    :param env: the training envs; env k resets next with ``env_seed + k``.
    :param env_seed: seed of the envs' next reset; ``seed`` when None (a resumed
        run passes a new one, or it would replay the first episodes' worlds).
    """
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if action_space is not None:
        action_space.seed(seed)
    if env is not None:
        env.seed(seed if env_seed is None else env_seed)


def rng_state() -> dict[str, Any]:
    """The global generators' states, picklable."""
    return {'python': random.getstate(), 'numpy': np.random.get_state(),
            'torch': torch.get_rng_state()}


def restore_rng_state(state: dict[str, Any]) -> None:
    """Put the global generators back to a state from :func:`rng_state`."""
    random.setstate(state['python'])
    np.random.set_state(state['numpy'])
    torch.set_rng_state(state['torch'])
