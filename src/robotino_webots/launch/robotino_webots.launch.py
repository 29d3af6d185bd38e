"""Webots with the Robotino arena, and the Robotino driver plugin through webots_ros2_driver.

    ros2 launch robotino_webots robotino_webots.launch.py headless:=true mode:=pause

Starts Webots on the world (``WebotsLauncher``, always ``--batch``; headless
adds ``--no-rendering``) and webots_ros2_driver's controller for the robot
``robotino3`` (``WebotsController``) with a URDF written for these
arguments, whose ``<plugin>`` loads ``robotino_webots.robotino_driver``.
The controller respawns (after ``CONTROLLER_RESPAWN_DELAY`` s, at most
``CONTROLLER_MAX_RESPAWNS`` times, see ``launch_config``): after a
``restart_every_resets`` world reload, or a crash, a fresh one reconnects.
When Webots exits, the launch shuts down, or with ``respawn:=true`` (what
rl_bringup's training graph passes) Webots starts again and the controller
reconnects.
See ``ros2 launch robotino_webots robotino_webots.launch.py --show-args``.
"""

from ament_index_python.packages import get_package_share_directory
from launch import LaunchContext, LaunchDescription
from launch.actions import DeclareLaunchArgument, EmitEvent, OpaqueFunction, RegisterEventHandler
from launch.event_handlers import OnProcessExit
from launch.events import Shutdown
from launch.substitutions import LaunchConfiguration
from webots_ros2_driver.webots_controller import WebotsController
from webots_ros2_driver.webots_launcher import WebotsLauncher

from robotino_webots.launch_config import (
    ARGUMENTS,
    CONTROLLER_MAX_RESPAWNS,
    CONTROLLER_RESPAWN_DELAY,
    webots_launch,
    write_urdf,
)
from robotino_webots.world import ROBOT_NAME


def _bring_up(context: LaunchContext) -> list:
    values = {name: LaunchConfiguration(name).perform(context) for name, _, _ in ARGUMENTS}
    plan = webots_launch(values, get_package_share_directory('robotino_webots'))
    webots = WebotsLauncher(world=plan.world, gui=plan.gui, mode=plan.webots_mode,
                            port=plan.port, respawn=plan.respawn)
    driver = WebotsController(
        robot_name=ROBOT_NAME, namespace=plan.namespace, port=plan.port,
        parameters=[{'robot_description': str(write_urdf(plan.settings))}], respawn=True,
        respawn_delay=CONTROLLER_RESPAWN_DELAY, respawn_max_retries=CONTROLLER_MAX_RESPAWNS)
    if plan.respawn:
        return [webots, driver]
    shutdown_with_webots = RegisterEventHandler(OnProcessExit(
        target_action=webots, on_exit=[EmitEvent(event=Shutdown())]))
    return [webots, driver, shutdown_with_webots]


def generate_launch_description() -> LaunchDescription:
    declared = [DeclareLaunchArgument(name, default_value=default, description=description)
                for name, default, description in ARGUMENTS]
    return LaunchDescription([*declared, OpaqueFunction(function=_bring_up)])
