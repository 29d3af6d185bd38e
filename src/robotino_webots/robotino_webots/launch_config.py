"""What ``launch/robotino_webots.launch.py`` starts, from its arguments, in plain Python.

The launch file declares :data:`ARGUMENTS`, hands their values to
:func:`webots_launch` and turns the result into webots_ros2_driver's
``WebotsLauncher`` and ``WebotsController``; everything decided here is
testable without ``launch`` (not installable on every machine).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from robotino_webots.settings import DriverSettings
from robotino_webots.urdf import build_webots_urdf
from robotino_webots.world import WORLD_FILE

_DEFAULTS = DriverSettings()

CONTROLLER_RESPAWN_DELAY = 2.0
"""Seconds ``WebotsController`` waits before it starts the driver again.

Webots reloading its world (``restart_every_resets``) ends the driver too,
so this delay is added to every reload; it also keeps a driver that keeps
crashing from spinning the host.
"""

CONTROLLER_MAX_RESPAWNS = 1000
"""How often ``WebotsController`` starts the driver again before it gives up.

launch counts every restart of the process and never resets the count, so
planned reloads use it up too: 1000 allow 500 000 resets at the default
``restart_every_resets`` of 500, while a driver that crashes at start gives
up after an hour or so of retries instead of never. A start that fails on
settings or the world uses none: the plugin stays up, idle, and says why.
"""

#: Launch arguments: (name, default, description).
ARGUMENTS = (
    ('world', '', f"Webots world file; '' for the installed worlds/{WORLD_FILE}"),
    ('headless', 'false',
     'true: no window and no rendering (Webots --no-rendering --minimize --batch, '
     'its log on stdout), for servers and containers'),
    ('mode', 'fast', 'pause (time moves only through sim/advance: lockstep training), '
                     'realtime, or fast; Webots itself runs fast except in realtime'),
    ('namespace', '', 'ROS namespace of the robot topics and sim/ services, e.g. env_0'),
    ('seed', str(_DEFAULTS.seed), 'seed of the world built at start-up'),
    ('scenario', _DEFAULTS.scenario,
     "arena layout of the start-up world, e.g. corridor; '' for one generated from the seed"),
    ('control_period', str(_DEFAULTS.control_period),
     'simulated seconds per control period, a multiple of the world basicTimeStep (10 ms)'),
    ('restart_every_resets', '500',
     'reload the Webots world after this many sim/reset_world calls (its long-run leak); '
     '0: never'),
    ('port', '1234', 'TCP port of this Webots instance; one per instance on a host'),
    ('respawn', 'false',
     'true: start Webots again when it exits (several Webots in one training run, where one '
     'crash must not end the others); false: the launch ends with Webots'),
)


@dataclass(frozen=True)
class WebotsLaunch:
    """How to start Webots and the driver.

    :param world: path of the ``.wbt`` file.
    :param gui: False for a headless Webots.
    :param webots_mode: ``WebotsLauncher``'s mode (``fast`` or ``realtime``).
    :param namespace: the driver's namespace ('' for the root one).
    :param port: Webots' TCP port.
    :param settings: the plugin's settings, written into its URDF.
    :param respawn: start Webots again when it exits, instead of ending the launch.
    """

    world: str
    gui: bool
    webots_mode: str
    namespace: str
    port: str
    settings: DriverSettings
    respawn: bool = False


def _flag(name: str, text: str) -> bool:
    value = text.strip().lower()
    if value not in ('true', 'false'):
        raise ValueError(f'launch argument {name} must be true or false, got {text!r}')
    return value == 'true'


def webots_launch(values: Mapping[str, str], share_dir: str | Path) -> WebotsLaunch:
    """The launch plan for the arguments' values.

    :param values: every name of :data:`ARGUMENTS` to its value.
    :param share_dir: ``share/robotino_webots`` of the installed package.
    :raises ValueError: for a bad value, naming the argument.
    """
    namespace = values['namespace'].strip('/')
    settings = DriverSettings.from_properties({
        'namespace': namespace, 'mode': values['mode'], 'seed': values['seed'],
        'scenario': values['scenario'], 'control_period': values['control_period'],
        'restart_every_resets': values['restart_every_resets']})
    world = values['world'] or str(Path(share_dir) / 'worlds' / WORLD_FILE)
    webots_mode = 'realtime' if settings.mode == 'realtime' else 'fast'
    return WebotsLaunch(world, not _flag('headless', values['headless']), webots_mode,
                        namespace, values['port'], settings, _flag('respawn', values['respawn']))


def write_urdf(settings: DriverSettings, folder: str | Path | None = None) -> Path:
    """Write the plugin's URDF for ``settings`` to a new ``.urdf`` file; its path.

    webots_ros2_driver takes ``robot_description`` as a path ending in ``.urdf``.
    """
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - the file outlives this call
        mode='w', prefix='robotino_webots_', suffix='.urdf', dir=folder, delete=False)
    with handle:
        handle.write(build_webots_urdf(settings))
    return Path(handle.name)
