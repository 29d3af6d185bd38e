"""Command line of the agent: ``train``, ``eval`` and ``export``.

``python -m rl_agent_node.cli train --envs inprocess`` works on its own; the
workspace's ``rl`` command reuses these parsers and functions
(:func:`add_train_arguments` + :func:`train`, and so on), so both read the
same. Each function takes the parsed arguments and returns an exit status:
0 done (or stopped by SIGINT/SIGTERM after a checkpoint), 1 failed at run
time, 2 bad arguments or config.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from rl_agent_node.errors import AgentError, ConfigError
from rl_env_client.errors import EnvClientError
from rl_env_node.errors import EnvError


def setup_logging(level: int = logging.INFO) -> None:
    """Log records to stderr: through rich on a terminal (above the progress bar), else plain.

    Does nothing when the program configured logging already (a caller's CLI, pytest).
    """
    if logging.getLogger().handlers:
        return
    if sys.stderr.isatty():
        from rl_agent_node.progress import rich_log_handler

        handler = rich_log_handler()
    else:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter('%(asctime)s %(levelname)s %(name)s: %(message)s'))
    logging.basicConfig(level=level, handlers=[handler])
    logging.getLogger('OpenGL').setLevel(logging.WARNING)


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``train``: the knobs of a training run, and where its envs are."""
    from rl_agent_node.knobs import add_flags
    from rl_agent_node.train_settings import TrainSettings

    add_flags(parser, TrainSettings)
    parser.add_argument('--envs', nargs='+', default=[], metavar='NS',
                        help="env node namespaces, or 'inprocess' for the simulator in this "
                             'process; default env_0 .. env_{n_envs-1}')
    parser.add_argument('--eval-env', default=None, metavar='NS',
                        help="where periodic evaluations run: 'inprocess' (default) or an env "
                             'node namespace kept apart from training')
    parser.add_argument('--runs-root', type=Path, default=Path('runs'),
                        help='parent folder of run directories (default runs)')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress bar: a progress log line every 30 s instead')


def train(args: argparse.Namespace) -> int:
    """Train or resume; print the summary. SIGINT/SIGTERM save a checkpoint and exit 0."""
    from rl_agent_node.knobs import from_flags
    from rl_agent_node.signals import stop_on_signals
    from rl_agent_node.train_settings import TrainSettings
    from rl_agent_node.training import TrainRequest, format_summary
    from rl_agent_node.training import train as run_training

    setup_logging()
    try:
        request = TrainRequest(
            settings=from_flags(TrainSettings, args), envs=tuple(args.envs),
            eval_env=args.eval_env, runs_root=args.runs_root,
            progress_bar=not args.no_progress, argv=getattr(args, 'argv', None))
        with stop_on_signals() as stop:
            result = run_training(request, stop)
    except ConfigError as error:
        print(f'rl train: {error}', file=sys.stderr)
        return 2
    except AgentError as error:
        print(f'rl train: {error}', file=sys.stderr)
        return 1
    print(format_summary(result.summary))
    return result.exit_code


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``eval``."""
    parser.add_argument('model', type=Path,
                        help='run directory (its best model), model folder, model.zip or .pt')
    parser.add_argument('--envs', '--env', dest='where', default='inprocess', metavar='NS',
                        help="'inprocess' (default) or the env node's namespace ('/' for root)")
    parser.add_argument('--episodes', type=int, default=100, help='episodes (default 100)')
    parser.add_argument('--seed', type=int, default=2_000_000,
                        help='first reset seed; episode k uses seed+k (default 2000000)')
    parser.add_argument('--task', default=None, help="task; default the model's own")
    parser.add_argument('--output', type=Path, default=None,
                        help='JSON file; default evaluation_<env>.json next to the model')
    parser.add_argument('--timeout', type=float, default=10.0,
                        help='seconds to wait for the env node and each answer (default 10)')


def evaluate(args: argparse.Namespace) -> int:
    """Evaluate a saved policy; print the table ending with ``success rate: X``."""
    from rl_agent_node.deploy import EvalRequest, evaluate_model
    from rl_agent_node.evaluation import format_table
    from rl_agent_node.signals import stop_on_signals

    setup_logging()
    where = args.where if args.where != '/' else ''
    request = EvalRequest(model=args.model, where=where, episodes=args.episodes,
                          first_seed=args.seed, task=args.task, output=args.output,
                          timeout=args.timeout)
    try:
        with stop_on_signals() as stop:
            summary, output = evaluate_model(request, stop)
    except (AgentError, ValueError) as error:
        print(f'rl eval: {error}', file=sys.stderr)
        return 2
    except (EnvError, EnvClientError) as error:
        print(f'rl eval: {error}', file=sys.stderr)
        return 1
    print(format_table(summary, f'{args.model} on {where or "/"}'))
    print(f'written: {output}')
    return 0


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``export``."""
    parser.add_argument('model', type=Path,
                        help='run directory (its best model), model folder or model.zip')
    parser.add_argument('--output', type=Path, default=None,
                        help='TorchScript file; default policy.pt in the model folder')


def export(args: argparse.Namespace) -> int:
    """Export the deterministic actor (with observation normalisation) to TorchScript."""
    from rl_agent_node.export import export_torchscript

    setup_logging()
    try:
        path = export_torchscript(args.model, args.output)
    except (AgentError, RuntimeError) as error:
        print(f'rl export: {error}', file=sys.stderr)
        return 1
    print(f'exported: {path}')
    return 0


def build_parser(prog: str = 'rl-agent') -> argparse.ArgumentParser:
    """The agent's command line with its three subcommands."""
    parser = argparse.ArgumentParser(
        prog=prog, description='Train, evaluate and export Robotino RL agents.')
    commands = parser.add_subparsers(dest='command', required=True, metavar='COMMAND')
    for name, add, handler, text in (
            ('train', add_train_arguments, train,
             'train an agent over env nodes (or in process) into a run directory'),
            ('eval', add_eval_arguments, evaluate,
             "evaluate a saved policy on given seeds; prints 'success rate: X'"),
            ('export', add_export_arguments, export,
             'export a saved policy to TorchScript for robots without SB3')):
        sub = commands.add_parser(name, help=text, description=text)
        add(sub)
        sub.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse and dispatch; the exit status of the subcommand.

    :param argv: the arguments; the process's when None. Given ones are what
        a run directory records as its command (prefixed ``rl-agent``).
    """
    args = build_parser().parse_args(argv)
    args.argv = None if argv is None else ['rl-agent', *argv]
    return args.handler(args)


if __name__ == '__main__':
    sys.exit(main())
