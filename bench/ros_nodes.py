"""Real node processes for benchmarks, on a private ROS domain.

Benchmarks over ROS start the same node processes the tests start, through
rl_testing, so a measurement never talks to a user's running nodes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rl_testing import NodeProcess, reserve_domain_id


@contextmanager
def private_domain() -> Iterator[int]:
    """Claim a free ROS_DOMAIN_ID for this process and its children, localhost only."""
    reservation = reserve_domain_id()
    os.environ['ROS_DOMAIN_ID'] = str(reservation.domain_id)
    os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
    try:
        yield reservation.domain_id
    finally:
        reservation.release()


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
