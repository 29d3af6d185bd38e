"""A node's ``main``: spin until Ctrl-C or SIGTERM, then clean up with ROS still up.

rclpy's own signal handlers invalidate the context the moment a signal
arrives, so a node could no longer publish its last zero velocity to the
robot. Here the signals only set a flag; the executor spins in short slices,
sees it, and the node is destroyed (and may still publish) before rclpy
shuts down.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable

import rclpy
from rclpy.executors import Executor, SingleThreadedExecutor
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions

#: Longest delay between a signal and the start of the shutdown, seconds.
_SLICE = 0.1


def run_node(
    make_node: Callable[[], Node],
    args: list[str] | None = None,
    make_executor: Callable[[Node], Executor] | None = None,
    startup_errors: tuple[type[Exception], ...] = (ValueError,),
) -> int:
    """Create the node, spin it, and shut down cleanly; returns the exit status.

    :param make_node: builds the node (after ``rclpy.init``).
    :param args: command-line arguments for rclpy (``--ros-args ...``).
    :param make_executor: picks the executor for the node; single-threaded by default.
    :param startup_errors: errors from ``make_node`` that mean bad parameters:
        logged as fatal with exit status 2 instead of a traceback.
    """
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    node = None
    try:
        node = make_node()
        executor = make_executor(node) if make_executor else SingleThreadedExecutor()
        executor.add_node(node)
        while not stop.is_set() and rclpy.ok():
            executor.spin_once(timeout_sec=_SLICE)
        return 0
    except startup_errors as error:
        rclpy.logging.get_logger('main').fatal(f'cannot start: {error}')
        return 2
    finally:
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
