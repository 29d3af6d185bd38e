"""The MuJoCo sim node: the real Robotino driver's topics, plus ``sim/`` control.

Publishes ``clock`` from its own loop (``/clock`` in the root namespace;
nodes on sim time in a namespace remap ``/clock`` to ``<ns>/clock``),
``odom``, ``distance_sensors``, ``bumper`` and, when enabled,
``camera/image_raw``; takes ``cmd_vel``. Serves ``sim/reset_world``,
``sim/advance``, ``sim/set_mode`` and ``sim/ground_truth``.

Modes: PAUSE (time moves only through ``sim/advance``: lockstep training),
REALTIME (one control period per wall-clock period) and FAST (periods back
to back). The node itself runs on the wall clock: it is the clock's source.
"""

from __future__ import annotations

from dataclasses import dataclass

from geometry_msgs.msg import Twist
from rclpy.node import Node
from rclpy.qos import QoSProfile
from sensor_msgs.msg import Image

from rl_interfaces.srv import Advance, GetGroundTruth, ResetWorld, SetSimMode
from rl_ros.contract import SimMode
from rl_ros.conversions import (
    ground_truth_to_msg,
    state_to_msg,
    time_from_nanoseconds,
    twist_from_msg,
)
from rl_ros.node_main import run_node
from rl_ros.parameters import ParameterSpec, declare_parameters
from rl_ros.robot_publisher import RobotTopicPublisher
from robotino_description import RobotState
from robotino_mujoco.config import SimulatorConfig
from robotino_mujoco.simulator import RobotinoSimulator
from robotino_world.arena import ArenaConfig
from robotino_world.errors import SimulationError
from robotino_world.options import arena_with_options, parse_options_json

PARAMETERS = (
    ParameterSpec('control_period', 0.1, 'simulated seconds per control period', 0.001, 10.0),
    ParameterSpec('physics_step', 0.005, 'MuJoCo integration step, s; divides control_period',
                  0.0001, 0.1),
    ParameterSpec('command_timeout', 0.5,
                  'simulated s without cmd_vel before the base stops (free-running modes)',
                  0.001, 60.0),
    ParameterSpec('seed', 0, 'seed of the first world, built at start-up', 0, 2**62),
    ParameterSpec('scenario', '', "named arena layout, or '' for one generated from the seed"),
    ParameterSpec('arena_options', '',
                  'arena generator overrides as a JSON object, e.g. {"obstacle_count": [2, 4]}'),
    ParameterSpec('mode', 'realtime', 'initial mode: pause, realtime or fast'),
    ParameterSpec('fast_tick', 0.0005, 'wall-clock s between periods in fast mode', 0.0, 1.0),
    ParameterSpec('odom_frame', 'odom', 'frame of the odometry pose (REP 105)'),
    ParameterSpec('base_frame', 'base_link', 'frame of the robot body (REP 105)'),
    ParameterSpec('publish_topics', True,
                  'publish odom, distance_sensors and bumper after every period'),
    ParameterSpec('camera', False, 'render and publish the onboard camera (MUJOCO_GL=egl)'),
    ParameterSpec('camera_width', 64, 'camera image width, pixels', 1, 4096),
    ParameterSpec('camera_height', 64, 'camera image height, pixels', 1, 4096),
)


@dataclass(frozen=True)
class SimNodeSettings:
    """The node's parameters, read once.

    :param simulator: how the simulator runs.
    :param seed: seed of the first world.
    :param scenario: layout of the first world ('' generated).
    :param mode: initial mode.
    :param fast_tick: wall-clock seconds between periods in FAST mode.
    :param odom_frame: odometry frame id.
    :param base_frame: body frame id.
    :param publish_topics: publish the robot topics after each period.
    """

    simulator: SimulatorConfig
    seed: int
    scenario: str
    mode: SimMode
    fast_tick: float
    odom_frame: str
    base_frame: str
    publish_topics: bool

    @classmethod
    def from_values(cls, values: dict) -> SimNodeSettings:
        """Settings from declared parameter values; ValueError names a bad one."""
        try:
            mode = SimMode[str(values['mode']).upper()]
        except KeyError:
            raise ValueError(
                f"mode must be pause, realtime or fast, got {values['mode']!r}") from None
        arena = arena_with_options(ArenaConfig(), parse_options_json(values['arena_options']))
        simulator = SimulatorConfig(
            control_period=values['control_period'], physics_step=values['physics_step'],
            command_timeout=values['command_timeout'], arena=arena, camera=values['camera'],
            camera_width=values['camera_width'], camera_height=values['camera_height'])
        return cls(simulator, values['seed'], values['scenario'], mode, values['fast_tick'],
                   values['odom_frame'], values['base_frame'], values['publish_topics'])


class RobotinoSimNode(Node):
    """Wraps :class:`RobotinoSimulator` in the real driver's topics and ``sim/`` services."""

    def __init__(self, **kwargs) -> None:
        super().__init__('robotino_sim', **kwargs)
        self._settings = SimNodeSettings.from_values(declare_parameters(self, PARAMETERS))
        self._sim = RobotinoSimulator(self._settings.simulator)
        self._sim.reset(self._settings.seed, self._settings.scenario)
        self._world_id = 1
        settings = self._settings
        self._topics = RobotTopicPublisher(self, settings.simulator.description.ir,
                                           settings.odom_frame, settings.base_frame,
                                           settings.publish_topics)
        qos = QoSProfile(depth=10)
        self._camera_pub = (self.create_publisher(Image, 'camera/image_raw', qos)
                            if self._settings.simulator.camera else None)
        self.create_subscription(Twist, 'cmd_vel', self._on_cmd_vel, qos)
        self.create_service(ResetWorld, 'sim/reset_world', self._on_reset_world)
        self.create_service(Advance, 'sim/advance', self._on_advance)
        self.create_service(SetSimMode, 'sim/set_mode', self._on_set_mode)
        self.create_service(GetGroundTruth, 'sim/ground_truth', self._on_ground_truth)
        self._timer = None
        self._mode = SimMode.PAUSE
        self._set_mode(self._settings.mode)
        self._publish(self._sim.state())
        self.get_logger().info(
            f'robotino sim ready: mode {self._mode.name.lower()}, control period '
            f'{self._settings.simulator.control_period} s, seed {self._settings.seed}, '
            f"scenario {self._settings.scenario or 'generated'}")

    def _set_mode(self, mode: SimMode) -> None:
        if self._timer is not None:
            self.destroy_timer(self._timer)
            self._timer = None
        self._mode = mode
        if mode is SimMode.REALTIME:
            self._timer = self.create_timer(self._settings.simulator.control_period, self._tick)
        elif mode is SimMode.FAST:
            self._timer = self.create_timer(self._settings.fast_tick, self._tick)

    def _tick(self) -> None:
        self._publish(self._sim.step_physics(self._settings.simulator.steps_per_period))

    def _publish(self, state: RobotState) -> None:
        self._topics.publish(state, self._sim.sim_time_ns)
        if self._camera_pub is not None:
            self._camera_pub.publish(self._image_msg())

    def _image_msg(self) -> Image:
        pixels = self._sim.render_camera()
        msg = Image(height=pixels.shape[0], width=pixels.shape[1], encoding='rgb8',
                    step=pixels.shape[1] * 3, data=pixels.tobytes())
        msg.header.stamp = time_from_nanoseconds(self._sim.sim_time_ns)
        msg.header.frame_id = 'camera'
        return msg

    def _on_cmd_vel(self, msg: Twist) -> None:
        try:
            self._sim.set_command(twist_from_msg(msg))
        except SimulationError as error:
            self.get_logger().warning(f'ignored cmd_vel: {error}', throttle_duration_sec=5.0)

    def _on_reset_world(self, request: ResetWorld.Request, response: ResetWorld.Response):
        try:
            arena = arena_with_options(
                self._settings.simulator.arena, parse_options_json(request.options_json))
            seed = request.seed if request.seed >= 0 else None
            state, truth = self._sim.reset(seed, request.scenario, arena=arena)
        except SimulationError as error:
            response.success, response.message = False, str(error)
            return response
        self._world_id += 1
        response.success = True
        response.world_id = self._world_id
        response.state = state_to_msg(state)
        response.ground_truth = ground_truth_to_msg(truth)
        self._publish(state)
        return response

    def _on_advance(self, request: Advance.Request, response: Advance.Response):
        if self._mode is not SimMode.PAUSE:
            response.success = False
            response.message = (f'the simulation is free-running ({self._mode.name.lower()}); '
                                 'call sim/set_mode with mode 0 (PAUSE) before sim/advance')
            return response
        if request.periods < 1:
            response.success, response.message = False, 'periods must be >= 1'
            return response
        if request.world_id not in (0, self._world_id):
            response.success = False
            response.message = (f'stale advance for world {request.world_id}; the current world '
                                f'is {self._world_id}: call sim/reset_world for a new one')
            return response
        try:
            state = self._sim.advance(request.periods, twist_from_msg(request.command))
        except SimulationError as error:
            response.success, response.message = False, str(error)
            return response
        response.success = True
        response.sim_time = self._sim.sim_time
        response.state = state_to_msg(state)
        response.ground_truth = ground_truth_to_msg(self._sim.ground_truth())
        self._publish(state)
        return response

    def _on_set_mode(self, request: SetSimMode.Request, response: SetSimMode.Response):
        try:
            mode = SimMode.from_request(request.mode)
        except ValueError as error:
            response.success = False
            response.message = str(error)
            return response
        self._set_mode(mode)
        response.success = True
        self.get_logger().info(f'mode {mode.name.lower()}')
        return response

    def _on_ground_truth(self, request: GetGroundTruth.Request, response: GetGroundTruth.Response):
        response.success = True
        response.ground_truth = ground_truth_to_msg(self._sim.ground_truth())
        return response


def main(args=None) -> None:
    """Console script ``robotino_sim``: spin until Ctrl-C or SIGTERM."""
    raise SystemExit(run_node(RobotinoSimNode, args))


if __name__ == '__main__':
    main()
