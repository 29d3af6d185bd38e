"""The recorder's plain bookkeeping: policies, episode boundaries, drops, bag times.

Messages here carry dummy bytes: the bookkeeping never reads them. Publication
times (``order_ns``) follow the env node's order: a step's robot topics, its
transition, at the end the stats, then the next reset's robot topics.
"""

import pytest

from rl_bringup.episode_recording import (
    DroppedEpisode,
    DropReason,
    EnvEpisodes,
    FinishedEpisode,
    RecordedMessage,
)
from rl_bringup.recording_policy import PolicyKind, RecordingPolicy

SETTLE = 0.5


#: The types the recorder sees on each topic (episode topics are told apart by type).
TYPES = {'transitions': 'rl_interfaces/msg/Transition',
         'episode_stats': 'rl_interfaces/msg/EpisodeStats'}


def msg(topic, order_ns, stamp_ns=None, size=10):
    return RecordedMessage(topic, TYPES.get(topic, 'nav_msgs/msg/Odometry'), b'\0' * size,
                           order_ns, stamp_ns)


class Env:
    """An env node's messages, published into an outbox and handed over in a chosen order."""

    def __init__(self, policy='all', max_bytes=10**6):
        self.episodes = EnvEpisodes('env_0', RecordingPolicy.parse(policy), max_bytes, SETTLE)
        self.clock = 0
        self.outbox = []

    def publish(self, topic, deliver):
        """Publish on ``topic`` now; ``deliver(message)`` hands it to the recorder."""
        self.clock += 1
        self.outbox.append((topic, msg(topic, self.clock), deliver))

    def odom(self):
        self.publish('odom', self.episodes.add)

    def transition(self, episode_id, step, ended):
        self.publish('transitions', lambda m: self.episodes.add_transition(
            m, episode_id, step, ended, 0.0))

    def stats(self, episode_id, success, length):
        self.publish('episode_stats', lambda m: self.episodes.add_stats(
            m, episode_id, success, length, 0.0))

    def episode(self, episode_id, steps, success=False, stats=True, end=True, first_step=0):
        """Reset (one odom), steps of odom + transition, then the stats; delivered in order."""
        self.odom()
        for step in range(first_step, first_step + steps):
            self.odom()
            self.transition(episode_id, step, end and step == first_step + steps - 1)
        if stats and end:
            self.stats(episode_id, success, first_step + steps)
        return self

    def deliver(self, first=()):
        """Hand everything over, the topics in ``first`` before the rest (each in order)."""
        rank = {topic: i for i, topic in enumerate(first)}
        for _, message, deliver in sorted(self.outbox, key=lambda o: rank.get(o[0], len(rank))):
            deliver(message)
        self.outbox.clear()


def counts(episode: FinishedEpisode):
    result = {}
    for message in episode.messages:
        result[message.topic] = result.get(message.topic, 0) + 1
    return result


@pytest.mark.parametrize('text, kind, every', [
    ('all', PolicyKind.ALL, 1), ('none', PolicyKind.NONE, 1),
    ('failures', PolicyKind.FAILURES, 1), ('every:5', PolicyKind.EVERY, 5),
    (' every:1 ', PolicyKind.EVERY, 1),
])
def test_policies_parse(text, kind, every):
    assert RecordingPolicy.parse(text) == RecordingPolicy(kind, every)


@pytest.mark.parametrize('text', ['', 'some', 'every', 'every:0', 'every:-2', 'every:x',
                                  'all:3', 'failures:1'])
def test_bad_policies_are_refused_with_the_value(text):
    with pytest.raises(ValueError, match=repr(text)):
        RecordingPolicy.parse(text)


def test_policy_decisions():
    every3 = RecordingPolicy.parse('every:3')
    assert [i for i in range(10) if every3.records(i, True)] == [0, 3, 6, 9]
    assert not every3.may_record(4)
    failures = RecordingPolicy.parse('failures')
    assert failures.may_record(7)
    assert [failures.records(0, s) for s in (True, False, None)] == [False, True, True]
    assert RecordingPolicy.parse('all').records(5, True)
    assert not RecordingPolicy.parse('none').may_record(0)


def test_every_k_listens_around_recorded_episodes_only():
    every4 = RecordingPolicy.parse('every:4')
    assert [i for i in range(10) if every4.listens_during(i)] == [0, 3, 4, 7, 8]
    assert all(RecordingPolicy.parse('failures').listens_during(i) for i in range(5))


def test_an_episode_holds_its_reset_its_steps_and_its_stats():
    env = Env()
    env.episode(0, steps=4).episode(1, steps=2).deliver()
    assert env.episodes.settled(now=SETTLE - 0.01) == []
    first, second = env.episodes.settled(now=SETTLE)
    assert counts(first) == {'odom': 5, 'transitions': 4, 'episode_stats': 1}
    assert counts(second) == {'odom': 3, 'transitions': 2, 'episode_stats': 1}
    assert (first.episode_id, second.episode_id, first.success) == (0, 1, False)
    orders = [m.order_ns for m in first.messages]
    assert orders == sorted(orders)


def test_robot_messages_handed_over_last_still_go_to_their_episodes():
    env = Env()
    env.episode(0, steps=3).episode(1, steps=2).deliver(first=('transitions', 'episode_stats'))
    first, second = env.episodes.settled(now=SETTLE)
    assert counts(first) == {'odom': 4, 'transitions': 3, 'episode_stats': 1}
    assert counts(second) == {'odom': 3, 'transitions': 2, 'episode_stats': 1}


@pytest.mark.parametrize('ahead', [('episode_stats',), ('episode_stats', 'odom')])
def test_stats_ahead_of_their_transitions_wait_for_them(ahead):
    env = Env()
    env.episode(0, steps=3, success=True).episode(1, steps=2).deliver(first=ahead)
    first, second = env.episodes.settled(now=SETTLE)
    assert counts(first) == {'odom': 4, 'transitions': 3, 'episode_stats': 1}
    assert counts(second) == {'odom': 3, 'transitions': 2, 'episode_stats': 1}
    assert (first.success, second.success) == (True, False)


def test_messages_after_their_episode_settled_are_counted_as_late():
    env = Env()
    env.episode(0, steps=2)
    late_odom = env.outbox.pop(3)
    env.deliver()
    (episode,) = env.episodes.settled(now=SETTLE)
    late_odom[2](late_odom[1])
    assert counts(episode)['odom'] == 2
    assert env.episodes.late_messages == 1


def test_a_reset_before_the_end_drops_the_episode_and_keeps_the_next_reset():
    env = Env()
    env.episode(0, steps=3, end=False).episode(1, steps=2).deliver()
    outcomes = env.episodes.settled(now=SETTLE)
    assert outcomes[0] == DroppedEpisode('env_0', 0, DropReason.ABANDONED)
    assert counts(outcomes[1]) == {'odom': 3, 'transitions': 2, 'episode_stats': 1}


def test_an_episode_seen_from_the_middle_is_not_recorded():
    env = Env()
    env.episode(3, steps=2, first_step=5).deliver()
    assert env.episodes.settled(now=SETTLE) == [
        DroppedEpisode('env_0', 3, DropReason.INCOMPLETE)]


@pytest.mark.parametrize('lost', ['middle', 'last'])
def test_an_episode_with_lost_steps_is_not_recorded(lost):
    env = Env()
    env.episode(0, steps=3)
    transitions = [i for i, (topic, _, _) in enumerate(env.outbox) if topic == 'transitions']
    del env.outbox[transitions[1] if lost == 'middle' else transitions[-1]]
    env.episode(1, steps=1).deliver()
    assert env.episodes.settled(now=SETTLE)[0] == DroppedEpisode(
        'env_0', 0, DropReason.MISSING_STEPS)


def test_stats_of_an_episode_never_seen_do_not_take_the_next_reset():
    env = Env()
    env.odom()
    env.stats(8, True, 5)   # its transitions were published before the recorder subscribed
    env.episode(9, steps=1).deliver()
    (written,) = env.episodes.settled(now=SETTLE)
    assert written.episode_id == 9
    assert counts(written) == {'odom': 2, 'transitions': 1, 'episode_stats': 1}


def test_failures_policy_keeps_failures_and_episodes_without_stats():
    env = Env('failures')
    env.episode(0, steps=2, success=True).episode(1, steps=2, success=False)
    env.episode(2, steps=2, stats=False).deliver()
    outcomes = env.episodes.settled(now=SETTLE)
    assert outcomes[0] == DroppedEpisode('env_0', 0, DropReason.POLICY)
    assert [(o.episode_id, o.success) for o in outcomes[1:]] == [(1, False), (2, None)]


def test_every_k_does_not_buffer_the_skipped_episodes():
    env = Env('every:2', max_bytes=45)
    env.episode(0, steps=1)     # 4 messages of 10 bytes: under the cap
    env.episode(1, steps=5)     # would exceed the cap if buffered
    env.deliver()
    outcomes = env.episodes.settled(now=SETTLE)
    assert isinstance(outcomes[0], FinishedEpisode)
    assert outcomes[1] == DroppedEpisode('env_0', 1, DropReason.POLICY)


def test_only_an_episode_that_may_be_recorded_keeps_the_robot_topics_settling():
    env = Env('every:2')
    env.episode(0, steps=2).deliver()
    assert env.episodes.settling()
    env.episodes.settled(now=SETTLE)
    env.episode(1, steps=2).deliver()
    assert not env.episodes.settling()


ODOM_TYPE = 'nav_msgs/msg/Odometry'


@pytest.mark.parametrize('steps_delivered, stats, whole_with, settling', [
    (3, True, frozenset(), False),             # whole: no need to wait for late messages
    (3, True, frozenset({ODOM_TYPE}), False),  # whole, its odom (here: the arena) in
    (2, True, frozenset(), True),              # a step is still on its way
    (3, False, frozenset(), True),             # the stats are still on their way
    (3, True, None, True),                     # robot topics at their own rates: wait
])
def test_a_whole_episode_settles_without_waiting(steps_delivered, stats, whole_with,
                                                 settling):
    env = Env('all')
    env.episode(0, steps=3, stats=False)
    transitions = [o for o in env.outbox if o[0] == 'transitions']
    env.outbox = [o for o in env.outbox
                  if o[0] != 'transitions' or transitions.index(o) < steps_delivered]
    if stats:
        env.stats(0, True, 3)
    env.deliver()
    assert env.episodes.settling(whole_with) is settling


def test_an_episode_over_the_memory_cap_is_dropped():
    env = Env(max_bytes=55)
    env.episode(0, steps=3).episode(1, steps=1).deliver()
    outcomes = env.episodes.settled(now=SETTLE)
    assert outcomes[0] == DroppedEpisode('env_0', 0, DropReason.OVERSIZE)
    assert isinstance(outcomes[1], FinishedEpisode)


def test_flush_writes_ended_episodes_and_drops_the_running_one():
    env = Env()
    env.episode(0, steps=2).episode(1, steps=2, end=False).deliver()
    ended, running = env.episodes.flush()
    assert isinstance(ended, FinishedEpisode) and ended.episode_id == 0
    assert running == DroppedEpisode('env_0', 1, DropReason.UNFINISHED)
    assert env.episodes.flush() == []


def test_a_skipped_episode_passes_the_early_reset_on_to_the_next():
    env = Env('every:2')
    env.episode(0, steps=2).episode(1, steps=2).episode(2, steps=2).deliver(first=('odom',))
    first, skipped, third = env.episodes.settled(now=SETTLE)
    assert skipped == DroppedEpisode('env_0', 1, DropReason.POLICY)
    assert counts(first) == counts(third) == {'odom': 3, 'transitions': 2, 'episode_stats': 1}


def test_a_non_positive_memory_cap_is_refused():
    with pytest.raises(ValueError, match='0'):
        EnvEpisodes('', RecordingPolicy.parse('all'), 0, SETTLE)


def test_an_env_node_that_restarts_numbers_its_episodes_from_a_new_start():
    # Respawned, it counts episodes from 0 again: the same ids are other episodes.
    env = Env()
    env.episode(0, steps=2).episode(1, steps=3, end=False).episode(0, steps=2).deliver()
    first, cut, again = env.episodes.settled(now=SETTLE)
    assert (first.episode_id, first.start) == (0, 0)
    assert cut == DroppedEpisode('env_0', 1, DropReason.RESTARTED)
    assert (again.episode_id, again.start) == (0, 1)
    assert counts(again) == {'odom': 3, 'transitions': 2, 'episode_stats': 1}


def test_a_restart_within_the_first_episode_is_seen_by_its_step_going_back():
    env = Env()
    env.episode(0, steps=3, end=False).episode(0, steps=2).deliver()
    cut, again = env.episodes.settled(now=SETTLE)
    assert cut == DroppedEpisode('env_0', 0, DropReason.RESTARTED)
    assert again.start == 1 and env.episodes.start == 1


def test_an_episode_whose_robot_topic_began_late_is_not_written_as_whole():
    # After a respawn the odom subscription matched only after the first steps.
    env = Env()
    env.transition(0, 0, False)
    env.transition(0, 1, False)
    env.odom()
    env.transition(0, 2, True)
    env.stats(0, True, 3)
    env.deliver()
    [late] = env.episodes.settled(now=SETTLE)
    assert late == DroppedEpisode('env_0', 0, DropReason.TOPIC_LATE)


def test_the_recorder_continues_the_start_count_of_the_bags_already_there():
    env = EnvEpisodes('env_0', RecordingPolicy.parse('all'), 10**6, SETTLE, first_start=3)
    assert env.start == 3


def test_an_episode_without_a_robot_topic_the_env_node_published_before_is_not_whole():
    # The arena markers come only at a reset: after a respawn, before the recorder's
    # subscription matched, they never came at all.
    env = Env()
    env.episode(0, steps=2)
    env.transition(0, 0, False)   # the respawned env node's first episode: no odom
    env.transition(0, 1, True)
    env.stats(0, True, 2)
    env.deliver()
    whole, missing = env.episodes.settled(now=SETTLE)
    assert isinstance(whole, FinishedEpisode)
    assert missing == DroppedEpisode('env_0', 0, DropReason.TOPIC_LATE)
