"""Several env nodes in one process: ``env_group env_0 env_1 [--ros-args ...]``.

Each namespace gets its own :class:`~rl_env_node.env_node.EnvNode`, with
the same services, topics and parameters as one started alone (a params
file keyed ``/env_0/rl_env`` reaches only that node; ``-p`` reaches all).
They share one process and one executor, and with MuJoCo in process a
batch node serves them all in one round trip per step (:mod:`.batch_node`).
Why: on a machine with fewer cores than envs, every env node process adds
its own DDS threads and wake-ups, and the agent's concurrent requests then
contend for the cores; grouped, the requests that arrive together are
served from one wait (see the README's benchmarks). The cost: the envs of
a group step one after another, and a crash takes the whole group down
(the launcher restarts it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rclpy.executors import Executor, MultiThreadedExecutor, SingleThreadedExecutor
from rclpy.node import Node
from rclpy.utilities import remove_ros_args

from rl_env_node.batch_node import EnvBatchNode
from rl_env_node.batch_socket import LockingExecutor
from rl_env_node.env_node import EnvNode
from rl_env_node.errors import EnvError
from rl_ros.node_main import run_nodes


def _executor(nodes: Sequence[Node]) -> Executor:
    if any(isinstance(node, EnvNode) and node.needs_threads for node in nodes):
        return MultiThreadedExecutor(2 + len(nodes))
    batches = [node for node in nodes if isinstance(node, EnvBatchNode)]
    return LockingExecutor(batches[0].callback_lock) if batches else SingleThreadedExecutor()


def make_nodes(namespaces: Sequence[str]) -> list[Node]:
    """One env node per namespace, plus the batch node when every env holds its simulator.

    Envs over the ``sim/`` services wait inside their callbacks, on threads
    of their own, so they are not served in batches; the agent steps them
    one service call each.
    """
    envs = [EnvNode(namespace=ns) for ns in namespaces]
    if any(env.needs_threads for env in envs):
        return envs
    return [*envs, EnvBatchNode(envs)]


def parse_namespaces(args: Sequence[str]) -> list[str]:
    """The env namespaces named on the command line (ROS arguments removed).

    :raises SystemExit: (argparse) for none, or a repeated namespace.
    """
    parser = argparse.ArgumentParser(prog='env_group', description=__doc__.splitlines()[0])
    parser.add_argument('namespaces', nargs='+', metavar='NAMESPACE',
                        help='env namespaces, e.g. env_0 env_1')
    namespaces = [name.strip('/') for name in parser.parse_args(list(args)).namespaces]
    if len(set(namespaces)) != len(namespaces) or '' in namespaces:
        parser.error(f'each namespace once and none empty, got {namespaces}')
    return namespaces


def main(args: list[str] | None = None) -> None:
    """Console script ``env_group``: serve the envs until Ctrl-C or SIGTERM."""
    argv = sys.argv[1:] if args is None else list(args)
    namespaces = parse_namespaces(remove_ros_args(['env_group', *argv])[1:])
    raise SystemExit(run_nodes(lambda: make_nodes(namespaces), argv, _executor,
                               (ValueError, EnvError)))


if __name__ == '__main__':
    main()
