"""The plugin's settings: the simulators' one table, read from the URDF ``<plugin>`` tag.

webots_ros2_driver hands a Python plugin the children of its ``<plugin>``
element as a dict of strings. :data:`SETTINGS` is the table every simulator
declares (:data:`rl_ros.sim_parameters.SIM_PARAMETERS`) plus the plugin's
own two; :meth:`DriverSettings.from_properties` converts the strings once,
naming a bad one, and the checks every simulator shares are
:class:`~rl_ros.sim_parameters.SimSettings`'. The plugin also declares them
as read-only ROS parameters from the same table, so ``ros2 param`` shows them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from rl_ros.parameters import ParameterSpec
from rl_ros.sim_parameters import SIM_PARAMETERS, SimSettings
from robotino_webots.errors import SettingsError

SETTINGS = (
    ParameterSpec('namespace', '', 'ROS namespace of the plugin node; webots_ros2_driver does '
                  'not pass its own --ros-args to Python plugins'),
    *SIM_PARAMETERS,
    ParameterSpec('restart_every_resets', 0,
                  'once this many sim/reset_world calls were served, refuse the next one and '
                  'reload the Webots world (0: never); webots_ros2 then respawns the driver',
                  0, 2**31 - 1),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}
_TRUE, _FALSE = ('true', '1', 'yes'), ('false', '0', 'no')


def _parse(setting: ParameterSpec, text: str) -> Any:
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
    """The plugin's configuration as the URDF carries it; see :data:`SETTINGS` for each field."""

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
        """Run the checks every simulator shares now, so a bad URDF fails at start-up."""
        _ = self.sim

    @cached_property
    def sim(self) -> SimSettings:
        """The settings every simulator takes, checked.

        :raises SettingsError: for a bad mode or arena option, or a command
            timeout shorter than the control period.
        """
        try:
            return SimSettings.from_values(
                {spec.name: getattr(self, spec.name) for spec in SIM_PARAMETERS})
        except ValueError as error:
            raise SettingsError(f'plugin property {error}') from None

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


def _text(value: Any) -> str:
    """A setting as the string a URDF carries."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)
