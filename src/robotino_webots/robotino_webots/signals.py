"""Ctrl-C and SIGTERM in webots_ros2_driver's process: both end it through the driver's exit.

webots_ros2_driver's ``driver`` (cyberbotics/webots_ros2, read at f442d2f)
sets its own SIGINT handler before it loads Python (``Driver.cpp`` line 33,
``WebotsNode::handleSignals``, ``WebotsNode.cpp`` line 343): it only raises
a flag, and the next ``WebotsNode::step`` (line 314) returns -1 instead of
stepping Webots, which ends the driver's loop; the driver then calls the
plugin's ``stop()`` and finalises Python (``Driver.cpp`` lines 70-91).
SIGTERM it leaves alone.

rclpy's default handlers would take both signals, shut our context down
and pass SIGTERM to nobody: the driver would go on stepping Webots with a
plugin that no longer acts. Here rclpy handles SIGINT only (it chains to the
driver's handler, and its context shutdown wakes a ``step()`` that holds
Webots in PAUSE), and SIGTERM is turned into SIGINT, so both end the driver
the same way. A Python handler runs only while Python runs, that is inside
the plugin's ``step()``: a Webots that never steps again delays SIGTERM, as
it delays the driver's own Ctrl-C.
"""

from __future__ import annotations

import signal
from types import FrameType

import rclpy
from rclpy.signals import SignalHandlerOptions


def init_ros() -> None:
    """Initialise rclpy (SIGINT handler only) and route SIGTERM to SIGINT.

    Must run in the main thread, where webots_ros2_driver calls ``init``.
    """
    signal.signal(signal.SIGTERM, _as_sigint)
    if not rclpy.ok():
        rclpy.init(args=None, signal_handler_options=SignalHandlerOptions.SIGINT)


def _as_sigint(signum: int, frame: FrameType | None) -> None:
    """SIGTERM: do what Ctrl-C does."""
    signal.raise_signal(signal.SIGINT)
