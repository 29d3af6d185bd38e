"""The episode recorder node: chosen episodes of every env node as rosbag2 bags.

For each env namespace it subscribes ``transitions``, ``episode_stats`` and
``arena_markers`` (env nodes publish them only while someone subscribes, so
this node is what turns them on), holds each episode's messages serialized
in memory, and when the episode has ended lets the policy decide: written
as ``<bag_dir>/<run_name>/<env or 'root'>_s<start>_ep<episode_id:06d>/``
(``start`` counts the env node's starts over the run, since its episode ids
restart with each: no two bags of a run share a name) (MCAP, rosbag2
version 9, readable by ``ros2 bag``, with the ``/tf``, ``/tf_static`` and
``/robot_description`` that RViz and Foxglove need, see
:mod:`rl_bringup.bag_scene`), or dropped. Bags are written on a thread of
their own; past ``max_total_mb`` the run's oldest bags are deleted.

A bag holds the robot topics ``cmd_vel``, ``odom``, ``distance_sensors``
and ``bumper`` too. By default (``robot_topics_from: transitions``) they
are rebuilt from the transitions, which carry each step's robot states and
command (:mod:`rl_bringup.derived_robot_topics`): the messages an env node
holding its simulator publishes, without it publishing them.
``robot_topics_from: topics`` subscribes them instead, as published (a real
robot's driver, at its own rates).

Bag times are the messages' header stamps (robot time: simulated time, which
restarts at 0 with every simulated episode); see ``bag_writer.bag_timestamps``.

Cost: env nodes build a step's transition and robot messages only for a
subscriber, and publishing one to this process costs them 30 to 40 us
(waking the reader). So with ``every:K`` an env's transitions (and robot
topics, when subscribed) are subscribed only during a recorded episode and the one before it
(whose time lets the subscriptions match), and dropped once the recorded
episode has settled (what is queued is taken before a subscription goes).
The stats, one message an episode, are subscribed always and taken as they
come: they say which episode comes next. With ``every:10`` an env node
builds them for two or three episodes in ten. ``record_robot_topics:=false``
keeps only transitions and stats.

The transitions and robot topics are polled: their subscriptions sit in a
callback group no executor waits on (:class:`PolledGroup`), and the
recorder's timer takes what each has queued every ``_TIMER_PERIOD`` (a
reader keeps up to ``_QOS.depth`` messages meanwhile). Woken by its
executor for every message burst instead, rclpy spent 0.1 to 0.3 ms
rebuilding its wait set each time, most of the recorder's CPU. An episode
whose steps were lost because the recorder fell behind is not written, and
a warning says so.

At shutdown, episodes that have ended are written, and the episodes still
running are dropped: a bag without its end would look like a whole episode.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rclpy.callback_groups import CallbackGroup
from rclpy.clock import Clock, ClockType
from rclpy.event_handler import SubscriptionEventCallbacks
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rclpy.subscription import MessageInfo, Subscription

from rl_bringup.bag_types import (
    HEADER_FIRST,
    header_stamp_ns,
    interface_msg_files,
    make_typestore,
    read_stats,
    read_transition,
)
from rl_bringup.bag_writer import BagWriterThread, EpisodeBagWriter, OfferedQos, next_start
from rl_bringup.derived_robot_topics import DERIVED_TOPICS, derived_robot_messages
from rl_bringup.episode_recording import (
    DroppedEpisode,
    DropReason,
    EnvEpisodes,
    Outcome,
    RecordedMessage,
)
from rl_bringup.recording_policy import PolicyKind, RecordingPolicy
from rl_ros.contract import (
    ARENA_MARKERS,
    BUMPER,
    CMD_VEL,
    DISTANCE_SENSORS,
    EPISODE_STATS,
    ODOM,
    TRANSITIONS,
    Endpoint,
)
from rl_ros.node_main import run_node
from rl_ros.parameters import ParameterSpec, declare_parameters

PARAMETERS = (
    ParameterSpec('namespaces', [''],
                  "env namespaces to record: [''] for the one env in the root namespace, "
                  "['env_0', 'env_1'] for two"),
    ParameterSpec('bag_dir', 'bags', 'folder holding one sub-folder of bags per run'),
    ParameterSpec('run_name', '',
                  "this run's sub-folder of bag_dir; '' for run_<YYYYmmdd-HHMMSS>"),
    ParameterSpec('policy', 'every:100',
                  "episodes to record: 'all', 'none', 'failures' (not a success) or "
                  "'every:K' (episode ids that are multiples of K, per env)"),
    ParameterSpec('record_robot_topics', True,
                  'also record cmd_vel, odom, distance_sensors, bumper and arena_markers; '
                  'false: only transitions and episode_stats'),
    ParameterSpec('robot_topics_from', 'transitions',
                  "where the robot topics in a bag come from: 'transitions' (rebuilt from "
                  "each step's robot states and command, as an env node holding its "
                  "simulator publishes them, without making it publish them) or 'topics' "
                  "(subscribed as published: a real robot's driver, at its own rates)"),
    ParameterSpec('max_total_mb', 1024.0,
                  "cap on the run's bags, MB; the oldest bags are deleted past it; 0: no cap",
                  0.0, 1e9),
    ParameterSpec('max_episode_mb', 64.0,
                  'memory for one episode of one env, MB; a longer episode is not recorded',
                  0.01, 1e6),
    ParameterSpec('settle_time', 0.5,
                  "s after an episode's end during which its late messages are still taken",
                  0.0, 60.0),
    ParameterSpec('niceness', 10,
                  'scheduling niceness the recorder takes at start, every thread (Linux): '
                  'it works behind the training it records and must not slow its env nodes '
                  'and agent; 0 keeps the niceness it was started with', 0, 19),
)

#: Period of taking the queued messages and of the check for settled episodes and new
#: publishers, s (steady clock).
_TIMER_PERIOD = 0.1
#: Reliable, so that nothing is lost on the way (the env node and the MuJoCo
#: topics publish reliable; a best-effort publisher does not match, and the
#: recorder warns). Keep last 1000: a reader's queue holds a period's messages,
#: and a stall of the recorder of a second or more at training rates, where
#: the publishers' 10 to 100 would overflow.
_QOS = QoSProfile(depth=1000)
#: Per env, besides the episode topics: the robot's, and its world's when the env node
#: holds the simulator (published at each reset).
_ROBOT_TOPICS = (CMD_VEL, ODOM, DISTANCE_SENSORS, BUMPER, ARENA_MARKERS)
#: Values of ``robot_topics_from``.
FROM_TRANSITIONS, FROM_TOPICS = 'transitions', 'topics'


@dataclass(frozen=True)
class RecorderSettings:
    """The recorder's parameters, read once; see :data:`PARAMETERS` for meanings.

    :param namespaces: env namespaces without slashes ('' for the root one).
    :param run_dir: ``<bag_dir>/<run_name>``.
    :param policy: which episodes to record.
    :param record_robot_topics: record the robot topics besides transitions and stats.
    :param robot_topics_from: rebuild them from the transitions, or subscribe them.
    :param max_total_bytes: cap on the run's bags; 0 for none.
    :param max_episode_bytes: memory for one episode of one env.
    :param settle_time: seconds an ended episode still takes late messages.
    :param niceness: scheduling niceness to take at start.
    """

    namespaces: tuple[str, ...]
    run_dir: Path
    policy: RecordingPolicy
    record_robot_topics: bool
    robot_topics_from: str
    max_total_bytes: int
    max_episode_bytes: int
    settle_time: float
    niceness: int

    @classmethod
    def from_values(cls, values: dict, now: datetime.datetime | None = None) -> RecorderSettings:
        """Checked settings; ValueError names the bad parameter and value.

        :param values: declared parameter values by name.
        :param now: the time for a generated run name; the current local time when None.
        """
        namespaces = tuple(str(ns).strip('/') for ns in values['namespaces'])
        if not namespaces or len(set(namespaces)) != len(namespaces):
            raise ValueError(f"namespaces must be distinct and at least one, got "
                             f"{list(values['namespaces'])!r}")
        run_name = values['run_name'] or (
            'run_' + (now or datetime.datetime.now()).strftime('%Y%m%d-%H%M%S'))
        if '/' in run_name or run_name in ('.', '..'):
            raise ValueError(f'run_name must be a plain folder name, got {run_name!r}')
        source = values['robot_topics_from']
        if source not in (FROM_TRANSITIONS, FROM_TOPICS):
            raise ValueError(f"robot_topics_from must be '{FROM_TRANSITIONS}' or "
                             f"'{FROM_TOPICS}', got {source!r}")
        return cls(namespaces, Path(values['bag_dir']).expanduser() / run_name,
                   RecordingPolicy.parse(values['policy']), values['record_robot_topics'],
                   source, int(values['max_total_mb'] * 1e6),
                   int(values['max_episode_mb'] * 1e6), float(values['settle_time']),
                   int(values['niceness']))

    @property
    def derives_robot_topics(self) -> bool:
        """True when bags get the robot topics rebuilt from the transitions."""
        return self.record_robot_topics and self.robot_topics_from == FROM_TRANSITIONS

    @property
    def whole_with(self) -> frozenset[str] | None:
        """What a whole episode holds besides its steps and stats; None if unknown.

        The robot's own topics come at rates of their own, so an episode that
        records them is never known to be whole: it settles for ``settle_time``.
        """
        if self.record_robot_topics and not self.derives_robot_topics:
            return None
        return frozenset(endpoint.type for endpoint in self.subscribed_robot_topics)

    @property
    def subscribed_robot_topics(self) -> tuple[Endpoint, ...]:
        """The robot and world topics subscribed (the arena markers are never rebuilt)."""
        if not self.record_robot_topics:
            return ()
        if self.derives_robot_topics:
            return (ARENA_MARKERS,)
        return _ROBOT_TOPICS


def lower_priority(niceness: int) -> None:
    """Raise every thread of this process to at least ``niceness`` (lower priority).

    Linux keeps a niceness per thread, and DDS has started its threads by the
    time the parameters are read, so each is set. Why: on a 2-core machine
    the recorder is the third busy process beside an env group and the agent,
    which take turns on the critical path of every step; at equal priority it
    preempted them (PPO with ``every:10`` ran 15 to 25 % faster with the
    recorder at niceness 19, its queues absorbing the delay).
    """
    tasks = Path('/proc/self/task')
    for thread in (int(t.name) for t in tasks.iterdir()) if tasks.is_dir() else (0,):
        with contextlib.suppress(OSError):   # a thread that ended meanwhile
            current = os.getpriority(os.PRIO_PROCESS, thread)
            os.setpriority(os.PRIO_PROCESS, thread, max(current, niceness))


def _offered_qos(profile: QoSProfile) -> OfferedQos:
    """A publisher's QoS from the ROS graph, in the writer's plain form."""
    return OfferedQos(
        profile.reliability.name, profile.durability.name, profile.history.name, profile.depth,
        profile.liveliness.name, profile.deadline.nanoseconds, profile.lifespan.nanoseconds,
        profile.liveliness_lease_duration.nanoseconds)


class PolledGroup(CallbackGroup):
    """A callback group whose entities no executor waits on: their owner takes from them.

    The executor leaves out of its wait set whatever its group says it cannot
    execute, so a message for a subscription in this group wakes nobody.
    """

    def can_execute(self, entity: object) -> bool:
        """Never: the recorder's timer takes the messages (:meth:`_Receiver.take_queued`)."""
        return False

    def beginning_execution(self, entity: object) -> bool:
        """Never: nothing here runs as an executor's callback."""
        return False

    def ending_execution(self, entity: object) -> None:
        """Nothing began, so nothing ends."""


class _Receiver:
    """One polled raw subscription: wraps each queued message and passes it on.

    :param topic: fully qualified topic name.
    :param msgtype: ROS type name.
    :param on_message: receives each message.
    """

    def __init__(self, topic: str, msgtype: str,
                 on_message: Callable[[RecordedMessage], None]) -> None:
        self.topic = topic
        self.msgtype = msgtype
        self.subscription: Subscription | None = None
        self._has_header = msgtype in HEADER_FIRST
        self._on_message = on_message

    def __call__(self, data: bytes, info: MessageInfo) -> None:
        """rclpy's callback (raw, with message info); the executor never calls it when polled."""
        self._receive(data, info)

    def take_queued(self) -> None:
        """Take every message waiting in the subscription's queue, oldest first."""
        subscription = self.subscription
        if subscription is None:
            return
        handle = subscription.handle
        with handle:
            while (taken := handle.take_message(subscription.msg_type, True)) is not None:
                self._receive(*taken)

    def _receive(self, data: bytes, info: MessageInfo) -> None:
        order_ns = info['source_timestamp'] or info['received_timestamp']
        stamp_ns = header_stamp_ns(data) if self._has_header else None
        self._on_message(RecordedMessage(self.topic, self.msgtype, data, order_ns, stamp_ns))


class EpisodeRecorder(Node):
    """Polls the envs' topics raw and hands ended episodes to a bag-writing thread."""

    def __init__(self, **kwargs) -> None:
        super().__init__('episode_recorder', **kwargs)
        self.settings = settings = RecorderSettings.from_values(
            declare_parameters(self, PARAMETERS))
        lower_priority(settings.niceness)
        self._typestore = make_typestore(interface_msg_files('rl_interfaces'))
        self._envs = {ns: EnvEpisodes(ns, settings.policy, settings.max_episode_bytes,
                                      settings.settle_time, next_start(settings.run_dir, ns))
                      for ns in settings.namespaces}
        self._qos_cache: dict[str, list[OfferedQos]] = {}
        self._late_reported: dict[str, int] = {}
        self._unannounced: list[str] = []
        self._announced: set[str] = set()
        self._episode_topics: dict[str, list[tuple[_Receiver, type]]] = {}
        self._polled = PolledGroup()
        self._upcoming: dict[str, int] = {}
        self._writer = BagWriterThread(
            EpisodeBagWriter(settings.run_dir, self._typestore, settings.max_total_bytes,
                             derived_robot_messages if settings.derives_robot_topics else None),
            self.get_logger())
        if settings.policy.kind is PolicyKind.NONE:
            self.get_logger().info("policy 'none': recording nothing, subscribing nothing")
            return
        for namespace in settings.namespaces:
            self._subscribe_env(namespace)
        self.create_timer(_TIMER_PERIOD, self._on_timer,
                          clock=Clock(clock_type=ClockType.STEADY_TIME))
        policy = settings.policy
        self.get_logger().info(
            f'recorder ready: {len(settings.namespaces)} env(s), policy {policy.kind.value}'
            + (f':{policy.every}' if policy.kind is PolicyKind.EVERY else '')
            + f', bags in {settings.run_dir}')

    def _subscribe_env(self, namespace: str) -> None:
        """Stats for good; transitions and robot topics from the start till the policy says not."""
        episodes = self._envs[namespace]
        stats = _Receiver(EPISODE_STATS.absolute(namespace), EPISODE_STATS.type,
                          self._stats_handler(episodes))
        self._listen(stats, EPISODE_STATS.interface(), True, polled=False)
        self._episode_topics[namespace] = [
            (_Receiver(endpoint.absolute(namespace), endpoint.type, episodes.add),
             endpoint.interface())
            for endpoint in self.settings.subscribed_robot_topics]
        # Taken in the order an env node publishes: a step's robot topics, then its transition.
        self._episode_topics[namespace].append(
            (_Receiver(TRANSITIONS.absolute(namespace), TRANSITIONS.type,
                       self._transition_handler(episodes)), TRANSITIONS.interface()))
        self._listen_to_episode(namespace, True)

    def _listen(self, receiver: _Receiver, cls: type, on: bool, polled: bool = True) -> None:
        """Subscribe raw, without QoS-event handlers, or stop (taking the queue first).

        :param polled: taken by the timer (:class:`PolledGroup`); else by the executor.
        """
        if on and receiver.subscription is None:
            receiver.subscription = self.create_subscription(
                cls, receiver.topic, receiver, _QOS, raw=True,
                callback_group=self._polled if polled else None,
                event_callbacks=SubscriptionEventCallbacks(use_default_callbacks=False))
            if receiver.topic not in self._announced:
                self._announced.add(receiver.topic)
                self._unannounced.append(receiver.topic)
        elif not on and receiver.subscription is not None:
            receiver.take_queued()
            self.destroy_subscription(receiver.subscription)
            receiver.subscription = None

    def _listen_to_episode(self, namespace: str, on: bool) -> None:
        for receiver, cls in self._episode_topics.get(namespace, ()):
            self._listen(receiver, cls, on)

    def _follow(self, namespace: str, upcoming: int) -> None:
        """Note the episode an env runs next (see :meth:`_match_policy`)."""
        self._upcoming[namespace] = upcoming

    def _match_policy(self, namespace: str) -> None:
        """Subscribe the env's episode topics while the policy listens; drop them once settled.

        Called as the env's stats come, so that the subscriptions match during
        the episode before a recorded one, and by the timer. A recorded
        episode keeps them until it is whole (every step, its stats and arena)
        or, with the robot's own topics subscribed, until it has settled: under
        load, DDS hands over some of its messages (resent after a full
        transport queue) after its stats.
        """
        upcoming = self._upcoming.get(namespace)
        if upcoming is None:
            return
        if self.settings.policy.listens_during(upcoming):
            self._listen_to_episode(namespace, True)
        elif not self._envs[namespace].settling(self.settings.whole_with):
            self._listen_to_episode(namespace, False)

    def _transition_handler(self, episodes: EnvEpisodes) -> Callable[[RecordedMessage], None]:
        def on_transition(message: RecordedMessage) -> None:
            key = read_transition(message.data)
            episodes.add_transition(message, key.episode_id, key.step_index, key.ended,
                                    time.monotonic())
            self._follow(episodes.env, key.episode_id + 1 if key.ended else key.episode_id)
        return on_transition

    def _stats_handler(self, episodes: EnvEpisodes) -> Callable[[RecordedMessage], None]:
        def on_stats(message: RecordedMessage) -> None:
            key = read_stats(self._typestore, message.data)
            episodes.add_stats(message, key.episode_id, key.success, key.length,
                               time.monotonic())
            self._follow(episodes.env, key.episode_id + 1)
            self._match_policy(episodes.env)
        return on_stats

    def _take_queued(self) -> None:
        for topics in self._episode_topics.values():
            for receiver, _ in topics:
                receiver.take_queued()

    def _on_timer(self) -> None:
        self._take_queued()
        now = time.monotonic()
        for episodes in self._envs.values():
            self._handle(episodes.settled(now))
            self._report_late(episodes)
            self._match_policy(episodes.env)
        if self._unannounced:
            self._announce_publishers()

    def _announce_publishers(self) -> None:
        """Log each topic once its first publisher is seen; warn of a best-effort one."""
        for topic in list(self._unannounced):
            publishers = self.get_publishers_info_by_topic(topic)
            if not publishers:
                continue
            self._unannounced.remove(topic)
            self.get_logger().info(f'recording {topic}: {len(publishers)} publisher(s)')
            if any(p.qos_profile.reliability == ReliabilityPolicy.BEST_EFFORT
                   for p in publishers):
                self.get_logger().warning(
                    f'a publisher of {topic} is best effort: this reliable recorder gets '
                    'nothing from it')

    def _report_late(self, episodes: EnvEpisodes) -> None:
        if episodes.late_messages > self._late_reported.get(episodes.env, 0):
            self._late_reported[episodes.env] = episodes.late_messages
            self.get_logger().warning(
                f'{episodes.late_messages} message(s) of {episodes.env or "root"} came more '
                "than settle_time after their episode's end and are missing from its bag: "
                'the recorder is behind', throttle_duration_sec=10.0)

    def _handle(self, outcomes: list[Outcome], wait: bool = False) -> None:
        """Queue the episodes to write; log the drops worth knowing about.

        :param outcomes: settled episodes.
        :param wait: wait for room in the writer's queue instead of dropping (at shutdown).
        """
        for outcome in outcomes:
            where = f'episode {outcome.episode_id} of {outcome.env or "root"}'
            if isinstance(outcome, DroppedEpisode):
                if outcome.reason in (DropReason.OVERSIZE, DropReason.MISSING_STEPS,
                                      DropReason.TOPIC_LATE):
                    self.get_logger().warning(f'not recorded: {where}, {outcome.reason.value}')
                elif outcome.reason is not DropReason.POLICY:
                    self.get_logger().info(f'not recorded: {where}, {outcome.reason.value}')
                continue
            topics = {message.topic for message in outcome.messages}
            if self.settings.derives_robot_topics:
                topics |= {endpoint.absolute(outcome.env) for endpoint in DERIVED_TOPICS}
            offered = {topic: self._publisher_qos(topic) for topic in topics}
            if not self._writer.submit(outcome, offered, wait):
                self.get_logger().warning(
                    f'not recorded: {where}, the disk is behind (writer queue full)')

    def _publisher_qos(self, topic: str) -> list[OfferedQos]:
        """The QoS the topic's publishers offer, as ``ros2 bag record`` would store it."""
        if topic not in self._qos_cache:
            profiles = [_offered_qos(info.qos_profile)
                        for info in self.get_publishers_info_by_topic(topic)]
            if not profiles:
                return []
            self._qos_cache[topic] = profiles
        return self._qos_cache[topic]

    def destroy_node(self) -> None:
        """Write the episodes that have ended, drop those still running, finish writing."""
        self._take_queued()
        for episodes in self._envs.values():
            self._handle(episodes.flush(), wait=True)
        self._writer.close()
        self.get_logger().info(f'recorder stopped: {self._writer.written} bag(s) written')
        super().destroy_node()


def main(args: list[str] | None = None) -> None:
    """Console script ``episode_recorder``: record until Ctrl-C or SIGTERM, then finish writing.

    :param args: command-line arguments for rclpy (``--ros-args ...``).
    """
    raise SystemExit(run_node(EpisodeRecorder, args))


if __name__ == '__main__':
    main()
