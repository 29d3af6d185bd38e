"""``rl train`` and ``rl eval``: env nodes and the agent node, brought up together.

Both build a graph (env nodes in env_0..env_{N-1}, the recorder when
recording, the agent node) and run it with the launcher; the launcher's exit
status is the agent's. ``rl train`` decides the run directory up front so the
recorder's bags land inside it. ``rl train --envs`` starts no env nodes: it
trains on env nodes already running elsewhere (containers, pods, hosts).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rl_agent_node.knobs import add_flags, given
from rl_bringup.graph import SIMULATORS, GraphEntry, GraphOptions, bringup_graph
from rl_bringup.training_run import TrainingRun, training_plan


def parse_seeds(text: str) -> tuple[int, int]:
    """``'A-B'``, ``'a,b,c'`` (consecutive) or ``'a'`` as (first seed, episodes).

    :raises ValueError: for anything else, saying what is accepted.
    """
    try:
        if '-' in text:
            first, last = (int(part) for part in text.split('-', 1))
            seeds = list(range(first, last + 1))
        else:
            seeds = [int(part) for part in text.split(',')]
    except ValueError:
        raise ValueError(f"seeds must be 'A-B' or 'a,b,c', got {text!r}") from None
    if not seeds or seeds != list(range(seeds[0], seeds[0] + len(seeds))):
        raise ValueError(f'seeds must be consecutive and ascending, got {text!r}')
    return seeds[0], len(seeds)


def add_sim_argument(parser: argparse.ArgumentParser, default: str | None = 'mujoco') -> None:
    """``--sim``, the same for ``rl sim``, ``rl train`` and ``rl eval``.

    :param default: the parsed value when absent; None lets a command tell an
        explicit ``--sim mujoco`` from none (it still means mujoco).
    """
    meanings = '; '.join(f'{name}: {meaning}' for name, meaning in SIMULATORS.items())
    parser.add_argument('--sim', default=default, choices=tuple(SIMULATORS),
                        help=f'simulator behind each env node (default mujoco). {meanings}')


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``rl train`` flags: one per knob of :class:`~rl_bringup.training_run.TrainingRun`."""
    add_flags(parser, TrainingRun)


def training_run(args: argparse.Namespace) -> TrainingRun:
    """The run that the ``rl train`` flags describe.

    :raises ValueError: for ``--envs`` with ``--num-envs`` or ``--sim``, which
        contradict it, and for knobs that make no run.
    """
    typed = given(args, TrainingRun)
    if 'envs' in typed and {'num_envs', 'sim', 'envs_per_process'} & set(typed):
        raise ValueError('--envs trains on env nodes running elsewhere, while --num-envs, '
                         '--sim and --envs-per-process choose env nodes to start here: give '
                         '--envs alone, or drop it')
    return TrainingRun(**typed)


def rl_train_plan(args: argparse.Namespace) -> tuple[Path, list[GraphEntry]]:
    """The run directory and the graph of ``rl train``.

    The agent draws a progress bar on a terminal and logs lines elsewhere
    (a container's log, a file).

    :raises ValueError: for contradicting flags or knobs that make no run, saying which.
    """
    return training_plan(training_run(args), progress_bar=sys.stdout.isatty())


def training_report(run_dir: Path) -> str:
    """Where everything went, for the end of ``rl train``: only what is there.

    A run whose agent died before its summary names no summary, and says how
    to continue it instead.
    """
    bags = sorted((run_dir / 'bags').glob('*/metadata.yaml'))
    lines = [f'run directory:   {run_dir}']
    for label, path in (('best model:', run_dir / 'best'), ('summary:', run_dir / 'summary.json'),
                        ('learning curve:', run_dir / 'learning_curve.png')):
        if path.exists():
            lines.append(f'{label:<16} {path}')
    lines.append(f"bags:            {run_dir / 'bags'} ({len(bags)} episodes)")
    # Here, not at the top: planning a run (the launch files) would load matplotlib for nothing.
    from rl_bringup.episode_pictures import draw_best_and_worst

    for picture in draw_best_and_worst(run_dir / 'bags', run_dir / 'episodes'):
        lines.append(f'{picture.label + " episode:":<16} {picture.picture} (return '
                     f'{picture.episode_return:.2f}, {picture.bag.name})')
    if (run_dir / 'tb').is_dir():
        lines.append(f"tensorboard:     tensorboard --logdir {run_dir / 'tb'}")
    if (run_dir / 'summary.json').exists():
        lines.append(f'evaluate:        ./rl eval {run_dir} --seeds 10000-10099')
    else:
        lines.append(f'no summary: the agent did not finish (see its log above); continue '
                     f'with ./rl train --resume {run_dir}')
    return '\n'.join(lines)


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``rl eval`` flags."""
    parser.add_argument('model', type=Path,
                        help='run directory (its best model), model folder, model.zip or .pt')
    parser.add_argument('--seeds', default='10000-10099',
                        help="episode seeds, 'A-B' or consecutive 'a,b,c' (default 10000-10099)")
    parser.add_argument('--num-envs', type=int, default=1,
                        help='env nodes to bring up; the evaluation runs on env_0 (default 1)')
    add_sim_argument(parser)
    parser.add_argument('--task', default='', help="task; default the model's own")


def eval_parameters(model: str, seeds: str, task: str = '', output: str = '') -> dict[str, Any]:
    """The agent node's parameters for evaluating ``model`` on ``seeds`` ('A-B' or 'a,b,c').

    :raises ValueError: for seeds in neither form.
    """
    first, episodes = parse_seeds(seeds)
    return {'mode': 'eval', 'model': model, 'task': task, 'episodes': episodes,
            'eval_seed': first, 'output': output}


def evaluation_plan(args: argparse.Namespace, output: Path) -> list[GraphEntry]:
    """The graph for ``rl eval``: env nodes and the agent in eval mode."""
    agent = eval_parameters(str(args.model), args.seeds, args.task, str(output))
    options = GraphOptions(num_envs=args.num_envs, sim=args.sim,
                           task=args.task or 'goal_reaching', agent=agent)
    return bringup_graph(options)
