"""Evaluation: run a policy for episodes on given seeds and summarise them.

The same code serves the periodic evaluation during training, the ``eval``
command and the node's eval mode, in process or over ROS: it needs only a
``gymnasium.Env`` (``RobotinoEnv`` or ``RosEnv``) and a policy, a function
from one observation to one action.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

#: Where envs run in this process instead of behind env nodes.
INPROCESS = 'inprocess'

#: A deterministic policy: one observation in, one action out (env units).
Policy = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class EpisodeResult:
    """One evaluated episode.

    :param seed: the reset seed; None when the env chose (a real robot).
    :param episode_return: sum of rewards.
    :param length: steps.
    :param success: the task reported success (``info['is_success']``) at the end.
    :param collision: the episode ended on a collision (``info['collision']``).
    """

    seed: int | None
    episode_return: float
    length: int
    success: bool
    collision: bool


@dataclass(frozen=True)
class EvaluationSummary:
    """Episodes of one evaluation and their aggregates.

    :param episodes: the episodes, in seed order.
    """

    episodes: tuple[EpisodeResult, ...]

    def _mean(self, values: list[float]) -> float:
        return float(np.mean(values)) if values else math.nan

    @property
    def success_rate(self) -> float:
        """Fraction of episodes that succeeded."""
        return self._mean([float(e.success) for e in self.episodes])

    @property
    def collision_rate(self) -> float:
        """Fraction of episodes that ended on a collision."""
        return self._mean([float(e.collision) for e in self.episodes])

    @property
    def mean_return(self) -> float:
        """Mean episode return."""
        return self._mean([e.episode_return for e in self.episodes])

    @property
    def std_return(self) -> float:
        """Standard deviation of the episode returns."""
        returns = [e.episode_return for e in self.episodes]
        return float(np.std(returns)) if returns else math.nan

    @property
    def mean_length(self) -> float:
        """Mean episode length, steps."""
        return self._mean([float(e.length) for e in self.episodes])

    def to_dict(self) -> dict[str, Any]:
        """Aggregates and episodes, JSON-able."""
        return {'episodes_run': len(self.episodes), 'success_rate': self.success_rate,
                'mean_return': self.mean_return, 'std_return': self.std_return,
                'mean_length': self.mean_length, 'collision_rate': self.collision_rate,
                'episodes': [asdict(e) for e in self.episodes]}


def run_episodes(env: gym.Env, policy: Policy, seeds: Sequence[int | None],
                 stop: threading.Event | None = None) -> EvaluationSummary:
    """Run one episode per seed with ``policy``; stops early (fewer episodes) on ``stop``.

    :param env: the env; reset with each seed in turn.
    :param policy: maps an observation to an action.
    :param seeds: reset seeds, e.g. held-out ones never used in training; None
        continues the env's own stream (on a real robot, seeds mean nothing).
    :param stop: checked between steps, so Ctrl-C ends a long evaluation promptly.
    """
    results = []
    for given in seeds:
        seed = None if given is None else int(given)
        observation, _ = env.reset(seed=seed)
        total, length, done, info = 0.0, 0, False, {}
        while not done:
            if stop is not None and stop.is_set():
                return EvaluationSummary(tuple(results))
            observation, reward, terminated, truncated, info = env.step(policy(observation))
            total += float(reward)
            length += 1
            done = terminated or truncated
        results.append(EpisodeResult(seed, total, length, bool(info.get('is_success')),
                                     bool(info.get('collision'))))
    return EvaluationSummary(tuple(results))


def held_out_seeds(first: int, count: int) -> list[int]:
    """``count`` consecutive reset seeds from ``first``."""
    return list(range(first, first + count))


def format_table(summary: EvaluationSummary, title: str = 'evaluation') -> str:
    """A plain-text table of the aggregates, ending with ``success rate: X``.

    The last line is exactly ``success rate: <rate with two decimals>`` so
    scripts can grep it.
    """
    rows = [
        ('episodes', f'{len(summary.episodes)}'),
        ('success rate', f'{summary.success_rate:.2f}'),
        ('return', f'{summary.mean_return:.2f} +/- {summary.std_return:.2f}'),
        ('length', f'{summary.mean_length:.1f} steps'),
        ('collisions', f'{summary.collision_rate:.2f}'),
    ]
    width = max(len(name) for name, _ in rows)
    value_width = max(len(value) for _, value in rows)
    rule = f'+-{"-" * width}-+-{"-" * value_width}-+'
    lines = [title, rule, f'| {"metric".ljust(width)} | {"value".ljust(value_width)} |', rule]
    lines += [f'| {name.ljust(width)} | {value.ljust(value_width)} |' for name, value in rows]
    lines += [rule, f'success rate: {summary.success_rate:.2f}']
    return '\n'.join(lines)


def write_json(summary: EvaluationSummary, path: Path, extra: dict[str, Any]) -> None:
    """Write the summary and ``extra`` facts (model, env, seeds) as JSON."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**extra, **summary.to_dict()}, indent=2))
