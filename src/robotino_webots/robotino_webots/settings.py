"""The plugin's settings: declared once, read from the URDF ``<plugin>`` tag into a dataclass.

webots_ros2_driver hands a Python plugin the children of its ``<plugin>``
element as a dict of strings. :data:`SETTINGS` declares each one with its
default, unit and range; :meth:`DriverSettings.from_properties` checks and
converts them once, naming a bad one; the plugin also declares them as
read-only ROS parameters from the same table, so ``ros2 param`` shows them.
The timing defaults are the MuJoCo simulator's, so both backends step alike.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rl_ros.contract import SimMode
from robotino_mujoco.config import SimulatorConfig
from robotino_webots.errors import SettingsError
from robotino_world.arena import ArenaConfig
from robotino_world.errors import InvalidArgumentError
from robotino_world.options import arena_with_options, parse_options_json

_MUJOCO = SimulatorConfig()


@dataclass(frozen=True)
class Setting:
    """One plugin property: name, default (its type is the setting's), description, range.

    :param name: the ``<plugin>`` child element's tag.
    :param default: value when the tag is absent.
    :param description: meaning and unit.
    :param low: inclusive lower bound for numbers, or None.
    :param high: inclusive upper bound for numbers, or None.
    """

    name: str
    default: Any
    description: str
    low: float | None = None
    high: float | None = None


SETTINGS = (
    Setting('namespace', '', 'ROS namespace of the plugin node; webots_ros2_driver does not '
            'pass its own --ros-args to Python plugins'),
    Setting('control_period', _MUJOCO.control_period,
            'simulated seconds per control period; a multiple of the world basicTimeStep',
            0.001, 10.0),
    Setting('command_timeout', _MUJOCO.command_timeout,
            'simulated s without cmd_vel before the base stops (free-running modes)', 0.001, 60.0),
    Setting('seed', 0, 'seed of the first world, built at start-up', 0, 2**62),
    Setting('scenario', '', "named arena layout, or '' for one generated from the seed"),
    Setting('arena_options', '',
            'arena generator overrides as a JSON object, e.g. {"obstacle_count": [2, 4]}'),
    Setting('mode', 'realtime', 'initial mode: pause, realtime or fast'),
    Setting('odom_frame', 'odom', 'frame of the odometry pose (REP 105)'),
    Setting('base_frame', 'base_link', 'frame of the robot body (REP 105)'),
    Setting('publish_topics', True,
            'publish odom, distance_sensors and bumper after every period'),
    Setting('restart_every_resets', 0,
            'once this many sim/reset_world calls were served, refuse the next one and reload '
            'the Webots world (0: never); webots_ros2 then respawns the driver',
            0, 2**31 - 1),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}
_TRUE, _FALSE = ('true', '1', 'yes'), ('false', '0', 'no')


def _parse(setting: Setting, text: str) -> Any:
    """The typed value of a property string, or SettingsError naming it."""
    default = setting.default
    try:
        if isinstance(default, bool):
            if text.strip().lower() not in _TRUE + _FALSE:
                raise ValueError(text)
            value = text.strip().lower() in _TRUE
        elif isinstance(default, int):
            value = int(text)
        elif isinstance(default, float):
            value = float(text)
        else:
            return text.strip()
    except ValueError:
        kind = type(default).__name__
        raise SettingsError(
            f'plugin property {setting.name!r} must be a {kind}, got {text!r}') from None
    if (setting.low is not None and value < setting.low) or (
            setting.high is not None and value > setting.high):
        raise SettingsError(f'plugin property {setting.name!r} must be in '
                            f'[{setting.low}, {setting.high}], got {value!r}')
    return value


@dataclass(frozen=True)
class DriverSettings:
    """The plugin's configuration, checked; see :data:`SETTINGS` for each field."""

    namespace: str = _BY_NAME['namespace'].default
    control_period: float = _BY_NAME['control_period'].default
    command_timeout: float = _BY_NAME['command_timeout'].default
    seed: int = _BY_NAME['seed'].default
    scenario: str = _BY_NAME['scenario'].default
    arena_options: str = _BY_NAME['arena_options'].default
    mode: str = _BY_NAME['mode'].default
    odom_frame: str = _BY_NAME['odom_frame'].default
    base_frame: str = _BY_NAME['base_frame'].default
    publish_topics: bool = _BY_NAME['publish_topics'].default
    restart_every_resets: int = _BY_NAME['restart_every_resets'].default

    def __post_init__(self) -> None:
        """Check what a single value cannot show: the mode name and the arena options."""
        _mode_of(self.mode)
        _arena_of(self.arena_options)
        if self.command_timeout < self.control_period:
            raise SettingsError('command_timeout must be >= control_period, got '
                                f'{self.command_timeout!r} < {self.control_period!r}')

    @classmethod
    def from_properties(cls, properties: Mapping[str, str]) -> DriverSettings:
        """Settings from the ``<plugin>`` children webots_ros2_driver passes.

        :raises SettingsError: for an unknown property or a bad value, naming it.
        """
        unknown = sorted(set(properties) - set(_BY_NAME))
        if unknown:
            raise SettingsError(f'unknown plugin properties {unknown}; valid: {sorted(_BY_NAME)}')
        return cls(**{name: _parse(_BY_NAME[name], text) for name, text in properties.items()})

    def as_properties(self) -> dict[str, str]:
        """The settings as ``<plugin>`` children (strings; booleans as true/false)."""
        return {f.name: _text(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @property
    def sim_mode(self) -> SimMode:
        """The initial mode."""
        return _mode_of(self.mode)

    @property
    def arena(self) -> ArenaConfig:
        """How generated arenas look, with ``arena_options`` applied."""
        return _arena_of(self.arena_options)


def _mode_of(name: str) -> SimMode:
    """The mode a name gives, or SettingsError."""
    try:
        return SimMode[name.upper()]
    except KeyError:
        raise SettingsError(
            f'plugin property mode must be pause, realtime or fast, got {name!r}') from None


def _arena_of(options_json: str) -> ArenaConfig:
    """The default arena with JSON options applied, or SettingsError naming the option."""
    try:
        return arena_with_options(ArenaConfig(), parse_options_json(options_json))
    except InvalidArgumentError as error:
        raise SettingsError(f'plugin property arena_options: {error}') from None


def _text(value: Any) -> str:
    """A setting as the string a URDF carries."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)
