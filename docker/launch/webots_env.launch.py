"""One Webots environment in one namespace: headless Webots with the Robotino, and its env node.

The Webots image's entry (``docker/rl_container.py webots``) runs this with
``namespace:=env_k``. Webots, the Robotino's webots_ros2_driver controller
and the ``sim/`` services come from ``robotino_webots.launch.py``; the env
node is the one ``rl_bringup.graph`` starts beside a separate simulator
(``simulator: service``), stepping Webots in lockstep over ``sim/``.
"""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue
from launch_ros.substitutions import FindPackageShare

from rl_ros.respawn import RESPAWN_DELAY

ARGUMENTS = (
    ('namespace', 'env_0', 'namespace of this environment, env_k'),
    ('task', 'goal_reaching', 'registered task name'),
    ('task_options', '', 'task options as a JSON object; empty for the defaults'),
    ('seed', '0', "the env node's first seed (env k: base seed + k)"),
    ('discovery_timeout', '120.0',
     'seconds the env node waits for the sim/ services while Webots starts'),
)


def generate_launch_description() -> LaunchDescription:
    """Webots (headless, in ``namespace``) and the env node on its ``sim/`` services."""
    namespace = LaunchConfiguration('namespace')
    webots = IncludeLaunchDescription(
        PythonLaunchDescriptionSource(PathJoinSubstitution(
            [FindPackageShare('robotino_webots'), 'launch', 'robotino_webots.launch.py'])),
        launch_arguments={'headless': 'true', 'mode': 'pause', 'namespace': namespace}.items())
    parameters = {
        'task': LaunchConfiguration('task'),
        'task_options': ParameterValue(LaunchConfiguration('task_options'), value_type=str),
        'seed': ParameterValue(LaunchConfiguration('seed'), value_type=int),
        'mode': 'sim',
        'simulator': 'service',
        'discovery_timeout': ParameterValue(LaunchConfiguration('discovery_timeout'),
                                            value_type=float),
    }
    env = Node(package='rl_env_node', executable='env_node', name='rl_env',
               namespace=namespace, parameters=[parameters], respawn=True,
               respawn_delay=RESPAWN_DELAY, output='screen', emulate_tty=True)
    declared = [DeclareLaunchArgument(name, default_value=default, description=description)
                for name, default, description in ARGUMENTS]
    return LaunchDescription([*declared, webots, env])
