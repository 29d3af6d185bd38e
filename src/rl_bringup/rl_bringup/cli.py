"""The `rl` command line (run through ./rl at the repository root).

Each subcommand is one function taking the parsed arguments and returning an
exit status; the parser says what each does, so `rl <cmd> --help` is the manual.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from rl_bringup.graph import (
    MONITOR_PORT,
    GraphEntry,
    GraphOptions,
    MonitorKnobs,
    NodeSpec,
    bringup_graph,
    monitor_node,
    with_monitor,
)
from rl_bringup.launcher import Launcher, LaunchError, node_specs


def _floats(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(','))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'expected comma-separated numbers like 0.1,0,0; got {text!r}') from None


def _run_call(args: argparse.Namespace) -> int:
    from rl_bringup.service_call import (
        CallRequest,
        ServiceCallError,
        call_service,
        format_response,
    )

    request = CallRequest(
        service=args.service, namespace=args.namespace, seed=args.seed,
        options_json=args.options, action=args.action or (), timeout=args.timeout,
    )
    if request.service == 'step' and not request.action:
        print('rl call step: give the action, e.g. --action 0.1,0,0', file=sys.stderr)
        return 2
    try:
        fields = call_service(request)
    except ServiceCallError as error:
        print(f'rl call: {error}', file=sys.stderr)
        return 1
    print(format_response(fields), end='')
    return 0 if fields.get('success', True) else 1


def _launchable(command: str, graph: list[GraphEntry]) -> list[NodeSpec]:
    """The graph's nodes, or SystemExit(2) with the advice for a graph only ros2 launch runs.

    Checked before anything is created or started.
    """
    try:
        return node_specs(graph, f'{command}.launch.py')
    except LaunchError as error:
        print(f'rl {command}: {error}', file=sys.stderr)
        raise SystemExit(2) from None


def _launch(specs: list[NodeSpec], work_dir: Path) -> int:
    logging.basicConfig(level=logging.INFO, format='[rl] %(message)s')
    return Launcher(specs, work_dir).run()


def _run_sim(args: argparse.Namespace) -> int:
    try:
        options = GraphOptions(num_envs=args.num_envs, sim=args.sim, task=args.task,
                               task_options=args.task_options, seed=args.seed,
                               envs_per_process=args.envs_per_process)
    except ValueError as error:
        print(f'rl sim: {error}', file=sys.stderr)
        return 2
    specs = _launchable('sim', bringup_graph(options))
    namespaces = ', '.join(ns or '/' for ns in options.namespaces)
    print(f'rl sim: {options.num_envs} env(s) in {namespaces}; Ctrl-C to stop. Try:\n'
          f"  ./rl call reset --seed 1{' --namespace env_0' if options.num_envs > 1 else ''}",
          flush=True)
    return _launch(specs, Path(tempfile.mkdtemp(prefix='rl_sim_')))


def _run_train(args: argparse.Namespace) -> int:
    from rl_agent_node.errors import AgentError
    from rl_agent_node.knobs import from_flags
    from rl_bringup.agent_commands import rl_train_plan, training_report

    try:
        run_dir, graph = rl_train_plan(args)
        graph = with_monitor(graph, from_flags(MonitorKnobs, args))
    except (ValueError, OSError, AgentError) as error:
        print(f'rl train: {error}', file=sys.stderr)
        return 2
    specs = _launchable('train', graph)
    run_dir.mkdir(parents=True, exist_ok=True)
    [agent] = [spec for spec in specs if spec.role == 'agent']
    where = 'started here' if any(spec.role == 'env' for spec in specs) else 'running elsewhere'
    print(f"rl train: {agent.parameters['algo']} on {agent.parameters['envs']} ({where}), "
          f'run directory {run_dir}', flush=True)
    status = _launch(specs, run_dir)
    print(training_report(run_dir), flush=True)
    return status


def _run_monitor(args: argparse.Namespace) -> int:
    try:
        MonitorKnobs(monitor_port=args.port)
        spec = monitor_node(args.namespaces or (), args.port,
                            str(args.bag_dir) if args.bag_dir else '', args.host)
    except ValueError as error:
        print(f'rl monitor: {error}', file=sys.stderr)
        return 2
    shown = ', '.join(ns or '/' for ns in args.namespaces) if args.namespaces else \
        'discovered from the graph'
    print(f'rl monitor: envs {shown}; the page is at the URL logged below; Ctrl-C to stop',
          flush=True)
    return _launch([spec], Path(tempfile.mkdtemp(prefix='rl_monitor_')))


def _run_eval(args: argparse.Namespace) -> int:
    from rl_bringup.agent_commands import evaluation_plan

    output = (args.model if args.model.is_dir() else args.model.parent) / 'evaluation.json'
    try:
        graph = evaluation_plan(args, output)
    except ValueError as error:
        print(f'rl eval: {error}', file=sys.stderr)
        return 2
    return _launch(_launchable('eval', graph), Path(tempfile.mkdtemp(prefix='rl_eval_')))


def _run_deploy(args: argparse.Namespace) -> int:
    from rl_bringup.deploy_graph import DeployOptions, deploy_graph

    try:
        options = DeployOptions(
            model=str(args.model), robot=args.robot, namespace=args.namespace,
            realism=args.realism, seed=args.seed, scenario=args.scenario, task=args.task,
            task_options=args.task_options, goals=args.goals)
    except ValueError as error:
        print(f'rl deploy: {error}', file=sys.stderr)
        return 2
    where = options.namespace.strip('/')
    prefix = f'/{where}' if where else ''
    robot = ('a MuJoCo stand-in (realism ' + options.realism + ')' if options.robot == 'sim'
             else "the robot's driver")
    print(f'rl deploy: {options.model} on {robot}; Ctrl-C stops the base and ends. Send a '
          f'goal (odom frame) from another shell:\n'
          f'  ros2 action send_goal {prefix}/navigate_to_goal '
          'rl_interfaces/action/NavigateToGoal '
          '"{pose: {header: {frame_id: odom}, pose: {position: {x: 1.0, y: 0.5}}}}"\n'
          f"  or RViz's 2D Goal Pose on {prefix}/goal_pose", flush=True)
    return _launch(deploy_graph(options), Path(tempfile.mkdtemp(prefix='rl_deploy_')))


def _run_export(args: argparse.Namespace) -> int:
    from rl_agent_node.cli import export

    return export(args)


def _run_replay(args: argparse.Namespace) -> int:
    from rl_bringup.replay import ReplayError, replay

    try:
        summary = replay(args.bag, args.out)
    except ReplayError as error:
        print(f'rl replay: {error}', file=sys.stderr)
        return 2
    print(summary.describe(), flush=True)
    return 0


def _add_env_arguments(parser: argparse.ArgumentParser, num_envs: int) -> None:
    from rl_bringup.agent_commands import add_sim_argument

    parser.add_argument('--num-envs', type=int, default=num_envs,
                        help=f'environments; 1 uses the root namespace (default {num_envs})')
    add_sim_argument(parser)
    parser.add_argument('--task', default='goal_reaching', help='registered task name')
    parser.add_argument('--task-options', default='',
                        help='task options as a JSON object, e.g. \'{"obstacle_count": 2}\'')
    parser.add_argument('--seed', type=int, default=0, help='base seed; env k gets seed + k')
    parser.add_argument('--envs-per-process', type=int, default=0,
                        help='sim mujoco: envs per env_group process, served in batches; '
                             "0 (default) chooses from the machine's cores, 1 a process per env")


def _add_deploy_arguments(parser: argparse.ArgumentParser) -> None:
    from rl_bringup.deploy_graph import ROBOTS

    parser.add_argument('model', type=Path,
                        help='run directory (its best model), model folder, model.zip or .pt')
    parser.add_argument('--robot', choices=tuple(ROBOTS), default='real', help='; '.join(
        f'{name}: {meaning}' for name, meaning in ROBOTS.items()) + ' (default real)')
    parser.add_argument('--namespace', default='',
                        help="the robot's namespace (default: the root one, as the driver's)")
    parser.add_argument('--realism', default='realistic',
                        help='--robot sim: the stand-in\'s realism preset, ideal or realistic '
                             '(default realistic)')
    parser.add_argument('--seed', type=int, default=0, help="--robot sim: the stand-in's arena")
    parser.add_argument('--scenario', default='',
                        help="--robot sim: the stand-in's arena layout, e.g. empty_room "
                             '(default: generated from --seed)')
    parser.add_argument('--task', default='goal_reaching', help='task, as trained')
    parser.add_argument('--task-options', default='', help='task options, as trained (JSON)')
    parser.add_argument('--goals', type=int, default=0,
                        help='goals to serve before ending (default 0: until Ctrl-C)')


def _repo_root() -> Path:
    return Path(os.environ.get('RL_ROOT', Path.cwd()))


def _run_bench(args: argparse.Namespace) -> int:
    bench_dir = _repo_root() / 'bench'
    scripts = sorted(bench_dir.glob('*_bench.py'))
    if args.only:
        scripts = [s for s in scripts if s.stem.removesuffix('_bench') in args.only]
    if not scripts:
        print(f'rl bench: no benchmarks found in {bench_dir}', file=sys.stderr)
        return 1
    status = 0
    for script in scripts:
        print(f'== {script.name}', flush=True)
        status |= subprocess.call([sys.executable, str(script)])
    return status


def build_parser() -> argparse.ArgumentParser:
    """The whole CLI; subcommands register their own arguments here."""
    parser = argparse.ArgumentParser(
        prog='rl',
        description='Train, evaluate and poke the Robotino RL stack from a terminal.',
    )
    commands = parser.add_subparsers(dest='command', required=True, metavar='COMMAND')

    call = commands.add_parser(
        'call', help="call an env service (reset, step, spec) like 'ros2 service call'",
        description='Call one env node service and print the response as YAML. Exits 1 '
                    'when the service is missing or answers success: false.')
    call.add_argument('service', choices=('reset', 'step', 'spec'), help='which service')
    call.add_argument('--namespace', '-n', default='',
                      help="env namespace, e.g. env_0; default: the root namespace '/'")
    call.add_argument('--seed', type=int, default=-1,
                      help='reset: episode seed; negative keeps the current random stream')
    call.add_argument('--options', default='',
                      help='reset: task options as a JSON object, e.g. \'{"obstacles": 2}\'')
    call.add_argument('--action', type=_floats,
                      help='step: action values, comma-separated, e.g. 0.1,0,0')
    call.add_argument('--timeout', type=float, default=10.0,
                      help='seconds to wait for the service and its answer (default 10)')
    call.set_defaults(handler=_run_call)

    bench = commands.add_parser(
        'bench', help='run the benchmarks in bench/ and print their tables',
        description='Run bench/*_bench.py in turn; each prints a table and writes JSON '
                    'under bench/results/.')
    bench.add_argument('--only', nargs='+', metavar='NAME',
                       help='run only these, e.g. sim env')
    bench.set_defaults(handler=_run_bench)

    sim = commands.add_parser(
        'sim', help='bring up simulators and env nodes and wait, for interactive use',
        description='Start N env nodes (with their MuJoCo simulators) as separate processes '
                    "and keep them running until Ctrl-C; poke them with './rl call'.")
    _add_env_arguments(sim, num_envs=1)
    sim.set_defaults(handler=_run_sim)

    from rl_agent_node.cli import add_export_arguments
    from rl_bringup.agent_commands import add_eval_arguments, add_train_arguments

    train = commands.add_parser(
        'train', help='train an agent on N MuJoCo env nodes (the main job)',
        description='Bring up N env nodes (or use those of --envs, running elsewhere), the '
                    'episode recorder and the agent node; train until the success target or '
                    'the step budget; print where everything went. Ctrl-C saves a checkpoint; '
                    '--resume continues it.')
    add_train_arguments(train)
    from rl_agent_node.knobs import add_flags

    add_flags(train, MonitorKnobs)
    train.set_defaults(handler=_run_train)

    monitor = commands.add_parser(
        'monitor', help='serve the live monitor page for env nodes and an agent running '
                        'elsewhere',
        description='Start the monitor node alone: a web page of the training progress '
                    "(the agent's training_progress), each env's top view and the latest "
                    'episodes, read from ROS topics of this domain (any host). Ctrl-C stops.')
    monitor.add_argument('--port', type=int, default=MONITOR_PORT,
                         help=f'TCP port of the page (default {MONITOR_PORT}; 0 picks one)')
    monitor.add_argument('--host', default='0.0.0.0',
                         help="address to listen on (default 0.0.0.0: every interface)")
    monitor.add_argument('--namespaces', nargs='+', metavar='NS',
                         help="env namespaces, e.g. env_0 env_1 ('/' for the root one); "
                              'default: discover them (any topic ending in /episode_stats)')
    monitor.add_argument('--bag-dir', type=Path, default=None,
                         help="the run's bag folder (e.g. runs/RUN/bags), for the episodes' "
                              'bag links; default none')
    monitor.set_defaults(handler=_run_monitor)

    evaluate = commands.add_parser(
        'eval', help="evaluate a trained model over ROS; prints 'success rate: X'",
        description='Bring up env nodes and run the model on the given seeds; prints a table '
                    "ending with 'success rate: X' and writes evaluation.json by the model.")
    add_eval_arguments(evaluate)
    evaluate.set_defaults(handler=_run_eval)

    deploy = commands.add_parser(
        'deploy', help='run a trained policy on the robot, or on a MuJoCo stand-in, and '
                       'drive it to the goals it is sent',
        description='Bring up the env node in real mode and the agent in deploy mode (and '
                    'with --robot sim a MuJoCo stand-in for the robot); the agent drives to '
                    'each goal sent to its navigate_to_goal action or goal_pose topic. '
                    'Ctrl-C stops the base first.')
    _add_deploy_arguments(deploy)
    deploy.set_defaults(handler=_run_deploy)

    export = commands.add_parser(
        'export', help='export a trained policy to TorchScript (for robots without SB3)',
        description='Write the deterministic policy, with its observation normalisation, '
                    'as a TorchScript module.')
    add_export_arguments(export)
    export.set_defaults(handler=_run_export)

    replay = commands.add_parser(
        'replay', help="draw an episode bag's top view (trajectory, IR hits, outcome)",
        description='Read one episode bag of the recorder and draw its top view in the odom '
                    'frame: the trajectory, start and end, the footprint, the IR hits and '
                    'the outcome; .gif animates the trajectory. Exits 2 for a non-bag.')
    replay.add_argument('bag', type=Path, help='an episode bag folder (rosbag2)')
    replay.add_argument('--out', type=Path, default=None,
                        help='episode.png or episode.gif (default: <bag>/episode.png)')
    replay.set_defaults(handler=_run_replay)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse and dispatch; returns the subcommand's exit status."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == '__main__':
    sys.exit(main())
