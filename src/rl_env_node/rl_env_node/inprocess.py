"""The MuJoCo simulator held in this process: a robot backend and a ``gymnasium.Env``.

No ROS and no service hop: :class:`InProcessSimulation` calls
:class:`robotino_mujoco.RobotinoSimulator` directly, in lockstep (one
``advance`` per step), and :class:`RobotinoEnv` puts the same
:class:`~rl_env_node.env_core.EnvCore` the env node serves over it. Use it
for benchmarks, fast single-process training and tests; what it learns is
what the node would teach, since task and core are the same code.

Importing this module registers ``Robotino-GoalReaching-v0`` and
``Robotino-WallFollowing-v0`` with Gymnasium, so
``gymnasium.make('rl_env_node.inprocess:Robotino-GoalReaching-v0')`` works
without an explicit import.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gymnasium
import numpy as np

from rl_env_node.backend import EpisodeStart, Observation, Twist, WorldRequest
from rl_env_node.env_core import EnvCore
from rl_env_node.errors import BackendError, TaskOptionError
from rl_env_node.frames import goal_in_odom
from rl_env_node.tasks import Task, make_task
from robotino_mujoco import RobotinoSimulator, SimulatorConfig
from robotino_mujoco import simulator_config as make_simulator_config
from robotino_world import (
    ArenaGenerationError,
    InvalidArgumentError,
    ScenarioError,
    SimulationError,
    arena_with_options,
)


class InProcessSimulation:
    """:class:`~rl_env_node.backend.RobotBackend` over a simulator in this process.

    Every :meth:`act` advances exactly one control period, so results depend
    only on the seed, the scenario and the twists.

    :param simulator: the simulator to drive; a new one with ``config`` when None.
    :param config: configuration for a new simulator (ignored with ``simulator``).
    """

    def __init__(self, simulator: RobotinoSimulator | None = None,
                 config: SimulatorConfig | None = None) -> None:
        self._sim = simulator if simulator is not None else RobotinoSimulator(config)
        self.control_period = self._sim.config.control_period
        #: The twist the last :meth:`act` held, for the env node's ``cmd_vel``.
        self.last_twist: Twist = (0.0, 0.0, 0.0)

    @classmethod
    def with_timing(cls, control_period: float, physics_step: float, realism: str = 'ideal',
                    randomise: bool = False) -> InProcessSimulation:
        """A new simulator stepping ``physics_step`` seconds, ``control_period`` per act.

        For the env node, which thereby never imports MuJoCo's modules itself.

        :param realism: the simulator's realism preset (``robotino_mujoco.PRESETS``).
        :param randomise: draw the realism anew at every reset (domain randomisation).
        :raises ValueError: for an unknown preset or timings that do not fit.
        """
        return cls(config=make_simulator_config(
            realism, randomise, control_period=control_period, physics_step=physics_step))

    @property
    def simulator(self) -> RobotinoSimulator:
        """The simulator, for plots, camera images and benchmarks."""
        return self._sim

    def start_episode(self, seed: int, world: WorldRequest) -> EpisodeStart:
        """Rebuild the world for ``seed`` and ``world``; the goal comes in ``odom``.

        :raises TaskOptionError: when the simulator rejects the world (unknown
            scenario, bad arena options, or no start and goal fit); the world
            request comes from the task's options.
        :raises BackendError: for any other simulator failure.
        """
        try:
            arena = arena_with_options(self._sim.config.arena, world.arena_options)
            state, truth = self._sim.reset(seed, world.scenario, arena=arena)
        except (ScenarioError, InvalidArgumentError, ArenaGenerationError) as error:
            raise TaskOptionError(f'the simulator rejected the task\'s world '
                                  f'{world!r}: {error}; check the task options') from None
        except SimulationError as error:
            raise BackendError(f'the simulator failed to reset: {error}') from None
        return EpisodeStart(state, goal_in_odom(state, truth), truth)

    def act(self, twist: Twist) -> Observation:
        """Hold ``twist`` (``base_link``, m/s and rad/s) for one control period."""
        try:
            state = self._sim.advance(1, twist)
        except SimulationError as error:
            raise BackendError(f'the simulator failed to advance: {error}') from None
        self.last_twist = twist
        return Observation(state, self._sim.ground_truth())

    def halt(self) -> None:
        """Command zero velocity; in lockstep nothing moves until the next ``act``."""
        try:
            self._sim.set_command((0.0, 0.0, 0.0))
        except SimulationError:
            return

    def close(self) -> None:
        """Release the simulator's rendering context."""
        self._sim.close()


class RobotinoEnv(gymnasium.Env[np.ndarray, np.ndarray]):
    """A Robotino task in the in-process MuJoCo simulator, as a ``gymnasium.Env``.

    :param task: a registered task name, or a task instance.
    :param task_options: options for a task given by name (JSON-like mapping).
    :param max_episode_steps: time limit in steps; the task's default when None.
    :param simulator_config: how to simulate; else the defaults with ``realism``.
    :param realism: realism preset of a default simulator (``robotino_mujoco.PRESETS``).
    :param randomise: a default simulator draws its realism anew at every reset.
    """

    metadata = {'render_modes': []}

    def __init__(self, task: str | Task = 'goal_reaching',
                 task_options: Mapping[str, Any] | None = None,
                 max_episode_steps: int | None = None,
                 simulator_config: SimulatorConfig | None = None, realism: str = 'ideal',
                 randomise: bool = False) -> None:
        if isinstance(task, str):
            task = make_task(task, task_options)
        elif task_options:
            task = task.replace(task_options)
        config = simulator_config or make_simulator_config(realism, randomise)
        self._backend = InProcessSimulation(config=config)
        self._core = EnvCore(task, self._backend, max_episode_steps)
        self.observation_space = self._core.observation_space
        self.action_space = self._core.action_space

    @property
    def core(self) -> EnvCore:
        """The env core: episode counters, the last episode's summary, the spec."""
        return self._core

    @property
    def simulator(self) -> RobotinoSimulator:
        """The simulator, for plots and benchmarks."""
        return self._backend.simulator

    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        """Start an episode; ``options`` are task options for this episode only."""
        observation, info = self._core.reset(seed, options)
        self._np_random = self._core.rng
        if seed is not None:
            self._np_random_seed = seed
        return observation, info

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Apply ``action`` for one control period (see :meth:`EnvCore.step`)."""
        return self._core.step(action)

    def close(self) -> None:
        """Halt the base and release the simulator's resources."""
        self._core.close()
        self._backend.close()


def _register() -> None:
    for env_id, task in (('Robotino-GoalReaching-v0', 'goal_reaching'),
                         ('Robotino-WallFollowing-v0', 'wall_following')):
        if env_id not in gymnasium.registry:
            gymnasium.register(env_id, entry_point='rl_env_node.inprocess:RobotinoEnv',
                               kwargs={'task': task})


_register()
