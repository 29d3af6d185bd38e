"""A ROS_DOMAIN_ID of our own for each test session.

colcon runs the packages' test sessions in parallel: two sessions on one
domain would see each other's /reset services. A session holds an exclusive
lock on one domain id for its whole life, so concurrent sessions (and
crashed ones, whose locks die with them) never share a domain.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

#: Fast DDS maps domain ids above 101 to ports past 65535 with the default
#: port formula; start at 20 to keep clear of ids people use by hand.
FIRST_DOMAIN_ID = 20
LAST_DOMAIN_ID = 101

_EXPORTED = ('ROS_DOMAIN_ID', 'ROS_AUTOMATIC_DISCOVERY_RANGE')


class DomainReservation:
    """An exclusive claim on one ROS domain id, released by :meth:`release`."""

    def __init__(self, domain_id: int, lock: IO[str]) -> None:
        self.domain_id = domain_id
        self._lock = lock

    def release(self) -> None:
        """Drop the claim; the file lock also dies with the process."""
        self._lock.close()


def reserve_domain_id(lock_dir: Path | None = None) -> DomainReservation:
    """Claim the first free domain id in [FIRST_DOMAIN_ID, LAST_DOMAIN_ID].

    :raises RuntimeError: when every id is held by another session.
    """
    folder = lock_dir or Path(tempfile.gettempdir()) / 'rl_testing_domains'
    folder.mkdir(parents=True, exist_ok=True)
    start = FIRST_DOMAIN_ID + os.getpid() % (LAST_DOMAIN_ID - FIRST_DOMAIN_ID + 1)
    span = LAST_DOMAIN_ID - FIRST_DOMAIN_ID + 1
    for offset in range(span):
        domain_id = FIRST_DOMAIN_ID + (start - FIRST_DOMAIN_ID + offset) % span
        lock = open(folder / f'{domain_id}.lock', 'w')  # noqa: SIM115 - held for the session
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        return DomainReservation(domain_id, lock)
    raise RuntimeError(
        f'every ROS domain id from {FIRST_DOMAIN_ID} to {LAST_DOMAIN_ID} is held by another '
        f'test session; wait for them or remove stale locks in {folder}'
    )


@contextmanager
def private_domain(lock_dir: Path | None = None) -> Iterator[int]:
    """Claim a free domain id and export it, localhost-only, to this process and its children.

    The previous ROS_DOMAIN_ID and ROS_AUTOMATIC_DISCOVERY_RANGE come back on exit.
    """
    reservation = reserve_domain_id(lock_dir)
    previous = {key: os.environ.get(key) for key in _EXPORTED}
    os.environ['ROS_DOMAIN_ID'] = str(reservation.domain_id)
    os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
    try:
        yield reservation.domain_id
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reservation.release()
