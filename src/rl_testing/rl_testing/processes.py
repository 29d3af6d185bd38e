"""Real node processes for tests: started, logged, and always stopped.

Tests talk to nodes over DDS, so each node runs as its own operating-system
process, exactly as a user starts it. The output goes to a log file that a
failing test prints, because a silent dead node is the hardest failure to read.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path


class NodeProcess:
    """One node (or any command) running in its own process group.

    :param name: label for the log file and error messages.
    :param command: argv; ``python -m module`` style keeps it free of install paths.
    :param log_dir: where ``<name>.log`` is written.
    :param env: extra environment variables on top of this process's.
    :param cwd: the working directory; this process's when None.
    """

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        log_dir: Path,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.cwd = cwd
        self.log_path = log_dir / f'{name}.log'
        self._env = {**os.environ, **(env or {})}
        self._proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def python_module(
        cls, name: str, module: str, args: Sequence[str], log_dir: Path,
        env: dict[str, str] | None = None,
    ) -> NodeProcess:
        """A node started as ``python -m module args`` with this interpreter."""
        return cls(name, [sys.executable, '-m', module, *args], log_dir, env)

    def start(self) -> NodeProcess:
        """Start the process in a process group of its own; output goes to :attr:`log_path`.

        SIGINT is set back to its default in the child: a process started in
        the background of a non-interactive shell (as colcon may run pytest)
        inherits it ignored, and then no Ctrl-C would ever reach the node.
        """
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, 'wb')  # noqa: SIM115 - owned by the child
        self._proc = subprocess.Popen(
            self.command, stdout=log, stderr=subprocess.STDOUT, env=self._env, cwd=self.cwd,
            start_new_session=True, preexec_fn=_default_sigint,
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        """Process id of the running process."""
        if self._proc is None:
            raise RuntimeError(f'{self.name} was never started')
        return self._proc.pid

    def poll(self) -> int | None:
        """Exit code, or None while running."""
        return None if self._proc is None else self._proc.poll()

    def send_signal(self, signum: int) -> None:
        """Signal the process (not its group), as Ctrl-C in a terminal would reach it."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signum)

    def interrupt_group(self) -> None:
        """SIGINT to the whole process group: what a terminal's Ctrl-C does."""
        if self._proc is not None and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGINT)

    def wait(self, timeout: float) -> int:
        """Wait for exit; raises ``subprocess.TimeoutExpired`` after ``timeout`` s."""
        if self._proc is None:
            raise RuntimeError(f'{self.name} was never started')
        return self._proc.wait(timeout)

    def stop(self, grace: float = 10.0) -> int | None:
        """SIGINT, then SIGKILL to the whole group after ``grace`` seconds.

        Whatever is left of the group afterwards (the children of a ``ros2
        launch`` that died) is killed too, so no test leaves a node behind.
        """
        if self._proc is None:
            return None
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGINT)
            try:
                self._proc.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait(grace)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signal.SIGKILL)
        return self._proc.returncode

    def output(self) -> str:
        """Everything the process printed so far."""
        if not self.log_path.exists():
            return ''
        return self.log_path.read_text(errors='replace')

    def wait_for_output(self, text: str, timeout: float) -> None:
        """Block until ``text`` appears in the output; fail with the log if it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(
            f'{self.name} did not print {text!r} within {timeout} s '
            f'(exit code {self.poll()}); its output:\n{self.output()}'
        )

    def __enter__(self) -> NodeProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def stop_all(processes: list[NodeProcess]) -> None:
    """Stop every process (last started first), then fail if any exited uncleanly.

    Stopping all before asserting keeps one bad exit from leaving the others running.
    """
    statuses = [(process.stop(), process) for process in reversed(processes)]
    unclean = [f'{p.name} exited with {status}:\n{p.output()}'
               for status, p in statuses if status not in (0, None)]
    if unclean:
        raise AssertionError('\n'.join(unclean))


@contextlib.contextmanager
def env_groups(logs: Path, groups: Sequence[Sequence[str]],
               max_episode_steps: int) -> Iterator[list[NodeProcess]]:
    """One ``env_group`` process per list of namespaces, each serving its batch, robot
    topics off and episodes of ``max_episode_steps``; all stopped on exit."""
    processes = [NodeProcess.python_module(
        f'group_{names[0]}', 'rl_env_node.env_group',
        [*names, '--ros-args', '-p', 'publish_robot_topics:=false',
         '-p', f'max_episode_steps:={max_episode_steps}'], logs).start()
        for names in groups]
    try:
        for process in processes:
            process.wait_for_output('batch ready', timeout=60)
        yield processes
    finally:
        stop_all(processes)


def domain_pids(pattern: str, domain: int) -> list[int]:
    """Processes whose command line matches ``pattern`` and that run on ROS domain ``domain``.

    Test sessions on one machine start processes of the same names; the
    ``ROS_DOMAIN_ID`` in their environment tells this session's apart.
    """
    found = subprocess.run(['pgrep', '-f', pattern], capture_output=True, text=True).stdout
    pids = []
    for pid in map(int, found.split()):
        try:
            environ = Path(f'/proc/{pid}/environ').read_bytes().split(b'\0')
        except OSError:
            continue
        if f'ROS_DOMAIN_ID={domain}'.encode() in environ:
            pids.append(pid)
    return pids
