"""The webots_ros2_driver plugin: the real Robotino driver's topics and the ``sim/`` services.

webots_ros2_driver loads this class from the URDF's ``<plugin>`` element
into the Webots controller process, calls :meth:`RobotinoDriver.init` once
and :meth:`RobotinoDriver.step` after every Webots basic time step. The
plugin publishes ``odom``, ``distance_sensors``, ``bumper`` and ``clock``,
takes ``cmd_vel``, and serves ``sim/reset_world``, ``sim/advance``,
``sim/set_mode`` and ``sim/ground_truth``, as the MuJoCo sim node does
(names relative to the ``namespace`` property; ``clock`` is ``/clock`` in
the root namespace, and counts simulated time since the last world reset,
as MuJoCo's). Device I/O is :mod:`.webots_io`, the accounting
:mod:`.simulation`, the stepping :mod:`.lockstep`.

Lockstep and deferred answers. Everything runs in the controller's one
thread: ``step()`` spins this plugin's own rclpy node with
``spin_once(timeout_sec=0)``, so callbacks (and the Webots API calls they
make) run between Webots steps. No callback ever steps or waits for the
simulator. A world reset or an advance needs simulated time to pass before
it can be answered, and a synchronous rclpy service callback must return
its response at once, so these two callbacks are coroutines: each queues a
job for the step loop with an rclpy ``Future`` and awaits it; the executor
parks the coroutine, ``step()`` counts the job's basic steps and completes
the future at the boundary where it ends, and the next ``spin_once`` sends
the response. Between advances in PAUSE, ``step()`` holds: it keeps
spinning (waking every :data:`HOLD_WAIT` s to notice a shutdown) instead of
returning, so Webots, which waits for the controller, computes nothing.
Webots itself runs in fast mode meanwhile (``simulationSetMode(PAUSE)``
would stop ``step()`` from being called at all, and with it this node).
A separate callback group in a second thread was rejected: the Webots
controller API is not thread-safe, and the step loop would still have to
wait for it.

Restart every K resets (``restart_every_resets``): Webots grows in memory
and can crash over long runs of world rebuilds. Once K ``sim/reset_world``
calls have been served, the next one is refused (``success: false``, the
message says why) and the plugin asks the supervisor for ``worldReload()``:
Webots reloads the world file, this controller's connection ends,
webots_ros2_driver exits and the launch file's ``WebotsController``
(``respawn=True``) starts a fresh one, which builds its start-up world and
serves again. The env node reports the refused reset, and the agent's
resilient VecEnv retries once the services are back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rclpy
from geometry_msgs.msg import Twist
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.qos import QoSProfile
from rclpy.task import Future

from rl_interfaces.srv import Advance, GetGroundTruth, ResetWorld, SetSimMode
from rl_ros.contract import SimMode
from rl_ros.conversions import ground_truth_to_msg, state_to_msg, twist_from_msg
from rl_ros.parameters import ParameterSpec, declare_parameters
from rl_ros.robot_publisher import RobotTopicPublisher
from robotino_description import ROBOTINO3
from robotino_webots.lockstep import Action, Job, JobKind, Lockstep
from robotino_webots.settings import SETTINGS, DriverSettings
from robotino_webots.simulation import WebotsSimulation
from robotino_webots.webots_io import WebotsRobotino
from robotino_world.arena import Arena
from robotino_world.arena_stream import ArenaStream
from robotino_world.errors import InvalidArgumentError, NotReadyError, SimulationError

NODE_NAME = 'robotino_webots'
HOLD_WAIT = 0.1
"""Seconds a held ``step()`` waits for a request before checking for shutdown."""

_REFUSED = (SimulationError, SimulationError)


@dataclass
class _WorldOrder:
    arena: Arena
    done: Future | None
    answered: bool = False


@dataclass
class _AdvanceOrder:
    twist: tuple[float, float, float]
    world_id: int
    done: Future


class RobotinoDriver:
    """The Robotino's ROS interface inside Webots (a webots_ros2_driver Python plugin)."""

    def init(self, webots_node: Any, properties: dict[str, str]) -> None:
        """Read the settings, open the devices, create the node; queue the start-up world.

        :param webots_node: webots_ros2_driver's handle; ``.robot`` is the ``Supervisor``.
        :param properties: the ``<plugin>`` children from the URDF, as strings.
        :raises SystemExit: (status 2) for bad settings or a world that lacks what
            the plugin needs; the log says which.
        """
        if not rclpy.ok():
            rclpy.init(args=None)
        self._node = None
        try:
            self._settings = DriverSettings.from_properties(properties)
            self._setup(webots_node.robot)
        except _REFUSED as error:
            logger = self._node.get_logger() if self._node else rclpy.logging.get_logger(NODE_NAME)
            logger.fatal(f'cannot start: {error}')
            raise SystemExit(2) from None

    def _setup(self, robot: Any) -> None:
        settings = self._settings
        self._node = rclpy.create_node(NODE_NAME, namespace=settings.namespace)
        declare_parameters(self._node, [
            ParameterSpec(s.name, getattr(settings, s.name), s.description, s.low, s.high)
            for s in SETTINGS])
        self._executor = SingleThreadedExecutor(context=self._node.context)
        self._executor.add_node(self._node)
        self._io = WebotsRobotino(robot, ROBOTINO3)
        self._sim = WebotsSimulation(self._io, ROBOTINO3, settings.control_period,
                                     settings.command_timeout)
        self._arenas = ArenaStream(settings.arena, ROBOTINO3.geometry.base_radius)
        self._machine = Lockstep(settings.sim_mode)
        self._io.set_mode(settings.sim_mode)
        self._topics = RobotTopicPublisher(self._node, ROBOTINO3.ir, settings.odom_frame,
                                           settings.base_frame, settings.publish_topics)
        node = self._node
        node.create_subscription(Twist, 'cmd_vel', self._on_cmd_vel, QoSProfile(depth=10))
        node.create_service(ResetWorld, 'sim/reset_world', self._on_reset_world)
        node.create_service(Advance, 'sim/advance', self._on_advance)
        node.create_service(SetSimMode, 'sim/set_mode', self._on_set_mode)
        node.create_service(GetGroundTruth, 'sim/ground_truth', self._on_ground_truth)
        self._world_id = 0
        self._resets_served = 0
        self._stopping = False
        self._refused_for_reload: _WorldOrder | None = None
        first = self._arenas.next_arena(settings.seed, settings.scenario)
        self._machine.submit(Job(JobKind.WORLD, 1, _WorldOrder(first, None)))

    def step(self) -> None:
        """One Webots basic step has elapsed: account for it, serve, hold or drive on."""
        if self._stopping:
            return
        try:
            self._sim.observe()
            self._machine.tick()
            self._serve(0.0)
            if self._run_boundary():
                job = self._machine.current
                self._sim.actuate(renew_command=job is not None and job.kind is JobKind.ADVANCE)
                self._publish_free_running()
        except (KeyboardInterrupt, ExternalShutdownException):
            self._stopping = True

    def _serve(self, timeout: float) -> None:
        """Run ready callbacks; reload Webots once the reset refused for it has its answer."""
        self._executor.spin_once(timeout_sec=timeout)
        refused = self._refused_for_reload
        if refused is not None and refused.answered:
            self._stopping = True
            self._io.reload_world()

    def _run_boundary(self) -> bool:
        """Finish and start jobs, or hold, until Webots may step; False when stopping."""
        while not self._stopping:
            action, job = self._machine.next_action()
            if action is Action.HOLD:
                if not self._node.context.ok():
                    self._stopping = True
                    break
                self._serve(HOLD_WAIT)
            elif action is Action.FINISH:
                self._finish(job)
            elif action is Action.START and not self._start(job):
                self._machine.drop_current()
            else:
                return True
        return False

    def _start(self, job: Job) -> bool:
        """Begin a job at this boundary; False (the job answered) when it cannot run."""
        order = job.payload
        try:
            if job.kind is JobKind.WORLD:
                self._start_world(order)
            else:
                if order.world_id not in (0, self._world_id):
                    raise InvalidArgumentError(
                        f'stale advance for world {order.world_id}; the current world is '
                        f'{self._world_id}: call sim/reset_world for a new one')
                self._sim.set_command(order.twist)
        except _REFUSED as error:
            if order.done is None:
                self._node.get_logger().error(f'the start-up world failed: {error}')
            else:
                order.done.set_exception(error)
            return False
        return True

    def _start_world(self, order: _WorldOrder) -> None:
        """Place the world, or refuse it and reload Webots when ``restart_every_resets`` is due.

        The reload waits until the refusal has been sent (see :meth:`_serve`).
        """
        limit = self._settings.restart_every_resets
        if order.done is not None and limit and self._resets_served >= limit:
            self._refused_for_reload = order
            self._node.get_logger().warning(
                f'{limit} world resets served: reloading the Webots world')
            raise NotReadyError(
                f'Webots is reloading its world after {limit} resets (restart_every_resets); '
                'call sim/reset_world again once the sim/ services are back')
        self._sim.place(order.arena)

    def _finish(self, job: Job) -> None:
        """Answer a job whose steps have elapsed, and publish the state it ends in."""
        order = job.payload
        if job.kind is JobKind.WORLD:
            state, truth = self._sim.begin_episode()
            self._world_id += 1
            if order.done is None:
                self._log_ready()
            else:
                self._resets_served += 1
                order.done.set_result((state, truth, self._world_id))
        else:
            state, truth = self._sim.state(), self._sim.ground_truth()
            order.done.set_result((self._sim.sim_time, state, truth))
        self._topics.publish(state, self._sim.sim_time_ns)

    def _publish_free_running(self) -> None:
        """In REALTIME and FAST, publish the robot's topics at every control period."""
        if self._machine.busy or self._machine.mode is SimMode.PAUSE or not self._sim.ready:
            return
        if self._sim.episode_steps % self._sim.steps_per_period == 0:
            self._topics.publish(self._sim.state(), self._sim.sim_time_ns)

    def _log_ready(self) -> None:
        settings = self._settings
        self._node.get_logger().info(
            f'robotino webots driver ready: mode {self._machine.mode.name.lower()}, control '
            f'period {settings.control_period} s, basic step {self._sim.step_ns / 1e6:g} ms, '
            f"seed {settings.seed}, scenario {settings.scenario or 'generated'}")

    def _on_cmd_vel(self, msg: Twist) -> None:
        try:
            self._sim.set_command(twist_from_msg(msg))
        except InvalidArgumentError as error:
            self._node.get_logger().warning(f'ignored cmd_vel: {error}',
                                            throttle_duration_sec=5.0)

    async def _on_reset_world(self, request: ResetWorld.Request,
                              response: ResetWorld.Response) -> ResetWorld.Response:
        order = None
        try:
            if self._stopping or self._refused_for_reload is not None:
                raise NotReadyError('Webots is reloading its world; call again shortly')
            seed = request.seed if request.seed >= 0 else None
            order = _WorldOrder(self._arenas.next_arena(
                seed, request.scenario, request.options_json), Future())
            self._machine.submit(Job(JobKind.WORLD, 1, order))
            state, truth, world_id = await order.done
        except _REFUSED as error:
            response.success, response.message = False, str(error)
            return response
        finally:
            if order is not None:
                order.answered = True
        response.success = True
        response.world_id = world_id
        response.state = state_to_msg(state)
        response.ground_truth = ground_truth_to_msg(truth)
        return response

    async def _on_advance(self, request: Advance.Request,
                          response: Advance.Response) -> Advance.Response:
        try:
            if self._machine.mode is not SimMode.PAUSE:
                raise InvalidArgumentError(
                    f'the simulation is free-running ({self._machine.mode.name.lower()}); '
                    'call sim/set_mode with mode 0 (PAUSE) before sim/advance')
            if request.periods < 1:
                raise InvalidArgumentError('periods must be >= 1')
            done = Future()
            order = _AdvanceOrder(twist_from_msg(request.command), request.world_id, done)
            steps = request.periods * self._sim.steps_per_period
            self._machine.submit(Job(JobKind.ADVANCE, steps, order))
            sim_time, state, truth = await done
        except _REFUSED as error:
            response.success, response.message = False, str(error)
            return response
        response.success = True
        response.sim_time = sim_time
        response.state = state_to_msg(state)
        response.ground_truth = ground_truth_to_msg(truth)
        return response

    def _on_set_mode(self, request: SetSimMode.Request,
                     response: SetSimMode.Response) -> SetSimMode.Response:
        try:
            mode = SimMode.from_request(request.mode)
        except ValueError as error:
            response.success = False
            response.message = str(error)
            return response
        self._machine.mode = mode
        self._io.set_mode(mode)
        response.success = True
        self._node.get_logger().info(f'mode {mode.name.lower()}')
        return response

    def _on_ground_truth(self, request: GetGroundTruth.Request,
                         response: GetGroundTruth.Response) -> GetGroundTruth.Response:
        try:
            response.ground_truth = ground_truth_to_msg(self._sim.ground_truth())
        except NotReadyError as error:
            response.success, response.message = False, str(error)
            return response
        response.success = True
        return response
