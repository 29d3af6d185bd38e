"""The Robotino in Webots as the MuJoCo simulator presents it: twists in, states out.

:class:`WebotsSimulation` is told once per Webots basic step what happened
(:meth:`~WebotsSimulation.observe`) and what to drive next
(:meth:`~WebotsSimulation.actuate`); between the two the plugin may start
a world or a command. The figures and formulas are robotino_description's,
the drive model robotino_mujoco's, so the two backends differ only in
their physics and in Webots' IR sensors:

- ``cmd_vel`` goes through the driver's clamp, inverse kinematics and
  saturation (:meth:`RobotinoKinematics.wheel_command`), then each wheel's
  set-point ramps at the motors' acceleration limit (:class:`WheelRamp`);
  after ``command_timeout`` without a command the base brakes to a stop
  (the free-running modes), while an advance renews its command each step;
- odometry integrates the wheel speeds the encoders measured over each step
  (:class:`WheelOdometry`);
- IR readings become metres through the PROTO's lookup table
  (:mod:`robotino_description.ir_conversion`), which every sensor of the
  world must have (checked at start-up, :mod:`.ir_sensors`); the readings
  carry Webots' noise, the beams the PROTO's headings;
- time counts basic steps since the last world reset, so ``n`` periods
  always add exactly ``n * control_period``.

Frames: odometry in ``odom`` (the start pose at every reset), ground truth
in the world (``map``) frame centred in the room, velocities in
``base_link`` (REP 103/105). Units: metres, radians, seconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from robotino_description import (
    GroundTruth,
    RobotinoDescription,
    RobotState,
    WheelOdometry,
    wrap_angle,
)
from robotino_description.ir_conversion import IrLookupTable, ranges_from_readings
from robotino_webots.errors import WorldSetupError
from robotino_webots.ir_sensors import check_lookup_table
from robotino_webots.webots_io import WebotsRobotino, Wheels
from robotino_world.arena import Arena
from robotino_world.drive import WheelRamp, wheel_targets
from robotino_world.errors import NotReadyError

_STOP: Wheels = (0.0, 0.0, 0.0)
_NS_PER_MS = 1_000_000


class WebotsSimulation:
    """One Robotino in a Webots arena, stepped by Webots and accounted for here.

    :param io: the robot's devices and the supervisor.
    :param description: the robot.
    :param control_period: simulated seconds per control period; a multiple
        of the world's basic time step.
    :param command_timeout: simulated seconds without a command before the
        base brakes (free-running modes).
    :param table: the IR sensors' lookup table.
    :raises WorldSetupError: when the control period does not fit the basic step,
        or a sensor's lookup table is not ``table``.
    """

    def __init__(self, io: WebotsRobotino, description: RobotinoDescription,
                 control_period: float, command_timeout: float,
                 table: IrLookupTable | None = None) -> None:
        self._io = io
        self._description = description
        self._table = table or IrLookupTable()
        for name, flat in io.ir_lookup_tables().items():
            check_lookup_table(name, flat, self._table)
        self.step_ns = io.time_step_ms * _NS_PER_MS
        period_ns = round(control_period * 1e9)
        if period_ns < self.step_ns or period_ns % self.step_ns:
            raise WorldSetupError(
                f'control_period {control_period} s is not a multiple of the world basicTimeStep '
                f'{io.time_step_ms} ms; change either')
        self.steps_per_period = period_ns // self.step_ns
        self._dt = self.step_ns / 1e9
        self._timeout_steps = -(-round(command_timeout * 1e9) // self.step_ns)
        self._kinematics = description.kinematics()
        self._odometry = WheelOdometry(self._kinematics)
        self._ramp = WheelRamp(description.limits.max_wheel_acceleration, self._dt)
        self._angles = io.wheel_angles()
        self._steps = self._origin = self._command_step = self._collisions = 0
        self._target: Wheels = _STOP
        self._in_collision = False
        self._arena: Arena | None = None

    @property
    def episode_steps(self) -> int:
        """Basic steps since the last world reset."""
        return self._steps - self._origin

    @property
    def sim_time_ns(self) -> int:
        """Simulated time since the last world reset, whole nanoseconds."""
        return self.episode_steps * self.step_ns

    @property
    def sim_time(self) -> float:
        """Simulated time since the last world reset, seconds."""
        return self.sim_time_ns / 1e9

    @property
    def ready(self) -> bool:
        """True once a world has been built."""
        return self._arena is not None

    def observe(self) -> None:
        """Account for the basic step Webots just computed: odometry and contacts."""
        self._steps += 1
        angles = self._io.wheel_angles()
        if all(math.isfinite(a) for a in (*angles, *self._angles)):
            speeds = tuple((a - b) / self._dt for a, b in zip(angles, self._angles, strict=True))
            self._odometry.update_mean(speeds, self._dt)
        self._angles = angles
        touching = self._io.body_touching()
        if touching and not self._in_collision:
            self._collisions += 1
        self._in_collision = touching

    def actuate(self, renew_command: bool = False) -> None:
        """Set the motors for the next basic step: one ramp step toward the target.

        :param renew_command: keep the command alive (an advance holds it).
        """
        if renew_command:
            self._command_step = self._steps
        idle = self._steps - self._command_step
        target = self._target if idle < self._timeout_steps else _STOP
        rates, ramp_steps = self._ramp.plan(target)
        self._ramp.advance(target, rates, ramp_steps, 1)
        self._io.set_wheel_speeds(self._ramp.setpoint)

    def set_command(self, twist: Sequence[float]) -> None:
        """Take a body twist ``(vx, vy, wz)`` in ``base_link`` (m/s, rad/s) now.

        :raises InvalidArgumentError: unless it is three finite numbers.
        """
        self._target = wheel_targets(self._kinematics, twist)
        self._command_step = self._steps

    def place(self, arena: Arena) -> None:
        """Build ``arena`` and put the robot, stopped, on its start (seen after one step)."""
        self._io.show_arena(arena)
        self._io.place_robot(arena.start)
        self._io.place_goal(arena.goal)
        self._target = _STOP
        self._ramp.reset()
        self._io.set_wheel_speeds(_STOP)
        self._arena = arena

    def begin_episode(self) -> tuple[RobotState, GroundTruth]:
        """Start the clock and odometry at the placed start; the state and ground truth at 0."""
        self._origin = self._command_step = self._steps
        self._odometry.reset()
        self._collisions = 0
        touching, self._in_collision = self._in_collision, False
        if touching:
            self._collisions, self._in_collision = 1, True
        return self.state(), self.ground_truth()

    def state(self) -> RobotState:
        """What the robot measures now: odometry, IR ranges, bumper."""
        self._require_world()
        ranges = ranges_from_readings(self._io.ir_readings(), self._description.ir, self._table)
        ranges.flags.writeable = False
        x, y, yaw = self._odometry.pose
        vx, vy, wz = self._odometry.twist
        return RobotState(self.sim_time, x, y, yaw, vx, vy, wz, ranges, self._in_collision)

    def ground_truth(self) -> GroundTruth:
        """The supervisor's view now, world frame."""
        self._require_world()
        x, y, yaw = self._io.pose()
        goal = self._arena.goal
        return GroundTruth(self.sim_time, x, y, wrap_angle(yaw), goal.x, goal.y, goal.yaw,
                           self._in_collision, self._collisions)

    def _require_world(self) -> None:
        if self._arena is None:
            raise NotReadyError('no world yet: the plugin builds the first one in its first step')
