"""Does a long run grow? RSS of an env node over many resets and steps, and of a training's nodes.

::

    ./rl bench --only soak       # or, in a sourced shell:
    python bench/soak_bench.py [--resets 10000] [--steps 100000] [--train-seconds 60]

- ``env_node``: one env node process (simulator composed in it) reset and
  stepped by ``RosEnv`` from this process, random actions; its resident
  memory after a warm-up and at the end, the growth in MB and in %.
- ``train``: ``rl train`` with 4 envs and the recorder (``every:10``) for
  ``--train-seconds``, then Ctrl-C; the resident memory of each of its
  processes at the end (launcher, env processes: env nodes or batched env
  groups as ``rl train`` lays them out for the cores, recorder, agent), in MB.

All on a private ROS domain.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from report import RESULTS, print_table, write_report
from ros_nodes import node_processes, rss_mb

from rl_env_client.ros_env import RosEnv
from rl_testing import NodeProcess, private_domain

#: Steps and resets done before the first reading: imports, caches and DDS settle first.
WARM_UP = 1000


def _drive(env: RosEnv, resets: int, steps: int, rng: np.random.Generator) -> None:
    """``resets`` resets, and ``steps`` steps spread over the episodes between them."""
    per_episode = max(1, steps // max(1, resets))
    for k in range(resets):
        env.reset(seed=k)
        for _ in range(per_episode):
            action = rng.uniform(-1.0, 1.0, size=env.action_space.shape).astype(np.float32)
            _, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                env.reset()


def env_node_growth(resets: int, steps: int) -> dict:
    spec = ('env', 'rl_env_node.env_node',
            ['--ros-args', '-p', 'publish_robot_topics:=false'], 'env ready')
    with node_processes([spec]) as (process,):
        env = RosEnv(timeout=30.0)
        rng = np.random.default_rng(0)
        try:
            _drive(env, WARM_UP // 100, WARM_UP, rng)
            before = rss_mb(process.pid)
            started = time.perf_counter()
            _drive(env, resets, steps, rng)
            elapsed = time.perf_counter() - started
            after = rss_mb(process.pid)
        finally:
            env.close()
    return {'resets': resets, 'steps': steps, 'seconds': round(elapsed, 1),
            'rss_before_mb': round(before, 1), 'rss_after_mb': round(after, 1),
            'growth_mb': round(after - before, 2),
            'growth_percent': round(100.0 * (after - before) / before, 2)}


def _children(pid: int) -> list[int]:
    found = subprocess.run(['pgrep', '-P', str(pid)], capture_output=True, text=True).stdout
    return [int(child) for child in found.split()]


def _role(pid: int) -> str:
    command = Path(f'/proc/{pid}/cmdline').read_bytes().replace(b'\0', b' ').decode()
    for module, role in (('agent_node', 'agent'), ('recorder_node', 'recorder'),
                         ('env_node', 'env_node'), ('env_group', 'env_group')):
        if f'.{module}' in command:
            return role
    return 'other'


def training_memory(seconds: float) -> dict:
    logs = Path(tempfile.mkdtemp(prefix='rl_soak_'))
    train = NodeProcess.python_module(
        'train', 'rl_bringup.cli',
        ['train', '--num-envs', '4', '--record', 'every:10', '--run-dir', str(logs / 'run'),
         '--total-steps', '100000000', '--success-target', '0'], logs).start()
    try:
        train.wait_for_output('[rl_agent]', timeout=120)
        time.sleep(seconds)
        results = {'launcher_mb': round(rss_mb(train.pid), 1)}
        roles = sorted((_role(pid), pid) for pid in _children(train.pid))
        for role, pid in roles:
            count = sum(1 for other in results if other.startswith(role))
            key = f'{role}_{count}_mb' if role.startswith('env_') else f'{role}_mb'
            results[key] = round(rss_mb(pid), 1)
        train.send_signal(signal.SIGINT)
        train.wait(120)
    finally:
        train.stop()
    return {'seconds': seconds, **results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--resets', type=int, default=10_000, help='env node resets')
    parser.add_argument('--steps', type=int, default=100_000, help='env node steps')
    parser.add_argument('--train-seconds', type=float, default=60.0,
                        help='seconds of rl train before reading its processes')
    parser.add_argument('--out', type=Path, default=RESULTS / 'soak.json', help='JSON file')
    options = parser.parse_args(argv)
    with private_domain():
        results = {'env_node': env_node_growth(options.resets, options.steps),
                   'train': training_memory(options.train_seconds)}
    print_table('memory over a long run', results)
    write_report('soak_bench', sys.argv[1:] if argv is None else argv, results, options.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
