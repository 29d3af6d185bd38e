"""The MuJoCo sim node: the real Robotino driver's topics, plus ``sim/`` control.

Publishes ``clock`` from its own loop (``/clock`` in the root namespace;
nodes on sim time in a namespace remap ``/clock`` to ``<ns>/clock``),
``odom``, ``distance_sensors``, ``bumper`` and, when enabled,
``camera/image_raw``; takes ``cmd_vel``. Serves ``sim/reset_world``,
``sim/advance``, ``sim/set_mode`` and ``sim/ground_truth`` through the
shared :class:`~rl_ros.sim_server.SimServer`, as the Webots plugin does.

Modes: PAUSE (time moves only through ``sim/advance``: lockstep training),
REALTIME (one control period per wall-clock period) and FAST (periods back
to back). The node itself runs on the wall clock: it is the clock's source.

``realism`` picks the preset of the robot's imperfections (``ideal`` or
``realistic``, :mod:`robotino_mujoco.realism`) and ``randomise`` draws them
anew, around it, at every reset from the reset's seed.
"""

from __future__ import annotations

from dataclasses import dataclass

from rclpy.node import Node
from rclpy.qos import QoSProfile

from rl_ros.contract import CAMERA, SimMode
from rl_ros.conversions import time_from_nanoseconds
from rl_ros.node_main import run_node
from rl_ros.parameters import ParameterSpec, declare_parameters
from rl_ros.robot_publisher import RobotTopicPublisher
from rl_ros.sim_parameters import SIM_PARAMETERS, SimSettings
from rl_ros.sim_server import Advanced, SimServer, Twist, WorldReset
from robotino_description import GroundTruth, RobotState
from robotino_mujoco.config import SimulatorConfig, simulator_config
from robotino_mujoco.realism import PRESETS
from robotino_mujoco.simulator import RobotinoSimulator
from robotino_world import ArenaConfig, check_world_id

PARAMETERS = (
    *SIM_PARAMETERS,
    ParameterSpec('physics_step', 0.005, 'MuJoCo integration step, s; divides control_period',
                  0.0001, 0.1),
    ParameterSpec('fast_tick', 0.0005, 'wall-clock s between periods in fast mode', 0.0, 1.0),
    ParameterSpec('camera', False, 'render and publish the onboard camera (MUJOCO_GL=egl)'),
    ParameterSpec('camera_width', 64, 'camera image width, pixels', 1, 4096),
    ParameterSpec('camera_height', 64, 'camera image height, pixels', 1, 4096),
    ParameterSpec('realism', 'ideal',
                  f'imperfections of the IR sensors, odometry and drive: {" or ".join(PRESETS)}'),
    ParameterSpec('randomise', False,
                  'draw noise, latency, friction, mass and motor gain anew at every reset, '
                  'seeded by the reset (domain randomisation)'),
)


@dataclass(frozen=True)
class SimNodeSettings:
    """The node's parameters, read once.

    :param sim: what every simulator is told (timing, first world, mode, frames).
    :param simulator: how the MuJoCo simulator runs.
    :param fast_tick: wall-clock seconds between periods in FAST mode.
    :param realism: the name of the realism preset ``simulator`` was built with.
    :param randomise: whether ``simulator`` randomises every episode.
    """

    sim: SimSettings
    simulator: SimulatorConfig
    fast_tick: float
    realism: str
    randomise: bool

    @classmethod
    def from_values(cls, values: dict) -> SimNodeSettings:
        """Settings from declared parameter values; ValueError names a bad one."""
        sim = SimSettings.from_values(values)
        simulator = simulator_config(
            values['realism'], values['randomise'],
            control_period=sim.control_period, physics_step=values['physics_step'],
            command_timeout=sim.command_timeout, arena=sim.arena, camera=values['camera'],
            camera_width=values['camera_width'], camera_height=values['camera_height'])
        return cls(sim, simulator, values['fast_tick'], values['realism'], values['randomise'])


class RobotinoSimNode(Node):
    """Wraps :class:`RobotinoSimulator` in the real driver's topics and the ``sim/`` server.

    It is the :class:`~rl_ros.sim_server.SimulatorHost` of its server: every
    request is answered at once, since MuJoCo steps inside the call.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__('robotino_sim', **kwargs)
        self._settings = SimNodeSettings.from_values(declare_parameters(self, PARAMETERS))
        sim = self._settings.sim
        self._sim = RobotinoSimulator(self._settings.simulator)
        self._sim.reset(sim.seed, sim.scenario)
        self._world_id = 1
        self._topics = RobotTopicPublisher(self, self._settings.simulator.description.ir,
                                           sim.odom_frame, sim.base_frame, sim.publish_topics)
        self._camera_pub = (
            self.create_publisher(CAMERA.interface(), CAMERA.name, QoSProfile(depth=10))
            if self._settings.simulator.camera else None)
        self._timer = None
        self._mode = SimMode.PAUSE
        self.set_mode(sim.mode)
        SimServer(self, self)
        self._publish(self._sim.state())
        self.get_logger().info(
            f'robotino sim ready: mode {self._mode.name.lower()}, control period '
            f'{sim.control_period} s, seed {sim.seed}, scenario {sim.scenario or "generated"}, '
            f'realism {self._settings.realism}'
            f'{" randomised" if self._settings.randomise else ""}')

    @property
    def mode(self) -> SimMode:
        """How simulated time moves now."""
        return self._mode

    @property
    def base_arena(self) -> ArenaConfig:
        """The arena settings that a reset's options modify."""
        return self._settings.simulator.arena

    def set_mode(self, mode: SimMode) -> None:
        """Stop the free-running timer, then start the one ``mode`` needs (none for PAUSE)."""
        if self._timer is not None:
            self.destroy_timer(self._timer)
            self._timer = None
        self._mode = mode
        if mode is SimMode.REALTIME:
            self._timer = self.create_timer(self._settings.simulator.control_period, self._tick)
        elif mode is SimMode.FAST:
            self._timer = self.create_timer(self._settings.fast_tick, self._tick)

    def reset_world(self, seed: int | None, scenario: str, arena: ArenaConfig) -> WorldReset:
        """A new world now; its state is published."""
        state, truth = self._sim.reset(seed, scenario, arena=arena)
        self._world_id += 1
        self._publish(state)
        return WorldReset(state, truth, self._world_id)

    def advance(self, periods: int, twist: Twist, world_id: int) -> Advanced:
        """Step ``periods`` periods now; the state they end in is published."""
        check_world_id(world_id, self._world_id)
        state = self._sim.advance(periods, twist)
        self._publish(state)
        return Advanced(self._sim.sim_time, state, self._sim.ground_truth())

    def ground_truth(self) -> GroundTruth:
        """The supervisor's view now."""
        return self._sim.ground_truth()

    def set_command(self, twist: Twist) -> None:
        """Take a ``cmd_vel`` for the free-running modes."""
        self._sim.set_command(twist)

    def _tick(self) -> None:
        self._publish(self._sim.step_period())

    def _publish(self, state: RobotState) -> None:
        self._topics.publish(state, self._sim.sim_time_ns)
        if self._camera_pub is not None:
            self._camera_pub.publish(self._image_msg())

    def _image_msg(self):
        pixels = self._sim.render_camera()
        msg = CAMERA.interface()(height=pixels.shape[0], width=pixels.shape[1], encoding='rgb8',
                                 step=pixels.shape[1] * 3, data=pixels.tobytes())
        msg.header.stamp = time_from_nanoseconds(self._sim.sim_time_ns)
        msg.header.frame_id = CAMERA.frame
        return msg


def main(args=None) -> None:
    """Console script ``robotino_sim``: spin until Ctrl-C or SIGTERM."""
    raise SystemExit(run_node(RobotinoSimNode, args))


if __name__ == '__main__':
    main()
