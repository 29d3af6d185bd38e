"""The node graph of every bring-up, described once in plain Python.

Launch files (``ros2 launch rl_bringup train.launch.py``) and the launcher
(``./rl train`` where ``ros2 launch`` is absent) both build their processes
from these descriptions, so the two cannot drift apart: which nodes, from
which package and executable, in which namespace, with which parameters,
remappings and respawn policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Simulator = Literal['mujoco', 'mujoco_separate']
Role = Literal['simulator', 'env', 'agent', 'recorder']

#: Seconds before a respawned simulator or env node is started again.
RESPAWN_DELAY = 2.0


@dataclass(frozen=True)
class NodeSpec:
    """One node process.

    :param role: what it is for; the launcher respawns simulators and env nodes
        and exits with the agent's status.
    :param package: the ROS package holding the executable.
    :param executable: console script installed under ``lib/<package>``.
    :param module: the same entry as ``python -m module`` (the launcher's way).
    :param name: node name.
    :param namespace: '' for the root namespace, else e.g. 'env_0'.
    :param parameters: ROS parameters.
    :param remappings: (from, to) topic or service remappings.
    :param respawn: start it again when it dies.
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

    @property
    def label(self) -> str:
        """Short unique label for logs: ``env_0/rl_env``, or the name in the root namespace."""
        return f'{self.namespace}/{self.name}' if self.namespace else self.name

    @property
    def fully_qualified_name(self) -> str:
        """``/namespace/name``, the key of the node's parameters in a params file."""
        return f'/{self.namespace}/{self.name}' if self.namespace else f'/{self.name}'


@dataclass(frozen=True)
class GraphOptions:
    """What a user chooses at bring-up (launch arguments or ``./rl`` flags).

    :param num_envs: environments; 1 uses the root namespace, N uses env_0..env_{N-1}.
    :param sim: 'mujoco' (simulator inside each env node, fastest) or 'mujoco_separate'
        (a MuJoCo sim node beside each env node, stepped over ``sim/``).
    :param task: registered task name.
    :param task_options: task options as a JSON object string, '' for defaults.
    :param seed: base seed; env k gets ``seed + k``.
    :param record: episode recording policy: 'none', 'all', 'failures' or 'every:K'.
    :param bag_dir: where the recorder writes bags.
    :param run_name: name of the run (bag sub-folder).
    :param agent: the agent node's parameters, or None for no agent (``rl sim``).
    :param real_robot: no simulator; env nodes in real mode on the robot's own driver.
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
    real_robot: bool = False

    def __post_init__(self) -> None:
        """Reject impossible graphs early, naming the bad value."""
        if self.num_envs < 1:
            raise ValueError(f'num_envs must be >= 1, got {self.num_envs}')
        if self.sim == 'webots':
            raise ValueError("sim 'webots' needs the robotino_webots backend, which is not "
                             "built yet; use 'mujoco' or 'mujoco_separate'")
        if self.sim not in ('mujoco', 'mujoco_separate'):
            raise ValueError(f"sim must be 'mujoco' or 'mujoco_separate', got {self.sim!r}")

    @property
    def namespaces(self) -> list[str]:
        """The env namespaces: env_0..env_{N-1}; the root one for a lone env without agent.

        A single env for interactive use sits in the root namespace, so a user
        types ``ros2 service call /reset``; an agent always names its envs.
        """
        if self.num_envs == 1 and self.agent is None:
            return ['']
        return [f'env_{k}' for k in range(self.num_envs)]


def _simulator(options: GraphOptions, namespace: str, seed: int) -> NodeSpec | None:
    if options.sim == 'mujoco' or options.real_robot:
        return None
    return NodeSpec('simulator', 'robotino_mujoco', 'robotino_sim', 'robotino_mujoco.sim_node',
                    'robotino_sim', namespace, {'seed': seed, 'mode': 'pause'}, respawn=True)


def _env(options: GraphOptions, namespace: str, seed: int) -> NodeSpec:
    parameters = {'task': options.task, 'task_options': options.task_options, 'seed': seed,
                  'mode': 'real' if options.real_robot else 'sim',
                  'simulator': 'inprocess' if options.sim == 'mujoco' else 'service'}
    return NodeSpec('env', 'rl_env_node', 'env_node', 'rl_env_node.env_node', 'rl_env',
                    namespace, parameters, respawn=True)


def env_nodes(options: GraphOptions) -> list[NodeSpec]:
    """Simulators (unless composed) and env nodes, one pair per namespace."""
    specs: list[NodeSpec] = []
    for k, namespace in enumerate(options.namespaces):
        simulator = _simulator(options, namespace, options.seed + k)
        if simulator is not None:
            specs.append(simulator)
        specs.append(_env(options, namespace, options.seed + k))
    return specs


def recorder_node(options: GraphOptions) -> NodeSpec:
    """The episode recorder for all envs of the graph."""
    return NodeSpec('recorder', 'rl_bringup', 'episode_recorder', 'rl_bringup.recorder_node',
                    'episode_recorder', '',
                    {'namespaces': options.namespaces, 'policy': options.record,
                     'bag_dir': options.bag_dir, 'run_name': options.run_name})


def agent_node(options: GraphOptions) -> NodeSpec:
    """The agent, stepping every env of the graph."""
    namespaces = ','.join(options.namespaces)
    parameters = {'envs': namespaces, 'env': options.namespaces[0], **(options.agent or {})}
    return NodeSpec('agent', 'rl_agent_node', 'agent_node', 'rl_agent_node.agent_node',
                    'rl_agent', '', parameters)


def bringup_graph(options: GraphOptions) -> list[NodeSpec]:
    """Env nodes (with their simulators), the recorder when recording, the agent if any."""
    specs = env_nodes(options)
    if options.record != 'none':
        specs.append(recorder_node(options))
    if options.agent is not None:
        specs.append(agent_node(options))
    return specs
