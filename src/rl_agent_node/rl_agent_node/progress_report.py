"""Where a training run stands, as plain records handed to a hook (a monitor's publisher).

:class:`ProgressReporter` is an SB3 callback that builds a
:class:`ProgressRecord` (the fields of ``rl_interfaces/msg/TrainingProgress``)
from the run's :class:`~rl_agent_node.metrics.RunMetrics` at most every
``interval_s`` seconds of wall time, when an evaluation starts, and once at
the end (:meth:`ProgressReporter.report`, called by training with
``finished`` or ``interrupted``). It stays ROS-free: the agent node turns
the records into messages. A hook that fails is logged once and then left
alone: a monitor must never end a training run.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from stable_baselines3.common.callbacks import BaseCallback

from rl_agent_node.callbacks import HeldOutEvaluation
from rl_agent_node.metrics import RunMetrics

_LOG = logging.getLogger(__name__)

#: Statuses, as the constants of ``TrainingProgress.msg``.
TRAINING, EVALUATING, FINISHED, INTERRUPTED = 'training', 'evaluating', 'finished', 'interrupted'
#: Seconds of wall time between two records while training (twice a second).
REPORT_INTERVAL_S = 0.5


@dataclass(frozen=True)
class ProgressRecord:
    """One report; the fields of ``TrainingProgress.msg`` (see it for meanings).

    :param stamp: wall-clock time of the report, seconds since the epoch.
    :param elapsed: wall-clock seconds since this start of training.
    :param time_left: estimated seconds to the budget; nan while unknown.
    """

    stamp: float
    run_name: str
    algorithm: str
    task: str
    status: str
    num_timesteps: int
    total_timesteps: int
    steps_per_second: float
    elapsed: float
    time_left: float
    episodes: int
    train_return_mean: float
    train_success_rate: float
    eval_timesteps: int
    eval_return_mean: float
    eval_success_rate: float
    success_target: float


#: Takes each record; called on the training thread, so it must be quick.
ProgressHook = Callable[[ProgressRecord], None]


@dataclass(frozen=True)
class RunIdentity:
    """What a record says about the run itself.

    :param run_name: the run directory's name.
    :param algorithm: 'ppo', 'sac', ...
    :param task: the env's task.
    :param total_timesteps: the budget, env steps.
    :param success_target: the success rate that ends training, or None.
    """

    run_name: str
    algorithm: str
    task: str
    total_timesteps: int
    success_target: float | None


class ProgressReporter(BaseCallback):
    """Hand a :class:`ProgressRecord` to ``hook`` at most every ``interval_s`` seconds.

    :param hook: receives the records.
    :param metrics: the run's metrics (returns, success rates, evaluations).
    :param run: the run's name, algorithm, task, budget and target.
    :param evaluation: the held-out evaluation callback, to report ``evaluating``
        when it is about to run; put this callback before it in the list.
    :param interval_s: wall-clock seconds between records while training.
    """

    def __init__(self, hook: ProgressHook, metrics: RunMetrics, run: RunIdentity,
                 evaluation: HeldOutEvaluation | None = None,
                 interval_s: float = REPORT_INTERVAL_S) -> None:
        super().__init__()
        self._hook: ProgressHook | None = hook
        self._metrics = metrics
        self._run = run
        self._evaluation = evaluation
        self._interval = interval_s
        self._started = time.monotonic()
        self._first_step = 0
        self._last = -math.inf

    def _init_callback(self) -> None:
        self._started = time.monotonic()
        self._first_step = self.model.num_timesteps
        self.report(TRAINING)

    def _on_step(self) -> bool:
        if time.monotonic() - self._last >= self._interval:
            self.report(TRAINING)
        return True

    def _on_rollout_start(self) -> None:
        if self._evaluation is not None and self._evaluation.due(self.model.num_timesteps):
            self.report(EVALUATING)

    def record(self, status: str) -> ProgressRecord:
        """The record of the run as it stands now, with ``status``."""
        now = time.monotonic()
        steps = int(self.model.num_timesteps)
        elapsed = now - self._started
        rate = (steps - self._first_step) / elapsed if elapsed > 0 else math.nan
        left = (self._run.total_timesteps - steps) / rate if rate > 0 else math.nan
        train_return, train_success, _ = self._metrics.train_stats()
        evaluations = self._metrics.counters.evaluations
        eval_step, eval_success, eval_return = evaluations[-1] if evaluations else (
            0, math.nan, math.nan)
        target = self._run.success_target
        return ProgressRecord(
            stamp=time.time(), run_name=self._run.run_name, algorithm=self._run.algorithm,
            task=self._run.task, status=status, num_timesteps=steps,
            total_timesteps=self._run.total_timesteps, steps_per_second=rate, elapsed=elapsed,
            time_left=max(0.0, left) if not math.isnan(left) else left,
            episodes=self._metrics.counters.episodes, train_return_mean=train_return,
            train_success_rate=train_success, eval_timesteps=int(eval_step),
            eval_return_mean=float(eval_return), eval_success_rate=float(eval_success),
            success_target=math.nan if target is None else float(target))

    def report(self, status: str) -> None:
        """Hand the current record to the hook (``finished``/``interrupted`` at the end)."""
        self._last = time.monotonic()
        if self._hook is None:
            return
        try:
            self._hook(self.record(status))
        except Exception as error:   # a monitor must never end training
            _LOG.warning('progress reports stopped: the hook failed: %r', error)
            self._hook = None
