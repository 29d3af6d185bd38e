"""Starts a node graph as separate processes where ``ros2 launch`` is absent.

The same :class:`~rl_bringup.graph.NodeSpec` list a launch file uses: each
node runs as ``python -m <module> --ros-args ...`` with its parameters in a
params file, its output prefixed with its label. Simulators, env nodes,
the recorder and the monitor that die are started again (with backoff, up to
a limit; past it the run fails, except for the monitor, which is then left
down: a page is not worth a training run); the agent's exit ends the run,
and the launcher exits with the agent's status. SIGINT or SIGTERM stops
everything: the agent first (so it can save a checkpoint), then the rest,
escalating to SIGKILL for a process that does not stop.
A graph that includes another package's launch file (Webots) is refused
before anything starts: only ``ros2 launch`` can run those.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from rl_bringup.graph import GraphEntry, LaunchInclude, NodeSpec, params_document
from rl_ros.respawn import RESPAWN_DELAY

_log = logging.getLogger('rl.launcher')

#: Roles the run goes on without, once they keep dying.
_OPTIONAL_ROLES = ('monitor',)


class LaunchError(Exception):
    """A graph this launcher cannot start; the message says what to run instead."""


def node_specs(graph: Sequence[GraphEntry],
               launch_file: str = 'train.launch.py') -> list[NodeSpec]:
    """The graph's nodes, when the launcher can start all of it.

    :param graph: the entries of :func:`~rl_bringup.graph.bringup_graph`.
    :param launch_file: the rl_bringup launch file that runs this graph, for the advice.
    :raises LaunchError: when the graph includes a launch file (Webots' bring-up).
    """
    includes = [entry for entry in graph if isinstance(entry, LaunchInclude)]
    if includes:
        raise LaunchError(
            f"sim 'webots' cannot start here ({includes[0].package}/{includes[0].launch_file} "
            f'needs ros2 launch): Webots runs through `ros2 launch rl_bringup {launch_file} '
            'sim:=webots` on a machine with Webots and webots_ros2; here use --sim mujoco or '
            'mujoco_separate')
    return [entry for entry in graph if isinstance(entry, NodeSpec)]


@dataclass(frozen=True)
class RespawnPolicy:
    """How often and how fast dead nodes marked respawn come back.

    A node that ran ``stable_after`` seconds before it died starts the count
    again: over days of training, crashes hours apart are not a crash loop.

    :param max_respawns: restarts in a row (each after less than ``stable_after``
        seconds of running) before the launcher gives up.
    :param first_delay: seconds before the first and second restarts (``ros2 launch``'s
        respawn delay too); doubled from then on.
    :param max_delay: cap on the delay, seconds.
    :param stable_after: seconds of running after which a death counts as the first.
    """

    max_respawns: int = 5
    first_delay: float = RESPAWN_DELAY
    max_delay: float = 30.0
    stable_after: float = 60.0

    def delay(self, restarts: int) -> float:
        """Backoff before restart number ``restarts + 1``, seconds.

        The first two restarts come after ``first_delay``, since every env of a
        training waits for the one that died; from the third on (a crash loop,
        not an accident) the delay doubles.
        """
        return min(self.max_delay, self.first_delay * 2.0 ** max(0, restarts - 1))


def write_params_file(specs: Sequence[NodeSpec], path: Path) -> Path:
    """One ROS params file for all nodes, keyed by fully qualified node name."""
    content = params_document(specs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(content, sort_keys=False))
    return path


def node_command(spec: NodeSpec, params_file: Path) -> list[str]:
    """``python -m module [arguments] --ros-args ...`` for a node spec."""
    args = [sys.executable, '-m', spec.module, *spec.arguments, '--ros-args']
    if not spec.holds_several:   # several nodes keep their own names and namespaces
        args += ['-r', f'__node:={spec.name}']
        if spec.namespace:
            args += ['-r', f'__ns:=/{spec.namespace}']
    if spec.parameter_sets():
        args += ['--params-file', str(params_file)]
    for source, target in spec.remappings:
        args += ['-r', f'{source}:={target}']
    return args


class ManagedProcess:
    """One node process: started, its output relayed with a prefix, restarted on death."""

    def __init__(self, spec: NodeSpec, command: list[str]) -> None:
        self.spec = spec
        self.command = command
        self.restarts = 0
        self.restart_at: float | None = None
        self.started_at = 0.0
        self._proc: subprocess.Popen[bytes] | None = None
        self._interrupted = False

    def start(self) -> None:
        """Start (or restart) in a session of its own, so a terminal's Ctrl-C reaches only us.

        The agent writes straight to the terminal, so its progress bar can draw;
        every other node's lines are relayed with the node's label in front.
        """
        relayed = self.spec.role != 'agent'
        pipe = subprocess.PIPE if relayed else None
        self._proc = subprocess.Popen(self.command, stdout=pipe,
                                      stderr=subprocess.STDOUT if relayed else None,
                                      start_new_session=True)
        if relayed:
            threading.Thread(target=self._relay, args=(self._proc,), daemon=True).start()
        self.restart_at = None
        self.started_at = time.monotonic()
        self._interrupted = False

    def _relay(self, proc: subprocess.Popen[bytes]) -> None:
        prefix = f'[{self.spec.label}] '
        for line in proc.stdout:
            sys.stdout.write(prefix + line.decode(errors='replace'))
            sys.stdout.flush()

    @property
    def pid(self) -> int | None:
        """Process id of the current incarnation."""
        return None if self._proc is None else self._proc.pid

    def poll(self) -> int | None:
        """Exit status, or None while running (or before the first start)."""
        return None if self._proc is None else self._proc.poll()

    def interrupt(self) -> None:
        """SIGINT, without waiting: :meth:`stop` then waits for the exit."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGINT)
            self._interrupted = True

    def stop(self) -> int | None:
        """SIGINT (unless :meth:`interrupt` sent it), then SIGTERM, then SIGKILL to the group.

        Each signal gets the node's ``stop_timeout`` seconds, as under ``ros2 launch``.
        """
        if self._proc is None:
            return None
        for signum in (signal.SIGINT, signal.SIGTERM):
            if self._proc.poll() is not None:
                break
            if signum is not signal.SIGINT or not self._interrupted:
                self._proc.send_signal(signum)
            try:
                self._proc.wait(self.spec.stop_timeout)
            except subprocess.TimeoutExpired:
                _log.warning('%s did not stop on %s', self.spec.label, signum.name)
        if self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()
        _kill_group_leftovers(self._proc.pid)
        return self._proc.returncode


def _kill_group_leftovers(pgid: int) -> None:
    """A node's own children (if any) must not outlive it."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return


class Launcher:
    """Runs a graph until the agent ends, a node keeps dying, or a signal arrives.

    :param graph: the graph.
    :param work_dir: where the params file goes.
    :param respawn: the respawn policy for the nodes marked respawn.
    :raises LaunchError: for a graph that needs ``ros2 launch`` (see :func:`node_specs`).
    """

    def __init__(self, graph: Sequence[GraphEntry], work_dir: Path,
                 respawn: RespawnPolicy | None = None) -> None:
        specs = node_specs(graph)
        params = write_params_file(specs, work_dir / 'launch_params.yaml')
        self._processes = [ManagedProcess(spec, node_command(spec, params)) for spec in specs]
        self._respawn = respawn or RespawnPolicy()
        self._stop = threading.Event()
        self._abandoned: set[int] = set()

    @property
    def processes(self) -> list[ManagedProcess]:
        """The managed processes, in start order."""
        return list(self._processes)

    def request_stop(self, *_: object) -> None:
        """Ask the run loop to stop everything (the SIGINT/SIGTERM handler)."""
        self._stop.set()

    def run(self) -> int:
        """Start all, supervise, stop all; the agent's exit status (0 without an agent)."""
        previous = {sig: signal.signal(sig, self.request_stop)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for process in self._processes:
                _log.info('starting %s: %s', process.spec.label, ' '.join(process.command))
                process.start()
            status = self._supervise()
        finally:
            statuses = self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        agent = statuses.get('agent')
        return status if status is not None else (agent if agent is not None else 0)

    def _supervise(self) -> int | None:
        while not self._stop.wait(0.2):
            for k, process in enumerate(self._processes):
                status = process.poll()
                if (status is None and process.restart_at is None) or k in self._abandoned:
                    continue
                if process.spec.role == 'agent':
                    _log.info('agent exited with status %s', status)
                    return status
                if process.spec.respawn:
                    if self._respawn_if_due(process, status):
                        continue
                    if process.spec.role not in _OPTIONAL_ROLES:
                        return 1
                    self._abandoned.add(k)
                    if len(self._abandoned) == len(self._processes):
                        return 1
                    _log.error('%s stays down; the run goes on without it', process.spec.label)
                elif process.restart_at is None and status is not None:
                    _log.error('%s exited with status %s', process.spec.label, status)
                    return 1
        return None

    def _respawn_if_due(self, process: ManagedProcess, status: int | None) -> bool:
        if process.restart_at is None:
            if time.monotonic() - process.started_at >= self._respawn.stable_after:
                process.restarts = 0
            if process.restarts >= self._respawn.max_respawns:
                _log.error('%s died %d times; giving up', process.spec.label, process.restarts + 1)
                return False
            delay = self._respawn.delay(process.restarts)
            _log.warning('%s exited with status %s; restarting in %.1f s',
                         process.spec.label, status, delay)
            process.restart_at = time.monotonic() + delay
        elif time.monotonic() >= process.restart_at:
            process.restarts += 1
            process.start()
        return True

    def _stop_all(self) -> dict[str, int | None]:
        """The agent first (it may still save a checkpoint over the envs), then the rest at once.

        Each node takes about 0.3 s to shut down; one after another they took a second.
        """
        _log.info('stopping %d node(s)', len(self._processes))
        statuses: dict[str, int | None] = {}
        others = []
        for process in self._processes:
            if process.spec.role == 'agent':
                statuses['agent'] = process.stop()
            else:
                others.append(process)
        for process in others:
            process.interrupt()
        for process in others:
            statuses[process.spec.role] = process.stop()
        return statuses
