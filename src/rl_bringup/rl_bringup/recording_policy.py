"""Which episodes of an env node become bags: the recording policy a user names.

Plain Python, no ROS: ``'all'``, ``'none'``, ``'failures'`` or ``'every:K'``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class PolicyKind(Enum):
    """The kinds of recording policy."""

    ALL = 'all'
    NONE = 'none'
    FAILURES = 'failures'
    EVERY = 'every'


@dataclass(frozen=True)
class RecordingPolicy:
    """Which finished episodes are written as bags.

    ``every:K`` records the episodes whose id is a multiple of K (ids count
    from 0 per env node, so the first episode is always recorded); it is known
    when an episode starts, so the others are never buffered. ``failures``
    records the episodes that did not succeed, including those whose stats
    never arrived (success unknown): a failure is what one wants to look at.

    :param kind: the kind of policy.
    :param every: K of ``every:K``; 1 for the other kinds.
    """

    kind: PolicyKind
    every: int = 1

    @classmethod
    def parse(cls, text: str) -> RecordingPolicy:
        """The policy named by ``'all'``, ``'none'``, ``'failures'`` or ``'every:K'``.

        :param text: the policy as a user writes it.
        :raises ValueError: for anything else, naming the bad value.
        """
        name, _, count = text.strip().partition(':')
        if name == PolicyKind.EVERY.value:
            if not count.isdigit() or int(count) < 1:
                raise ValueError(f"policy 'every:K' needs an integer K >= 1, got {text!r}")
            return cls(PolicyKind.EVERY, int(count))
        kinds = {kind.value: kind for kind in PolicyKind if kind is not PolicyKind.EVERY}
        if count or name not in kinds:
            raise ValueError(
                f"policy must be 'all', 'none', 'failures' or 'every:K', got {text!r}")
        return cls(kinds[name])

    def may_record(self, episode_id: int) -> bool:
        """False when the episode cannot be recorded whatever its outcome: skip buffering it.

        :param episode_id: the env node's episode counter.
        """
        if self.kind is PolicyKind.NONE:
            return False
        return self.kind is not PolicyKind.EVERY or episode_id % self.every == 0

    def listens_during(self, episode_id: int) -> bool:
        """Whether an env's transitions and robot topics are subscribed while ``episode_id`` runs.

        Env nodes build these messages only for a subscriber, and receiving
        them costs the recorder as much again; so ``every:K`` subscribes during
        a recorded episode and the one before it (time for the subscription
        to match before the recorded one starts), and not otherwise.

        :param episode_id: the env node's episode counter.
        """
        return self.may_record(episode_id) or self.may_record(episode_id + 1)

    def records(self, episode_id: int, success: bool | None) -> bool:
        """Whether a finished episode becomes a bag.

        :param episode_id: the env node's episode counter.
        :param success: the episode's success from its stats; None when they never came.
        """
        if self.kind is PolicyKind.FAILURES:
            return success is not True
        return self.may_record(episode_id)
