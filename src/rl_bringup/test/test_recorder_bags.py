"""Bag writing without ROS processes: CDR peeks, bags read back, rotation, the writer thread.

Messages are serialized by rclpy, as the recorder receives them, and bags are
read back with rosbags as a user (or ``ros2 bag``) would.
"""

import logging
import threading

import numpy as np
import pytest
import yaml
from rclpy.serialization import serialize_message
from rosbags.rosbag2 import Reader
from std_msgs.msg import Bool

from rl_bringup.bag_types import (
    EPISODE_STATS,
    TRANSITION,
    header_stamp_ns,
    interface_msg_files,
    make_typestore,
    read_stats,
    read_transition,
)
from rl_bringup.bag_writer import (
    BagWriterThread,
    EpisodeBagWriter,
    OfferedQos,
    WrittenBag,
    bag_name,
    bag_timestamps,
    next_start,
)
from rl_bringup.episode_recording import FinishedEpisode, RecordedMessage
from rl_interfaces.msg import EpisodeStats, Transition


@pytest.fixture(scope='module')
def typestore():
    return make_typestore(interface_msg_files())


def transition_bytes(episode_id, step, ended=False, stamp_ns=0, observation_size=4):
    msg = Transition(env_namespace='/env_1', episode_id=episode_id, step_index=step,
                     observation=np.arange(observation_size, dtype=np.float32),
                     action=np.zeros(3, np.float32), reward=0.5, truncated=ended)
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(stamp_ns, 10**9)
    return serialize_message(msg)


def episode(env, episode_id, steps, observation_size=4):
    """An episode of ``steps`` transitions, a bumper before each, and the stats."""
    messages = []
    for step in range(steps):
        stamp = (step + 1) * 10**8
        messages.append(RecordedMessage(f'/{env}/bumper', 'std_msgs/msg/Bool',
                                        serialize_message(Bool(data=step == 1)), 2 * step, None))
        data = transition_bytes(episode_id, step, step == steps - 1, stamp, observation_size)
        messages.append(RecordedMessage(f'/{env}/transitions', TRANSITION, data, 2 * step + 1,
                                        stamp))
    stats = EpisodeStats(episode_id=episode_id, length=steps, success=True)
    stats.header.stamp.sec = 7
    messages.append(RecordedMessage(f'/{env}/episode_stats', EPISODE_STATS,
                                    serialize_message(stats), 2 * steps, 7 * 10**9))
    return FinishedEpisode(env, episode_id, True, tuple(messages))


def test_the_recorder_reads_what_rclpy_serialized(typestore):
    data = transition_bytes(12, 3, ended=True, stamp_ns=5 * 10**9 + 7)
    key = read_transition(data)
    assert (key.episode_id, key.step_index, key.ended) == (12, 3, True)
    assert header_stamp_ns(data) == 5 * 10**9 + 7
    stats = read_stats(typestore, serialize_message(EpisodeStats(episode_id=4, success=True)))
    assert (stats.episode_id, stats.success) == (4, True)
    with pytest.raises(ValueError, match='4 bytes'):
        header_stamp_ns(data[:4])


@pytest.mark.parametrize('namespace, frame, observation_size, flags', [
    ('', '', 0, (False, False)), ('/e', 'x', 1, (True, False)),
    ('/env_12', 'odom', 5, (False, True)), ('/env_0', 'base_link', 31, (True, True)),
])
def test_a_transition_read_in_place_agrees_with_rosbags(typestore, namespace, frame,
                                                         observation_size, flags):
    """Strings and arrays of every length mod 4 and 8, the robot states after the key fields."""
    msg = Transition(env_namespace=namespace, episode_id=2**40 + 3, step_index=77,
                     observation=np.arange(observation_size, dtype=np.float32),
                     action=np.ones(3, np.float32), reward=-1.5, terminated=flags[0],
                     truncated=flags[1])
    msg.header.frame_id = frame
    msg.robot_after.ranges = np.full(9, 0.3, np.float32)
    data = serialize_message(msg)
    full = typestore.deserialize_cdr(data, TRANSITION)
    key = read_transition(data)
    assert (key.episode_id, key.step_index, key.ended) == (
        full.episode_id, full.step_index, full.terminated or full.truncated)
    with pytest.raises(ValueError, match='ends at byte'):
        read_transition(data[:24 + len(namespace) + len(frame)])


def test_an_episode_reads_back_from_its_bag(typestore, tmp_path):
    writer = EpisodeBagWriter(tmp_path / 'run', typestore)
    qos = {'/env_1/transitions': [OfferedQos(depth=100)]}
    bag = writer.write(episode('env_1', 3, steps=4), qos)
    assert bag.path == tmp_path / 'run' / 'env_1_s00_ep000003'
    assert bag.messages == 9 + 2   # and the derived /tf_static and /robot_description
    metadata = yaml.safe_load((bag.path / 'metadata.yaml').read_text())
    info = metadata['rosbag2_bagfile_information']
    assert (info['version'], info['storage_identifier']) == (9, 'mcap')
    assert info['relative_file_paths'] == ['env_1_s00_ep000003.mcap']
    with Reader(bag.path) as reader:
        counts = {c.topic: (c.msgtype, c.msgcount) for c in reader.connections}
        # Without odom nor an arena: no /tf and no map -> odom, but the robot's frames.
        assert counts == {'/env_1/bumper': ('std_msgs/msg/Bool', 4),
                          '/env_1/transitions': (TRANSITION, 4),
                          '/env_1/episode_stats': (EPISODE_STATS, 1),
                          '/tf_static': ('tf2_msgs/msg/TFMessage', 1),
                          '/robot_description': ('std_msgs/msg/String', 1)}
        by_topic = {c.topic: c for c in reader.connections}
        assert by_topic['/env_1/transitions'].ext.offered_qos_profiles[0].depth == 100
        latched = by_topic['/tf_static'].ext.offered_qos_profiles[0]
        assert latched.durability.name == 'TRANSIENT_LOCAL'
        records = [(c.topic, t, typestore.deserialize_cdr(raw, c.msgtype))
                   for c, t, raw in reader.messages()]
    assert info['ros_distro'] == 'kilted'
    steps = [m.step_index for topic, _, m in records if topic == '/env_1/transitions']
    assert steps == [0, 1, 2, 3]
    recorded = [(topic, t) for topic, t, _ in records if topic.startswith('/env_1/')]
    # Bag times: header stamps; a bumper borrows the stamp before it (the first: the first).
    assert [t for _, t in recorded][:4] == [10**8, 10**8, 10**8, 2 * 10**8]
    (static,) = [m for topic, _, m in records if topic == '/tf_static']
    assert {t.child_frame_id for t in static.transforms} >= {f'ir{k}' for k in range(1, 10)}
    assert [m.data for topic, _, m in records if topic == '/env_1/bumper'] == [
        False, True, False, False]


def test_a_taken_name_gets_a_suffix_and_the_root_env_is_called_root(typestore, tmp_path):
    writer = EpisodeBagWriter(tmp_path, typestore)
    first = writer.write(episode('', 0, steps=1))
    second = writer.write(episode('', 0, steps=1))
    assert (first.path.name, second.path.name) == (
        'root_s00_ep000000', 'root_s00_ep000000_2')
    assert bag_name('env_3', 1234567) == 'env_3_s00_ep1234567'


def test_rotation_deletes_the_oldest_bags_past_the_cap(typestore, tmp_path):
    one_bag = EpisodeBagWriter(tmp_path / 'probe', typestore).write(
        episode('env_0', 0, steps=20, observation_size=200)).size_bytes
    writer = EpisodeBagWriter(tmp_path / 'run', typestore, max_total_bytes=int(2.5 * one_bag))
    deleted = []
    for episode_id in range(5):
        writer.write(episode('env_0', episode_id, steps=20, observation_size=200))
        deleted += writer.rotate()
    assert [p.name for p in deleted] == [
        'env_0_s00_ep000000', 'env_0_s00_ep000001', 'env_0_s00_ep000002']
    assert sorted(p.name for p in (tmp_path / 'run').iterdir()) == [
        'env_0_s00_ep000003', 'env_0_s00_ep000004']
    assert writer.total_bytes <= 2.5 * one_bag
    # A new writer on the same run (a restart) counts and rotates the bags already there.
    again = EpisodeBagWriter(tmp_path / 'run', typestore, max_total_bytes=int(1.5 * one_bag))
    assert again.total_bytes == writer.total_bytes
    again.write(episode('env_0', 5, steps=20, observation_size=200))
    assert [p.name for p in again.rotate()] == ['env_0_s00_ep000003', 'env_0_s00_ep000004']


def test_rotation_keeps_the_newest_bag_even_over_the_cap(typestore, tmp_path):
    writer = EpisodeBagWriter(tmp_path, typestore, max_total_bytes=1)
    writer.write(episode('env_0', 0, steps=2))
    writer.write(episode('env_0', 1, steps=2))
    assert [p.name for p in writer.rotate()] == ['env_0_s00_ep000000']
    assert [p.name for p in tmp_path.iterdir()] == ['env_0_s00_ep000001']


def test_the_writer_thread_writes_in_order_and_survives_a_failed_write(typestore, tmp_path,
                                                                        caplog):
    thread = BagWriterThread(EpisodeBagWriter(tmp_path, typestore), logging.getLogger('rec'))
    unknown = RecordedMessage('/x', 'no_pkg/msg/Nothing', b'\0\1\0\0', 0, None)
    with caplog.at_level(logging.INFO, logger='rec'):
        assert thread.submit(FinishedEpisode('env_0', 0, None, (unknown,)))
        assert thread.submit(episode('env_0', 1, steps=2))
        thread.close()
    assert thread.written == 1
    assert [p.name for p in tmp_path.iterdir()] == ['env_0_s00_ep000001']
    assert 'could not write episode 0 of env_0' in caplog.text
    assert 'wrote ' + str(tmp_path / 'env_0_s00_ep000001') in caplog.text


class BlockingWriter:
    """Stands in for the disk: each write waits until the test releases it."""

    def __init__(self, path):
        self.run_dir = path
        self.total_bytes = 0
        self.writing = threading.Event()
        self.release = threading.Event()

    def write(self, episode, offered_qos):
        self.writing.set()
        assert self.release.wait(10)
        return WrittenBag(self.run_dir / bag_name(episode.env, episode.episode_id), 1, 1)

    def rotate(self):
        return []


def test_a_full_writer_queue_refuses_episodes_until_the_disk_catches_up(tmp_path):
    writer = BlockingWriter(tmp_path)
    thread = BagWriterThread(writer, logging.getLogger('rec'), max_queued_bytes=100)
    sixty_bytes = [FinishedEpisode('env_0', k, True, (RecordedMessage(
        '/t', 'std_msgs/msg/Bool', b'\0' * 60, 0, None),)) for k in range(3)]
    assert thread.submit(sixty_bytes[0])
    assert writer.writing.wait(10)          # taken off the queue, being written
    assert thread.submit(sixty_bytes[1])
    assert not thread.submit(sixty_bytes[2])
    writer.release.set()
    thread.close()
    assert thread.written == 2


def test_bag_times_are_header_stamps_and_headerless_messages_borrow_the_last_one():
    def msg(topic, order_ns, stamp_ns=None):
        return RecordedMessage(topic, 'x/msg/X', b'', order_ns, stamp_ns)
    messages = (msg('bumper', 1), msg('odom', 2, stamp_ns=100), msg('bumper', 3),
                msg('transitions', 4, stamp_ns=200), msg('cmd_vel', 5))
    assert bag_timestamps(messages) == [100, 100, 100, 200, 200]
    assert bag_timestamps((msg('bumper', 7), msg('cmd_vel', 9))) == [7, 9]


def test_a_new_recorder_on_a_run_numbers_the_env_starts_after_the_bags_there(tmp_path):
    assert next_start(tmp_path, 'env_0') == 0
    for name in ('env_0_s00_ep000000', 'env_0_s02_ep000010', 'env_0_s02_ep000010_2',
                 'env_1_s05_ep000000', 'root_s07_ep000001'):
        (tmp_path / name).mkdir()
    assert next_start(tmp_path, 'env_0') == 3
    assert next_start(tmp_path, 'env_1') == 6 and next_start(tmp_path, '') == 8
    assert bag_name('env_0', 10, 3) == 'env_0_s03_ep000010'
