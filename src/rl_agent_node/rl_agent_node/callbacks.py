"""Training behaviour as SB3 callbacks: stop on a signal, metrics, evaluation, checkpoints.

Each does one thing through SB3's hooks (``_on_step``, ``_on_rollout_start``),
so the learning loop stays SB3's own. They share a :class:`RunMetrics`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from rl_agent_node.checkpoint import save_checkpoint, save_model_dir
from rl_agent_node.evaluation import EvaluationSummary, run_episodes_batched
from rl_agent_node.metrics import RunMetrics

_LOG = logging.getLogger(__name__)


class StopOnEvent(BaseCallback):
    """End ``learn`` at the next step once ``stop`` is set (SIGINT, SIGTERM).

    :param stop: set by the signal handlers.
    """

    def __init__(self, stop: threading.Event) -> None:
        super().__init__()
        self._stop = stop

    def _on_step(self) -> bool:
        return not self._stop.is_set()


class EpisodeMetrics(BaseCallback):
    """Feed finished episodes to the metrics and write a CSV row every ``log_freq`` steps.

    :param metrics: the run's metrics.
    :param log_freq: env steps between CSV rows.
    """

    def __init__(self, metrics: RunMetrics, log_freq: int) -> None:
        super().__init__()
        self._metrics = metrics
        self._log_freq = log_freq
        self._next_row = 0

    def _init_callback(self) -> None:
        self._next_row = (self.num_timesteps // self._log_freq + 1) * self._log_freq
        self._metrics.restart_rate_clock(self.num_timesteps)

    def _on_step(self) -> bool:
        for info, done in zip(self.locals['infos'], self.locals['dones'], strict=True):
            episode = info.get('episode')
            if done and episode is not None:
                self._metrics.add_episode(episode['r'], episode['l'],
                                          bool(info.get('is_success')),
                                          bool(info.get('collision')))
        if self.num_timesteps >= self._next_row:
            self._next_row = (self.num_timesteps // self._log_freq + 1) * self._log_freq
            self._metrics.write_row(self.num_timesteps)
            _, success, _ = self._metrics.train_stats()
            if not np.isnan(success):
                self.logger.record('rollout/success_rate_100', success)
            self.logger.record('time/episodes', self._metrics.counters.episodes)
        return True


class HeldOutEvaluation(BaseCallback):
    """Every ``eval_freq`` steps, run the deterministic policy on held-out seeds.

    Logs one line, records ``eval/*`` to TensorBoard and a CSV row, saves the
    best model to ``best_dir``, and ends training once ``success_target`` is met.
    It evaluates at the start of a rollout, as checkpoints are taken: an
    on-policy run interrupted mid-rollout rolls back to that point, never to
    before an evaluation, so a resume never evaluates a step twice.

    :param make_envs: builds the evaluation envs (once, on first use); several
        run the episodes side by side (:func:`run_episodes_batched`).
    :param metrics: the run's metrics.
    :param eval_freq: env steps between evaluations.
    :param seeds: the held-out reset seeds.
    :param best_dir: folder of the best model.
    :param meta: algorithm and task, stored with the best model.
    :param success_target: stop training at this success rate; None never stops.
    :param stop: set while evaluating means "abandon it".
    """

    def __init__(self, make_envs: Callable[[], list[gym.Env]], metrics: RunMetrics,
                 eval_freq: int,
                 seeds: list[int], best_dir: Path, meta: dict[str, Any],
                 success_target: float | None, stop: threading.Event) -> None:
        super().__init__()
        self._make_envs = make_envs
        self._envs: list[gym.Env] = []
        self._metrics = metrics
        self._freq = eval_freq
        self._seeds = seeds
        self._best_dir = best_dir
        self._meta = meta
        self._target = success_target
        self._stop = stop
        self._next = 0
        self.target_reached = False

    def _init_callback(self) -> None:
        self._next = (self.num_timesteps // self._freq + 1) * self._freq

    def _on_rollout_start(self) -> None:
        if self.num_timesteps < self._next:
            return
        self._next = (self.num_timesteps // self._freq + 1) * self._freq
        summary = self.evaluate()
        if summary is None:
            return
        self.target_reached = self._target is not None and summary.success_rate >= self._target
        if self.target_reached:
            _LOG.info('success target %.2f reached at step %d: stopping', self._target,
                      self.num_timesteps)

    def _on_step(self) -> bool:
        return not self.target_reached

    def due(self, step: int) -> bool:
        """Whether the next rollout start at ``step`` evaluates (so a reporter can say so)."""
        return step >= self._next

    def evaluate(self) -> EvaluationSummary | None:
        """Evaluate now; record, log and keep the best model. None if interrupted."""
        if not self._envs:
            self._envs = self._make_envs()
        vec_normalize = self.model.get_vec_normalize_env()

        def policy(observations: np.ndarray) -> np.ndarray:
            if vec_normalize is not None:
                observations = vec_normalize.normalize_obs(observations)
            return self.model.predict(observations, deterministic=True)[0]

        summary = run_episodes_batched(self._envs, policy, self._seeds, self._stop)
        if len(summary.episodes) < len(self._seeds):
            return None
        step = self.num_timesteps
        best = self._metrics.add_evaluation(step, summary)
        if best:
            save_model_dir(self._best_dir, self.model,
                           {**self._meta, 'step': step, 'evaluation': summary.to_dict()})
        self._metrics.write_row(step, summary)
        for key, value in (('success_rate', summary.success_rate),
                           ('mean_reward', summary.mean_return),
                           ('mean_ep_length', summary.mean_length),
                           ('collision_rate', summary.collision_rate)):
            self.logger.record(f'eval/{key}', value)
        self.logger.dump(step)
        counters = self._metrics.counters
        _LOG.info('eval @ %d steps: success rate %.2f, return %.2f +/- %.2f, length %.0f, '
                  'collisions %.2f (best %.2f @ %d)%s', step, summary.success_rate,
                  summary.mean_return, summary.std_return, summary.mean_length,
                  summary.collision_rate, counters.best_success, counters.best_step,
                  ' new best' if best else '')
        return summary

    def _on_training_end(self) -> None:
        for env in self._envs:
            env.close()
        self._envs = []


class PeriodicCheckpoint(BaseCallback):
    """Save a checkpoint every ``checkpoint_freq`` steps or ``interval_s`` s, between updates.

    Checkpoints are taken at the start of a rollout, when the last update is
    done and no rollout is half collected, so a resumed run loses nothing.
    :attr:`consistent_step` is that point's step, to which an on-policy run
    interrupted mid-rollout rolls its counter back (the partial rollout is
    never trained on). The wall-clock bound is what limits the loss on a
    crash: a checkpoint per 50,000 steps is minutes of training.

    :param checkpoints: the run's checkpoint folder.
    :param checkpoint_freq: env steps between checkpoints.
    :param keep: newest checkpoints kept.
    :param meta: algorithm and task, stored with each checkpoint.
    :param metrics: the run's metrics, whose state each checkpoint stores.
    :param interval_s: wall-clock seconds between checkpoints.
    """

    def __init__(self, checkpoints: Path, checkpoint_freq: int, keep: int,
                 meta: dict[str, Any], metrics: RunMetrics, interval_s: float = 60.0) -> None:
        super().__init__()
        self._folder = checkpoints
        self._freq = checkpoint_freq
        self._keep = keep
        self._meta = meta
        self._metrics = metrics
        self._interval = interval_s
        self._next = 0
        self._due_at = 0.0
        self.consistent_step = 0

    def _init_callback(self) -> None:
        self._next = (self.num_timesteps // self._freq + 1) * self._freq
        self._due_at = time.monotonic() + self._interval
        self.consistent_step = self.num_timesteps

    def _on_rollout_start(self) -> None:
        self.consistent_step = self.num_timesteps
        if self.num_timesteps >= self._next or time.monotonic() >= self._due_at:
            self._next = (self.num_timesteps // self._freq + 1) * self._freq
            self.save()

    def _on_step(self) -> bool:
        return True

    def save(self) -> Path:
        """Save a checkpoint at the model's current step."""
        folder = save_checkpoint(self._folder, self.model,
                                 {**self._meta, 'metrics': self._metrics.state()}, self._keep)
        self._due_at = time.monotonic() + self._interval
        _LOG.info('checkpoint at step %d: %s', self.model.num_timesteps, folder)
        return folder
