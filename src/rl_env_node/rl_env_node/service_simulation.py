"""The simulator behind the ``sim/`` services, as a :class:`RobotBackend`.

For a simulator in another process (the MuJoCo sim node, the Webots
plugin): each step is one ``sim/advance`` call in lockstep, whose answer
carries the robot's state, so no topic is awaited.
"""

from __future__ import annotations

import json

from rclpy.node import Node

from rl_env_node.backend import EpisodeStart, Observation, Twist, WorldRequest
from rl_env_node.errors import BackendError, TaskOptionError
from rl_env_node.frames import goal_in_odom
from rl_env_node.service_calls import BlockingClient
from rl_interfaces.srv import Advance, ResetWorld, SetSimMode
from rl_ros.contract import ADVANCE, RESET_WORLD, SET_MODE
from rl_ros.conversions import (
    ground_truth_from_msg,
    state_from_msg,
    twist_to_msg,
)


class ServiceSimulation:
    """Lockstep simulation over ``<namespace>/sim/*``.

    :param node: the env node; its namespace prefixes the ``sim/`` services.
    :param control_period: seconds of simulated time per :meth:`act`; must
        equal the simulator's own control period, which :meth:`act` checks.
    :param timeout: seconds to wait for any simulator answer.
    :param discovery_timeout: seconds to wait for the simulator's services to appear.
    """

    def __init__(self, node: Node, control_period: float, timeout: float,
                 discovery_timeout: float) -> None:
        self.control_period = control_period
        self._reset, self._advance, self._mode = (
            BlockingClient(node, srv, endpoint.name, timeout, discovery_timeout)
            for endpoint, srv in ((RESET_WORLD, ResetWorld), (ADVANCE, Advance),
                                  (SET_MODE, SetSimMode)))
        self._time = 0.0
        self._world_id = 0

    def start_episode(self, seed: int, world: WorldRequest) -> EpisodeStart:
        """Pause the simulator (lockstep) and rebuild its world for ``seed`` and ``world``.

        Pausing every episode costs one call and survives a simulator that
        was restarted (and came back free-running) since the last one.
        """
        paused = self._mode.call(SetSimMode.Request(mode=SetSimMode.Request.PAUSE))
        if not paused.success:
            raise BackendError(f'{self._mode.name} refused PAUSE: {paused.message}')
        request = ResetWorld.Request(
            seed=seed, scenario=world.scenario,
            options_json=json.dumps(world.arena_options) if world.arena_options else '')
        response = self._reset.call(request)
        if not response.success:
            raise TaskOptionError(f'the simulator rejected the task\'s world {world!r}: '
                                  f'{response.message}; check the task options')
        state = state_from_msg(response.state)
        truth = ground_truth_from_msg(response.ground_truth)
        self._time = state.stamp
        self._world_id = response.world_id
        return EpisodeStart(state, goal_in_odom(state, truth), truth)

    def act(self, twist: Twist) -> Observation:
        """One ``sim/advance`` of one period; its answer carries state and ground truth."""
        response = self._advance.call(Advance.Request(
            periods=1, command=twist_to_msg(twist), world_id=self._world_id))
        if not response.success:
            raise BackendError(f'{self._advance.name}: {response.message}')
        state = state_from_msg(response.state)
        if abs(state.stamp - self._time - self.control_period) > 1e-6:
            raise BackendError(
                f'the simulator advanced {state.stamp - self._time:.6f} s for one period, '
                f'expected {self.control_period} s: set the same control_period on both nodes')
        self._time = state.stamp
        return Observation(state, ground_truth_from_msg(response.ground_truth))

    def halt(self) -> None:
        """Nothing to do: a paused simulator does not move between advances."""
