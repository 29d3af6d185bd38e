"""The env node: a task over a robot, served as ``reset``, ``step`` and ``get_spec``.

In its namespace (the root one for a single env, ``env_k`` for several) it
serves the env contract of DESIGN.md and publishes ``transitions`` and
``episode_stats``. The robot behind it is, by parameter: the MuJoCo simulator
in this process (fastest; the robot topics and clock are still published),
a simulator behind the ``sim/`` services (MuJoCo sim node, Webots), or the
real Robotino's driver topics (``mode:=real``, wall clock, watchdog).
Every failure is answered with ``success: false`` and a message; the node
keeps serving.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.executors import (
    Executor,
    MultiThreadedExecutor,
    SingleThreadedExecutor,
)
from rclpy.node import Node
from rclpy.qos import QoSProfile

from rl_env_node.env_core import EnvCore, parse_options_json
from rl_env_node.errors import EnvError, RequestError, quoted
from rl_env_node.msg_conversions import episode_stats_msg, fill_spec, info_json, transition_msg
from rl_env_node.robot_topics import RealRobot, RobotinoTopics
from rl_env_node.service_simulation import ServiceSimulation
from rl_env_node.tasks import make_task
from rl_env_node.world_topics import DEFAULT_GOAL_TOLERANCE, WorldTopics
from rl_interfaces.msg import EpisodeStats, Transition
from rl_interfaces.srv import GetSpec, Reset, Step
from rl_ros.contract import (
    EPISODE_STATS,
    GET_SPEC,
    ODOM,
    ODOM_CHILD_FRAME,
    RESET,
    STEP,
    TRANSITIONS,
)
from rl_ros.conversions import float32_array
from rl_ros.node_main import quiet_publisher, run_node
from rl_ros.outbox import Outbox
from rl_ros.parameters import ParameterSpec, declare_parameters
from rl_ros.qos import SERVICE_QOS
from rl_ros.robot_publisher import RobotTopicPublisher
from robotino_description import ROBOTINO3

if TYPE_CHECKING:
    from rl_env_node.inprocess import InProcessSimulation

PARAMETERS = (
    ParameterSpec('task', 'goal_reaching', 'registered task name'),
    ParameterSpec('task_options', '', 'task options as a JSON object; the defaults for the rest'),
    ParameterSpec('max_episode_steps', 0, 'steps before truncation; 0 for the task default',
                  0, 10**9),
    ParameterSpec('seed', -1, 'seed for the first reset that gives none; < 0 for entropy',
                  -1, 2**62),
    ParameterSpec('mode', 'sim', "'sim' (lockstep with a simulator) or 'real' (the robot)"),
    ParameterSpec('simulator', 'inprocess',
                  "sim mode: 'inprocess' (MuJoCo in this node) or 'service' (sim/ services)"),
    ParameterSpec('control_period', 0.1, 'robot seconds per step', 0.001, 10.0),
    ParameterSpec('physics_step', 0.005, 'inprocess simulator: MuJoCo step, s', 0.0001, 0.1),
    ParameterSpec('publish_robot_topics', True,
                  'inprocess simulator: publish clock, odom, distance_sensors, bumper each step'),
    ParameterSpec('timeout', 5.0, 'seconds to wait for an answer of the simulator or robot',
                  0.01, 600.0),
    ParameterSpec('discovery_timeout', 30.0,
                  'seconds to wait for the simulator or robot to appear', 0.01, 600.0),
    ParameterSpec('realism', 'ideal', "inprocess simulator: imperfections of the IR sensors, "
                                      "odometry and drive, 'ideal' or 'realistic'"),
    ParameterSpec('randomise', False, 'inprocess simulator: draw noise, latency, friction, '
                                      'mass and motor gain anew at every reset, seeded by it'),
    ParameterSpec('goal', [2.0, 0.0, 0.0],
                  'real mode: goal relative to the robot at a reset without the goal option, '
                  '[x m, y m, yaw rad]'),
    ParameterSpec('watchdog_periods', 2.0,
                  'real mode: control periods without a step before the base is stopped',
                  0.5, 100.0),
)


@dataclass(frozen=True)
class EnvNodeSettings:
    """The env node's parameters, read once; see :data:`PARAMETERS` for meanings."""

    task: str
    task_options: dict
    max_episode_steps: int | None
    seed: int | None
    mode: str
    simulator: str
    control_period: float
    physics_step: float
    publish_robot_topics: bool
    timeout: float
    discovery_timeout: float
    goal: tuple[float, float, float]
    watchdog_periods: float
    realism: str = 'ideal'
    randomise: bool = False

    @classmethod
    def from_values(cls, values: dict) -> EnvNodeSettings:
        """Checked settings; ValueError names the bad parameter and the valid values."""
        if values['mode'] not in ('sim', 'real'):
            raise ValueError(f"mode must be 'sim' or 'real', got {values['mode']!r}")
        if values['simulator'] not in ('inprocess', 'service'):
            raise ValueError(
                f"simulator must be 'inprocess' or 'service', got {values['simulator']!r}")
        if len(values['goal']) != 3:
            raise ValueError(f"goal must be [x, y, yaw], got {values['goal']!r}")
        return cls(
            values['task'], parse_options_json(values['task_options']),
            values['max_episode_steps'] or None,
            values['seed'] if values['seed'] >= 0 else None, values['mode'], values['simulator'],
            values['control_period'], values['physics_step'], values['publish_robot_topics'],
            values['timeout'], values['discovery_timeout'],
            tuple(float(v) for v in values['goal']),
            values['watchdog_periods'], values['realism'], values['randomise'])


class EnvNode(Node):
    """Serves one :class:`EnvCore` on the ROS graph."""

    def __init__(self, **kwargs) -> None:
        super().__init__('rl_env', **kwargs)
        self.settings = EnvNodeSettings.from_values(declare_parameters(self, PARAMETERS))
        settings = self.settings
        self._inprocess: InProcessSimulation | None = None
        self._topics: RobotTopicPublisher | None = None
        self._world: WorldTopics | None = None
        #: Where this env's topics go out; an env group holds it while it answers.
        self.outbox = Outbox()
        task = make_task(settings.task, settings.task_options)
        self._core = EnvCore(task, self._make_backend(), settings.max_episode_steps)
        self._first_seed = settings.seed
        self._batch: dict[str, str] = {}
        self._namespace = self.get_namespace()
        qos = QoSProfile(depth=100)
        self._transitions = quiet_publisher(self, Transition, TRANSITIONS.name, qos)
        self._episodes = quiet_publisher(self, EpisodeStats, EPISODE_STATS.name, qos)
        group = MutuallyExclusiveCallbackGroup()
        for srv_type, name, callback in ((Reset, RESET.name, self._on_reset),
                                         (Step, STEP.name, self._on_step),
                                         (GetSpec, GET_SPEC.name, self._on_get_spec)):
            self.create_service(srv_type, name, callback, qos_profile=SERVICE_QOS,
                                callback_group=group)
        self.get_logger().info(
            f'env ready: task {settings.task}, mode {settings.mode}'
            + (f' ({settings.simulator})' if settings.mode == 'sim' else '')
            + f', control period {settings.control_period} s, max episode steps '
            f'{self._core.max_episode_steps}')

    @property
    def needs_threads(self) -> bool:
        """True when a callback waits on another callback (service simulator, real robot)."""
        return self._inprocess is None

    def _make_backend(self):
        settings = self.settings
        if settings.mode == 'real':
            topics = RobotinoTopics(self, ROBOTINO3.ir, settings.control_period,
                                    settings.watchdog_periods)
            return RealRobot(topics, settings.control_period, settings.goal,
                             settings.discovery_timeout)
        if settings.simulator == 'service':
            return ServiceSimulation(self, settings.control_period, settings.timeout,
                                     settings.discovery_timeout)
        # Imported here: it loads MuJoCo, which the robot and service modes never need.
        from rl_env_node.inprocess import InProcessSimulation

        self._inprocess = InProcessSimulation.with_timing(
            settings.control_period, settings.physics_step, settings.realism, settings.randomise)
        self._topics = RobotTopicPublisher(self, ROBOTINO3.ir, ODOM.frame, ODOM_CHILD_FRAME,
                                           settings.publish_robot_topics, self.outbox)
        if settings.publish_robot_topics:
            self._world = WorldTopics(self, self.outbox)
        return self._inprocess

    def _publish_robot(self) -> None:
        if self._topics is not None:
            sim = self._inprocess.simulator
            self._topics.publish(sim.state(), sim.sim_time_ns)

    def _publish_arena(self) -> None:
        if self._world is not None:
            sim = self._inprocess.simulator
            tolerance = getattr(self._core.task.options, 'goal_tolerance', DEFAULT_GOAL_TOLERANCE)
            self._world.publish_arena(sim.arena, tolerance, sim.sim_time_ns)

    def _publish_command(self) -> None:
        if self._world is not None:
            self._world.publish_command(self._inprocess.last_twist)

    @property
    def core(self) -> EnvCore:
        """The env core this node serves; a batch node steps it directly."""
        return self._core

    def reset_env(self, seed: int, options_json: str) -> tuple[np.ndarray, dict[str, Any]]:
        """Reset (``seed`` < 0 keeps the stream), publish, and return the observation and info.

        :raises EnvError: for a refused request; an unexpected failure comes
            as :class:`RequestError`, logged with its details.
        """
        try:
            options = parse_options_json(options_json)
            seed = seed if seed >= 0 else self._first_seed
            self._first_seed = None
            observation, info = self._core.reset(seed, options)
        except EnvError:
            raise
        except Exception as error:
            raise self._unexpected(RESET.name, error) from error
        self._publish_robot()
        self._publish_arena()
        return observation, {**info, 'episode_id': self._core.episode_id}

    def step_env(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Step, publish the transition (and the episode's stats at its end); Gymnasium's tuple.

        :raises EnvError: as :meth:`reset_env`.
        """
        try:
            observation, reward, terminated, truncated, info = self._core.step(action)
        except EnvError:
            raise
        except Exception as error:
            raise self._unexpected(STEP.name, error) from error
        self._publish_command()
        self._publish_robot()
        if self._transitions.get_subscription_count():
            self.outbox.publish(self._transitions,
                                transition_msg(self._core.last_transition, self._namespace))
        if terminated or truncated:
            self.outbox.publish(self._episodes,
                                episode_stats_msg(self._core.last_episode, self._namespace))
        return (observation, float(reward), bool(terminated), bool(truncated),
                {**info, 'episode_id': self._core.episode_id})

    def _on_reset(self, request: Reset.Request, response: Reset.Response) -> Reset.Response:
        try:
            observation, info = self.reset_env(request.seed, request.options_json)
        except EnvError as error:
            return refuse(self, response, error)
        response.success = True
        response.observation = float32_array(observation.ravel())
        response.info_json = info_json(info)
        return response

    def _on_step(self, request: Step.Request, response: Step.Response) -> Step.Response:
        try:
            observation, reward, terminated, truncated, info = self.step_env(
                list(request.action))
        except EnvError as error:
            return refuse(self, response, error)
        response.success = True
        response.observation = float32_array(observation.ravel())
        response.reward = reward
        response.terminated = terminated
        response.truncated = truncated
        response.info_json = info_json(info)
        return response

    def serve_in_batch(self, batch_namespace: str, socket_address: str) -> None:
        """Say in ``spec_json`` where this env is also served in batches.

        :param batch_namespace: of the batch services (key ``batch``).
        :param socket_address: of their same-host socket (key ``batch_socket``).
        """
        self._batch = {'batch': batch_namespace, 'batch_socket': socket_address}

    def _on_get_spec(self, request: GetSpec.Request, response: GetSpec.Response):
        spec = self._core.spec()
        if self._batch:
            spec = dataclasses.replace(spec, extra={**spec.extra, **self._batch})
        return fill_spec(response, spec)


    def _unexpected(self, what: str, error: Exception) -> RequestError:
        self.get_logger().error(f'{what} failed unexpectedly: {quoted(error, 500)}')
        return RequestError(
            f'{what} failed inside the env node ({type(error).__name__}: '
            f'{quoted(str(error))}); see the env node log, then reset')

    def destroy_node(self) -> None:
        """Stop the base and release the simulator before the node goes."""
        self._core.close()
        if self._inprocess is not None:
            self._inprocess.close()
        super().destroy_node()


def refuse(node: Node, response: Any, error: EnvError) -> Any:
    """``response`` with ``success`` false and the error's message, logged (throttled)."""
    response.success = False
    response.message = str(error)
    node.get_logger().warning(f'refused: {error}', throttle_duration_sec=1.0)
    return response


def _executor(node: EnvNode) -> Executor:
    return MultiThreadedExecutor(3) if node.needs_threads else SingleThreadedExecutor()


def main(args=None) -> None:
    """Console script ``env_node``: spin until Ctrl-C or SIGTERM, then stop the base."""
    raise SystemExit(run_node(EnvNode, args, _executor, (ValueError, EnvError)))


if __name__ == '__main__':
    main()
