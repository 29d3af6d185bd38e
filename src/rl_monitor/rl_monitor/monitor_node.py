"""The monitor node: a live web page of a training run, fed from ROS topics.

    ros2 run rl_monitor monitor_node --ros-args -p port:=8080 -p bag_dir:=runs/RUN/bags
    python -m rl_monitor.monitor_node            # the same, without ros2

It listens to the agent's ``training_progress`` and, for each env namespace
(given, or discovered every 2 s as any topic ending in ``/episode_stats``),
to ``episode_stats`` and ``arena_markers``; those are always subscribed,
being rare. The high-rate topics, ``odom``, ``distance_sensors`` and
``transitions``, are subscribed only while at least one page is connected
and dropped when the last one leaves, because an env node builds those
messages only while someone subscribes: a monitor nobody watches costs
training nothing but the rare topics. Everything goes into a
:class:`~rl_monitor.monitor_state.MonitorState` that the web server
(:mod:`rl_monitor.web_server`, aiohttp on a thread of its own) pushes to
the pages. Since it reads only topics, the env nodes may run on other hosts
of the ROS domain.

At start it logs ``monitor at http://<hostname>:<port>/`` (``rl train``
relays that line). Ctrl-C or SIGTERM closes the pages' sockets and ends.
"""

from __future__ import annotations

import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from nav_msgs.msg import Odometry
from rclpy.node import Node
from rclpy.qos import (
    DurabilityPolicy,
    QoSProfile,
    ReliabilityPolicy,
    qos_profile_sensor_data,
)
from rclpy.subscription import Subscription
from sensor_msgs.msg import PointCloud
from visualization_msgs.msg import MarkerArray

from rl_interfaces.msg import EpisodeStats, TrainingProgress, Transition
from rl_monitor.bag_links import bag_index
from rl_monitor.monitor_state import MonitorState
from rl_monitor.msg_conversions import (
    arena_from_markers,
    episode_from_msg,
    ir_points_from_msg,
    pose_from_msg,
    progress_from_msg,
)
from rl_monitor.web_server import MonitorServer
from rl_ros.contract import (
    ARENA_MARKERS,
    DISTANCE_SENSORS,
    EPISODE_STATS,
    ODOM,
    TRAINING_PROGRESS,
    TRANSITIONS,
)
from rl_ros.conversions import DRIVER_CLOUD_RADIUS
from rl_ros.node_main import run_node
from rl_ros.parameters import ParameterSpec, declare_parameters
from robotino_description import ROBOTINO3

PARAMETERS = (
    ParameterSpec('port', 8080, 'TCP port of the page; 0 picks a free one', 0, 65535),
    ParameterSpec('host', '0.0.0.0', "address to listen on; '0.0.0.0' for every interface, "
                                     "'127.0.0.1' for this host only"),
    ParameterSpec('namespaces', '', "env namespaces to show, comma-separated (e.g. "
                                    "env_0,env_1; '/' for the root one); '' discovers them "
                                    'every 2 s: any topic ending in /episode_stats'),
    ParameterSpec('agent_namespace', '', "namespace of the agent's training_progress; '' "
                                         'for the root one'),
    ParameterSpec('bag_dir', '', "the run's bag folder, whose episode bags the page links "
                                 "to and serves; '' for none"),
    ParameterSpec('view_rate', 4.0, 'top-view pushes to each page per second, Hz', 0.5, 30.0),
)
#: Seconds between looks for new env namespaces (with ``namespaces`` '').
DISCOVERY_PERIOD = 2.0
#: Seconds between looks for new bags, and between checks whether pages are connected.
BAG_PERIOD, VIEWER_PERIOD = 2.0, 0.5
#: The agent publishes reliable and latched: a late monitor gets the last report.
PROGRESS_QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE,
                          durability=DurabilityPolicy.TRANSIENT_LOCAL)
#: The env node latches each episode's arena (reliable, transient local, depth 1).
ARENA_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                       durability=DurabilityPolicy.TRANSIENT_LOCAL)
#: Finished episodes: reliable, as published, so none is missed from the list.
EPISODE_QOS = QoSProfile(depth=50, reliability=ReliabilityPolicy.RELIABLE)
#: Steps: only the latest matter for the view; best effort takes reliable publishers too.
STEP_QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.BEST_EFFORT)


@dataclass(frozen=True)
class MonitorSettings:
    """The node's parameters, read once; see :data:`PARAMETERS` for meanings.

    :param namespaces: env namespaces without slashes ('' the root one); () discovers.
    """

    port: int
    host: str
    namespaces: tuple[str, ...]
    agent_namespace: str
    bag_dir: Path | None
    view_rate: float

    @classmethod
    def from_values(cls, values: dict) -> MonitorSettings:
        """Checked settings; ValueError names the bad parameter and its value."""
        parts = [part.strip() for part in values['namespaces'].split(',') if part.strip()]
        namespaces = tuple(part.strip('/') for part in parts)
        if len(set(namespaces)) != len(namespaces):
            raise ValueError(f"namespaces repeat: {values['namespaces']!r}")
        return cls(values['port'], values['host'], namespaces,
                   values['agent_namespace'].strip('/'),
                   Path(values['bag_dir']).expanduser() if values['bag_dir'] else None,
                   values['view_rate'])


class MonitorNode(Node):
    """Feeds a :class:`MonitorState` from the graph and serves it with :class:`MonitorServer`."""

    def __init__(self, **kwargs) -> None:
        super().__init__('rl_monitor', **kwargs)
        self.settings = settings = MonitorSettings.from_values(
            declare_parameters(self, PARAMETERS))
        self.state = MonitorState(DRIVER_CLOUD_RADIUS, ROBOTINO3.ir.max_range,
                                  ROBOTINO3.geometry.base_radius)
        self._rare: dict[str, list[Subscription]] = {}
        self._frequent: dict[str, list[Subscription]] = {}
        self._watching = False
        self.create_subscription(TrainingProgress,
                                 TRAINING_PROGRESS.absolute(settings.agent_namespace),
                                 self._on_progress, PROGRESS_QOS)
        for namespace in settings.namespaces:
            self._watch(namespace)
        if not settings.namespaces:
            self.create_timer(DISCOVERY_PERIOD, self._discover)
            self._discover()
        self.server = MonitorServer(self.state, settings.host, settings.port, settings.bag_dir,
                                    settings.view_rate)
        self.server.start()
        self.create_timer(VIEWER_PERIOD, self._follow_viewers)
        if settings.bag_dir is not None:
            self.create_timer(BAG_PERIOD, self._link_bags)
        shown = ', '.join(ns or '/' for ns in settings.namespaces) or 'discovered'
        self.get_logger().info(f'monitor at http://{socket.gethostname()}:{self.server.port}/ '
                               f'(envs: {shown})')

    def _on_progress(self, msg: TrainingProgress) -> None:
        self.state.add_progress(progress_from_msg(msg))

    def _discover(self) -> None:
        suffix = '/' + EPISODE_STATS.name
        for name, types in self.get_topic_names_and_types():
            if name.endswith(suffix) and EPISODE_STATS.type in types:
                namespace = name[:-len(suffix)].strip('/')
                if namespace not in self._rare:
                    self.get_logger().info(f'showing env {namespace or "/"}')
                    self._watch(namespace)

    def _watch(self, namespace: str) -> None:
        """Subscribe the rare topics of env ``namespace`` for good."""
        self.state.add_env(namespace)

        def on_episode(msg: EpisodeStats) -> None:
            self.state.add_episode(episode_from_msg(msg, namespace))

        def on_arena(msg: MarkerArray) -> None:
            self.state.update_env(namespace, 'set_arena', arena_from_markers(msg))

        self._rare[namespace] = [
            self.create_subscription(EpisodeStats, EPISODE_STATS.absolute(namespace),
                                     on_episode, EPISODE_QOS),
            self.create_subscription(MarkerArray, ARENA_MARKERS.absolute(namespace),
                                     on_arena, ARENA_QOS)]

    def _follow_viewers(self) -> None:
        """Hold the high-rate subscriptions exactly while a page is connected."""
        watching = self.server.clients > 0
        if watching != self._watching:
            self._watching = watching
            self.get_logger().info(
                'a page connected: following odom, distance_sensors and transitions'
                if watching else 'no page connected: dropping the high-rate topics')
        if not watching:
            for subscriptions in self._frequent.values():
                for subscription in subscriptions:
                    self.destroy_subscription(subscription)
            self._frequent = {}
            return
        for namespace in set(self._rare) - set(self._frequent):
            self._frequent[namespace] = self._subscribe_frequent(namespace)

    def _subscribe_frequent(self, namespace: str) -> list[Subscription]:
        state = self.state

        def on_odom(msg: Odometry) -> None:
            pose = pose_from_msg(msg)
            if pose is not None:
                state.update_env(namespace, 'set_odom', pose)

        def on_ir(msg: PointCloud) -> None:
            state.update_env(namespace, 'set_ir_points', ir_points_from_msg(msg))

        def on_step(msg: Transition) -> None:
            state.update_env(namespace, 'set_step', msg.episode_id, msg.step_index, msg.reward)

        return [
            self.create_subscription(Odometry, ODOM.absolute(namespace), on_odom,
                                     qos_profile_sensor_data),
            self.create_subscription(PointCloud, DISTANCE_SENSORS.absolute(namespace), on_ir,
                                     qos_profile_sensor_data),
            self.create_subscription(Transition, TRANSITIONS.absolute(namespace), on_step,
                                     STEP_QOS)]

    def _link_bags(self) -> None:
        waiting = self.state.episodes_without_bag()
        if not waiting:
            return
        index = bag_index(self.settings.bag_dir)
        for episode in waiting:
            name = index.get((episode.env, episode.episode_id))
            if name is not None:
                self.state.set_bag(episode, name)

    def destroy_node(self) -> None:
        """Stop serving pages, then leave the graph."""
        self.server.stop()
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    """Run the monitor until Ctrl-C or SIGTERM; 2 for bad parameters or a port in use."""
    return run_node(MonitorNode, args, startup_errors=(ValueError, OSError))


if __name__ == '__main__':
    sys.exit(main())
