"""Training progress: steps, steps/s, mean return, success rate, time left.

On a terminal, a rich progress bar; elsewhere (a log file, CI, the agent
node under a launcher that is not on a terminal), one log line every 30 s.

It is refreshed at most four times a second, whatever the step rate, so it
costs nothing measurable. Log records printed while it is shown go through
:data:`CONSOLE` (see :func:`rich_log_handler`), so they scroll above the bar
instead of tearing it.
"""

from __future__ import annotations

import logging
import math
import time

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from stable_baselines3.common.callbacks import BaseCallback

from rl_agent_node.metrics import RunMetrics

#: The console shared by the bar and log records: stderr, leaving stdout to results.
CONSOLE = Console(stderr=True)

_REFRESH_S = 0.25
_RATE_WINDOW_S = 10.0
#: Seconds between progress lines when the console is not a terminal (logs, CI, pipes).
_LOG_EVERY_S = 30.0

_log = logging.getLogger(__name__)


def rich_log_handler() -> logging.Handler:
    """A logging handler that prints above the progress bar."""
    handler = RichHandler(console=CONSOLE, show_path=False, log_time_format='[%X]')
    handler.setFormatter(logging.Formatter('%(message)s'))
    return handler


class ProgressBar(BaseCallback):
    """Show training progress on the console.

    :param metrics: source of the mean return and success rate (last 100 episodes).
    :param total_steps: the run's budget in steps.
    :param draw_bar: draw the bar when the console is a terminal; False (or no
        terminal) gives the log lines instead, so a run is never silent.
    """

    def __init__(self, metrics: RunMetrics, total_steps: int, draw_bar: bool = True) -> None:
        super().__init__()
        self._metrics = metrics
        self._total = total_steps
        self._draw_bar = draw_bar
        self._progress: Progress | None = None
        self._task = None
        self._last_update = 0.0
        self._samples: list[tuple[float, int]] = []

    def _on_training_start(self) -> None:
        self._samples = [(time.monotonic(), self.num_timesteps)]
        if not (self._draw_bar and CONSOLE.is_terminal):
            self._last_update = time.monotonic()
            return
        self._progress = Progress(
            TextColumn('[bold]training'), BarColumn(), MofNCompleteColumn(),
            TextColumn('{task.fields[rate]} steps/s  return {task.fields[ret]}  '
                       'success {task.fields[success]}  left {task.fields[left]}'),
            console=CONSOLE, refresh_per_second=4)
        self._task = self._progress.add_task('train', total=self._total,
                                             completed=self.num_timesteps, rate='-', ret='-',
                                             success='-', left='-')
        self._progress.start()

    def _on_step(self) -> bool:
        now = time.monotonic()
        interval = _REFRESH_S if self._progress is not None else _LOG_EVERY_S
        if now - self._last_update >= interval:
            self._last_update = now
            self._refresh(now)
        return True

    def _refresh(self, now: float) -> None:
        self._samples.append((now, self.num_timesteps))
        while len(self._samples) > 2 and now - self._samples[0][0] > _RATE_WINDOW_S:
            self._samples.pop(0)
        (start, first), (end, last) = self._samples[0], self._samples[-1]
        rate = (last - first) / (end - start) if end > start else math.nan
        mean_return, success, _ = self._metrics.train_stats()
        left = (self._total - self.num_timesteps) / rate if rate > 0 else math.nan
        if self._progress is None:
            _log.info('training %d/%d steps, %s steps/s, return %s, success %s, left %s',
                      self.num_timesteps, self._total, _text(rate, '.0f'),
                      _text(mean_return, '.2f'), _text(success, '.2f'), _duration(left))
            return
        self._progress.update(
            self._task, completed=self.num_timesteps, rate=_text(rate, '.0f'),
            ret=_text(mean_return, '.2f'), success=_text(success, '.2f'), left=_duration(left))

    def _on_training_end(self) -> None:
        self._refresh(time.monotonic())
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _text(value: float, spec: str) -> str:
    return '-' if math.isnan(value) else format(value, spec)


def _duration(seconds: float) -> str:
    if math.isnan(seconds) or math.isinf(seconds):
        return '-'
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f'{hours}:{minutes:02d}:{secs:02d}'
