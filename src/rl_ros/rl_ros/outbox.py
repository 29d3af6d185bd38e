"""Publications a node may hold back while an answer goes out, then publish in order.

An env group answers a batch of steps before it publishes what the steps
produced (robot topics, transitions, commands): the agent computes its next
actions while the group publishes, instead of waiting for both. With the
recorder listening, publishing took as long as the physics (measured during
``make train``: 21 % against 26 % of the group's time). A message is built
when it is held, so it says what was true then, even if an automatic reset
follows in the same batch.
"""

from __future__ import annotations

from typing import Any

from rclpy.publisher import Publisher


class Outbox:
    """Publishes at once, or while held keeps ``(publisher, message)`` for :meth:`release`."""

    def __init__(self) -> None:
        self._held: list[tuple[Publisher, Any]] | None = None

    def publish(self, publisher: Publisher, message: Any) -> None:
        """Publish ``message`` now, or keep it while held."""
        if self._held is None:
            publisher.publish(message)
        else:
            self._held.append((publisher, message))

    @property
    def pending(self) -> bool:
        """True while messages are kept."""
        return bool(self._held)

    def hold(self) -> None:
        """Keep what is published from now on until :meth:`release`."""
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Publish what was kept, in order, and publish at once again."""
        held, self._held = self._held or [], None
        for publisher, message in held:
            publisher.publish(message)
