"""The settings every simulator takes, declared once: one table, one checked dataclass.

The MuJoCo sim node declares :data:`SIM_PARAMETERS` as ROS parameters and
the Webots plugin reads the same table from its URDF ``<plugin>`` tag; each
adds its own few (physics step and camera; namespace and restarts). Both
then build :class:`SimSettings` with :meth:`SimSettings.from_values`, so a
bad mode or arena option is refused with the same message by either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rl_ros.contract import ODOM, ODOM_CHILD_FRAME, SimMode
from rl_ros.parameters import ParameterSpec
from robotino_world import (
    DEFAULT_COMMAND_TIMEOUT,
    DEFAULT_CONTROL_PERIOD,
    ArenaConfig,
    InvalidArgumentError,
    arena_with_options,
    parse_options_json,
)

SIM_PARAMETERS = (
    ParameterSpec('control_period', DEFAULT_CONTROL_PERIOD,
                  'simulated seconds per control period', 0.001, 10.0),
    ParameterSpec('command_timeout', DEFAULT_COMMAND_TIMEOUT,
                  'simulated s without cmd_vel before the base stops (free-running modes)',
                  0.001, 60.0),
    ParameterSpec('seed', 0, 'seed of the first world, built at start-up', 0, 2**62),
    ParameterSpec('scenario', '', "named arena layout, or '' for one generated from the seed"),
    ParameterSpec('arena_options', '',
                  'arena generator overrides as a JSON object, e.g. {"obstacle_count": [2, 4]}'),
    ParameterSpec('mode', 'realtime', 'initial mode: pause, realtime or fast'),
    ParameterSpec('odom_frame', ODOM.frame, 'frame of the odometry pose (REP 105)'),
    ParameterSpec('base_frame', ODOM_CHILD_FRAME, 'frame of the robot body (REP 105)'),
    ParameterSpec('publish_topics', True,
                  'publish odom, distance_sensors and bumper after every period'),
)


@dataclass(frozen=True)
class SimSettings:
    """What every simulator is told at start-up, checked.

    :param control_period: simulated seconds per control period.
    :param command_timeout: simulated seconds without a command before the base brakes.
    :param seed: seed of the first world.
    :param scenario: layout of the first world ('' generated from the seed).
    :param mode: initial mode.
    :param arena: how generated arenas look, the ``arena_options`` applied.
    :param odom_frame: odometry frame id.
    :param base_frame: body frame id.
    :param publish_topics: publish the robot topics after each period.
    """

    control_period: float
    command_timeout: float
    seed: int
    scenario: str
    mode: SimMode
    arena: ArenaConfig
    odom_frame: str
    base_frame: str
    publish_topics: bool

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> SimSettings:
        """Settings from the values of :data:`SIM_PARAMETERS`, by name.

        :raises ValueError: naming the bad setting (mode, arena_options, or a
            command timeout shorter than the control period).
        """
        mode = SimMode.from_name(values['mode'])
        try:
            arena = arena_with_options(ArenaConfig(), parse_options_json(values['arena_options']))
        except InvalidArgumentError as error:
            raise ValueError(f'arena_options: {error}') from None
        if values['command_timeout'] < values['control_period']:
            raise ValueError('command_timeout must be >= control_period, got '
                             f"{values['command_timeout']!r} < {values['control_period']!r}")
        return cls(values['control_period'], values['command_timeout'], values['seed'],
                   values['scenario'], mode, arena, values['odom_frame'],
                   values['base_frame'], values['publish_topics'])
