"""The one ``sim/`` service server, which every simulator plugs into.

The MuJoCo sim node and the Webots plugin both serve ``sim/reset_world``,
``sim/advance``, ``sim/set_mode`` and ``sim/ground_truth`` and take
``cmd_vel`` through :class:`SimServer`; each only implements
:class:`SimulatorHost`. So the request checks, the refusal messages and the
message conversions exist once, and the two simulators cannot drift apart.

A host may answer a world reset or an advance at once (MuJoCo steps inside
the call) or later (Webots must let simulated time pass first): it returns
either the result or an awaitable of it. The service callbacks are
coroutines, so an awaited answer parks the callback in the executor instead
of blocking the node's one thread.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from rclpy.node import Node
from rclpy.qos import QoSProfile

from rl_interfaces.srv import Advance, GetGroundTruth, ResetWorld, SetSimMode
from rl_ros.contract import ADVANCE, CMD_VEL, GROUND_TRUTH, RESET_WORLD, SET_MODE, SimMode
from rl_ros.conversions import ground_truth_to_msg, state_to_msg, twist_from_msg
from robotino_description import GroundTruth, RobotState
from robotino_world import (
    ArenaConfig,
    InvalidArgumentError,
    SimulationError,
    arena_with_options,
    parse_options_json,
)

Twist = tuple[float, float, float]
_Result = TypeVar('_Result')


@dataclass(frozen=True)
class WorldReset:
    """A new world, as ``sim/reset_world`` answers it.

    :param state: the robot at rest on its start, at simulated time 0.
    :param ground_truth: the supervisor's view of the new world.
    :param world_id: the new world's number; ``sim/advance`` names it.
    """

    state: RobotState
    ground_truth: GroundTruth
    world_id: int


@dataclass(frozen=True)
class Advanced:
    """Where an advance ended, as ``sim/advance`` answers it.

    :param sim_time: simulated seconds since the world's reset.
    :param state: the robot's measurements at that time.
    :param ground_truth: the supervisor's view at that time.
    """

    sim_time: float
    state: RobotState
    ground_truth: GroundTruth


class SimulatorHost(Protocol):
    """What a simulator implements to be served; errors are :class:`SimulationError`."""

    @property
    def mode(self) -> SimMode:
        """How simulated time moves now."""

    @property
    def base_arena(self) -> ArenaConfig:
        """The arena settings that a reset's ``options_json`` modifies."""

    def reset_world(self, seed: int | None, scenario: str,
                    arena: ArenaConfig) -> WorldReset | Awaitable[WorldReset]:
        """Build the next world (``seed`` None continues the stream) and publish its state."""

    def advance(self, periods: int, twist: Twist,
                world_id: int) -> Advanced | Awaitable[Advanced]:
        """Drive ``twist`` (m/s, m/s, rad/s in ``base_link``) for ``periods`` periods.

        ``world_id`` 0 means the current world; another id than the current
        one is refused (:func:`robotino_world.check_world_id`).
        """

    def set_mode(self, mode: SimMode) -> None:
        """Switch how simulated time moves."""

    def ground_truth(self) -> GroundTruth:
        """The supervisor's view now."""

    def set_command(self, twist: Twist) -> None:
        """Take a ``cmd_vel`` (free-running modes)."""


async def _answer(value: _Result | Awaitable[_Result]) -> _Result:
    """The host's result, awaited when the host answers later."""
    if inspect.isawaitable(value):
        return await value
    return value


def _refuse(response, error: Exception):
    response.success, response.message = False, str(error)
    return response


class SimServer:
    """Serves the ``sim/`` services and takes ``cmd_vel`` for one simulator.

    :param node: the node whose namespace the names resolve in.
    :param host: the simulator.
    """

    def __init__(self, node: Node, host: SimulatorHost) -> None:
        self._node = node
        self._host = host
        node.create_subscription(CMD_VEL.interface(), CMD_VEL.name, self._on_cmd_vel,
                                 QoSProfile(depth=10))
        node.create_service(ResetWorld, RESET_WORLD.name, self._on_reset_world)
        node.create_service(Advance, ADVANCE.name, self._on_advance)
        node.create_service(SetSimMode, SET_MODE.name, self._on_set_mode)
        node.create_service(GetGroundTruth, GROUND_TRUTH.name, self._on_ground_truth)

    def _on_cmd_vel(self, msg) -> None:
        try:
            self._host.set_command(twist_from_msg(msg))
        except SimulationError as error:
            self._node.get_logger().warning(f'ignored cmd_vel: {error}',
                                            throttle_duration_sec=5.0)

    async def _on_reset_world(self, request: ResetWorld.Request,
                              response: ResetWorld.Response) -> ResetWorld.Response:
        try:
            arena = arena_with_options(self._host.base_arena,
                                       parse_options_json(request.options_json))
            seed = request.seed if request.seed >= 0 else None
            world = await _answer(self._host.reset_world(seed, request.scenario, arena))
        except SimulationError as error:
            return _refuse(response, error)
        response.success = True
        response.world_id = world.world_id
        response.state = state_to_msg(world.state)
        response.ground_truth = ground_truth_to_msg(world.ground_truth)
        return response

    async def _on_advance(self, request: Advance.Request,
                          response: Advance.Response) -> Advance.Response:
        try:
            mode = self._host.mode
            if mode is not SimMode.PAUSE:
                raise InvalidArgumentError(
                    f'the simulation is free-running ({mode.name.lower()}); '
                    'call sim/set_mode with mode 0 (PAUSE) before sim/advance')
            if request.periods < 1:
                raise InvalidArgumentError('periods must be >= 1')
            twist = twist_from_msg(request.command)
            done = await _answer(self._host.advance(request.periods, twist, request.world_id))
        except SimulationError as error:
            return _refuse(response, error)
        response.success = True
        response.sim_time = done.sim_time
        response.state = state_to_msg(done.state)
        response.ground_truth = ground_truth_to_msg(done.ground_truth)
        return response

    def _on_set_mode(self, request: SetSimMode.Request,
                     response: SetSimMode.Response) -> SetSimMode.Response:
        try:
            mode = SimMode.from_request(request.mode)
        except ValueError as error:
            return _refuse(response, error)
        self._host.set_mode(mode)
        response.success = True
        self._node.get_logger().info(f'mode {mode.name.lower()}')
        return response

    def _on_ground_truth(self, request: GetGroundTruth.Request,
                         response: GetGroundTruth.Response) -> GetGroundTruth.Response:
        try:
            response.ground_truth = ground_truth_to_msg(self._host.ground_truth())
        except SimulationError as error:
            return _refuse(response, error)
        response.success = True
        return response
