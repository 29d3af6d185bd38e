"""The webots_ros2_driver plugin: the real Robotino driver's topics and the ``sim/`` services.

webots_ros2_driver loads this class from the URDF's ``<plugin>`` element
into the Webots controller process, calls :meth:`RobotinoDriver.init` once
and :meth:`RobotinoDriver.step` after every Webots basic time step. The
plugin publishes ``odom``, ``distance_sensors``, ``bumper`` and ``clock``,
takes ``cmd_vel``, and serves ``sim/reset_world``, ``sim/advance``,
``sim/set_mode`` and ``sim/ground_truth`` through the shared
:class:`~rl_ros.sim_server.SimServer`, as the MuJoCo sim node does (names
relative to the ``namespace`` property; ``clock`` is ``/clock`` in the root
namespace, and counts simulated time since the last world reset,
as MuJoCo's). Device I/O is :mod:`.webots_io`, the accounting
:mod:`.simulation`, the stepping :mod:`.lockstep`.

Lockstep and deferred answers. Everything runs in the controller's one
thread: ``step()`` spins this plugin's own rclpy node with
``spin_once(timeout_sec=0)``, so callbacks (and the Webots API calls they
make) run between Webots steps. No callback ever steps or waits for the
simulator. A world reset or an advance needs simulated time to pass before
it can be answered, and a synchronous rclpy service callback must return
its response at once, so the server's callbacks are coroutines and this
plugin's :meth:`RobotinoDriver.reset_world` and :meth:`RobotinoDriver.advance`
return awaitables: each queues a job for the step loop with an rclpy
``Future`` and awaits it; the executor
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

Shutdown and a failed start. Ctrl-C and SIGTERM end the driver through its
own exit path (:mod:`.signals`): ROS shuts down, ``step()`` stops the wheels
and does nothing more, the driver leaves its loop and calls :meth:`stop`,
which sends the stopped wheels to Webots and leaves ROS. A start that fails
is logged once as fatal and leaves the wheels stopped; the driver process
carries on doing nothing rather than exiting, which ``WebotsController``
would answer with a restart, and the same failure again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rclpy
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.impl.implementation_singleton import rclpy_implementation
from rclpy.node import Node
from rclpy.task import Future

from rl_ros.contract import SimMode
from rl_ros.parameters import declare_parameters
from rl_ros.robot_publisher import RobotTopicPublisher
from rl_ros.sim_server import Advanced, SimServer, Twist, WorldReset
from robotino_description import ROBOTINO3, GroundTruth
from robotino_webots.lockstep import Action, Job, JobKind, Lockstep
from robotino_webots.settings import SETTINGS, DriverSettings
from robotino_webots.signals import init_ros
from robotino_webots.simulation import WebotsSimulation
from robotino_webots.webots_io import WebotsRobotino, stop_wheels
from robotino_world import (
    Arena,
    ArenaConfig,
    ArenaStream,
    NotReadyError,
    SimulationError,
    check_world_id,
)

NODE_NAME = 'robotino_webots'
HOLD_WAIT = 0.1
"""Seconds a held ``step()`` waits for a request before checking for shutdown."""
_RCLError = rclpy_implementation.RCLError
"""What rclpy raises, among other faults, for a wait on a context that has just shut down."""


@dataclass
class _WorldOrder:
    arena: Arena
    done: Future | None
    answered: bool = False


@dataclass
class _AdvanceOrder:
    twist: Twist
    world_id: int
    done: Future


class RobotinoDriver:
    """The Robotino's ROS interface inside Webots (a webots_ros2_driver Python plugin).

    It is the :class:`~rl_ros.sim_server.SimulatorHost` of its ``sim/`` server.
    """

    def __init__(self) -> None:
        """Nothing runs before :meth:`init` has succeeded: until then ``step()`` does nothing."""
        self._robot: Any = None
        self._node: Node | None = None
        self._executor: SingleThreadedExecutor | None = None
        self._stopping = True

    def init(self, webots_node: Any, properties: dict[str, str]) -> None:
        """Read the settings, open the devices, create the node; queue the start-up world.

        Any error is caught and logged as one fatal line (the reason), the
        wheels are stopped and the plugin does nothing from then on:
        webots_ros2_driver prints an exception from ``init`` and carries on
        (``PythonPlugin.cpp`` line 15), and ends the process on ``SystemExit``.

        :param webots_node: webots_ros2_driver's handle; ``.robot`` is the ``Supervisor``.
        :param properties: the ``<plugin>`` children from the URDF, as strings.
        """
        try:
            self._robot = webots_node.robot
            init_ros()
            self._settings = DriverSettings.from_properties(properties)
            self._setup(self._robot)
        except Exception as error:
            self._fail(error)
            return
        self._stopping = False

    def _fail(self, error: Exception) -> None:
        """Say on one line why the start failed, stop the wheels and leave the ROS graph."""
        logger = self._node.get_logger() if self._node else rclpy.logging.get_logger(NODE_NAME)
        reason = ' '.join(str(error).split())
        if not isinstance(error, SimulationError):
            reason = f'{type(error).__name__}: {reason}'
        logger.fatal(f'cannot start: {reason}; the wheels are stopped and the plugin stays idle')
        if self._robot is not None:
            stop_wheels(self._robot)
        self._close_node()

    def _setup(self, robot: Any) -> None:
        settings = self._settings
        sim = settings.sim
        self._node = rclpy.create_node(NODE_NAME, namespace=settings.namespace)
        declare_parameters(self._node, [spec.with_default(getattr(settings, spec.name))
                                        for spec in SETTINGS])
        self._executor = SingleThreadedExecutor(context=self._node.context)
        self._executor.add_node(self._node)
        self._io = WebotsRobotino(robot, ROBOTINO3)
        self._sim = WebotsSimulation(self._io, ROBOTINO3, sim.control_period,
                                     sim.command_timeout)
        self._arenas = ArenaStream(sim.arena, ROBOTINO3.geometry.base_radius)
        self._machine = Lockstep(sim.mode)
        self._io.set_mode(sim.mode)
        self._topics = RobotTopicPublisher(self._node, ROBOTINO3.ir, sim.odom_frame,
                                           sim.base_frame, sim.publish_topics)
        SimServer(self._node, self)
        self._world_id = 0
        self._resets_served = 0
        self._refused_for_reload: _WorldOrder | None = None
        first = self._arenas.next_arena(sim.seed, sim.scenario)
        self._machine.submit(Job(JobKind.WORLD, 1, _WorldOrder(first, None)))

    def step(self) -> None:
        """One Webots basic step has elapsed: account for it, serve, hold or drive on.

        Does nothing once the plugin has stopped: after a failed start, once
        the world reload is asked for, and once ROS has shut down (then the
        wheels are stopped; the driver leaves its loop on the same signal).
        """
        if self._stopping:
            return
        self._sim.observe()
        self._machine.tick()
        if self._serve(0.0) and self._run_boundary():
            job = self._machine.current
            self._sim.actuate(renew_command=job is not None and job.kind is JobKind.ADVANCE)
            self._publish_free_running()

    def stop(self) -> None:
        """The driver's loop has ended: leave the wheels stopped in Webots, then leave ROS.

        webots_ros2_driver calls this once, after its last step and before it
        finalises Python (``PythonPlugin.cpp`` line 24). Set-points reach
        Webots only with a step, and after a signal the driver's loop ends
        without one (``WebotsNode.cpp`` line 314), so the stopped wheels go
        out with one more basic step; it returns at once when Webots itself
        ended the loop (a reload, Webots quitting).
        """
        self._stopping = True
        if self._robot is not None:
            stop_wheels(self._robot)
            self._robot.step(int(self._robot.getBasicTimeStep()))
        self._close_node()
        rclpy.try_shutdown()

    def _close_node(self) -> None:
        """Shut the executor down and destroy the node, if they exist."""
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None
        if self._node is not None:
            self._node.destroy_node()
            self._node = None

    def _serve(self, timeout: float) -> bool:
        """Run ready callbacks; False once the plugin stops (ROS is down or the reload is due).

        The reload waits until the reset refused for it has its answer.
        """
        if not self._spin(timeout):
            self._halt()
            return False
        refused = self._refused_for_reload
        if refused is not None and refused.answered:
            self._stopping = True
            self._io.reload_world()
            return False
        return True

    def _halt(self) -> None:
        """ROS has shut down under the plugin: stop the wheels, drop the dead node, say so.

        The node goes first, or the log line would try to reach ``rosout``
        through a context that no longer exists.
        """
        self._stopping = True
        stop_wheels(self._robot)
        logger = self._node.get_logger().name
        self._close_node()
        rclpy.logging.get_logger(logger).info('ROS has shut down: the wheels are stopped')

    def _spin(self, timeout: float) -> bool:
        """``spin_once``; False when ROS has shut down, before the wait or during it."""
        context = self._node.context
        if not context.ok():
            return False
        try:
            self._executor.spin_once(timeout_sec=timeout)
        except (ExternalShutdownException, _RCLError):
            if context.ok():
                raise
            return False
        return True

    def _run_boundary(self) -> bool:
        """Finish and start jobs, or hold, until Webots may step; False when stopping."""
        while not self._stopping:
            action, job = self._machine.next_action()
            if action is Action.HOLD:
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
                check_world_id(order.world_id, self._world_id)
                self._sim.set_command(order.twist)
        except SimulationError as error:
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
                order.done.set_result(WorldReset(state, truth, self._world_id))
        else:
            state, truth = self._sim.state(), self._sim.ground_truth()
            order.done.set_result(Advanced(self._sim.sim_time, state, truth))
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
            f'period {settings.sim.control_period} s, basic step {self._sim.step_ns / 1e6:g} '
            f"ms, seed {settings.sim.seed}, scenario {settings.sim.scenario or 'generated'}")

    @property
    def mode(self) -> SimMode:
        """How simulated time moves now."""
        return self._machine.mode

    @property
    def base_arena(self) -> ArenaConfig:
        """The arena settings that a reset's options modify."""
        return self._arenas.base

    def set_command(self, twist: Twist) -> None:
        """Take a ``cmd_vel`` for the free-running modes."""
        self._sim.set_command(twist)

    async def reset_world(self, seed: int | None, scenario: str,
                          arena: ArenaConfig) -> WorldReset:
        """Queue a world for the next boundary; answered once it is built."""
        order = None
        try:
            if self._stopping or self._refused_for_reload is not None:
                raise NotReadyError('Webots is reloading its world; call again shortly')
            order = _WorldOrder(self._arenas.next_arena(seed, scenario, arena), Future())
            self._machine.submit(Job(JobKind.WORLD, 1, order))
            return await order.done
        finally:
            if order is not None:
                order.answered = True

    async def advance(self, periods: int, twist: Twist, world_id: int) -> Advanced:
        """Queue ``periods`` periods of ``twist``; answered at the boundary where they end."""
        order = _AdvanceOrder(twist, world_id, Future())
        self._machine.submit(Job(JobKind.ADVANCE, periods * self._sim.steps_per_period, order))
        return await order.done

    def set_mode(self, mode: SimMode) -> None:
        """Switch the lockstep machine and Webots' own mode."""
        self._machine.mode = mode
        self._io.set_mode(mode)

    def ground_truth(self) -> GroundTruth:
        """The supervisor's view now; NotReadyError before the first world."""
        return self._sim.ground_truth()
