"""Run the Webots plugin against the TEST DOUBLE of Webots, as webots_ros2_driver runs it.

Webots cannot run here. This script stands in for webots_ros2_driver's
``driver`` executable (cyberbotics/webots_ros2 at f442d2f: ``Driver.cpp``,
``WebotsNode.cpp``, ``PythonPlugin.cpp``) and for Webots itself (through
``webots_double``), where it matters to the plugin:

- SIGINT only raises a flag, set before the plugin is loaded
  (``WebotsNode::handleSignals``); SIGTERM keeps its default action;
- the plugin's class is made with no arguments and ``init(webots_node,
  properties)`` is called with the ``<plugin>`` element's children;
- the loop is ``WebotsNode::step``: once the flag is up it returns -1
  without stepping Webots, else ``robot.step(basic time step)`` and, unless
  that returned -1, the plugin's ``step()``; after the loop, ``stop()``;
- an exception from ``init`` or ``step`` is printed and the driver carries
  on (``PyErr_Print``), except ``SystemExit``, which ends the process
  (CPython's ``PyErr_Print`` exits on it); one from ``stop`` (or a plugin
  without ``stop``) the driver drops unseen before it finalises Python,
  where this runner prints it too.

At exit it prints what Webots would show after the controller left: the
basic steps computed, the wheel set-points Webots holds, and the fastest
set-point any step ran with::

    python webots_double_runner.py --world robotino_arena.wbt --urdf robotino3_webots.urdf
"""

from __future__ import annotations

import argparse
import importlib
import signal
import traceback
from collections.abc import Callable
from pathlib import Path

from webots_double import Supervisor, WebotsNode

from robotino_webots.urdf import PLUGIN_TYPE, plugin_properties

EXIT_REPORT = 'webots double: the controller has left'
"""Start of the line printed at exit, ``<this> after N steps; wheel set-points [w0, w1, w2];
fastest W`` (rad/s)."""


def call(method: Callable[[], object]) -> None:
    """Call a plugin method as ``PythonPlugin.cpp`` does: print an exception and go on."""
    try:
        method()
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc()


def main() -> None:
    """Load the plugin into the double and step both until Webots or a signal ends the loop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--world', type=Path, required=True, help='the .wbt file')
    parser.add_argument('--urdf', type=Path, required=True, help='the URDF with <webots>')
    parser.add_argument('--wheel-speeds', type=float, nargs=3, default=(0.0, 0.0, 0.0),
                        metavar='W', help='set-points an earlier controller left in Webots')
    options = parser.parse_args()
    interrupted: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, _: interrupted.append(signum))
    robot = Supervisor(options.world.read_text(), wheel_speeds=options.wheel_speeds)
    module, _, name = PLUGIN_TYPE.rpartition('.')
    plugin = getattr(importlib.import_module(module), name)()
    properties = plugin_properties(options.urdf.read_text())
    call(lambda: plugin.init(WebotsNode(robot), properties))
    time_step = int(robot.getBasicTimeStep())
    while not interrupted and robot.step(time_step) != -1:
        call(plugin.step)
    call(lambda: plugin.stop())
    print(f'{EXIT_REPORT} after {robot.steps} steps; wheel set-points {robot.wheel_speeds}; '
          f'fastest {robot.fastest_wheel_speed}', flush=True)


if __name__ == '__main__':
    main()
