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
holds. Odometry integrates the wheels' speeds (there is no wheel slip, so it
departs from ground truth only through sampling). Simulated time is an
integer count of physics steps, so ``n`` periods always add exactly
``n * control_period``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import mujoco
import numpy as np

from robotino_description import GroundTruth, RobotState, WheelOdometry, wrap_angle
from robotino_mujoco.config import SimulatorConfig
from robotino_mujoco.errors import CameraDisabledError
from robotino_mujoco.model import RAY_SETBACK, apply_arena, build_model
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
        description = self._config.description
        self._kinematics = description.kinematics()
        self._odometry = WheelOdometry(self._kinematics)
        camera = (self._config.camera_width, self._config.camera_height)
        self._model, self._handles = build_model(
            description, self._config.physics_step, self._config.max_boxes,
            self._config.max_cylinders, camera if self._config.camera else None)
        self._model.opt.disableflags |= _SENSOR_OFF
        self._data = mujoco.MjData(self._model)
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
        apply_arena(self._model, self._handles, arena)
        mujoco.mj_resetData(self._model, self._data)
        q = self._handles.qpos
        self._data.qpos[q:q + 3] = (arena.start.x, arena.start.y, arena.start.yaw)
        self._arena = arena
        self._target = _STOP
        self._ramp.reset()
        self._steps = self._command_step = self._collisions = 0
        self._odometry.reset()
        self._in_collision = False
        self._refresh()
        return self._state, self.ground_truth()

    def set_command(self, twist: Sequence[float]) -> None:
        """Take a ``cmd_vel`` now: clamp, convert and saturate it, restart the timeout.

        :param twist: ``(vx, vy, wz)`` in ``base_link``, m/s and rad/s.
        :raises InvalidArgumentError: unless ``twist`` is three finite numbers.
        """
        self._require_reset()
        self._target = wheel_targets(self._kinematics, twist)
        self._command_step = self._steps

    def step_physics(self, n_steps: int) -> RobotState:
        """Run ``n_steps`` physics steps with the current command (free-running API).

        :return: the robot's state at the new simulated time.
        """
        self._require_reset()
        self._run(_count(n_steps, 'n_steps'))
        self._refresh()
        return self._state

    def advance(self, n_periods: int, twist: Sequence[float]) -> RobotState:
        """Hold ``twist`` for ``n_periods`` control periods (lockstep API).

        The command is renewed every period, so the timeout never cuts it.

        :param n_periods: control periods to run, >= 1.
        :param twist: ``(vx, vy, wz)`` in ``base_link``, m/s and rad/s.
        :return: the robot's state at the new simulated time.
        """
        n_periods = _count(n_periods, 'n_periods')
        self.set_command(twist)
        for _ in range(n_periods):
            self._command_step = self._steps
            self._run(self._config.steps_per_period)
        self._refresh()
        return self._state

    def _run(self, n_steps: int) -> None:
        """Step MuJoCo in chunks that end at ramp ends, timeouts and odometry samples."""
        while n_steps > 0:
            idle = self._steps - self._command_step
            chunk = min(n_steps, self._odometry_steps - self._steps % self._odometry_steps)
            if idle < self._timeout_steps:
                target = self._target
                chunk = min(chunk, self._timeout_steps - idle)
            else:
                target = _STOP
            rates, ramp = self._ramp.plan(target)
            if ramp > 0:
                chunk = min(chunk, ramp)
            self._data.ctrl[:] = rates
            mujoco.mj_step(self._model, self._data, nstep=chunk)
            self._ramp.advance(target, rates, ramp, chunk)
            self._data.act[:] = self._ramp.setpoint
            self._steps += chunk
            n_steps -= chunk
            self._odometry.update(self._wheel_speeds(), chunk * self._step_time)

    def _wheel_speeds(self) -> tuple[float, float, float]:
        """What the wheel encoders read now: wheel speeds of the base's motion, rad/s."""
        q = self._handles.qpos
        yaw = float(self._data.qpos[q + 2])
        x_dot, y_dot, yaw_dot = (float(v) for v in self._data.qvel[q:q + 3])
        cos_y, sin_y = math.cos(yaw), math.sin(yaw)
        vx, vy = cos_y * x_dot + sin_y * y_dot, -sin_y * x_dot + cos_y * y_dot
        return tuple(a * vx + b * vy + c * yaw_dot for a, b, c in self._wheel_rows)

    def _refresh(self) -> None:
        """Recompute sensors and contacts at the current time and snapshot the state."""
        self._model.opt.disableflags &= ~_SENSOR_OFF
        mujoco.mj_fwdPosition(self._model, self._data)
        mujoco.mj_sensorPos(self._model, self._data)
        self._model.opt.disableflags |= _SENSOR_OFF
        ir = self._config.description.ir
        raw = self._data.sensordata[:ir.count]
        ranges = ir.to_band(np.where(raw >= 0.0, np.maximum(raw - RAY_SETBACK, 0.0), -1.0))
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
        q = self._handles.qpos
        x, y, yaw = (float(v) for v in self._data.qpos[q:q + 3])
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
