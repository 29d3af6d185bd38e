"""Which episodes become bags, and which buffered messages belong to which episode.

Plain bookkeeping for the episode recorder: no ROS, no files. Episode
boundaries come from publication times (DDS source timestamps), not arrival
order, because under load the executor hands topics over out of step. An env
node publishes a step's robot topics, then its transition, then (at the end)
the stats, and the next reset's robot topics after all of them; so episode k
holds what was published after episode k-1's end and up to its own (its
terminal transition and stats). It takes late messages for ``settle_time``
seconds after its end, then it is settled: written or dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from rl_bringup.recording_policy import RecordingPolicy

#: Types of the episode topics (transitions, stats); every other recorded type is a robot topic.
EPISODE_TYPES = 'rl_interfaces/'


@dataclass(frozen=True, slots=True)
class RecordedMessage:
    """One received message, still serialized.

    :param topic: fully qualified topic name, e.g. ``/env_0/odom``.
    :param msgtype: ROS type name, e.g. ``nav_msgs/msg/Odometry``.
    :param data: the CDR bytes as received (with the 4-byte encapsulation header).
    :param order_ns: publication time, ns (the DDS source timestamp): orders messages.
    :param stamp_ns: the message's header stamp, ns; None for a type without a header.
    """

    topic: str
    msgtype: str
    data: bytes
    order_ns: int
    stamp_ns: int | None


class DropReason(Enum):
    """Why a finished (or abandoned) episode is not written."""

    POLICY = 'not chosen by the policy'
    ABANDONED = 'reset before it ended'
    INCOMPLETE = 'started before the recorder saw it'
    TOPIC_LATE = "a robot topic's first messages were lost (its subscription matched late)"
    RESTARTED = 'its env node restarted before it ended'
    MISSING_STEPS = 'steps were lost: the recorder fell behind'
    OVERSIZE = 'over max_episode_mb'
    UNFINISHED = 'still running at shutdown'


@dataclass(frozen=True)
class FinishedEpisode:
    """An episode to write, its messages in publication order.

    :param env: namespace of its env node without slashes; '' for the root namespace.
    :param episode_id: the env node's episode counter.
    :param success: success from its stats; None when they never came.
    :param messages: everything recorded for it, in publication order.
    :param start: which start of its env node it ran in, counted over the run's bags
        (episode ids restart with every start), so ``(env, start, episode_id)`` is unique.
    """

    env: str
    episode_id: int
    success: bool | None
    messages: tuple[RecordedMessage, ...]
    start: int = 0

    @property
    def size_bytes(self) -> int:
        """Bytes of its serialized messages."""
        return sum(len(m.data) for m in self.messages)


@dataclass(frozen=True)
class DroppedEpisode:
    """An episode that is not written, and why.

    :param env: namespace of its env node without slashes.
    :param episode_id: the env node's episode counter.
    :param reason: why it is not written.
    """

    env: str
    episode_id: int
    reason: DropReason


Outcome = FinishedEpisode | DroppedEpisode


@dataclass(frozen=True)
class _Stats:
    """An episode's stats message and what the bookkeeping needs of it."""

    message: RecordedMessage
    success: bool
    length: int


@dataclass
class _Buffer:
    """One episode's messages while it runs and while it settles."""

    episode_id: int | None = None
    start: int = 0
    messages: list[RecordedMessage] = field(default_factory=list)
    size: int = 0
    first_step: int | None = None
    first_step_ns: int = -1
    steps: set[int] = field(default_factory=set)
    length: int | None = None
    last_step_ns: int = -1
    end_ns: int | None = None
    closed_at: float = 0.0
    stats_ns: int = -1
    success: bool | None = None
    drop: DropReason | None = None


class EnvEpisodes:
    """The episodes of one env node: the running one and those settling after their end.

    Transitions are the spine: they arrive in order, carry the episode id and
    mark the end. Stats may arrive ahead of their episode's transitions (the
    executor takes one message per topic at a time, so the rare stats race
    ahead of a backlog); they are held until their episode shows up.

    Times: ``now`` is any monotonic clock in seconds, ``order_ns`` the
    publication times of the messages.

    :param env: namespace of the env node without slashes; '' for the root namespace.
    :param policy: which episodes to record.
    :param max_episode_bytes: bytes of one episode held in memory; past it the
        episode is dropped (reason OVERSIZE) and its later messages ignored.
    :param settle_time: seconds after an episode's end during which its late
        messages are still taken.
    :param first_start: the start number of the env node's current run of episode
        ids: the first not yet used by a bag of this run (a resume, a recorder
        restart); one more each time the ids restart (the env node respawned).
    """

    #: Stats held for episodes not seen yet; more means their transitions never come.
    MAX_EARLY_STATS = 32

    def __init__(self, env: str, policy: RecordingPolicy, max_episode_bytes: int,
                 settle_time: float, first_start: int = 0) -> None:
        if max_episode_bytes <= 0:
            raise ValueError(f'max_episode_bytes must be > 0, got {max_episode_bytes}')
        self.env = env
        self.start = first_start
        self._last_seen: tuple[int, int] | None = None
        self._policy = policy
        self._max_bytes = max_episode_bytes
        self._settle_time = settle_time
        self._open = _Buffer()
        self._closed: list[_Buffer] = []
        self._early_stats: dict[int, _Stats] = {}
        self._settled_end_ns = -1
        #: Types of the robot topics this env node has published to the recorder so far.
        self._robot_types: set[str] = set()
        #: Messages that came after their episode had settled, and were lost to it.
        self.late_messages = 0

    def add(self, message: RecordedMessage) -> None:
        """A robot-topic message: goes to the episode during which it was published.

        :param message: the message.
        """
        self._robot_types.add(message.msgtype)
        if self._too_late(message):
            return
        target = next((b for b in self._closed if message.order_ns <= b.end_ns), self._open)
        self._store(target, message)

    def add_transition(self, message: RecordedMessage, episode_id: int, step_index: int,
                       ended: bool, now: float) -> None:
        """A transition: a new episode id starts a new episode, a terminal one ends it.

        :param message: the serialized transition.
        :param episode_id: its episode id.
        :param step_index: its step index within the episode.
        :param ended: terminated or truncated.
        :param now: the current time, s.
        """
        if self._too_late(message):
            return
        if self._restarted(episode_id, step_index):
            self._next_start(now)
        self._last_seen = (episode_id, step_index)
        target = self._closed_with(episode_id)
        if target is None:
            if self._open.episode_id not in (None, episode_id):
                self._close(self._open.last_step_ns, now, DropReason.ABANDONED)
            target = self._open
            if target.episode_id is None:
                self._start(target, episode_id, step_index, message.order_ns)
        target.last_step_ns = max(target.last_step_ns, message.order_ns)
        target.steps.add(step_index)
        self._store(target, message)
        if target.drop is not None:
            self._discard(target, target.drop)
        if ended and target is self._open:
            self._close(message.order_ns, now)

    def add_stats(self, message: RecordedMessage, episode_id: int, success: bool, length: int,
                  now: float) -> None:
        """An episode's stats: they end the episode if its terminal transition is not in yet.

        :param message: the serialized stats.
        :param episode_id: the episode they summarise.
        :param success: whether the task counts it a success.
        :param length: its number of steps.
        :param now: the current time, s.
        """
        if self._too_late(message):
            return
        target = self._closed_with(episode_id)
        stats = _Stats(message, success, length)
        if target is None and self._open.episode_id == episode_id:
            self._attach_stats(self._open, stats)
            self._close(message.order_ns, now)
        elif target is None:
            self._early_stats[episode_id] = stats
            if len(self._early_stats) > self.MAX_EARLY_STATS:
                del self._early_stats[next(iter(self._early_stats))]
        else:
            self._attach_stats(target, stats)

    def settling(self, whole_with: frozenset[str] | None = None) -> bool:
        """True while an ended episode that may become a bag can still take late messages.

        :param whole_with: message types whose count per episode is unknown (the robot
            topics' rates), or the set of types an episode has one of when whole: then
            an episode with its stats, every step and these needs no more.
        """
        return any(buffer.episode_id is not None and self._policy.may_record(buffer.episode_id)
                   and not (whole_with is not None and _whole(buffer, whole_with))
                   for buffer in self._closed)

    def settled(self, now: float) -> list[Outcome]:
        """The episodes whose settle time has passed since their end, oldest first.

        :param now: the current time, s.
        """
        outcomes = []
        while self._closed and now - self._closed[0].closed_at >= self._settle_time:
            outcomes.append(self._settle(self._closed.pop(0)))
        return outcomes

    def flush(self) -> list[Outcome]:
        """At shutdown: every ended episode now, and the running one as UNFINISHED."""
        outcomes = [self._settle(buffer) for buffer in self._closed]
        self._closed.clear()
        if self._open.episode_id is not None:
            outcomes.append(
                DroppedEpisode(self.env, self._open.episode_id, DropReason.UNFINISHED))
        self._open = _Buffer()
        self._early_stats.clear()
        return outcomes

    def _too_late(self, message: RecordedMessage) -> bool:
        if message.order_ns > self._settled_end_ns:
            return False
        self.late_messages += 1
        return True

    def _closed_with(self, episode_id: int) -> _Buffer | None:
        return next((b for b in self._closed
                     if b.episode_id == episode_id and b.start == self.start), None)

    def _restarted(self, episode_id: int, step_index: int) -> bool:
        """Whether the ids went back: an env node counts episodes from 0 at each start."""
        if self._last_seen is None:
            return False
        last_id, last_step = self._last_seen
        return episode_id < last_id or (episode_id == last_id and step_index <= last_step)

    def _next_start(self, now: float) -> None:
        """The env node started again: its running episode will never end.

        What was published after that episode's last step (the new start's
        first reset) goes on to the next episode, as at any close.
        """
        if self._open.episode_id is not None:
            self._close(self._open.last_step_ns, now, DropReason.RESTARTED)
        self._early_stats.clear()
        self.start += 1

    def _start(self, buffer: _Buffer, episode_id: int, step_index: int, step_ns: int) -> None:
        """Name the running episode at its first transition.

        Stats held for earlier episodes never seen (the recorder started
        during them) mark where those ended: what was published before is theirs.
        """
        buffer.episode_id = episode_id
        buffer.start = self.start
        buffer.first_step = step_index
        buffer.first_step_ns = step_ns
        earlier = [k for k in self._early_stats if k < episode_id]
        if earlier:
            cut = max(self._early_stats.pop(k).message.order_ns for k in earlier)
            buffer.messages = [m for m in buffer.messages if m.order_ns > cut]
            buffer.size = sum(len(m.data) for m in buffer.messages)
        if not self._policy.may_record(episode_id):
            self._discard(buffer, DropReason.POLICY)
        if episode_id in self._early_stats:
            self._attach_stats(buffer, self._early_stats.pop(episode_id))

    def _attach_stats(self, buffer: _Buffer, stats: _Stats) -> None:
        buffer.success = stats.success
        buffer.length = stats.length
        buffer.stats_ns = stats.message.order_ns
        self._store(buffer, stats.message)

    def _store(self, buffer: _Buffer, message: RecordedMessage) -> None:
        if buffer.drop is not None and buffer.end_ns is not None:
            return
        buffer.messages.append(message)
        buffer.size += len(message.data)
        if buffer.drop is None and buffer.size > self._max_bytes:
            self._discard(buffer, DropReason.OVERSIZE)

    @staticmethod
    def _discard(buffer: _Buffer, reason: DropReason) -> None:
        """Drop the episode's messages but those published after its last step.

        Those may be the next episode's reset, handed over early; until the
        end is known, a dropped episode keeps them (a few) for its successor.
        """
        buffer.drop = reason
        buffer.messages = [m for m in buffer.messages if m.order_ns > buffer.last_step_ns]
        buffer.size = sum(len(m.data) for m in buffer.messages)

    def _close(self, end_ns: int, now: float, drop: DropReason | None = None) -> None:
        """End the running episode at ``end_ns`` (or at its stats, if later).

        Messages published after the end move to the next episode.
        """
        ended, self._open = self._open, _Buffer()
        ended.end_ns = max(end_ns, ended.stats_ns)
        ended.closed_at = now
        later = [m for m in ended.messages if m.order_ns > ended.end_ns]
        if later:
            ended.messages = [m for m in ended.messages if m.order_ns <= ended.end_ns]
            ended.size = sum(len(m.data) for m in ended.messages)
        for message in later:
            self._store(self._open, message)
        ended.drop = ended.drop or drop
        if ended.drop is not None:
            ended.messages = []
            ended.size = 0
        self._closed.append(ended)

    def _settle(self, buffer: _Buffer) -> Outcome:
        self._settled_end_ns = max(self._settled_end_ns, buffer.end_ns)
        episode_id = buffer.episode_id
        reason = buffer.drop or self._completeness(buffer)
        if reason is None and not self._policy.records(episode_id, buffer.success):
            reason = DropReason.POLICY
        if reason is not None:
            return DroppedEpisode(self.env, episode_id, reason)
        messages = tuple(sorted(buffer.messages, key=lambda m: m.order_ns))
        return FinishedEpisode(self.env, episode_id, buffer.success, messages, buffer.start)

    def _completeness(self, buffer: _Buffer) -> DropReason | None:
        """Why a settled episode is not whole, or None when it is.

        INCOMPLETE without step 0, MISSING_STEPS with a gap or fewer steps than
        the stats, TOPIC_LATE when a robot topic's first message came after the
        first step, or none came of a topic the env node published in earlier
        episodes. A robot topic is published at the reset (the arena markers
        only there) and at every step, so each one in the episode must have a
        message from before its first transition; one whose subscription
        matched late (an env node just respawned) has not, and its bag would
        look whole without the start of the episode.
        """
        if buffer.first_step != 0:
            return DropReason.INCOMPLETE
        expected = max(buffer.steps) + 1 if buffer.length is None else buffer.length
        if len(buffer.steps) != expected or max(buffer.steps) + 1 != expected:
            return DropReason.MISSING_STEPS
        first_ns: dict[str, int] = {}
        for message in buffer.messages:
            if not message.msgtype.startswith(EPISODE_TYPES):
                first_ns[message.topic] = min(first_ns.get(message.topic, message.order_ns),
                                              message.order_ns)
        late = any(ns > buffer.first_step_ns for ns in first_ns.values())
        missing = self._robot_types - {m.msgtype for m in buffer.messages}
        return DropReason.TOPIC_LATE if late or missing else None


def _whole(buffer: _Buffer, with_types: frozenset[str]) -> bool:
    """Whether an episode has its stats, every step from step 0 and a message of each type."""
    return (buffer.length is not None and buffer.first_step == 0
            and len(buffer.steps) == buffer.length == max(buffer.steps, default=-1) + 1
            and with_types <= {message.msgtype for message in buffer.messages})
