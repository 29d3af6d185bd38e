"""The `rl` command line (run through ./rl at the repository root).

Each subcommand is one function taking the parsed arguments and returning an
exit status; the parser says what each does, so `rl <cmd> --help` is the manual.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse and dispatch; returns the subcommand's exit status."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == '__main__':
    sys.exit(main())
