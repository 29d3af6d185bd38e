"""Launch actions from the graph description, for the files in ``launch/``.

Only the launch files import this module (it needs ``launch`` and
``launch_ros``, which a full ROS 2 install has); the launcher builds the same
graph without them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ament_index_python.packages import get_package_share_directory
from launch import LaunchContext, LaunchDescription
from launch.actions import (
    DeclareLaunchArgument,
    GroupAction,
    IncludeLaunchDescription,
    OpaqueFunction,
)
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from rl_bringup.graph import RESPAWN_DELAY, SIMULATORS, GraphEntry, LaunchInclude, NodeSpec

#: Launch arguments common to the bring-ups: (name, default, description).
COMMON_ARGUMENTS = (
    ('num_envs', '1', 'number of environments; 1 uses the root namespace, N env_0..env_{N-1}'),
    ('sim', 'mujoco', 'simulator behind each env node: ' + '; '.join(
        f"'{name}': {meaning}" for name, meaning in SIMULATORS.items())),
    ('headless', 'false', 'sim webots: true runs Webots without window and rendering '
                          '(servers, containers, faster); other sims ignore it'),
    ('task', 'goal_reaching', 'registered task name'),
    ('task_options', '', 'task options as a JSON object'),
    ('seed', '0', 'base seed; env k gets seed + k'),
)


def flag(name: str, text: str) -> bool:
    """A boolean launch argument's value ('true' or 'false', any case).

    :raises ValueError: for anything else, naming the argument.
    """
    value = text.strip().lower()
    if value not in ('true', 'false'):
        raise ValueError(f'launch argument {name} must be true or false, got {text!r}')
    return value == 'true'


def common_options(value: Callable[[str], str]) -> dict[str, Any]:
    """``GraphOptions`` keywords from the values of :data:`COMMON_ARGUMENTS`."""
    return {'num_envs': int(value('num_envs')), 'sim': value('sim'),
            'headless': flag('headless', value('headless')), 'task': value('task'),
            'task_options': value('task_options'), 'seed': int(value('seed'))}


def launch_node(spec: NodeSpec) -> Node:
    """A ``launch_ros`` Node for one spec, respawning simulators and env nodes."""
    return Node(
        package=spec.package, executable=spec.executable, name=spec.name,
        namespace=spec.namespace or None,
        parameters=[dict(spec.parameters)] if spec.parameters else [],
        remappings=list(spec.remappings), respawn=spec.respawn,
        respawn_delay=RESPAWN_DELAY if spec.respawn else None, output='screen',
        emulate_tty=True)


def launch_include(include: LaunchInclude) -> GroupAction:
    """The included launch file, its arguments scoped to it.

    The scope keeps one include's arguments (each Webots' namespace, seed,
    port) from leaking into the next, which ``IncludeLaunchDescription``
    alone would let happen.
    """
    path = os.path.join(get_package_share_directory(include.package), 'launch',
                        include.launch_file)
    return GroupAction([IncludeLaunchDescription(
        PythonLaunchDescriptionSource(path), launch_arguments=list(include.arguments))],
        scoped=True)


def launch_entity(entry: GraphEntry) -> Node | GroupAction:
    """The launch action for one entry of the graph."""
    return launch_include(entry) if isinstance(entry, LaunchInclude) else launch_node(entry)


def describe(arguments: tuple[tuple[str, str, str], ...],
             build: Callable[[Callable[[str], str]], list[GraphEntry]]) -> LaunchDescription:
    """Declare ``arguments`` and add the entries ``build`` makes from their values at launch."""

    def entities(context: LaunchContext) -> list[Node | GroupAction]:
        def value(name: str) -> str:
            return LaunchConfiguration(name).perform(context)
        return [launch_entity(entry) for entry in build(value)]

    declared = [DeclareLaunchArgument(name, default_value=default, description=description)
                for name, default, description in arguments]
    return LaunchDescription([*declared, OpaqueFunction(function=entities)])
