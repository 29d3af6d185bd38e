"""Episode bags on disk: one rosbag2 folder per episode, a size cap, a writer thread.

Each episode becomes ``<run_dir>/<env or 'root'>_ep<episode_id:06d>/`` holding
``metadata.yaml`` (rosbag2 version 9) and one MCAP file, written with the
``rosbags`` library: what ``ros2 bag info`` and ``ros2 bag play`` read. The
messages go in as received (CDR), so nothing is deserialized to write them;
beside them go ``/tf``, ``/tf_static`` and ``/robot_description``, derived
from them (:mod:`rl_bringup.bag_scene`), so that RViz and Foxglove draw the
episode. ``ros_distro`` names the distribution the types come from.

Writing happens on a thread of its own so that the recorder's subscriptions
never wait for the disk.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Protocol

from rosbags.interfaces import (
    Qos,
    QosDurability,
    QosHistory,
    QosLiveliness,
    QosReliability,
    QosTime,
)
from rosbags.rosbag2 import StoragePlugin, Writer, WriterError
from rosbags.typesys import TypesysError
from rosbags.typesys.store import Typestore

from rl_bringup.bag_scene import LATCHED_TOPICS, TF, BagScene, SceneMessage
from rl_bringup.episode_recording import FinishedEpisode, RecordedMessage

_NS_PER_S = 1_000_000_000
#: What ``ros_distro`` in a bag's metadata says: the distribution of the typestore.
ROS_DISTRO = 'kilted'


@dataclass(frozen=True)
class OfferedQos:
    """The QoS a publisher offered, as rosbag2 stores it for ``ros2 bag play``.

    Policy names are those of rclpy's and rosbags' enums (``RELIABLE``,
    ``BEST_EFFORT``, ``VOLATILE``, ``TRANSIENT_LOCAL``, ``KEEP_LAST``, ...).

    :param reliability: reliability policy name.
    :param durability: durability policy name.
    :param history: history policy name.
    :param depth: history depth, messages.
    :param liveliness: liveliness policy name.
    :param deadline_ns: deadline, ns (0: unspecified).
    :param lifespan_ns: lifespan, ns (0: unspecified).
    :param liveliness_lease_ns: liveliness lease duration, ns (0: unspecified).
    """

    reliability: str = 'RELIABLE'
    durability: str = 'VOLATILE'
    history: str = 'KEEP_LAST'
    depth: int = 10
    liveliness: str = 'AUTOMATIC'
    deadline_ns: int = 0
    lifespan_ns: int = 0
    liveliness_lease_ns: int = 0

    def to_rosbags(self) -> Qos:
        """The same profile as a rosbags ``Qos``; unknown names become UNKNOWN."""
        return Qos(
            history=_member(QosHistory, self.history),
            depth=self.depth,
            reliability=_member(QosReliability, self.reliability),
            durability=_member(QosDurability, self.durability),
            deadline=_qos_time(self.deadline_ns),
            lifespan=_qos_time(self.lifespan_ns),
            liveliness=_member(QosLiveliness, self.liveliness),
            liveliness_lease_duration=_qos_time(self.liveliness_lease_ns),
            avoid_ros_namespace_conventions=False,
        )


#: The derived topics' QoS, as ``robot_state_publisher`` and tf2 offer them.
_SCENE_QOS = {topic: (OfferedQos(durability='TRANSIENT_LOCAL', depth=1),)
              for topic in LATCHED_TOPICS} | {TF: (OfferedQos(depth=100),)}


def _member(enum: type[Enum], name: str) -> Enum:
    return enum.__members__.get(name.upper(), enum.UNKNOWN)


def _qos_time(nanoseconds: int) -> QosTime:
    return QosTime(sec=nanoseconds // _NS_PER_S, nsec=nanoseconds % _NS_PER_S)


def bag_name(env: str, episode_id: int, start: int = 0) -> str:
    """``<env>_s<start:02d>_ep<episode_id:06d>``, with ``root`` for the root namespace.

    :param env: namespace of the env node without slashes.
    :param episode_id: the env node's episode counter.
    :param start: which start of the env node, over the run (ids restart with each).
    """
    return f'{env or "root"}_s{start:02d}_ep{episode_id:06d}'


def next_start(run_dir: Path, env: str) -> int:
    """The first start number that no bag of ``env`` in ``run_dir`` has: 0 in a new run.

    A recorder started again (it respawned, or the run was resumed) numbers
    the env node's episodes from here, so no two bags of a run share a name.
    """
    pattern = re.compile(rf'{re.escape(env or "root")}_s(\d+)_ep\d+(_\d+)?')
    starts = [int(match.group(1)) for path in Path(run_dir).glob('*')
              if (match := pattern.fullmatch(path.name))]
    return max(starts, default=-1) + 1


def bag_timestamps(messages: Sequence[RecordedMessage]) -> list[int]:
    """Bag time of each message, ns: its header stamp (robot time).

    A message without a header (Twist, Bool) takes the stamp of the last
    message published before it, which describes the same robot instant;
    leading ones take the first stamp. Mixing in receive times would put
    wall-clock and robot-clock times in one bag. Without any header stamp,
    the publication times.

    :param messages: in publication order.
    """
    stamps = [m.stamp_ns for m in messages if m.stamp_ns is not None]
    if not stamps:
        return [m.order_ns for m in messages]
    last = stamps[0]
    result = []
    for message in messages:
        last = message.stamp_ns if message.stamp_ns is not None else last
        result.append(last)
    return result


@dataclass(frozen=True)
class WrittenBag:
    """A bag on disk.

    :param path: the rosbag2 folder.
    :param messages: messages written, the derived ``/tf`` and the like included.
    :param size_bytes: bytes of its files.
    """

    path: Path
    messages: int
    size_bytes: int


def _folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob('*') if f.is_file())


class _DistroWriter(Writer):
    """rosbags' writer, with the real distribution as ``ros_distro``.

    rosbags writes ``ros_distro: rosbags`` into both the MCAP's metadata
    record and ``metadata.yaml``; tools that pick message definitions by
    distribution read it, so both get :data:`ROS_DISTRO` instead.
    """

    def close(self) -> None:
        """Write the index and metadata, naming the distribution."""
        storage = self.storage
        if storage is not None:
            close_storage = storage.close
            storage.close = lambda version, text: close_storage(version, _with_distro(text))
        super().close()
        self.metapath.write_text(_with_distro(self.metapath.read_text('utf8')), 'utf8')


def _with_distro(metadata: str) -> str:
    return metadata.replace('ros_distro: rosbags', f'ros_distro: {ROS_DISTRO}')


class EpisodeBagWriter:
    """Writes episodes as bags into one run folder and keeps the folder under a cap.

    Bags already in the folder (an earlier start of the same run) count
    toward the cap and are rotated out first, oldest first.

    :param run_dir: the run's folder; created with the first bag.
    :param typestore: types of every recorded message (see ``bag_types.make_typestore``).
    :param max_total_bytes: cap on all bags of the folder; 0 for none.
    :param derive: more messages of an episode, built from its recorded ones when it is
        written (``derived_robot_topics.derived_robot_messages``: the robot's topics).
    """

    def __init__(self, run_dir: Path, typestore: Typestore, max_total_bytes: int = 0,
                 derive: Callable[[FinishedEpisode], list[RecordedMessage]] | None = None,
                 ) -> None:
        if max_total_bytes < 0:
            raise ValueError(f'max_total_bytes must be >= 0, got {max_total_bytes}')
        self.run_dir = Path(run_dir)
        self._typestore = typestore
        self._scene = BagScene(typestore)
        self._max_total = max_total_bytes
        self._derive = derive
        existing = sorted(self.run_dir.glob('*/metadata.yaml'),
                          key=lambda p: (p.stat().st_mtime_ns, p.parent.name))
        self._bags: deque[tuple[Path, int]] = deque(
            (p.parent, _folder_size(p.parent)) for p in existing)
        self._total = sum(size for _, size in self._bags)

    @property
    def total_bytes(self) -> int:
        """Bytes of all bags in the run folder that this writer knows."""
        return self._total

    def write(self, episode: FinishedEpisode,
              offered_qos: Mapping[str, Sequence[OfferedQos]] | None = None) -> WrittenBag:
        """Write one episode as a bag (MCAP, rosbag2 version 9) in the run folder.

        Names are unique in a run (see :func:`bag_name`); should one be taken
        all the same, ``_2``, ``_3``, ... is appended. A failed write leaves no
        folder behind.

        :param episode: the episode; messages of types missing from the typestore fail.
        :param offered_qos: per topic, the publishers' QoS, stored for ``ros2 bag play``.
        :raises TypesysError: for a message type the typestore does not know.
        :raises WriterError: when rosbags refuses the bag.
        :raises OSError: when the disk refuses.
        """
        path = self._free_path(bag_name(episode.env, episode.episode_id, episode.start))
        try:
            count = self._write_bag(path, episode, offered_qos or {})
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        bag = WrittenBag(path, count, _folder_size(path))
        self._bags.append((path, bag.size_bytes))
        self._total += bag.size_bytes
        return bag

    def _free_path(self, name: str) -> Path:
        path = self.run_dir / name
        suffix = 1
        while path.exists():
            suffix += 1
            path = self.run_dir / f'{name}_{suffix}'
        return path

    def _write_bag(self, path: Path, episode: FinishedEpisode,
                   offered_qos: Mapping[str, Sequence[OfferedQos]]) -> int:
        """Write the bag; the number of messages written, the derived ones included."""
        messages = episode.messages
        if self._derive is not None:
            messages = tuple(sorted((*messages, *self._derive(episode)),
                                    key=lambda message: message.order_ns))
        records = sorted(zip(bag_timestamps(messages), messages, strict=True),
                         key=lambda record: (record[0], record[1].order_ns))
        scene = self._scene.messages(records)
        written: list[tuple[int, int, RecordedMessage | SceneMessage]] = [
            (stamp, 1, message) for stamp, message in records]
        written += [(message.stamp_ns, 0, message) for message in scene]
        written.sort(key=lambda item: (item[0], item[1]))
        qos = {**offered_qos, **_SCENE_QOS}
        with _DistroWriter(path, version=9, storage_plugin=StoragePlugin.MCAP) as writer:
            connections = {}
            for _, _, message in written:
                if message.topic not in connections:
                    profiles = [q.to_rosbags() for q in qos.get(message.topic, ())]
                    connections[message.topic] = writer.add_connection(
                        message.topic, message.msgtype, typestore=self._typestore,
                        serialization_format='cdr', offered_qos_profiles=profiles)
            for stamp, _, message in written:
                writer.write(connections[message.topic], stamp, message.data)
        return len(written)

    def rotate(self) -> list[Path]:
        """Delete the oldest bags until all fit under the cap; the newest is always kept.

        :return: the deleted bag folders, oldest first.
        """
        deleted = []
        while self._max_total and self._total > self._max_total and len(self._bags) > 1:
            path, size = self._bags.popleft()
            shutil.rmtree(path, ignore_errors=True)
            self._total -= size
            deleted.append(path)
        return deleted


class Log(Protocol):
    """Where the writer thread reports (an rclpy logger fits)."""

    def info(self, message: str) -> object:
        """Log an informational line."""

    def warning(self, message: str) -> object:
        """Log a warning."""

    def error(self, message: str) -> object:
        """Log an error."""


class BagWriterThread:
    """Writes submitted episodes in order on a thread of its own, then rotates.

    A write that fails is logged and the thread goes on: the training it
    records must not stop for a full disk.

    :param writer: does the writing.
    :param log: receives one line per bag written or deleted, and the errors.
    :param max_queued_bytes: message bytes waiting for the disk; :meth:`submit`
        refuses more, except into an empty queue.
    """

    def __init__(self, writer: EpisodeBagWriter, log: Log,
                 max_queued_bytes: int = 256_000_000) -> None:
        self._writer = writer
        self._log = log
        self._max_queued = max_queued_bytes
        self._pending: deque[tuple[FinishedEpisode, Mapping]] = deque()
        self._pending_bytes = 0
        self._closing = False
        self._condition = threading.Condition()
        self.written = 0
        self._thread = threading.Thread(target=self._run, name='bag_writer', daemon=True)
        self._thread.start()

    def submit(self, episode: FinishedEpisode,
               offered_qos: Mapping[str, Sequence[OfferedQos]] | None = None,
               wait: bool = False) -> bool:
        """Queue an episode for writing; False (and nothing queued) when the queue is full.

        :param episode: the episode to write.
        :param offered_qos: per topic, the publishers' QoS.
        :param wait: wait for room in the queue instead of refusing.
        """
        size = episode.size_bytes
        with self._condition:
            while self._pending and self._pending_bytes + size > self._max_queued:
                if not wait:
                    return False
                self._condition.wait()
            self._pending.append((episode, offered_qos or {}))
            self._pending_bytes += size
            self._condition.notify_all()
        return True

    def close(self) -> None:
        """Write what is queued, then stop the thread."""
        with self._condition:
            self._closing = True
            self._condition.notify_all()
        self._thread.join()

    def _next(self) -> tuple[FinishedEpisode, Mapping] | None:
        """The oldest queued episode; None once closing and all is written."""
        with self._condition:
            while not self._pending and not self._closing:
                self._condition.wait()
            if not self._pending:
                return None
            item = self._pending.popleft()
            self._pending_bytes -= item[0].size_bytes
            self._condition.notify_all()
            return item

    def _run(self) -> None:
        while (item := self._next()) is not None:
            self._write(*item)

    def _write(self, episode: FinishedEpisode, offered_qos: Mapping) -> None:
        try:
            bag = self._writer.write(episode, offered_qos)
            deleted = self._writer.rotate()
        except (OSError, WriterError, TypesysError) as error:
            self._log.error(f'could not write episode {episode.episode_id} of '
                            f'{episode.env or "root"}: {error}')
            return
        self.written += 1
        outcome = {True: 'success', False: 'failure', None: 'no stats'}[episode.success]
        self._log.info(f'wrote {bag.path} ({bag.messages} messages, '
                       f'{bag.size_bytes / 1e6:.2f} MB, {outcome})')
        for path in deleted:
            self._log.info(f"deleted {path}: the run's bags were over max_total_mb "
                           f'(now {self._writer.total_bytes / 1e6:.2f} MB)')
