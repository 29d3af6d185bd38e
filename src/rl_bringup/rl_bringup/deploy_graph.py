"""The node graph of a deployment: the trained agent on the real robot or on its stand-in.

``./rl deploy`` and ``deploy.launch.py`` both build it here. On the real
robot the driver (robocup-logistics ros2-robotino) is started by the user
and provides ``cmd_vel``, ``odom``, ``distance_sensors`` and ``bumper``;
with ``robot='sim'`` a MuJoCo sim node in realtime mode stands in for it
(wall clock, the driver's topics, its clamps and command timeout, the
``realistic`` imperfections by default). Either way the env node runs in
real mode, and the agent in deploy mode waits for goals.

The agent sits in the robot's namespace too, so each robot has its own
``navigate_to_goal`` action and ``goal_pose`` topic. The stop order is the
agent first, so that a Ctrl-C stops the base (the agent's reset) before the
env node and the stand-in go.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rl_bringup.graph import NodeSpec

Robot = Literal['sim', 'real']
#: The robot a deployment drives, and what each is.
ROBOTS: dict[str, str] = {
    'real': "the Robotino's own driver, started beforehand in the same namespace",
    'sim': 'a MuJoCo sim node in realtime mode standing in for the driver',
}


@dataclass(frozen=True)
class DeployOptions:
    """What a user chooses for a deployment (``./rl deploy`` flags, launch arguments).

    :param model: run directory, model folder, ``model.zip`` or exported ``.pt``.
    :param robot: a key of :data:`ROBOTS`.
    :param namespace: the robot's namespace ('' for the root one, as the driver runs).
    :param realism: the stand-in's realism preset (robotino_mujoco's ``realism``).
    :param seed: seed of the stand-in's arena.
    :param scenario: the stand-in's arena layout ('' generates one from the seed).
    :param task: registered task name, as trained.
    :param task_options: task options as a JSON object, as trained; '' for defaults.
    :param goals: goals the agent serves before it ends; 0 until stopped.
    """

    model: str
    robot: Robot = 'real'
    namespace: str = ''
    realism: str = 'realistic'
    seed: int = 0
    scenario: str = ''
    task: str = 'goal_reaching'
    task_options: str = ''
    goals: int = 0

    def __post_init__(self) -> None:
        """Refuse what makes no deployment, naming the value."""
        if not self.model:
            raise ValueError('a deployment needs the model: a run directory, model folder, '
                             'model.zip or an exported .pt')
        if self.robot not in ROBOTS:
            raise ValueError(f'robot must be one of {", ".join(ROBOTS)}; got {self.robot!r}')
        if self.goals < 0:
            raise ValueError(f'goals must be >= 0 (0 until stopped), got {self.goals}')


def deploy_graph(options: DeployOptions) -> list[NodeSpec]:
    """The stand-in (robot 'sim'), the env node in real mode, and the agent in deploy mode."""
    namespace = options.namespace.strip('/')
    specs = []
    if options.robot == 'sim':
        specs.append(NodeSpec(
            'simulator', 'robotino_mujoco', 'robotino_sim', 'robotino_mujoco.sim_node',
            'robotino_sim', namespace,
            {'mode': 'realtime', 'seed': options.seed, 'scenario': options.scenario,
             'realism': options.realism},
            respawn=True))
    specs.append(NodeSpec(
        'env', 'rl_env_node', 'env_node', 'rl_env_node.env_node', 'rl_env', namespace,
        {'task': options.task, 'task_options': options.task_options, 'mode': 'real'},
        respawn=True))
    specs.append(NodeSpec(
        'agent', 'rl_agent_node', 'agent_node', 'rl_agent_node.agent_node', 'rl_agent', namespace,
        {'mode': 'deploy', 'model': options.model, 'env': namespace,
         'episodes': options.goals}))
    return specs
