"""What a run measures about itself: episode window, counters, ``metrics.csv``.

Plain Python, no SB3: the callbacks feed it and the checkpoint stores its
:meth:`RunMetrics.state`, so a resumed run continues the same counters, the
same CSV (rows past the checkpoint are dropped: those steps are redone) and
the same best score.
"""

from __future__ import annotations

import csv
import math
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rl_agent_node.evaluation import EvaluationSummary

COLUMNS = ('step', 'wall_time_s', 'episodes', 'steps_per_s', 'train_return',
           'train_success_rate', 'train_length', 'eval_return', 'eval_success_rate',
           'eval_length', 'eval_collision_rate')

#: Episodes in the rolling training statistics.
WINDOW = 100


@dataclass
class Counters:
    """Counters that span restarts; saved with every checkpoint.

    :param episodes: finished training episodes.
    :param wall_time_s: training wall time of earlier starts, seconds.
    :param starts: how many times training started in this run directory.
    :param recoveries: env outages survived.
    :param best_success: best periodic evaluation success rate (-1 before any).
    :param best_return: mean return of that evaluation (breaks ties).
    :param best_step: step of the best evaluation.
    :param evaluations: ``[step, success rate, mean return]`` of every evaluation.
    """

    episodes: int = 0
    wall_time_s: float = 0.0
    starts: int = 0
    recoveries: int = 0
    best_success: float = -1.0
    best_return: float = -math.inf
    best_step: int = -1
    evaluations: list[list[float]] = field(default_factory=list)


class RunMetrics:
    """Rolling episode statistics, counters, and the CSV written from them.

    :param path: ``metrics.csv``; appended to, created with a header if missing.
    :param start_step: the step training (re)starts at; CSV rows after it are dropped.
    :param state: from :meth:`state` of a checkpoint, or None for a new run.
    """

    def __init__(self, path: Path, start_step: int = 0,
                 state: dict[str, Any] | None = None) -> None:
        self.path = Path(path)
        state = state or {}
        self.counters = Counters(**state.get('counters', {}))
        self.counters.starts += 1
        self.counters.evaluations = [e for e in self.counters.evaluations if e[0] <= start_step]
        self._window: deque[tuple[float, int, bool, bool]] = deque(
            (tuple(e) for e in state.get('window', [])), maxlen=WINDOW)
        self._started = time.monotonic()
        self._last_row = (start_step, self._started)
        self._drop_rows_after(start_step)

    def _drop_rows_after(self, step: int) -> None:
        if not self.path.is_file():
            with open(self.path, 'w', newline='') as out:
                csv.writer(out).writerow(COLUMNS)
            return
        with open(self.path, newline='') as source:
            rows = [r for r in csv.DictReader(source) if int(float(r['step'])) <= step]
        with open(self.path, 'w', newline='') as out:
            writer = csv.DictWriter(out, COLUMNS)
            writer.writeheader()
            writer.writerows(rows)

    def restart_rate_clock(self, step: int) -> None:
        """Measure steps/s of the next row from now: loading and connecting are not training."""
        self._last_row = (step, time.monotonic())

    def count_recovery(self) -> None:
        """Count an env outage survived, at once, so the next checkpoint carries it."""
        self.counters.recoveries += 1

    def add_episode(self, episode_return: float, length: int, success: bool,
                    collision: bool) -> None:
        """Count a finished training episode."""
        self.counters.episodes += 1
        self._window.append((float(episode_return), int(length), bool(success),
                             bool(collision)))

    def wall_time(self) -> float:
        """Training wall time over all starts, seconds."""
        return self.counters.wall_time_s + time.monotonic() - self._started

    def train_stats(self) -> tuple[float, float, float]:
        """Mean return, success rate and mean length over the last episodes (nan before any)."""
        if not self._window:
            return math.nan, math.nan, math.nan
        returns, lengths, successes, _ = zip(*self._window, strict=True)
        return float(np.mean(returns)), float(np.mean(successes)), float(np.mean(lengths))

    def add_evaluation(self, step: int, summary: EvaluationSummary) -> bool:
        """Record an evaluation; True when it is the best so far (success, then return)."""
        counters = self.counters
        counters.evaluations.append([step, summary.success_rate, summary.mean_return])
        better = (summary.success_rate, summary.mean_return) > (counters.best_success,
                                                                 counters.best_return)
        if better:
            counters.best_success = summary.success_rate
            counters.best_return = summary.mean_return
            counters.best_step = step
        return better

    def write_row(self, step: int, evaluation: EvaluationSummary | None = None) -> None:
        """Append one CSV row: training statistics now, and the evaluation if any.

        A row without evaluation at the step of the previous row is skipped;
        steps/s is left empty in a second row at the same step.
        """
        now = time.monotonic()
        last_step, last_time = self._last_row
        if step == last_step and evaluation is None:
            return
        rate = (step - last_step) / (now - last_time) if step > last_step else math.nan
        self._last_row = (step, now)
        train_return, train_success, train_length = self.train_stats()
        row = {'step': step, 'wall_time_s': round(self.wall_time(), 2),
               'episodes': self.counters.episodes, 'steps_per_s': _cell(rate),
               'train_return': _cell(train_return), 'train_success_rate': _cell(train_success),
               'train_length': _cell(train_length)}
        if evaluation is not None:
            row.update(eval_return=_cell(evaluation.mean_return),
                       eval_success_rate=_cell(evaluation.success_rate),
                       eval_length=_cell(evaluation.mean_length),
                       eval_collision_rate=_cell(evaluation.collision_rate))
        with open(self.path, 'a', newline='') as out:
            csv.DictWriter(out, COLUMNS).writerow(row)

    def first_step_reaching(self, success_rate: float) -> int | None:
        """Step of the first evaluation at or above ``success_rate``, or None."""
        for step, success, _ in self.counters.evaluations:
            if success >= success_rate:
                return int(step)
        return None

    def state(self) -> dict[str, Any]:
        """Counters and window, JSON-able, for a checkpoint."""
        counters = dict(vars(self.counters))
        counters['wall_time_s'] = self.wall_time()
        return {'counters': counters, 'window': [list(e) for e in self._window]}


def _cell(value: float) -> str:
    return '' if value is None or math.isnan(value) else f'{value:.6g}'


def read_metrics(path: Path) -> list[dict[str, float]]:
    """Rows of a ``metrics.csv``, empty cells as nan."""
    with open(path, newline='') as source:
        return [{k: float(v) if v != '' else math.nan for k, v in row.items()}
                for row in csv.DictReader(source)]
