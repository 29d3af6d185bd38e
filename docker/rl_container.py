"""What each container runs: which env namespaces a simulator serves, and its command.

Every image ends its entry point here (after ``docker/entrypoint.sh`` sourced
the ROS workspace), and each subcommand ends by ``exec``-ing one process, so
signals reach the node itself (for ``train``, rl's launcher, which stops the
agent first so that it saves a checkpoint):

==========  ==========================================================  =======
subcommand  process                                                     image
==========  ==========================================================  =======
namespace   prints the env namespaces this container would serve        any
env         env node with MuJoCo in process (``simulator: inprocess``),  mujoco
            or an ``env_group`` of several, served in batches
webots      Webots headless + env node on its ``sim/`` services          webots
train       ``rl train --envs env_0,...``: recorder and agent            trainer
discovery   Fast DDS discovery server                                   trainer
==========  ==========================================================  =======

A simulator container (compose replica, StatefulSet pod) serves K =
``RL_ENVS_PER_CONTAINER`` envs (default 1) of the N = ``RL_NUM_ENVS`` the
trainer steps: container i of ceil(N / K) serves env_{iK} .. env_{min(N, iK+K)-1}
(the last one may hold fewer). With K > 1 they run as one ``env_group``
process, which the agent steps with one round trip for all of them; Webots
runs one simulator per env, so ``webots`` refuses K > 1. The container finds
what it serves, first match wins:

1. ``RL_NAMESPACE``: one namespace given outright (one container by hand),
   whatever K;
2. ``RL_ENV_INDEX``: i given outright (Kubernetes puts the StatefulSet pod
   ordinal here from the ``apps.kubernetes.io/pod-index`` label);
3. ``RL_INDEX_FROM_HOSTNAME=1``: the trailing ``-<i>`` of the host name
   (a StatefulSet pod is named ``<statefulset>-<i>``; clusters older than
   Kubernetes 1.28 lack the label);
4. ``RL_CLAIM_DIR``: docker compose gives replicas no index, so each one
   takes the lowest i in [0, ceil(N / K)) whose lock file in this shared
   volume it can ``flock``, and keeps the lock open through ``exec`` for the
   life of the node: a replica that dies frees its i for its restart.

A container whose i falls outside that range refuses to start. The trainer
runs ``rl train --envs env_0,...,env_{N-1}``: a local ``rl train``'s graph
without its env nodes, so the agent and the recorder get exactly the
parameters ``rl train`` gives them, as each env node gets its own (seed
``RL_SEED + k`` for env_k). Plain Python, standard library only: the Webots
image runs it on the distribution's Python, the others on the venv's.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import math
import os
import re
import socket
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Where the images hold the repository (Dockerfiles ``WORKDIR``).
ROOT = Path('/opt/rl')
#: The launch file of the Webots image: Webots, its driver and the env node.
WEBOTS_LAUNCH = ROOT / 'docker' / 'launch' / 'webots_env.launch.py'
#: UDP port of the Fast DDS discovery server (its default).
DISCOVERY_PORT = 11811
#: The subcommands, as in the table above.
SUBCOMMANDS = ('namespace', 'env', 'webots', 'train', 'discovery')
#: Every env node's name; its namespace tells the envs apart.
ENV_NODE = 'rl_env'
_TRUE = ('1', 'true', 'yes', 'on')


class ContainerError(Exception):
    """A setting that makes the container unable to start; the message says which."""


@dataclass(frozen=True)
class Settings:
    """The container's ``RL_*`` environment, read once.

    :param num_envs: env namespaces the trainer steps, env_0 .. env_{num_envs-1}.
    :param envs_per_container: envs one simulator container serves (K); the last
        container may serve fewer.
    :param namespace: the one namespace given outright ('' if none).
    :param container_index: this container's index i given outright (``RL_ENV_INDEX``;
        None if none).
    :param index_from_hostname: take i from the host name's ``-<i>`` suffix.
    :param claim_dir: shared folder of lock files for claiming i ('' if none).
    :param task: registered task name.
    :param task_options: task options as a JSON object string, '' for defaults.
    :param seed: agent seed, None for the config's; env k's first seed is ``seed + k``
        (``k`` when None), as in ``rl train``.
    :param algo: ppo, sac, td3, a2c or ddpg.
    :param total_steps: training budget in env steps, 0 for the config's.
    :param success_target: stop at this held-out success rate, 0 for the whole budget.
    :param record: episode recording policy: every:K, failures, all or none.
    :param runs: folder of run directories (a volume).
    :param run_name: this run's folder under ``runs``; it resumes when it holds a run.
    :param dns_timeout: seconds to wait for the discovery server's name to resolve.
    """

    num_envs: int = 4
    envs_per_container: int = 1
    namespace: str = ''
    container_index: int | None = None
    index_from_hostname: bool = False
    claim_dir: str = ''
    task: str = 'goal_reaching'
    task_options: str = ''
    seed: int | None = None
    algo: str = 'ppo'
    total_steps: int = 0
    success_target: float = 0.9
    record: str = 'every:10'
    runs: str = '/runs'
    run_name: str = ''
    dns_timeout: float = 120.0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Settings from ``RL_*`` variables; empty ones count as unset.

        :raises ContainerError: naming the variable and its bad value.
        """
        def get(name: str) -> str | None:
            value = environ.get(f'RL_{name}', '').strip()
            return value or None

        def number(name: str, kind: type, default: float | None) -> float | None:
            text = get(name)
            if text is None:
                return default
            try:
                return kind(text)
            except ValueError:
                what = 'an integer' if kind is int else 'a number'
                raise ContainerError(f'RL_{name} must be {what}, got {text!r}') from None

        defaults = cls()
        settings = cls(
            num_envs=number('NUM_ENVS', int, defaults.num_envs),
            envs_per_container=number('ENVS_PER_CONTAINER', int, defaults.envs_per_container),
            namespace=(get('NAMESPACE') or '').strip('/'),
            container_index=number('ENV_INDEX', int, None),
            index_from_hostname=(get('INDEX_FROM_HOSTNAME') or '').lower() in _TRUE,
            claim_dir=get('CLAIM_DIR') or '',
            task=get('TASK') or defaults.task,
            task_options=get('TASK_OPTIONS') or '',
            seed=number('SEED', int, None),
            algo=get('ALGO') or defaults.algo,
            total_steps=number('TOTAL_STEPS', int, 0),
            success_target=number('SUCCESS_TARGET', float, defaults.success_target),
            record=get('RECORD') or defaults.record,
            runs=get('RUNS') or defaults.runs,
            run_name=get('RUN_NAME') or '',
            dns_timeout=number('DNS_TIMEOUT', float, defaults.dns_timeout),
        )
        for name, value in (('NUM_ENVS', settings.num_envs),
                            ('ENVS_PER_CONTAINER', settings.envs_per_container)):
            if value < 1:
                raise ContainerError(f'RL_{name} must be >= 1, got {value}')
        if settings.seed is not None and settings.seed < 0:
            settings = dataclasses.replace(settings, seed=None)
        return settings

    @property
    def namespaces(self) -> list[str]:
        """The namespaces the trainer steps: env_0 .. env_{num_envs-1}."""
        return [f'env_{k}' for k in range(self.num_envs)]

    @property
    def num_containers(self) -> int:
        """Simulator containers that serve all envs: ceil(num_envs / envs_per_container)."""
        return math.ceil(self.num_envs / self.envs_per_container)

    @property
    def run_dir(self) -> Path:
        """This run's directory: ``runs/run_name``, by default ``<task>_<algo>``."""
        return Path(self.runs) / (self.run_name or f'{self.task}_{self.algo}')


def index_from_hostname(hostname: str) -> int:
    """i from a StatefulSet pod's host name ``<name>-<i>``.

    :raises ContainerError: when the name does not end in ``-<digits>``.
    """
    match = re.search(r'-(\d+)$', hostname)
    if match is None:
        raise ContainerError(f'RL_INDEX_FROM_HOSTNAME is set, but the host name {hostname!r} '
                             "does not end in '-<i>' as a StatefulSet pod's does")
    return int(match.group(1))


def claim_index(claim_dir: Path, count: int) -> tuple[int, int]:
    """Lock the lowest free ``container_<i>.lock`` in ``claim_dir``; (i, open descriptor).

    The descriptor is inheritable: kept open through ``exec``, it holds the
    lock for as long as the node (or any child) lives. ``flock`` locks are
    shared by every container that mounts the same volume on one kernel.

    :raises ContainerError: when all ``count`` indices are taken.
    """
    claim_dir.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        fd = os.open(claim_dir / f'container_{i}.lock', os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        os.set_inheritable(fd, True)
        return i, fd
    raise ContainerError(f'all {count} container indices in {claim_dir} are taken: more '
                         'simulator replicas than RL_NUM_ENVS / RL_ENVS_PER_CONTAINER '
                         f'(rounded up) = {count}; run that many (the trainer steps '
                         'RL_NUM_ENVS envs)')


def container_namespaces(settings: Settings, index: int) -> list[str]:
    """The namespaces container ``index`` serves: env_{iK} .. env_{min(N, iK+K)-1}.

    :raises ContainerError: when ``index`` is outside [0, ceil(N / K)).
    """
    count, per = settings.num_containers, settings.envs_per_container
    if not 0 <= index < count:
        raise ContainerError(
            f'container index {index} (RL_ENV_INDEX, host name or claim) is outside '
            f'0..{count - 1}: RL_NUM_ENVS={settings.num_envs} envs at '
            f'RL_ENVS_PER_CONTAINER={per} make {count} simulator containers; run '
            f'{count} replicas, or raise RL_NUM_ENVS')
    return settings.namespaces[index * per:(index + 1) * per]


def resolve_namespaces(settings: Settings, hostname: str) -> tuple[list[str], int | None]:
    """This container's namespaces, and the claim lock's descriptor if it claimed one.

    :raises ContainerError: when no rule applies or i is outside [0, ceil(N / K)).
    """
    if settings.namespace:
        return [settings.namespace], None
    fd = None
    if settings.container_index is not None:
        index = settings.container_index
    elif settings.index_from_hostname:
        index = index_from_hostname(hostname)
    elif settings.claim_dir:
        index, fd = claim_index(Path(settings.claim_dir), settings.num_containers)
    else:
        raise ContainerError('no env namespace: set RL_NAMESPACE, RL_ENV_INDEX, '
                             'RL_INDEX_FROM_HOSTNAME=1 (StatefulSet) or RL_CLAIM_DIR '
                             '(a volume shared by the replicas)')
    return container_namespaces(settings, index), fd


def env_index_of(namespace: str) -> int:
    """k of ``env_k``; 0 for any other namespace."""
    match = re.fullmatch(r'env_(\d+)', namespace)
    return int(match.group(1)) if match else 0


def env_parameters(settings: Settings, namespace: str, simulator: str) -> dict[str, object]:
    """The env node's parameters, as ``rl_bringup.graph`` gives env k in ``rl train``."""
    base = settings.seed if settings.seed is not None else 0
    return {'task': settings.task, 'task_options': settings.task_options,
            'seed': base + env_index_of(namespace), 'mode': 'sim', 'simulator': simulator}


def train_command(settings: Settings) -> list[str]:
    """``rl train`` on the replicas' env nodes: recorder and agent under one launcher.

    A run directory that holds a run already (``config.yaml``) is resumed, so
    a restarted trainer container or Job pod continues where it stopped. The
    agent's progress goes to the log as lines (no terminal, so no progress bar).
    """
    run_dir = settings.run_dir
    resume = (run_dir / 'config.yaml').is_file()
    command = [sys.executable, '-m', 'rl_bringup.cli', 'train',
               '--envs', ','.join(settings.namespaces), '--algo', settings.algo,
               '--task', settings.task, '--total-steps', str(settings.total_steps),
               '--success-target', str(settings.success_target), '--record', settings.record,
               '--resume' if resume else '--run-dir', str(run_dir)]
    if settings.seed is not None:
        command += ['--seed', str(settings.seed)]
    return command


def finished_run(settings: Settings) -> str | None:
    """Why the run directory needs no training, or None when it does.

    A run that ended complete (or at its success target) with no larger budget
    asked for is done: resuming it would train nothing, so a trainer started
    again on it (compose ``up`` once more, a re-applied Job) ends at once.
    """
    summary_path = settings.run_dir / 'summary.json'
    try:
        summary = json.loads(summary_path.read_text())
    except (OSError, ValueError):
        return None
    if summary.get('outcome') not in ('completed', 'target_reached'):
        return None
    steps = int(summary.get('steps', 0))
    if settings.total_steps and settings.total_steps > steps:
        return None
    return (f"run {settings.run_dir} ended already ({summary['outcome']} at step {steps}); "
            'set RL_RUN_NAME for a new run, or RL_TOTAL_STEPS above that to continue it')


def env_node_name(namespace: str) -> str:
    """An env node's fully qualified name, the key of its parameters in a params file."""
    return f'/{namespace}/{ENV_NODE}' if namespace else f'/{ENV_NODE}'


def env_params_document(settings: Settings,
                        namespaces: Sequence[str]) -> dict[str, dict[str, dict[str, object]]]:
    """A ROS params file's content for these env nodes (MuJoCo in process), keyed per node.

    Keyed per node, one file serves a single env node and an ``env_group``
    alike: each node of a group reads only its own entry, seed included.
    """
    return {env_node_name(namespace):
            {'ros__parameters': env_parameters(settings, namespace, 'inprocess')}
            for namespace in namespaces}


def write_params(document: Mapping[str, object]) -> Path:
    """Write a params file's content (JSON is YAML, so no YAML library is needed)."""
    handle, name = tempfile.mkstemp(prefix=f'{ENV_NODE}_', suffix='.yaml')
    with os.fdopen(handle, 'w') as stream:
        json.dump(document, stream, indent=2)
    return Path(name)


def node_command(module: str, node: str, namespace: str, params: Path) -> list[str]:
    """``python -m module --ros-args ...``, the way the launcher starts a node."""
    command = [sys.executable, '-m', module, '--ros-args', '-r', f'__node:={node}']
    if namespace:
        command += ['-r', f'__ns:=/{namespace}']
    return [*command, '--params-file', str(params)]


def env_command(namespaces: Sequence[str], params: Path) -> list[str]:
    """One env node, or an ``env_group`` holding several, as the launcher starts them.

    A group gets no ``__node``/``__ns`` remapping, which would rename all its
    nodes alike: its namespaces come as arguments, its parameters per node.
    """
    if len(namespaces) == 1:
        return node_command('rl_env_node.env_node', ENV_NODE, namespaces[0], params)
    return [sys.executable, '-m', 'rl_env_node.env_group', *namespaces,
            '--ros-args', '--params-file', str(params)]


def webots_command(settings: Settings, namespace: str) -> list[str]:
    """Webots, its driver and the env node (on ``sim/`` services), via the image's launch file.

    Headless: the image sets ``WEBOTS_OFFSCREEN``, on which webots_ros2's
    ``WebotsLauncher`` starts Webots under ``xvfb-run`` (it needs an X display
    even without rendering); ``ros2 launch`` itself stays the container's main
    process and stops Webots and the nodes on SIGTERM.

    :raises ContainerError: for ``RL_ENVS_PER_CONTAINER`` > 1: one Webots serves one env.
    """
    if settings.envs_per_container > 1:
        raise ContainerError(f'RL_ENVS_PER_CONTAINER={settings.envs_per_container}, but a '
                             'Webots container serves one env (one Webots per env, stepped '
                             'over sim/); set it to 1 and run RL_NUM_ENVS replicas')
    parameters = env_parameters(settings, namespace, 'service')
    return ['ros2', 'launch', str(WEBOTS_LAUNCH), f'namespace:={namespace}',
            f"task:={parameters['task']}", f"task_options:={parameters['task_options']}",
            f"seed:={parameters['seed']}"]


def discovery_command(port: int) -> list[str]:
    """The Fast DDS discovery server on all interfaces.

    ``fast-discovery-server`` is the binary behind ``fastdds discovery``; that
    Python front end needs psutil, which the lock does not hold, and passes
    42 (its 'server' verb) before the options, as here.
    """
    return ['fast-discovery-server', '42', '-p', str(port)]


def discovery_hosts(value: str) -> list[str]:
    """Host names in a ``ROS_DISCOVERY_SERVER`` value (``host:port;host:port``)."""
    hosts = []
    for entry in (part.strip() for part in value.split(';')):
        if entry.startswith('['):  # [IPv6]:port
            hosts.append(entry[1:entry.find(']')])
        elif entry.count(':') == 1:  # host:port
            hosts.append(entry.split(':')[0])
        elif entry:  # a bare host, or an IPv6 address without port
            hosts.append(entry)
    return hosts


def wait_for_names(hosts: Sequence[str], timeout: float) -> None:
    """Wait until every host name resolves: Fast DDS resolves them once, at start.

    :raises ContainerError: when one still does not resolve after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    for host in hosts:
        while True:
            try:
                socket.getaddrinfo(host, None)
                break
            except OSError as error:
                if time.monotonic() > deadline:
                    raise ContainerError(f'ROS_DISCOVERY_SERVER names {host!r}, which does not '
                                         f'resolve after {timeout:g} s: {error}') from None
                time.sleep(1.0)


def _exec(command: list[str]) -> None:
    sys.stderr.write(f"rl-container: exec {' '.join(command)}\n")
    sys.stderr.flush()
    os.execvp(command[0], command)


def run(argv: Sequence[str], environ: Mapping[str, str]) -> None:
    """Resolve and exec the subcommand's process.

    Returns only for ``namespace`` and for a ``train`` whose run has ended already.
    """
    if len(argv) != 1 or argv[0] not in SUBCOMMANDS:
        raise ContainerError(f"usage: rl_container.py {'|'.join(SUBCOMMANDS)}; "
                             f'got {list(argv)}')
    command = argv[0]
    if command == 'discovery':
        port = int(environ.get('RL_DISCOVERY_PORT') or DISCOVERY_PORT)
        os.environ.pop('ROS_DISCOVERY_SERVER', None)  # the server is no client of itself
        _exec(discovery_command(port))
        return
    settings = Settings.from_environ(environ)
    wait_for_names(discovery_hosts(environ.get('ROS_DISCOVERY_SERVER', '')),
                   settings.dns_timeout)
    if command == 'train':
        done = finished_run(settings)
        if done is not None:
            sys.stderr.write(f'rl-container: {done}\n')
            return
        _exec(train_command(settings))
        return
    namespaces, _lock = resolve_namespaces(settings, socket.gethostname())
    if command == 'namespace':
        sys.stdout.write(','.join(namespaces) + '\n')
    elif command == 'env':
        params = write_params(env_params_document(settings, namespaces))
        _exec(env_command(namespaces, params))
    else:  # one namespace: webots_command refuses K > 1
        _exec(webots_command(settings, namespaces[0]))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; 2 with a message on stderr for a setting that cannot work."""
    try:
        run(sys.argv[1:] if argv is None else argv, os.environ)
    except ContainerError as error:
        sys.stderr.write(f'rl-container: {error}\n')
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
