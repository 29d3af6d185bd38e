"""The node graph of every bring-up, described once in plain Python.

Launch files (``ros2 launch rl_bringup train.launch.py``) and the launcher
(``./rl train`` where ``ros2 launch`` is absent) both build their processes
from these descriptions, so the two cannot drift apart: which nodes, from
which package and executable, in which namespace, with which parameters,
remappings and respawn policy. A bring-up that another package owns as a
launch file (Webots, through robotino_webots) is a :class:`LaunchInclude`:
plain data here, an ``IncludeLaunchDescription`` in the launch files, and a
graph the launcher refuses (it has no ``ros2 launch`` to run it with).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from rl_agent_node.knobs import knob
from rl_ros.contract import CLOCK

Simulator = Literal['mujoco', 'mujoco_separate', 'webots']
Role = Literal['simulator', 'env', 'agent', 'recorder', 'monitor']

#: The simulators a graph can put behind its env nodes, and what each is.
SIMULATORS: dict[str, str] = {
    'mujoco': 'MuJoCo inside each env node (fastest)',
    'mujoco_separate': 'a MuJoCo sim node beside each env node, stepped over sim/',
    'webots': 'a Webots per env (robotino_webots), stepped over sim/; ros2 launch only',
}

#: Seconds a node gets to stop after SIGINT, before SIGTERM (launch's default is 5).
STOP_TIMEOUT = 10.0
#: Seconds the agent gets: a checkpoint (an off-policy replay buffer) may take a while.
AGENT_STOP_TIMEOUT = 120.0
#: TCP port of env_0's Webots; env k's listens on ``WEBOTS_PORT + k`` (one per instance).
WEBOTS_PORT = 1234
#: Seconds an env node waits for Webots' ``sim/`` services: Webots takes long to start.
WEBOTS_DISCOVERY_TIMEOUT = 120.0

_NAMESPACE = re.compile(r'[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_]*)*')


@dataclass(frozen=True)
class NodeSpec:
    """One node process.

    :param role: what it is for; the launcher respawns simulators, env nodes, the
        recorder and the monitor, and exits with the agent's status.
    :param package: the ROS package holding the executable.
    :param executable: console script installed under ``lib/<package>``.
    :param module: the same entry as ``python -m module`` (the launcher's way).
    :param name: node name.
    :param namespace: '' for the root namespace, else e.g. 'env_0'.
    :param parameters: ROS parameters.
    :param remappings: (from, to) topic or service remappings.
    :param respawn: start it again when it dies.
    :param stop_timeout: seconds it gets to stop after SIGINT before SIGTERM.
    :param arguments: command-line arguments before ``--ros-args`` (an env group's namespaces).
    :param node_parameters: for a process holding several nodes (an env group), each
        node's parameters keyed by its fully qualified name. Such a process is not
        given ``name`` and ``namespace`` as remappings, which would rename all its
        nodes alike; ``parameters`` then stays empty.
    """

    role: Role
    package: str
    executable: str
    module: str
    name: str
    namespace: str = ''
    parameters: dict[str, Any] = field(default_factory=dict)
    remappings: tuple[tuple[str, str], ...] = ()
    respawn: bool = False
    stop_timeout: float = STOP_TIMEOUT
    arguments: tuple[str, ...] = ()
    node_parameters: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def holds_several(self) -> bool:
        """One process, several nodes: parameters per node, no name or namespace remapping."""
        return bool(self.node_parameters)

    @property
    def label(self) -> str:
        """Unique label for logs: ``env_0/rl_env``, a root name, ``env_group[env_0,env_1]``."""
        if self.holds_several:
            return f'{self.executable}[{",".join(self.arguments)}]'
        return f'{self.namespace}/{self.name}' if self.namespace else self.name

    @property
    def fully_qualified_name(self) -> str:
        """``/namespace/name``, the key of the node's parameters in a params file."""
        return f'/{self.namespace}/{self.name}' if self.namespace else f'/{self.name}'

    def parameter_sets(self) -> dict[str, dict[str, Any]]:
        """Each node's parameters by fully qualified name: the keys of a params file."""
        if self.holds_several:
            return dict(self.node_parameters)
        return {self.fully_qualified_name: self.parameters} if self.parameters else {}


@dataclass(frozen=True)
class LaunchInclude:
    """Another package's launch file, included with arguments (a bring-up it owns).

    Kept as data so this module needs no ``launch``: the launch files turn it
    into an ``IncludeLaunchDescription``; the launcher cannot run it.

    :param role: what it is for, as for a :class:`NodeSpec`.
    :param package: the ROS package whose ``share/<package>/launch`` holds the file.
    :param launch_file: file name in that folder, e.g. ``robotino_webots.launch.py``.
    :param arguments: (name, value) launch arguments, values as strings.
    :param namespace: the env namespace it serves ('' for the root one).
    """

    role: Role
    package: str
    launch_file: str
    arguments: tuple[tuple[str, str], ...] = ()
    namespace: str = ''


def params_document(specs: Iterable[NodeSpec]) -> dict[str, dict[str, dict[str, Any]]]:
    """A ROS params file's content for ``specs``, keyed by fully qualified node name."""
    return {name: {'ros__parameters': parameters} for spec in specs
            for name, parameters in spec.parameter_sets().items()}


#: One entry of a graph: a node, or a launch file included whole.
GraphEntry = NodeSpec | LaunchInclude


@dataclass(frozen=True)
class GraphOptions:
    """What a user chooses at bring-up (launch arguments or ``./rl`` flags).

    :param num_envs: environments to start; 1 uses the root namespace, N uses
        env_0..env_{N-1}. Not used with ``external_envs``.
    :param sim: the simulator behind each env node, a key of :data:`SIMULATORS`.
    :param task: registered task name.
    :param task_options: task options as a JSON object string, '' for defaults.
    :param seed: base seed; env k gets ``seed + k``.
    :param record: episode recording policy: 'none', 'all', 'failures' or 'every:K'.
    :param bag_dir: where the recorder writes bags.
    :param run_name: name of the run (bag sub-folder).
    :param agent: the agent node's parameters, or None for no agent (``rl sim``).
    :param headless: Webots without window and rendering (servers, containers, speed).
    :param external_envs: namespaces of env nodes running elsewhere (other containers,
        pods or hosts): the graph starts no simulator and no env node, only the
        recorder and the agent, on these namespaces.
    :param realism: MuJoCo's realism preset ('ideal' or 'realistic') in the env
        nodes (``sim`` mujoco) or the sim nodes (``mujoco_separate``).
    :param randomise: those simulators draw their realism anew at every reset.
    :param envs_per_process: with MuJoCo in process, envs that one ``env_group``
        process holds and serves in batches; 0 chooses from the machine's cores
        (:func:`auto_envs_per_process`), 1 starts one env node process per env.
    """

    num_envs: int = 1
    sim: Simulator = 'mujoco'
    task: str = 'goal_reaching'
    task_options: str = ''
    seed: int = 0
    record: str = 'none'
    bag_dir: str = 'bags'
    run_name: str = 'run'
    agent: dict[str, Any] | None = None
    headless: bool = False
    external_envs: tuple[str, ...] = ()
    realism: str = 'ideal'
    randomise: bool = False
    envs_per_process: int = 0

    def __post_init__(self) -> None:
        """Reject impossible graphs early, naming the bad value."""
        if self.num_envs < 1:
            raise ValueError(f'num_envs must be >= 1, got {self.num_envs}')
        if self.envs_per_process < 0:
            raise ValueError(f'envs_per_process must be >= 0 (0 chooses from the cores), '
                             f'got {self.envs_per_process}')
        if self.sim not in SIMULATORS:
            raise ValueError(f'sim must be one of {", ".join(SIMULATORS)}; got {self.sim!r}')
        for namespace in self.external_envs:
            if not _NAMESPACE.fullmatch(namespace):
                raise ValueError(f'external env namespace {namespace!r} is not a ROS namespace '
                                 "like env_0 or robot_1/env (no leading '/')")
        if len(set(self.external_envs)) != len(self.external_envs):
            raise ValueError(f'external env namespaces repeat: {",".join(self.external_envs)}')
        if self.external_envs and self.agent is None and self.record == 'none':
            raise ValueError('external envs without agent or recording: the graph would be empty')

    @property
    def namespaces(self) -> list[str]:
        """The env namespaces: external ones as given, else env_0..env_{N-1}, or the root one.

        A single env for interactive use sits in the root namespace, so a user
        types ``ros2 service call /reset``; an agent always names its envs.
        (A deployment's graph is :mod:`rl_bringup.deploy_graph`'s.)
        """
        if self.external_envs:
            return list(self.external_envs)
        if self.num_envs == 1 and self.agent is None:
            return ['']
        return [f'env_{k}' for k in range(self.num_envs)]


def usable_cores() -> int:
    """Cores this process may run on (its affinity, which a container's cpuset limits)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()


def auto_envs_per_process(num_envs: int, cores: int) -> int:
    """Envs per ``env_group`` process on a machine with ``cores`` cores.

    One core is the agent's (inference, gradient steps); the envs share the
    others, one batched process per core, since a process steps its envs one
    after another. On 2 cores that is one process for all envs. No more
    processes than that: agent and groups poll their batch socket before they
    sleep (:data:`rl_ros.batch_wire.POLL_FIRST`), which pays only while each
    has a core. Measured with ``bench/train_bench.py`` (PPO, 4 envs, each
    interleaved with PPO in process), one group of 4 made 0.71-0.98 of it
    over its socket and 0.62-0.81 over DDS, two groups of 2 0.75-0.92, four
    env node processes 0.52-0.58.
    """
    return math.ceil(num_envs / max(1, cores - 1))


def _simulator(options: GraphOptions, k: int, namespace: str) -> GraphEntry | None:
    """Env k's simulator when it runs apart from the env node; None when composed."""
    seed = options.seed + k
    if options.sim == 'mujoco':
        return None
    if options.sim == 'webots':
        return LaunchInclude('simulator', 'robotino_webots', 'robotino_webots.launch.py', (
            ('namespace', namespace), ('mode', 'pause'), ('seed', str(seed)),
            ('headless', str(options.headless).lower()), ('port', str(WEBOTS_PORT + k)),
            ('respawn', 'true')),
            namespace)
    return NodeSpec('simulator', 'robotino_mujoco', 'robotino_sim', 'robotino_mujoco.sim_node',
                    'robotino_sim', namespace,
                    {'seed': seed, 'mode': 'pause', **_realism(options)}, respawn=True)


def _realism(options: GraphOptions) -> dict[str, Any]:
    """The MuJoCo simulator's realism parameters, left out where they are the defaults."""
    if options.realism == 'ideal' and not options.randomise:
        return {}
    return {'realism': options.realism, 'randomise': options.randomise}


def _env_parameters(options: GraphOptions, k: int) -> dict[str, Any]:
    parameters = {'task': options.task, 'task_options': options.task_options,
                  'seed': options.seed + k, 'mode': 'sim',
                  'simulator': 'inprocess' if options.sim == 'mujoco' else 'service'}
    return {**parameters, **_realism(options)} if options.sim == 'mujoco' else parameters


def _env(options: GraphOptions, k: int, namespace: str) -> NodeSpec:
    """Env node k; on Webots it runs on Webots' clock and waits long for Webots to come up.

    MuJoCo sim nodes keep the env node on the wall clock: its stamps come from
    the robot state either way, and a /clock subscription would cost every step.
    """
    parameters = _env_parameters(options, k)
    remappings: tuple[tuple[str, str], ...] = ()
    if options.sim == 'webots':
        parameters |= {'discovery_timeout': WEBOTS_DISCOVERY_TIMEOUT, 'use_sim_time': True}
        if namespace:  # Webots publishes the clock in the robot's namespace
            remappings = (('/' + CLOCK.name, f'/{namespace}/{CLOCK.name}'),)
    return NodeSpec('env', 'rl_env_node', 'env_node', 'rl_env_node.env_node', 'rl_env',
                    namespace, parameters, remappings, respawn=True)


def _env_group(options: GraphOptions, first: int, namespaces: list[str]) -> NodeSpec:
    """One ``env_group`` process for envs ``first``.. in ``namespaces``, batched.

    Each env keeps its node name (``rl_env``), namespace and seed, as when alone.
    """
    node_parameters = {f'/{namespace}/rl_env': _env_parameters(options, first + k)
                       for k, namespace in enumerate(namespaces)}
    return NodeSpec('env', 'rl_env_node', 'env_group', 'rl_env_node.env_group', 'rl_env',
                    respawn=True, arguments=tuple(namespaces), node_parameters=node_parameters)


def grouped(options: GraphOptions) -> bool:
    """Whether the env nodes are started in batched groups: MuJoCo in process, named envs."""
    return (options.sim == 'mujoco' and not options.external_envs
            and options.namespaces != [''])


def env_nodes(options: GraphOptions) -> list[GraphEntry]:
    """Simulators (unless composed) and env nodes, one pair per namespace; none if external.

    With MuJoCo in process, the envs are held in groups instead
    (``envs_per_process``), each group one process serving them in batches.
    """
    if options.external_envs:
        return []
    namespaces = options.namespaces
    size = options.envs_per_process or auto_envs_per_process(len(namespaces), usable_cores())
    if grouped(options) and size > 1:
        return [_env_group(options, first, namespaces[first:first + size])
                for first in range(0, len(namespaces), size)]
    entries: list[GraphEntry] = []
    for k, namespace in enumerate(options.namespaces):
        simulator = _simulator(options, k, namespace)
        if simulator is not None:
            entries.append(simulator)
        entries.append(_env(options, k, namespace))
    return entries


def recorder_node(options: GraphOptions) -> NodeSpec:
    """The episode recorder for all envs of the graph.

    It respawns: a recorder that dies loses the episodes in flight, not the training.
    """
    return NodeSpec('recorder', 'rl_bringup', 'episode_recorder', 'rl_bringup.recorder_node',
                    'episode_recorder', '',
                    {'namespaces': options.namespaces, 'policy': options.record,
                     'bag_dir': options.bag_dir, 'run_name': options.run_name}, respawn=True)


def agent_node(options: GraphOptions) -> NodeSpec:
    """The agent, stepping every env of the graph."""
    namespaces = ','.join(options.namespaces)
    parameters = {'envs': namespaces, 'env': options.namespaces[0], **(options.agent or {})}
    return NodeSpec('agent', 'rl_agent_node', 'agent_node', 'rl_agent_node.agent_node',
                    'rl_agent', '', parameters, stop_timeout=AGENT_STOP_TIMEOUT)


def bringup_graph(options: GraphOptions) -> list[GraphEntry]:
    """Env nodes (with their simulators), the recorder when recording, the agent if any."""
    entries = env_nodes(options)
    if options.record != 'none':
        entries.append(recorder_node(options))
    if options.agent is not None:
        entries.append(agent_node(options))
    return entries


#: TCP port of the monitor's page.
MONITOR_PORT = 8080


@dataclass(frozen=True)
class MonitorKnobs:
    """The monitor's knobs of a bring-up: ``rl train --no-monitor``, ``monitor:=false``."""

    monitor: bool = knob(True, 'serve the live monitor page (progress curves, each env\'s top '
                               'view, the latest episodes with their bags); its URL is logged')
    monitor_port: int = knob(MONITOR_PORT, 'TCP port of the monitor page')

    def __post_init__(self) -> None:
        """Refuse a port that cannot be one, naming it."""
        if not 0 <= self.monitor_port <= 65535:
            raise ValueError(f'monitor_port must be 0..65535 (0 picks a free one), '
                             f'got {self.monitor_port}')


def monitor_node(namespaces: Iterable[str], port: int = MONITOR_PORT, bag_dir: str = '',
                 host: str = '0.0.0.0') -> NodeSpec:
    """The monitor for env ``namespaces`` ('' the root one; none discovers them).

    It respawns: a monitor that dies costs the pages a reconnect, never the
    training, and the launcher gives up on it alone after repeated deaths.

    :param bag_dir: the run's bag folder the page links episodes to; '' for none.
    """
    shown = ','.join(namespace or '/' for namespace in namespaces)
    return NodeSpec('monitor', 'rl_monitor', 'monitor_node', 'rl_monitor.monitor_node',
                    'rl_monitor', '', {'port': port, 'host': host, 'namespaces': shown,
                                       'bag_dir': bag_dir}, respawn=True)


def graph_namespaces(graph: Iterable[GraphEntry]) -> list[str]:
    """The env namespaces a graph serves: the agent's envs, else its env nodes'."""
    entries = [entry for entry in graph if isinstance(entry, NodeSpec)]
    for entry in entries:
        if entry.role == 'agent' and entry.parameters.get('envs'):
            return str(entry.parameters['envs']).split(',')
    namespaces: list[str] = []
    for entry in entries:
        if entry.role == 'env':
            namespaces += list(entry.arguments) if entry.holds_several else [entry.namespace]
    return namespaces


def with_monitor(graph: list[GraphEntry], knobs: MonitorKnobs) -> list[GraphEntry]:
    """``graph`` and, when ``knobs.monitor``, the monitor of its envs and its recorder's bags.

    The monitor goes last, so the launcher starts it after the nodes it watches.
    """
    if not knobs.monitor:
        return graph
    bag_dir = ''
    for entry in graph:
        if isinstance(entry, NodeSpec) and entry.role == 'recorder':
            bag_dir = os.path.join(entry.parameters['bag_dir'], entry.parameters['run_name'])
    return [*graph, monitor_node(graph_namespaces(graph), knobs.monitor_port, bag_dir)]
