"""The Robotino 3 in MuJoCo as a plain Python class, for the sim node and for tests.

Two ways to drive it:

- lockstep: :meth:`RobotinoSimulator.advance` holds a twist for ``n``
  control periods (as an agent that publishes it every period) and returns
  the robot's state at the new simulated time;
- free running: :meth:`~RobotinoSimulator.set_command` when a ``cmd_vel``
  arrives and :meth:`~RobotinoSimulator.step_physics` from a timer; the base
  brakes to a stop once ``command_timeout`` seconds of simulated time pass
  without a command, like the real robot's watchdog.

A twist goes through the drive as on the real robot: the driver's per-axis
clamp, inverse kinematics, one common scale factor for wheel speed
saturation, then each wheel's set-point ramps at no more than the
acceleration limit, all wheels arriving together so the direction of travel
holds. Odometry integrates the wheels' speeds, so it departs from ground
truth only through sampling, slip and encoder errors. Simulated time is an
integer count of physics steps, so ``n`` periods always add exactly
``n * control_period``.

``config.realism`` adds the real robot's imperfections (see
:mod:`robotino_mujoco.realism`), all drawn from one stream seeded at each
reset, apart from the arenas': commands reach the motors ``latency`` later;
the wheels' effective radius (the actuators' gear) carries the motor gain
and the slip, the slip hidden from the encoders; friction and mass are set
on the model per episode; the IR ranges go through :mod:`.ir_model`; a
free-running period (:meth:`RobotinoSimulator.step_period`) jitters.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

import mujoco
import numpy as np

from robotino_description import GroundTruth, RobotState, WheelOdometry, wrap_angle
from robotino_description.ir_conversion import IrLookupTable
from robotino_mujoco.config import SimulatorConfig
from robotino_mujoco.errors import CameraDisabledError
from robotino_mujoco.ir_model import measured_ranges
from robotino_mujoco.model import RAY_SETBACK, apply_arena, build_model
from robotino_mujoco.realism import Realism
from robotino_world import (
    Arena,
    ArenaConfig,
    ArenaStream,
    InvalidArgumentError,
    NotReadyError,
    ScenarioError,
    WheelRamp,
    Wheels,
    wheel_targets,
)

_SENSOR_OFF = int(mujoco.mjtDisableBit.mjDSBL_SENSOR)
_STOP: Wheels = (0.0, 0.0, 0.0)
_REALISM_STREAM = 0x5EA1
"""Mixed with a reset's seed, so realism draws from a stream of its own, not the arenas'."""


def _count(value: int, name: str) -> int:
    """A positive whole number, or InvalidArgumentError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise InvalidArgumentError(f'{name} must be an integer >= 1, got {value!r}')
    return int(value)


class RobotinoSimulator:
    """A Robotino 3 in an arena, stepped by MuJoCo; no ROS.

    Frames: ground truth in the world (``map``) frame centred in the room,
    odometry in ``odom``, which equals the start pose at every reset, body
    velocities in ``base_link`` (REP 103/105). Units: metres, radians,
    seconds. The same seed, scenario and commands give bit-identical results.

    :param config: how to simulate; the defaults when omitted.
    """

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self._config = config or SimulatorConfig()
        description = self._config.realism.with_limits(self._config.description)
        self._kinematics = description.kinematics()
        self._odometry = WheelOdometry(self._kinematics)
        camera = (self._config.camera_width, self._config.camera_height)
        self._model, self._handles = build_model(
            description, self._config.physics_step, self._config.max_boxes,
            self._config.max_cylinders, camera if self._config.camera else None)
        self._model.opt.disableflags |= _SENSOR_OFF
        self._data = mujoco.MjData(self._model)
        # Views into the data used every physics chunk (each attribute access of MjData
        # makes a new array object): the robot's planar joint, the motors' inputs.
        q = self._handles.qpos
        self._base_qpos = self._data.qpos[q:q + 3]
        self._base_qvel = self._data.qvel[q:q + 3]
        self._ctrl = self._data.ctrl
        self._act = self._data.act
        self._arenas = ArenaStream(self._config.arena, description.geometry.base_radius)
        self._arena: Arena | None = None
        self._state: RobotState | None = None
        self._renderer: mujoco.Renderer | None = None
        self._scene_option: mujoco.MjvOption | None = None
        self._ramp = WheelRamp(description.limits.max_wheel_acceleration,
                               self._config.physics_step)
        self._wheel_rows = tuple(tuple(float(v) for v in row)
                                 for row in self._kinematics.wheels_from_twist)
        self._step_time = self._config.physics_step
        self._odometry_steps = self._config.odometry_steps
        self._timeout_steps = self._config.timeout_steps
        self._target: Wheels = _STOP
        self._steps = 0
        self._command_step = 0
        self._collisions = 0
        self._in_collision = False
        self._ir_table = IrLookupTable()
        self._pending: deque[tuple[int, Wheels]] = deque()
        self._realism = self._config.realism
        self._rng: np.random.Generator | None = None
        self._latency_steps = 0
        self._encoder_gains: Wheels | None = None
        self._base_body = int(self._model.geom_bodyid[self._handles.base_geom])
        self._nominal = (self._model.geom_friction.copy(),
                         float(self._model.body_mass[self._base_body]),
                         self._model.body_inertia[self._base_body].copy(),
                         self._model.actuator_gear[:, 0].copy())
        self._mass_scale = 1.0

    @property
    def config(self) -> SimulatorConfig:
        """The configuration this simulator runs with."""
        return self._config

    @property
    def arena(self) -> Arena:
        """The current room, obstacles, start and goal (world frame), for tasks and plots."""
        self._require_reset()
        return self._arena

    @property
    def steps(self) -> int:
        """Physics steps since the last reset."""
        return self._steps

    @property
    def sim_time_ns(self) -> int:
        """Simulated time since the last reset, whole nanoseconds (for ``/clock``)."""
        return self._steps * self._config.physics_step_ns

    @property
    def sim_time(self) -> float:
        """Simulated time since the last reset, seconds."""
        return self.sim_time_ns / 1e9

    @property
    def realism(self) -> Realism:
        """This episode's imperfections: ``config.realism`` with its randomisation drawn."""
        return self._realism

    @property
    def mj_model(self) -> mujoco.MjModel:
        """The MuJoCo model, for benchmarks and viewers; do not change it."""
        return self._model

    @property
    def mj_data(self) -> mujoco.MjData:
        """The MuJoCo data, for benchmarks and viewers; do not change it."""
        return self._data

    def reset(self, seed: int | None, scenario: str = '',
              arena: ArenaConfig | None = None) -> tuple[RobotState, GroundTruth]:
        """Build a new world and put the robot, at rest, on its start.

        :param seed: seeds the arena's random stream; None continues the current
            stream (or starts an unseeded one before any seed was given).
        :param scenario: ``''`` for a generated arena, a layout name such as
            ``'corridor'``, or a path to a layout ``.yaml`` (each file is read
            once per simulator).
        :param arena: arena settings for this world only; ``config.arena`` when None.
        :return: the robot's state and the ground truth at time 0.
        :raises ScenarioError: for an unknown or malformed scenario, or an arena
            larger than the geom pools.
        :raises ArenaGenerationError: when no valid start and goal fit.
        """
        arena_config = self._config.arena if arena is None else arena
        if not self._config.pools_fit(arena_config):
            raise ScenarioError(
                f'up to {arena_config.obstacle_count[1]} obstacles do not fit the pools of '
                f'SimulatorConfig.max_boxes (4 are walls) and max_cylinders')
        arena = self._arenas.next_arena(seed, scenario, arena_config)
        self._start_episode(seed)
        apply_arena(self._model, self._handles, arena)
        mujoco.mj_resetData(self._model, self._data)
        self._base_qpos[:] = (arena.start.x, arena.start.y, arena.start.yaw)
        self._arena = arena
        self._target = _STOP
        self._pending.clear()
        self._ramp.reset()
        self._steps = self._command_step = self._collisions = 0
        self._odometry.reset()
        self._in_collision = False
        self._refresh()
        return self._state, self.ground_truth()

    def _start_episode(self, seed: int | None) -> None:
        """Draw this episode's realism and set its physics on the model.

        Motor gain and slip divide the actuators' gear, so the servo holds a
        wheel's set-point with the base moving at ``motor_gain * (1 - slip)``
        times the speed; the servo's stiffness seen at the base falls by the
        square of that factor, a small side effect near 1. Friction scales
        every geom (the model has no wheel contact: it acts where the base
        touches walls and obstacles). The encoders then read the wheels'
        own turning: the base's motion without the slip, times each one's
        scale error.

        :param seed: the reset's seed (already checked); None continues the stream.
        """
        if seed is not None:
            self._rng = np.random.default_rng((int(seed), _REALISM_STREAM))
        elif self._rng is None:
            self._rng = np.random.default_rng()
        randomisation, realism = self._config.randomisation, self._config.realism
        if randomisation is not None:
            realism = randomisation.draw(realism, self._rng)
        self._realism = realism
        friction, mass, inertia, gear = self._nominal
        self._model.geom_friction[:] = friction * realism.friction_scale
        self._model.actuator_gear[:, 0] = gear / (realism.motor_gain * (1.0 - realism.slip))
        if realism.mass_scale != self._mass_scale:
            self._model.body_mass[self._base_body] = mass * realism.mass_scale
            self._model.body_inertia[self._base_body] = inertia * realism.mass_scale
            mujoco.mj_setConst(self._model, self._data)
            self._mass_scale = realism.mass_scale
        self._latency_steps = round(realism.latency / self._step_time)
        self._encoder_gains = None
        if realism.encoder_error > 0.0 or realism.slip > 0.0:
            errors = realism.encoder_error * self._rng.standard_normal(3)
            self._encoder_gains = tuple(float(1.0 + e) / (1.0 - realism.slip) for e in errors)

    def set_command(self, twist: Sequence[float]) -> None:
        """Take a ``cmd_vel``: clamp, convert and saturate it for the motors.

        It reaches them, and restarts their timeout, ``realism.latency`` later.

        :param twist: ``(vx, vy, wz)`` in ``base_link``, m/s and rad/s.
        :raises InvalidArgumentError: unless ``twist`` is three finite numbers.
        """
        self._require_reset()
        self._send(wheel_targets(self._kinematics, twist))

    def _send(self, target: Wheels) -> None:
        """Queue wheel targets for the motors, due after the latency."""
        self._pending.append((self._steps + self._latency_steps, target))

    def _deliver(self) -> int | None:
        """Hand the motors every command now due; physics steps until the next, if any."""
        while self._pending and self._pending[0][0] <= self._steps:
            self._command_step, self._target = self._pending.popleft()
        return self._pending[0][0] - self._steps if self._pending else None

    def step_physics(self, n_steps: int) -> RobotState:
        """Run ``n_steps`` physics steps with the current command (free-running API).

        :return: the robot's state at the new simulated time.
        """
        self._require_reset()
        self._run(_count(n_steps, 'n_steps'))
        self._refresh()
        return self._state

    def step_period(self) -> RobotState:
        """Run one control period with the current command (free-running API).

        Its length jitters by ``realism.period_jitter`` in whole physics
        steps, at least one; without jitter it is exactly one period.

        :return: the robot's state at the new simulated time.
        """
        self._require_reset()
        steps = self._config.steps_per_period
        jitter = self._realism.period_jitter
        if jitter > 0.0:
            steps = max(1, steps + round(float(self._rng.normal(0.0, jitter)) / self._step_time))
        return self.step_physics(steps)

    def advance(self, n_periods: int, twist: Sequence[float]) -> RobotState:
        """Hold ``twist`` for ``n_periods`` control periods (lockstep API).

        The command is sent anew every period, so the timeout never cuts it;
        periods are exact, whatever the jitter.

        :param n_periods: control periods to run, >= 1.
        :param twist: ``(vx, vy, wz)`` in ``base_link``, m/s and rad/s.
        :return: the robot's state at the new simulated time.
        """
        n_periods = _count(n_periods, 'n_periods')
        self._require_reset()
        target = wheel_targets(self._kinematics, twist)
        for _ in range(n_periods):
            self._send(target)
            self._run(self._config.steps_per_period)
        self._refresh()
        return self._state

    def _run(self, n_steps: int) -> None:
        """Step MuJoCo in chunks that end at commands, ramp ends, timeouts and odometry samples."""
        while n_steps > 0:
            due = self._deliver()
            idle = self._steps - self._command_step
            chunk = min(n_steps, self._odometry_steps - self._steps % self._odometry_steps)
            if due is not None:
                chunk = min(chunk, due)
            if idle < self._timeout_steps:
                target = self._target
                chunk = min(chunk, self._timeout_steps - idle)
            else:
                target = _STOP
            rates, ramp = self._ramp.plan(target)
            if ramp > 0:
                chunk = min(chunk, ramp)
            self._ctrl[:] = rates
            mujoco.mj_step(self._model, self._data, nstep=chunk)
            self._ramp.advance(target, rates, ramp, chunk)
            self._act[:] = self._ramp.setpoint
            self._steps += chunk
            n_steps -= chunk
            self._odometry.update(self._wheel_speeds(), chunk * self._step_time)

    def _wheel_speeds(self) -> tuple[float, float, float]:
        """What the wheel encoders read now, rad/s.

        The wheel speeds of the base's motion, turned faster by the slip the
        base lost and off by each encoder's scale error.
        """
        yaw = self._base_qpos[2].item()
        x_dot, y_dot, yaw_dot = self._base_qvel.tolist()
        cos_y, sin_y = math.cos(yaw), math.sin(yaw)
        vx, vy = cos_y * x_dot + sin_y * y_dot, -sin_y * x_dot + cos_y * y_dot
        speeds = tuple(a * vx + b * vy + c * yaw_dot for a, b, c in self._wheel_rows)
        if self._encoder_gains is None:
            return speeds
        return tuple(w * g for w, g in zip(speeds, self._encoder_gains, strict=True))

    def _refresh(self) -> None:
        """Recompute sensors and contacts at the current time and snapshot the state."""
        self._model.opt.disableflags &= ~_SENSOR_OFF
        mujoco.mj_fwdPosition(self._model, self._data)
        mujoco.mj_sensorPos(self._model, self._data)
        self._model.opt.disableflags |= _SENSOR_OFF
        ir = self._config.description.ir
        raw = self._data.sensordata[:ir.count]
        distances = np.where(raw >= 0.0, np.maximum(raw - RAY_SETBACK, 0.0), -1.0)
        ranges = measured_ranges(distances, ir, self._ir_table, self._realism, self._rng)
        ranges.flags.writeable = False
        ncon = self._data.ncon
        touching = ncon > 0 and bool(
            np.any(self._data.contact.geom[:ncon] == self._handles.base_geom))
        if touching and not self._in_collision:
            self._collisions += 1
        self._in_collision = touching
        x, y, yaw = self._odometry.pose
        vx, vy, wz = self._odometry.twist
        self._state = RobotState(self.sim_time, x, y, yaw, vx, vy, wz, ranges, touching)

    def state(self) -> RobotState:
        """The robot's state at the current simulated time (odometry, IR, bumper)."""
        self._require_reset()
        return self._state

    def ground_truth(self) -> GroundTruth:
        """The supervisor's view at the current simulated time, world frame."""
        self._require_reset()
        x, y, yaw = self._base_qpos.tolist()
        goal = self._arena.goal
        return GroundTruth(self.sim_time, x, y, wrap_angle(yaw), goal.x, goal.y, goal.yaw,
                           self._in_collision, self._collisions)

    def render_camera(self) -> np.ndarray:
        """The onboard camera's image now, (height, width, 3) uint8 RGB.

        Rendered without shadows, reflections or the rangefinder rays; the
        first call makes the OpenGL context (set ``MUJOCO_GL=egl`` headless).

        :raises CameraDisabledError: when ``config.camera`` is false.
        """
        self._require_reset()
        if self._handles.camera < 0:
            raise CameraDisabledError('the camera is off; set SimulatorConfig(camera=True)')
        if self._renderer is None:
            self._renderer = mujoco.Renderer(
                self._model, self._config.camera_height, self._config.camera_width)
            self._renderer.scene.flags[mujoco.mjtRndFlag.mjRND_SHADOW] = False
            self._renderer.scene.flags[mujoco.mjtRndFlag.mjRND_REFLECTION] = False
            self._scene_option = mujoco.MjvOption()
            self._scene_option.flags[mujoco.mjtVisFlag.mjVIS_RANGEFINDER] = False
        self._renderer.update_scene(self._data, camera=self._handles.camera,
                                    scene_option=self._scene_option)
        return self._renderer.render()

    def close(self) -> None:
        """Release the camera's rendering context, if one was made."""
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None

    def _require_reset(self) -> None:
        if self._state is None:
            raise NotReadyError('call reset(seed, scenario) before stepping or reading')
