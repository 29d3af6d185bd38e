"""Real node processes for benchmarks, on a private ROS domain.

Benchmarks over ROS start the same node processes the tests start, through
rl_testing, so a measurement never talks to a user's running nodes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rl_testing import NodeProcess


@contextmanager
def node_processes(specs: Sequence[tuple[str, str, Sequence[str], str]]) -> Iterator[list]:
    """Start ``(name, module, args, ready_text)`` nodes; stop them all on exit."""
    logs = Path(tempfile.mkdtemp(prefix='rl_bench_'))
    processes = []
    try:
        for name, module, args, ready in specs:
            process = NodeProcess.python_module(name, module, list(args), logs).start()
            processes.append(process)
            process.wait_for_output(ready, timeout=60)
        yield processes
    finally:
        for process in processes:
            process.stop()


def rss_mb(pid: int) -> float:
    """Resident memory of a process, MB."""
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f'no VmRSS for process {pid}')
