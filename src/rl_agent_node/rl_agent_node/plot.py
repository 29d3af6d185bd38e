"""The learning curve of a run: return and success rate against steps, as a PNG.

Drawn from ``metrics.csv`` with matplotlib's Agg backend, so it works on a
headless trainer; training rows give the rolling curves (last 100
episodes), evaluation rows the held-out points.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt

from rl_agent_node.metrics import read_metrics


def plot_learning_curve(metrics_csv: Path, output: Path, title: str) -> Path:
    """Draw ``metrics_csv`` into ``output`` (PNG) and return its path.

    :param metrics_csv: a run's ``metrics.csv``.
    :param output: the image to write.
    :param title: figure title, e.g. the run's name.
    """
    rows = read_metrics(metrics_csv)
    figure, (returns, success) = plt.subplots(2, 1, sharex=True, figsize=(8, 6))
    for axis, train_key, eval_key, label in (
            (returns, 'train_return', 'eval_return', 'episode return'),
            (success, 'train_success_rate', 'eval_success_rate', 'success rate')):
        train = [(r['step'], r[train_key]) for r in rows if not math.isnan(r[train_key])]
        held_out = [(r['step'], r[eval_key]) for r in rows if not math.isnan(r[eval_key])]
        if train:
            axis.plot(*zip(*train, strict=True), label='training (last 100 episodes)')
        if held_out:
            axis.plot(*zip(*held_out, strict=True), 'o-', label='evaluation (held-out seeds)')
        axis.set_ylabel(label)
        axis.grid(True, alpha=0.3)
        if train or held_out:
            axis.legend(loc='lower right')
    success.set_ylim(-0.02, 1.02)
    success.set_xlabel('env steps')
    figure.suptitle(title)
    figure.tight_layout()
    output = Path(output)
    figure.savefig(output, dpi=100)
    plt.close(figure)
    return output
