"""The best and the worst of a run's recent episodes, drawn: what ``rl train`` ends with.

A user back at a finished run wants to see what the policy does before
reading numbers: the episode with the highest return among the newest bags,
and the one with the lowest, as :mod:`rl_bringup.replay` draws them, in
``<run>/episodes/best.png`` and ``worst.png``. Only the bags' ``episode_stats``
are read to choose them, so a run with thousands of bags costs a moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rosbags.rosbag2 import Reader, ReaderError
from rosbags.typesys.store import Typestore

from rl_bringup.bag_types import EPISODE_STATS, interface_msg_files, make_typestore
from rl_bringup.replay import ReplayError, replay

#: Bags looked at: the newest this many (by modification time).
RECENT = 20


@dataclass(frozen=True)
class EpisodePicture:
    """A drawn episode.

    :param label: 'best' or 'worst'.
    :param bag: its bag.
    :param episode_return: its return.
    :param picture: the PNG.
    """

    label: str
    bag: Path
    episode_return: float
    picture: Path


def episode_return(bag: Path, typestore: Typestore) -> float | None:
    """The return in the bag's ``episode_stats``; None without them or for an unreadable bag."""
    try:
        with Reader(bag) as reader:
            stats = [c for c in reader.connections if c.msgtype == EPISODE_STATS]
            if not stats:   # rosbags reads every connection when given none
                return None
            for connection, _, raw in reader.messages(connections=stats):
                return float(typestore.deserialize_cdr(raw, connection.msgtype).episode_return)
    except (ReaderError, OSError):
        return None
    return None


def draw_best_and_worst(bag_dir: Path, out_dir: Path,
                        recent: int = RECENT) -> list[EpisodePicture]:
    """Draw the best and the worst of the newest ``recent`` bags; [] when there are none.

    With a single bag, it is drawn once, as the best.
    """
    bags = sorted((p.parent for p in Path(bag_dir).glob('*/metadata.yaml')),
                  key=lambda bag: (bag / 'metadata.yaml').stat().st_mtime_ns)[-recent:]
    typestore = make_typestore(interface_msg_files())
    scored = [(value, bag) for bag in bags
              if (value := episode_return(bag, typestore)) is not None]
    if not scored:
        return []
    scored.sort(key=lambda item: item[0])
    chosen = [('best', scored[-1])] + ([('worst', scored[0])] if len(scored) > 1 else [])
    pictures = []
    for label, (value, bag) in chosen:
        try:
            summary = replay(bag, Path(out_dir) / f'{label}.png')
        except ReplayError:
            continue
        pictures.append(EpisodePicture(label, bag, value, summary.output))
    return pictures
