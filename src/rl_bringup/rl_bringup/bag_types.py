"""Message types for bags, and the few fields the recorder reads from raw CDR.

The recorder receives messages serialized (cheapest: they go to the bag as
they came) and reads only what its bookkeeping needs: episode ids, ends and
success, and header stamps. The types come from a rosbags typestore of the
ROS distribution plus rl_interfaces, registered from its own ``.msg`` files so
that the bag's type hashes match rosidl's and ``ros2 bag`` accepts them.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ament_index_python.packages import get_package_share_directory
from rosbags.typesys import Stores, get_types_from_msg, get_typestore
from rosbags.typesys.store import Typestore

TRANSITION = 'rl_interfaces/msg/Transition'
EPISODE_STATS = 'rl_interfaces/msg/EpisodeStats'

#: Types whose first field is a std_msgs/Header, so the stamp sits right after
#: the 4-byte encapsulation header.
HEADER_FIRST = frozenset(
    {TRANSITION, EPISODE_STATS, 'nav_msgs/msg/Odometry', 'sensor_msgs/msg/PointCloud'})

_STAMP_LE = struct.Struct('<iI')
_STAMP_BE = struct.Struct('>iI')


def interface_msg_files(package: str = 'rl_interfaces') -> list[Path]:
    """The installed ``.msg`` files of an interface package.

    :param package: the ROS package.
    :raises PackageNotFoundError: when the package is not installed (ament index).
    """
    return sorted(Path(get_package_share_directory(package), 'msg').glob('*.msg'))


def make_typestore(msg_files: Iterable[Path], store: Stores = Stores.ROS2_KILTED) -> Typestore:
    """A typestore of ``store`` plus the types of ``msg_files``.

    :param msg_files: ``<package>/msg/<Name>.msg`` files; the type name comes
        from the path, as in ``rl_interfaces/msg/Transition``.
    :param store: the ROS distribution's standard types.
    """
    typestore = get_typestore(store)
    types = {}
    for path in msg_files:
        name = f'{path.parent.parent.name}/msg/{path.stem}'
        types.update(get_types_from_msg(path.read_text(encoding='utf-8'), name))
    typestore.register(types)
    return typestore


@dataclass(frozen=True)
class TransitionKey:
    """What the recorder needs of a transition.

    :param episode_id: the env node's episode counter.
    :param step_index: step within the episode, from 0.
    :param ended: terminated or truncated: the episode's last step.
    """

    episode_id: int
    step_index: int
    ended: bool


@dataclass(frozen=True)
class StatsKey:
    """What the recorder needs of an episode's stats.

    :param episode_id: the env node's episode counter.
    :param success: whether the task counts the episode a success.
    :param length: number of steps of the episode.
    """

    episode_id: int
    success: bool
    length: int


def read_transition(data: bytes) -> TransitionKey:
    """Episode id, step and end of a serialized ``rl_interfaces/msg/Transition``.

    Read in place, field by field up to ``truncated``, instead of
    deserializing: the recorder reads every transition it takes, and
    rosbags' pure-Python deserializer took 50 us for one carrying its robot
    states, most of the recorder's work. CDR aligns each field to its size
    from the end of the 4-byte encapsulation header, whose second byte gives
    the byte order (odd: little endian).

    :param data: CDR bytes with the encapsulation header.
    :raises ValueError: when the data ends before ``truncated``.
    """
    order = '<' if len(data) > 1 and data[1] & 1 else '>'
    reader = _CdrReader(data, order)
    reader.skip(8)                  # header.stamp
    reader.skip_sequence(1)         # header.frame_id
    reader.skip_sequence(1)         # env_namespace
    episode_id = reader.read('Q')
    step_index = reader.read('I')
    reader.skip_sequence(4)         # observation
    reader.skip_sequence(4)         # action
    reader.read('d')                # reward
    terminated, truncated = reader.read('?'), reader.read('?')
    return TransitionKey(episode_id, step_index, terminated or truncated)


class _CdrReader:
    """Reads plain fields of a CDR buffer in order, aligning each to its size."""

    def __init__(self, data: bytes, order: str) -> None:
        self._data = data
        self._order = order
        self._offset = 4

    def _align(self, size: int) -> None:
        self._offset += -(self._offset - 4) % size

    def read(self, code: str) -> Any:
        """One field of ``struct`` type code ``code``."""
        layout = struct.Struct(self._order + code)
        self._align(layout.size)
        if self._offset + layout.size > len(self._data):
            raise ValueError(f'a CDR message of {len(self._data)} bytes ends at byte '
                             f'{self._offset}, before its field {code!r}')
        (value,) = layout.unpack_from(self._data, self._offset)
        self._offset += layout.size
        return value

    def skip(self, size: int) -> None:
        """Skip ``size`` bytes (a nested fixed-size struct aligned to 4)."""
        self._align(4)
        self._offset += size

    def skip_sequence(self, element_size: int) -> None:
        """Skip a string or sequence: its 4-byte length, then that many elements."""
        count = self.read('I')
        self._offset += count * element_size


def read_stats(typestore: Typestore, data: bytes) -> StatsKey:
    """Episode id, success and length of a serialized ``rl_interfaces/msg/EpisodeStats``.

    :param typestore: a store with the rl_interfaces types.
    :param data: CDR bytes with the encapsulation header.
    """
    msg = typestore.deserialize_cdr(data, EPISODE_STATS)
    return StatsKey(int(msg.episode_id), bool(msg.success), int(msg.length))


def header_stamp_ns(data: bytes) -> int:
    """The header stamp, ns, of a serialized message whose first field is a Header.

    Reads 8 bytes instead of deserializing: the stamp (int32 sec, uint32
    nanosec) follows the encapsulation header, whose second byte gives the
    byte order (odd: little endian).

    :param data: CDR bytes with the encapsulation header.
    :raises ValueError: when the data is too short to hold a stamp.
    """
    if len(data) < 12:
        raise ValueError(f'{len(data)} bytes cannot hold a CDR header stamp')
    layout = _STAMP_LE if data[1] & 1 else _STAMP_BE
    sec, nanosec = layout.unpack_from(data, 4)
    return sec * 1_000_000_000 + nanosec
