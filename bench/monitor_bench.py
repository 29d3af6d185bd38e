"""What the live monitor costs training: steps/s of one ``rl train`` with the page closed and open.

::

    ./rl bench --only monitor    # or, in a sourced shell:
    python bench/monitor_bench.py [--seconds 30] [--num-envs 4]

One ``rl train`` (PPO, the package's config, 4 envs as ``make train`` lays
them out, the recorder at ``every:10``, evaluations off so none falls in a
window, the monitor on a free port) runs on a private ROS domain. After a
warm-up, the page is closed and open in turn, ``--seconds`` each, twice
(closed, open, closed, open); each window's rate is the agent's own count
from ``training_progress`` (steps and elapsed time at the window's ends),
measured from ``SETTLE_S`` after the page opened or closed, once the
monitor has taken or dropped the high-rate topics. "Open" is Debian's
Chromium (headless, through playwright) showing the page, so the browser's
own drawing on this machine is part of the cost; without Chromium, an
aiohttp WebSocket client stands in (the ``client`` row says which).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from report import RESULTS, print_table, write_report

from rl_interfaces.msg import TrainingProgress
from rl_testing import NodeProcess, private_domain

CHROMIUM = Path('/usr/bin/chromium')
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update',
                 '--disable-sync']
#: Seconds after opening or closing the page before a window starts.
SETTLE_S = 3.0
#: Seconds of training before the first window (rates settle after the first updates).
WARM_UP_S = 10.0
PHASES = ('closed', 'open', 'closed', 'open')


class Progress:
    """The latest ``training_progress`` of the run, heard on a thread of its own."""

    def __init__(self) -> None:
        self._node = rclpy.create_node('monitor_bench')
        self.latest: TrainingProgress | None = None
        qos = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                         durability=DurabilityPolicy.TRANSIENT_LOCAL)
        self._node.create_subscription(TrainingProgress, '/training_progress', self._heard, qos)
        self._executor = SingleThreadedExecutor()
        self._executor.add_node(self._node)
        self._thread = threading.Thread(target=self._executor.spin, daemon=True)
        self._thread.start()

    def _heard(self, msg: TrainingProgress) -> None:
        self.latest = msg

    def sample(self) -> tuple[int, float]:
        """Steps and the agent's elapsed seconds of the latest report."""
        return int(self.latest.num_timesteps), float(self.latest.elapsed)

    def close(self) -> None:
        self._executor.shutdown(timeout_sec=2.0)
        self._thread.join(5.0)
        self._node.destroy_node()


@contextmanager
def page_open(url: str):
    """The page open in Chromium, or in an aiohttp WebSocket client without one; the client."""
    if CHROMIUM.exists():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={'width': 1280, 'height': 1400})
            page.goto(url)
            try:
                yield 'chromium'
            finally:
                browser.close()
        return
    stop = threading.Event()
    thread = threading.Thread(target=lambda: asyncio.run(_listen(url, stop)), daemon=True)
    thread.start()
    try:
        yield 'websocket'
    finally:
        stop.set()
        thread.join(10.0)


async def _listen(url: str, stop: threading.Event) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.ws_connect(url + 'ws') as socket_:
        while not stop.is_set():
            await socket_.receive(timeout=5.0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def _window(progress: Progress, seconds: float) -> float:
    time.sleep(SETTLE_S)
    steps, elapsed = progress.sample()
    time.sleep(seconds)
    end_steps, end_elapsed = progress.sample()
    return (end_steps - steps) / (end_elapsed - elapsed)


def measure(seconds: float, num_envs: int) -> dict:
    """Steps/s of one run, page closed and open by turns."""
    logs = Path(tempfile.mkdtemp(prefix='rl_monitor_bench_'))
    port = _free_port()
    train = NodeProcess.python_module(
        'train', 'rl_bringup.cli',
        ['train', '--num-envs', str(num_envs), '--run-dir', str(logs / 'run'),
         '--total-steps', '100000000', '--success-target', '0', '--overrides', '{eval_freq: 0}',
         '--monitor-port', str(port)], logs).start()
    rclpy.init()
    progress = Progress()
    rates: dict[str, list[float]] = {'closed': [], 'open': []}
    client = ''
    try:
        train.wait_for_output('monitor at http://', timeout=120)
        while progress.latest is None or progress.latest.num_timesteps == 0:
            assert train.poll() is None, train.output()[-3000:]
            time.sleep(0.2)
        time.sleep(WARM_UP_S)
        for phase in PHASES:
            if phase == 'closed':
                rates[phase].append(_window(progress, seconds))
                continue
            with page_open(f'http://127.0.0.1:{port}/') as client:
                rates[phase].append(_window(progress, seconds))
    finally:
        progress.close()
        rclpy.try_shutdown()
        train.stop(grace=120.0)
    closed, opened = (sum(rates[k]) / len(rates[k]) for k in ('closed', 'open'))
    return {'num_envs': num_envs, 'client': client, 'window_s': seconds,
            'closed_steps_per_s': closed, 'open_steps_per_s': opened,
            'open_to_closed': opened / closed,
            'windows_closed': [round(r, 1) for r in rates['closed']],
            'windows_open': [round(r, 1) for r in rates['open']]}


def main(args: list[str] | None = None) -> int:
    """Measure, print the table, write bench/results/monitor_bench.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seconds', type=float, default=30.0,
                        help='length of each window, page closed or open (default 30)')
    parser.add_argument('--num-envs', type=int, default=4, help='envs of the run (default 4)')
    parser.add_argument('--out', type=Path, default=RESULTS / 'monitor_bench.json',
                        help='JSON file to write')
    options = parser.parse_args(args)
    with private_domain():
        results = {'rl_train': measure(options.seconds, options.num_envs)}
    print_table('Training steps/s with the monitor page closed and open (one run)', results)
    write_report('monitor_bench', sys.argv[1:] if args is None else args, results, options.out)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
