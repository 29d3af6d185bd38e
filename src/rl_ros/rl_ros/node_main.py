"""A node's ``main``: spin until Ctrl-C or SIGTERM, then clean up with ROS still up.

rclpy's own signal handlers invalidate the context the moment a signal
arrives, so a node could no longer publish its last zero velocity to the
robot. Here the executor spins in a thread of its own while the main thread
waits for SIGINT or SIGTERM; then the executor is stopped and the node is
destroyed (and may still publish) before rclpy shuts down. Spinning without a
timeout also spares the executor a timer per wake-up, which on the lockstep
nodes was a tenth of a step.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Sequence

import rclpy
from rclpy.event_handler import PublisherEventCallbacks
from rclpy.executors import Executor, SingleThreadedExecutor
from rclpy.node import Node
from rclpy.publisher import Publisher
from rclpy.qos import QoSProfile
from rclpy.signals import SignalHandlerOptions

#: Seconds to wait for running callbacks to finish at shutdown.
_SHUTDOWN_WAIT = 5.0


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
    return run_nodes(lambda: [make_node()], args,
                     (lambda nodes: make_executor(nodes[0])) if make_executor else None,
                     startup_errors)


def run_nodes(
    make_nodes: Callable[[], Sequence[Node]],
    args: list[str] | None = None,
    make_executor: Callable[[Sequence[Node]], Executor] | None = None,
    startup_errors: tuple[type[Exception], ...] = (ValueError,),
) -> int:
    """:func:`run_node` for several nodes in one process, spun by one executor."""
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    nodes: list[Node] = []
    try:
        nodes.extend(make_nodes())
        executor = make_executor(nodes) if make_executor else SingleThreadedExecutor()
        for node in nodes:
            executor.add_node(node)
        failures: list[BaseException] = []
        spinner = threading.Thread(target=_spin, args=(executor, stop, failures), daemon=True)
        spinner.start()
        stop.wait()
        executor.shutdown(timeout_sec=_SHUTDOWN_WAIT)
        spinner.join(_SHUTDOWN_WAIT)
        return 1 if failures else 0
    except startup_errors as error:
        rclpy.logging.get_logger('main').fatal(f'cannot start: {error}')
        return 2
    finally:
        for node in reversed(nodes):
            node.destroy_node()
        rclpy.try_shutdown()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _spin(executor: Executor, stop: threading.Event, failures: list[BaseException]) -> None:
    """Spin until the executor is shut down; a crash in a callback ends the node (status 1)."""
    try:
        executor.spin()
    except BaseException as error:
        failures.append(error)
        rclpy.logging.get_logger('main').fatal(f'the executor stopped: {error!r}')
    finally:
        stop.set()


def quiet_publisher(node: Node, msg_type: type, topic: str, qos: QoSProfile) -> Publisher:
    """A publisher without rclpy's default QoS-event handlers.

    rclpy gives every publisher two event handlers (incompatible QoS,
    incompatible type) that the executor re-adds to its wait set on every
    spin; on the lockstep nodes, which spin thousands of times a second, that
    was most of a step's ROS overhead. The cost: no warning when a
    subscriber asks for an incompatible QoS.
    """
    return node.create_publisher(
        msg_type, topic, qos, event_callbacks=PublisherEventCallbacks(use_default_callbacks=False))
