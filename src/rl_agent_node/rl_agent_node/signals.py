"""SIGINT and SIGTERM as a flag that long loops check, instead of an exception mid-step.

``model.learn`` is one long blocking call: a KeyboardInterrupt raised inside
it could land mid-update or mid-save. Here the first signal only sets an
event; the training callbacks see it at the next step, ``learn`` returns,
a checkpoint is saved and the process exits 0. A second signal raises
KeyboardInterrupt, for when the first one is not enough (a hung save);
one within :data:`DUPLICATE_WINDOW` of the first is the same request
delivered twice (a terminal's Ctrl-C reaches the process group, then a
non-interactive ``ros2 launch`` sends every node SIGINT again) and is ignored.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_LOG = logging.getLogger(__name__)
#: Seconds after a first signal in which another one is taken for the same request.
DUPLICATE_WINDOW = 3.0


@contextmanager
def stop_on_signals(stop: threading.Event | None = None) -> Iterator[threading.Event]:
    """Within the block, SIGINT and SIGTERM set the yielded event; handlers restored after.

    :param stop: the event to set; a new one when None.
    """
    stop = stop or threading.Event()
    first: list[float] = []

    def handle(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            if first and time.monotonic() - first[0] < DUPLICATE_WINDOW:
                return
            raise KeyboardInterrupt
        first.append(time.monotonic())
        _LOG.warning('%s received: stopping after the current step (again to force)',
                     signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
