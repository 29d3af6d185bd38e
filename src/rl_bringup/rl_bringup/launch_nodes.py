"""Launch actions from the graph description, for the files in ``launch/``.

Only the launch files import this module (it needs ``launch`` and
``launch_ros``, which a full ROS 2 install has); the launcher builds the same
graph without them.
"""

from __future__ import annotations

from collections.abc import Callable

from launch import LaunchContext, LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from rl_bringup.graph import RESPAWN_DELAY, NodeSpec

#: Launch arguments common to the bring-ups: (name, default, description).
COMMON_ARGUMENTS = (
    ('num_envs', '1', 'number of environments; 1 uses the root namespace, N env_0..env_{N-1}'),
    ('sim', 'mujoco', "robot: 'mujoco' (simulator inside each env node) or "
                      "'mujoco_separate' (a sim node per env)"),
    ('task', 'goal_reaching', 'registered task name'),
    ('task_options', '', 'task options as a JSON object'),
    ('seed', '0', 'base seed; env k gets seed + k'),
)


def launch_node(spec: NodeSpec, use_sim_time: bool = False) -> Node:
    """A ``launch_ros`` Node for one spec, respawning simulators and env nodes."""
    parameters = dict(spec.parameters)
    if use_sim_time:
        parameters['use_sim_time'] = True
    return Node(
        package=spec.package, executable=spec.executable, name=spec.name,
        namespace=spec.namespace or None, parameters=[parameters] if parameters else [],
        remappings=list(spec.remappings), respawn=spec.respawn,
        respawn_delay=RESPAWN_DELAY if spec.respawn else None, output='screen',
        emulate_tty=True)


def describe(arguments: tuple[tuple[str, str, str], ...],
             build: Callable[[Callable[[str], str]], list[NodeSpec]]) -> LaunchDescription:
    """Declare ``arguments`` and add the nodes ``build`` makes from their values at launch."""

    def nodes(context: LaunchContext) -> list[Node]:
        def value(name: str) -> str:
            return LaunchConfiguration(name).perform(context)
        return [launch_node(spec) for spec in build(value)]

    declared = [DeclareLaunchArgument(name, default_value=default, description=description)
                for name, default, description in arguments]
    return LaunchDescription([*declared, OpaqueFunction(function=nodes)])
