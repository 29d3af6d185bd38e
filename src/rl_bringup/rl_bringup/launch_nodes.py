"""Launch actions from the graph description, for the files in ``launch/``.

Only the launch files import this module (it needs ``launch`` and
``launch_ros``, which a full ROS 2 install has); the launcher builds the same
graph without them. Two behaviours match the launcher's:

- the launch ends when the agent ends, and fails when the agent fails
  (``ros2 launch`` exits 0 or 1: it has no way to pass on another status);
- SIGTERM (``docker stop``, ``systemctl stop``, ``kill``) stops the nodes the
  way Ctrl-C does, SIGINT first, so the agent saves a checkpoint. launch 3.x
  leaves SIGTERM to whoever installs a handler for it, and none does here,
  so ``ros2 launch`` died at once and left every node running (the launch
  bug ros2/launch#666); see :func:`stop_on_sigterm`.
"""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Callable
from typing import Any

import launch.logging
import yaml
from ament_index_python.packages import get_package_share_directory
from launch import LaunchContext, LaunchDescription
from launch.actions import (
    DeclareLaunchArgument,
    EmitEvent,
    GroupAction,
    IncludeLaunchDescription,
    OpaqueFunction,
    RegisterEventHandler,
)
from launch.event_handlers import OnProcessExit
from launch.events import Shutdown
from launch.events.process import ProcessExited
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration
from launch.utilities.signal_management import AsyncSafeSignalManager
from launch_ros.actions import Node

from rl_bringup.graph import (
    SIMULATORS,
    GraphEntry,
    LaunchInclude,
    NodeSpec,
    params_document,
)
from rl_ros.respawn import RESPAWN_DELAY

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
    ('envs_per_process', '0', "sim mujoco: envs per env_group process, served in batches; "
                              "0 chooses from the machine's cores, 1 a process per env"),
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
            'task_options': value('task_options'), 'seed': int(value('seed')),
            'envs_per_process': int(value('envs_per_process'))}


def group_params_file(spec: NodeSpec) -> str:
    """A params file keyed by node, for a process holding several nodes.

    launch_ros turns dict parameters into a file keyed ``/**``, which reaches
    every node of the process alike; each env of a group needs its own seed.
    """
    content = params_document([spec])
    with tempfile.NamedTemporaryFile('w', prefix='rl_env_group_', suffix='.yaml',
                                     delete=False) as file:
        yaml.safe_dump(content, file, sort_keys=False)
    return file.name


def launch_node(spec: NodeSpec) -> Node:
    """A ``launch_ros`` Node for one spec, respawning simulators and env nodes.

    A node gets ``spec.stop_timeout`` seconds between SIGINT and SIGTERM (the
    agent long enough to save a checkpoint without its env nodes). A process
    holding several nodes keeps their own names and namespaces.
    """
    if spec.holds_several:
        naming: dict[str, Any] = {'parameters': [group_params_file(spec)]}
    else:
        naming = {'name': spec.name, 'namespace': spec.namespace or None,
                  'parameters': [dict(spec.parameters)] if spec.parameters else []}
    return Node(
        package=spec.package, executable=spec.executable, arguments=list(spec.arguments),
        **naming, remappings=list(spec.remappings), respawn=spec.respawn,
        respawn_delay=RESPAWN_DELAY if spec.respawn else None, output='screen',
        emulate_tty=True, sigterm_timeout=str(spec.stop_timeout))


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


class AgentFailedError(RuntimeError):
    """The agent exited with a failure status; raised into launch so that it exits 1."""


def end_with_agent(agent: Node) -> RegisterEventHandler:
    """Shut the launch down when the agent exits: done on 0, failed (launch exits 1) otherwise.

    Without it the env nodes and the recorder, which respawn, would keep the
    launch up for ever after the training ended.
    """
    def on_exit(event: ProcessExited, context: LaunchContext) -> list[EmitEvent]:
        if event.returncode != 0:
            raise AgentFailedError(f'the agent exited with status {event.returncode}')
        return [EmitEvent(event=Shutdown(reason='the agent finished'))]

    return RegisterEventHandler(OnProcessExit(target_action=agent, on_exit=on_exit))


def stop_on_sigterm(context: LaunchContext) -> list:
    """Make SIGTERM shut the launch down as SIGINT does, sending SIGINT to every node.

    launch hears signals through its signal manager, which sees only signals
    that have a Python handler; SIGTERM had none, so the default action
    killed ``ros2 launch`` on the spot. A Python handler lets the manager hear
    it, and the manager's SIGTERM callback (which would cancel the run and
    orphan the nodes) is replaced by one that emits Shutdown. The manager is
    found through its private class attribute: where a launch version lacks
    it, SIGTERM keeps launch's own behaviour and a warning says so.
    """
    logger = launch.logging.get_logger('launch')
    manager = getattr(AsyncSafeSignalManager, '_AsyncSafeSignalManager__current', None)
    if manager is None:
        logger.warning(
            'rl_bringup: cannot reach launch\'s signal manager; SIGTERM ends this launch '
            'without stopping its nodes: stop it with SIGINT (Ctrl-C) instead')
        return []

    def shutdown(signum: int) -> None:
        logger.warning('SIGTERM: stopping every node as on Ctrl-C (SIGINT first)')
        context.emit_event_sync(Shutdown(reason='SIGTERM', due_to_sigint=False))

    manager.handle(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    return []


def launch_entities(entry: GraphEntry) -> list[Node | GroupAction | RegisterEventHandler]:
    """The launch actions for one entry of the graph (the agent's with its exit handler)."""
    if isinstance(entry, LaunchInclude):
        return [launch_include(entry)]
    node = launch_node(entry)
    return [node, end_with_agent(node)] if entry.role == 'agent' else [node]


def describe(arguments: tuple[tuple[str, str, str], ...],
             build: Callable[[Callable[[str], str]], list[GraphEntry]]) -> LaunchDescription:
    """Declare ``arguments`` and add the entries ``build`` makes from their values at launch."""

    def entities(context: LaunchContext) -> list[Node | GroupAction | RegisterEventHandler]:
        def value(name: str) -> str:
            return LaunchConfiguration(name).perform(context)
        return [entity for entry in build(value) for entity in launch_entities(entry)]

    declared = [DeclareLaunchArgument(name, default_value=default, description=description)
                for name, default, description in arguments]
    return LaunchDescription([*declared, OpaqueFunction(function=stop_on_sigterm),
                              OpaqueFunction(function=entities)])
