"""What every benchmark in bench/ shares: timing loops, the table, the JSON report.

Each benchmark is a script whose measurements are functions returning a
dict; :func:`run_benchmarks` runs the chosen ones, prints one table and
writes a JSON file with the command, the machine and the results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / 'results'

Measurement = Callable[[float], dict]


def timed(seconds: float, body: Callable[[], int]) -> tuple[int, float]:
    """Call ``body`` (which returns how many units it did) until ``seconds`` pass."""
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        done += body()
    return done, elapsed


def print_table(title: str, results: dict[str, dict]) -> None:
    """One row per quantity, grouped by measurement."""
    table = Table(title=title)
    table.add_column('measurement')
    table.add_column('quantity')
    table.add_column('value', justify='right')
    for name, values in results.items():
        for key, value in values.items():
            digits = 2 if key.startswith('ratio') else 1
            shown = f'{value:,.{digits}f}' if isinstance(value, float) else str(value)
            table.add_row(name, key, shown)
    Console().print(table)


def run_benchmarks(title: str, name: str, measurements: dict[str, Measurement],
                   default_seconds: float, args: list[str] | None = None) -> int:
    """Parse ``--seconds/--out/--only``, run, print the table, write ``results/<name>.json``."""
    parser = argparse.ArgumentParser(description=f'Benchmark: {title}.')
    parser.add_argument('--seconds', type=float, default=default_seconds,
                        help=f'time spent on each measurement (default {default_seconds:g})')
    parser.add_argument('--out', type=Path, default=RESULTS / f'{name}.json',
                        help='JSON file to write')
    parser.add_argument('--only', nargs='+', choices=sorted(measurements),
                        help='run only these measurements')
    options = parser.parse_args(args)
    chosen = options.only or list(measurements)
    results = {key: measurements[key](options.seconds) for key in chosen}
    print_table(title, results)
    write_report(name, sys.argv[1:] if args is None else args, results, options.out)
    return 0


def write_report(name: str, arguments: list[str], results: dict[str, dict], out: Path) -> None:
    """The JSON report: the command, the date, the machine and the results."""
    report = {
        'command': ' '.join([f'bench/{name}.py', *arguments]),
        'date': datetime.now(UTC).isoformat(timespec='seconds'),
        'machine': {'cpus': os.cpu_count(), 'python': platform.python_version(),
                    'platform': platform.platform()},
        'results': results,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + '\n')
    print(f'wrote {out}')
