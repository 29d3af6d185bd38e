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

from rl_agent_node.config import load_config
from rl_agent_node.run_dir import new_run_path
from rl_bringup.graph import SIMULATORS, GraphEntry, GraphOptions, bringup_graph

#: Env nodes ``rl train`` starts without --num-envs.
TRAIN_ENVS = 4


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


def _record_policy(text: str) -> str:
    if text in ('none', 'all', 'failures') or (
            text.startswith('every:') and text[6:].isdigit() and int(text[6:]) > 0):
        return text
    raise argparse.ArgumentTypeError(
        f"record must be every:K, failures, all or none; got {text!r}")


def _namespaces(text: str) -> tuple[str, ...]:
    """``env_0,env_1`` (leading '/' and blanks allowed) as a tuple of namespaces."""
    names = tuple(part.strip().strip('/') for part in text.split(','))
    if not all(names):
        raise argparse.ArgumentTypeError(
            f'envs must be namespaces separated by commas, like env_0,env_1; got {text!r}')
    return names


def add_sim_argument(parser: argparse.ArgumentParser, default: str | None = 'mujoco') -> None:
    """``--sim``, the same for ``rl sim``, ``rl train`` and ``rl eval``.

    :param default: the parsed value when absent; None lets a command tell an
        explicit ``--sim mujoco`` from none (it still means mujoco).
    """
    meanings = '; '.join(f'{name}: {meaning}' for name, meaning in SIMULATORS.items())
    parser.add_argument('--sim', default=default, choices=tuple(SIMULATORS),
                        help=f'simulator behind each env node (default mujoco). {meanings}')


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``rl train`` flags."""
    parser.add_argument('--config', type=Path, default=None,
                        help='training config YAML named <algo>.yaml (default: the package one)')
    parser.add_argument('--num-envs', type=int, default=None,
                        help=f'env nodes to start (default {TRAIN_ENVS})')
    add_sim_argument(parser, default=None)
    parser.add_argument('--envs', type=_namespaces, default=(), metavar='NS[,NS...]',
                        help='train on env nodes already running elsewhere (docker compose, '
                             'Kubernetes, other hosts) in these namespaces, e.g. env_0,env_1; '
                             'starts only the recorder and the agent')
    parser.add_argument('--algo', default='ppo', choices=('ppo', 'sac', 'td3', 'a2c', 'ddpg'),
                        help='algorithm (default ppo)')
    parser.add_argument('--task', default='goal_reaching', help='task (default goal_reaching)')
    parser.add_argument('--total-steps', type=int, default=0,
                        help="training steps; 0 for the config's (default)")
    parser.add_argument('--seed', type=int, default=-1, help="seed; < 0 for the config's")
    parser.add_argument('--run-dir', type=Path, default=None,
                        help='run directory (default runs/<task>_<algo>_<seed>_<time>)')
    parser.add_argument('--record', type=_record_policy, default='every:10',
                        help='episodes to record as rosbag2: every:K, failures, all or none '
                             '(default every:10)')
    parser.add_argument('--resume', type=Path, default=None, metavar='RUN_DIR',
                        help='continue a run from its newest checkpoint')
    parser.add_argument('--success-target', type=float, default=0.9,
                        help='stop once a periodic evaluation on held-out seeds reaches this '
                             'success rate, the bar a goal_reaching policy must clear; 0 trains '
                             'the whole budget (default 0.9)')


def _graph_options(args: argparse.Namespace, run_dir: Path,
                   agent: dict[str, Any]) -> GraphOptions:
    """The graph of ``rl train``: env nodes it starts, or those of ``--envs``.

    :raises ValueError: for ``--envs`` with ``--num-envs`` or ``--sim``, which contradict it.
    """
    if args.envs and (args.num_envs is not None or args.sim is not None):
        raise ValueError('--envs trains on env nodes running elsewhere, while --num-envs and '
                         '--sim choose env nodes to start here: give --envs alone, or drop it')
    return GraphOptions(num_envs=TRAIN_ENVS if args.num_envs is None else args.num_envs,
                        sim=args.sim or 'mujoco', task=args.task, record=args.record,
                        bag_dir=str(run_dir), run_name='bags', agent=agent,
                        external_envs=args.envs)


def training_plan(args: argparse.Namespace) -> tuple[Path, list[GraphEntry]]:
    """The run directory and the graph for ``rl train``.

    The agent draws a progress bar on a terminal and logs lines elsewhere
    (a container's log, a file).

    :raises ValueError: for contradicting flags, saying which.
    """
    config_dir = args.config.parent if args.config else None
    if args.config is not None and args.config.stem != args.algo:
        raise ValueError(f'--config must be named {args.algo}.yaml for --algo {args.algo} '
                         f'(it holds that algorithm\'s keys), got {args.config.name}')
    if args.resume is not None:
        run_dir = args.resume
    elif args.run_dir is not None:
        run_dir = args.run_dir
    else:
        config = load_config(args.algo, args.task, config_dir, {})
        seed = args.seed if args.seed >= 0 else config.agent.seed
        run_dir = new_run_path(Path('runs'), args.task, args.algo, seed)
    agent = {'mode': 'train', 'algo': args.algo, 'task': args.task,
             'config_dir': str(config_dir or ''), 'total_timesteps': args.total_steps,
             'seed': args.seed, 'resume': str(args.resume or ''),
             'run_dir': '' if args.resume else str(run_dir),
             'progress_bar': sys.stdout.isatty(),
             'overrides': f'{{success_target: {args.success_target}}}'
             if args.success_target > 0 else ''}
    return run_dir, bringup_graph(_graph_options(args, run_dir, agent))


def training_report(run_dir: Path) -> str:
    """Where everything went, for the end of ``rl train``."""
    bags = sorted((run_dir / 'bags').glob('*/metadata.yaml'))
    lines = [
        f'run directory:   {run_dir}',
        f"best model:      {run_dir / 'best'}",
        f"bags:            {run_dir / 'bags'} ({len(bags)} episodes)",
        f"tensorboard:     tensorboard --logdir {run_dir / 'tb'}",
        f"learning curve:  {run_dir / 'learning_curve.png'}",
        f"summary:         {run_dir / 'summary.json'}",
        f"evaluate:        ./rl eval {run_dir} --seeds 10000-10099",
    ]
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
