"""Run the Webots plugin against the TEST DOUBLE of Webots, as webots_ros2_driver runs it.

Webots cannot run here. This script stands in for webots_ros2_driver's
``driver`` executable and for Webots itself (through ``webots_double``): it
reads the ``<plugin>`` element of a URDF, imports the class its ``type``
names, calls ``init(webots_node, properties)`` and then, like the driver's
main loop, ``robot.step(basic time step)`` followed by the plugin's
``step()`` until the robot quits or ROS shuts down (Ctrl-C, SIGTERM)::

    python webots_double_runner.py --world robotino_arena.wbt --urdf robotino3_webots.urdf
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

import rclpy
from webots_double import Supervisor, WebotsNode

from robotino_webots.urdf import PLUGIN_TYPE, plugin_properties


def main() -> None:
    """Load the plugin into the double and step both until shutdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--world', type=Path, required=True, help='the .wbt file')
    parser.add_argument('--urdf', type=Path, required=True, help='the URDF with <webots>')
    options = parser.parse_args()
    robot = Supervisor(options.world.read_text())
    module, _, name = PLUGIN_TYPE.rpartition('.')
    plugin = getattr(importlib.import_module(module), name)()
    plugin.init(WebotsNode(robot), plugin_properties(options.urdf.read_text()))
    time_step = int(robot.getBasicTimeStep())
    try:
        while rclpy.ok() and robot.step(time_step) != -1:
            plugin.step()
    except KeyboardInterrupt:
        pass
    finally:
        rclpy.try_shutdown()


if __name__ == '__main__':
    main()
