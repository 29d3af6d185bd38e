"""What an env node holding its simulator adds to the robot's topics: the arena, the command.

With MuJoCo in the env node's process nothing crosses the graph between the
agent's action and the wheels, so a viewer or a bag would miss both the
world and the command. This publishes them as a robot with a simulator
beside it would see them:

- ``arena_markers`` at every episode start (latched: reliable, transient
  local, depth 1), the world in ``map`` (see :mod:`rl_ros.markers`);
- ``cmd_vel`` at every step, the twist the simulator held for that period
  (after the task's clipping), only while someone subscribes.
"""

from __future__ import annotations

from geometry_msgs.msg import Twist
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile

from rl_ros.contract import ARENA_MARKERS, CMD_VEL
from rl_ros.conversions import time_from_nanoseconds, twist_to_msg
from rl_ros.markers import arena_markers
from rl_ros.node_main import quiet_publisher
from rl_ros.outbox import Outbox
from robotino_world.arena import Arena

#: Where the task names none (a task without a goal): the disc drawn at the goal, m.
DEFAULT_GOAL_TOLERANCE = 0.2


class WorldTopics:
    """``arena_markers`` and ``cmd_vel`` of one env holding its simulator.

    :param node: the env node; names resolve in its namespace.
    :param outbox: where messages go out (see :class:`~rl_ros.outbox.Outbox`).
    """

    def __init__(self, node: Node, outbox: Outbox) -> None:
        self._outbox = outbox
        latched = QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL)
        self._markers = quiet_publisher(node, ARENA_MARKERS.interface(), ARENA_MARKERS.name,
                                        latched)
        self._command = quiet_publisher(node, Twist, CMD_VEL.name, QoSProfile(depth=10))

    def publish_arena(self, arena: Arena, goal_tolerance: float, sim_time_ns: int) -> None:
        """The new episode's world; always, so that a late subscriber gets the current one."""
        self._outbox.publish(self._markers, arena_markers(
            arena, goal_tolerance, time_from_nanoseconds(sim_time_ns)))

    def publish_command(self, twist: tuple[float, float, float]) -> None:
        """The twist held during the last period (m/s, m/s, rad/s in ``base_link``)."""
        if self._command.get_subscription_count():
            self._outbox.publish(self._command, twist_to_msg(twist))
