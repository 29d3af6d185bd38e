"""The episode recorder in its own process, recording an env node in another, over DDS.

The agent is this test process (the Gymnasium client RosEnv); the bags are
read back with rosbags, as ``ros2 bag`` would read them.
"""

import datetime
import importlib
import signal
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml
from rclpy.serialization import deserialize_message
from rosbags.rosbag2 import Reader

from rl_bringup.bag_types import interface_msg_files, make_typestore
from rl_bringup.recorder_node import PARAMETERS, RecorderSettings
from rl_bringup.recording_policy import PolicyKind
from rl_env_client.ros_env import RosEnv
from rl_ros.contract import (
    ARENA_MARKERS,
    BUMPER,
    CMD_VEL,
    DISTANCE_SENSORS,
    EPISODE_STATS,
    ODOM,
    TRANSITIONS,
    Endpoint,
)
from rl_testing import NodeProcess, stop_all
from rl_testing.ros import spin_until

EPISODE_STEPS = 20
#: What an env node with the in-process simulator publishes.
TOPICS = (TRANSITIONS, EPISODE_STATS, ODOM, DISTANCE_SENSORS, BUMPER, CMD_VEL, ARENA_MARKERS)
#: What the bag writer adds, for RViz and Foxglove.
DERIVED = {'tf': 'tf2_msgs/msg/TFMessage', 'tf_static': 'tf2_msgs/msg/TFMessage',
           'robot_description': 'std_msgs/msg/String'}


def start_env_node(logs: Path) -> NodeProcess:
    """An env node in /env_0 with the simulator in process and short episodes (started)."""
    return NodeProcess.python_module(
        'env', 'rl_env_node.env_node',
        ['--ros-args', '-r', '__ns:=/env_0', '-p', f'max_episode_steps:={EPISODE_STEPS}'],
        logs).start()


def start_recorder(logs: Path, bag_dir: Path, policy: str, ready: str,
                   robot_topics_from: str = 'transitions', run_name: str = 'test_run',
                   ) -> NodeProcess:
    args = ['--ros-args', '-p', "namespaces:=['env_0']", '-p', f'policy:={policy}',
            '-p', f'bag_dir:={bag_dir}', '-p', f'run_name:={run_name}', '-p', 'settle_time:=0.2',
            '-p', f'robot_topics_from:={robot_topics_from}']
    recorder = NodeProcess.python_module(f'recorder_{run_name}', 'rl_bringup.recorder_node',
                                         args, logs)
    recorder.start().wait_for_output(ready, timeout=30)
    return recorder


def subscribed(robot_topics_from: str) -> tuple[Endpoint, ...]:
    """What the recorder subscribes of an env: the robot topics only when not rebuilt."""
    if robot_topics_from == 'topics':
        return TOPICS
    return (TRANSITIONS, EPISODE_STATS, ARENA_MARKERS)


def run_episodes(seeds: list[int]) -> list[int]:
    """One episode per seed with zero actions; returns their lengths."""
    env = RosEnv('env_0', timeout=10.0)
    try:
        return [run_episode(env, seed) for seed in seeds]
    finally:
        env.close()


def run_episode(env: RosEnv, seed: int,
                before_step: Callable[[int], None] = lambda step: None) -> int:
    """One episode with zero actions, calling ``before_step(k)`` before step k; its length."""
    env.reset(seed=seed)
    steps, done = 0, False
    while not done:
        before_step(steps)
        _, _, terminated, truncated, _ = env.step(np.zeros(3, dtype=np.float32))
        steps += 1
        done = terminated or truncated
    return steps


def expected_counts(length: int) -> dict[str, int]:
    """Messages per topic of an episode of ``length`` steps: robot topics also at the reset.

    The command comes with each step, the arena with the reset; ``/tf`` with each odom.
    """
    return {TRANSITIONS.name: length, EPISODE_STATS.name: 1, CMD_VEL.name: length,
            ARENA_MARKERS.name: 1, 'tf': length + 1, 'tf_static': 1, 'robot_description': 1,
            **{topic.name: length + 1 for topic in (ODOM, DISTANCE_SENSORS, BUMPER)}}


def read_bag(path: Path, typestore) -> tuple[dict, dict]:
    """Message counts and types by topic name, and the deserialized messages by topic."""
    with Reader(path) as reader:
        types = {c.topic.rsplit('/', 1)[1]: c.msgtype for c in reader.connections}
        messages: dict[str, list] = {}
        for connection, _, raw in reader.messages():
            name = connection.topic.rsplit('/', 1)[1]
            messages.setdefault(name, []).append(
                typestore.deserialize_cdr(raw, connection.msgtype))
    return types, messages


def thread_niceness(pid: int) -> list[int]:
    """The niceness of each thread of a process (field 19 of its stat, after the name)."""
    return [int(stat.read_text().rsplit(')', 1)[1].split()[16])
            for stat in Path(f'/proc/{pid}/task').glob('*/stat')]


def ros_messages(path: Path) -> dict[str, list[tuple[int, object]]]:
    """Each topic's ``(bag time, rclpy message)``, in bag order (rclpy's messages compare)."""
    with Reader(path) as reader:
        messages: dict[str, list[tuple[int, object]]] = {}
        for connection, stamp, raw in reader.messages():
            if connection.msgtype.startswith('tf2_msgs/'):
                continue   # no rclpy type here; the bag writer derives /tf from odom either way
            package, _, name = connection.msgtype.split('/')
            message_type = getattr(importlib.import_module(f'{package}.msg'), name)
            message = deserialize_message(raw, message_type)
            messages.setdefault(connection.topic.rsplit('/', 1)[1], []).append((stamp, message))
    return messages


@pytest.mark.parametrize('robot_topics_from', ['transitions', 'topics'])
def test_each_episode_becomes_a_bag_that_reads_back(ros_domain, node_logs, tmp_path,
                                                    robot_topics_from):
    env_node = start_env_node(node_logs)
    processes = [env_node]
    try:
        env_node.wait_for_output('env ready', timeout=60)
        recorder = start_recorder(node_logs, tmp_path, 'all', 'recorder ready',
                                  robot_topics_from)
        processes.append(recorder)
        # Env nodes publish only to subscribers: wait until the recorder is one.
        for topic in subscribed(robot_topics_from):
            recorder.wait_for_output(f'recording /env_0/{topic.name}:', timeout=30)
        assert set(thread_niceness(recorder.pid)) == {10}   # every thread, DDS's too
        lengths = run_episodes([11, 12, 13])
        run_dir = tmp_path / 'test_run'
        recorder.wait_for_output(f'wrote {run_dir / "env_0_s00_ep000002"}', timeout=30)
        recorder.send_signal(signal.SIGINT)
        assert recorder.wait(timeout=20) == 0, recorder.output()
    finally:
        stop_all(processes)

    assert lengths == [EPISODE_STEPS] * 3   # zero actions: the robot stands until truncation
    assert sorted(p.name for p in run_dir.iterdir()) == [
        'env_0_s00_ep000000', 'env_0_s00_ep000001', 'env_0_s00_ep000002']
    typestore = make_typestore(interface_msg_files())
    for episode_id, (seed, length) in enumerate(zip([11, 12, 13], lengths, strict=True)):
        path = run_dir / f'env_0_s00_ep{episode_id:06d}'
        info = yaml.safe_load((path / 'metadata.yaml').read_text())['rosbag2_bagfile_information']
        assert (info['version'], info['storage_identifier']) == (9, 'mcap')
        types, messages = read_bag(path, typestore)
        assert types == {topic.name: topic.type for topic in TOPICS} | DERIVED
        assert info['ros_distro'] == 'kilted'
        counts = {name: len(msgs) for name, msgs in messages.items()}
        assert counts == expected_counts(length)
        transitions = messages[TRANSITIONS.name]
        assert [t.step_index for t in transitions] == list(range(length))
        assert {(t.episode_id, t.env_namespace) for t in transitions} == {(episode_id, '/env_0')}
        assert transitions[-1].truncated and not transitions[-2].truncated
        (stats,) = messages[EPISODE_STATS.name]
        assert (stats.episode_id, stats.seed, stats.length) == (episode_id, seed, length)
        assert len(messages[DISTANCE_SENSORS.name][0].points) == 9
        assert_scene(messages)


def assert_scene(messages: dict) -> None:
    """The arena, the command and the tf tree of a recorded episode hang together."""
    (arena,) = messages[ARENA_MARKERS.name]
    namespaces = [m.ns for m in arena.markers]
    assert namespaces[0] == '' and arena.markers[0].action == 3   # DELETEALL first
    assert namespaces.count('walls') == 4 and namespaces[-2:] == ['goal', 'start']
    assert {m.header.frame_id for m in arena.markers} == {'map'}
    start = arena.markers[-1].pose
    (static,) = messages['tf_static']
    tree = {(t.header.frame_id, t.child_frame_id): t.transform for t in static.transforms}
    assert ('base_link', 'ir1') in tree and ('base_link', 'wheel0_link') in tree
    assert tree[('map', 'odom')].translation.x == pytest.approx(start.position.x)
    assert tree[('map', 'odom')].rotation.z == pytest.approx(start.orientation.z)
    odom_tf = [t.transforms[0] for t in messages['tf']]
    assert [(t.header.frame_id, t.child_frame_id) for t in odom_tf[:1]] == [('odom', 'base_link')]
    assert [t.transform.translation.x for t in odom_tf] == [
        o.pose.pose.position.x for o in messages[ODOM.name]]
    assert all(t.linear.x == t.linear.y == t.angular.z == 0.0 for t in messages[CMD_VEL.name])
    (description,) = messages['robot_description']
    assert description.data.startswith('<?xml') and '<robot name=' in description.data


def test_every_k_subscribes_transitions_and_robot_topics_only_around_recorded_episodes(
        ros_domain, ros_node, node_logs, tmp_path):
    env_node = start_env_node(node_logs)
    processes = [env_node]

    odom, transitions = f'/env_0/{ODOM.name}', f'/env_0/{TRANSITIONS.name}'

    def subscribers(count: int) -> Callable[[int], None]:
        def wait(step: int) -> None:
            if step == 1:
                spin_until(ros_node, lambda: ros_node.count_subscribers(odom) == count
                           and ros_node.count_subscribers(transitions) == count,
                           20.0, f'{count} subscriber(s) of {odom} and {transitions}')
        return wait

    try:
        env_node.wait_for_output('env ready', timeout=60)
        recorder = start_recorder(node_logs, tmp_path, 'every:3', 'recorder ready', 'topics')
        processes.append(recorder)
        recorder.wait_for_output(f'recording {odom}:', timeout=30)
        env = RosEnv('env_0', timeout=10.0)
        try:
            lengths = [run_episode(env, 20, subscribers(1)),   # 0: recorded
                       run_episode(env, 21, subscribers(0)),   # 1: nobody listens
                       run_episode(env, 22, subscribers(1)),   # 2: listening ahead of 3
                       run_episode(env, 23, subscribers(1))]   # 3: recorded
        finally:
            env.close()
        run_dir = tmp_path / 'test_run'
        recorder.wait_for_output(f'wrote {run_dir / "env_0_s00_ep000003"}', timeout=30)
        recorder.send_signal(signal.SIGINT)
        assert recorder.wait(timeout=20) == 0, recorder.output()
    finally:
        stop_all(processes)

    assert sorted(p.name for p in run_dir.iterdir()) == [
        'env_0_s00_ep000000', 'env_0_s00_ep000003']
    typestore = make_typestore(interface_msg_files())
    for episode_id in (0, 3):
        _, messages = read_bag(run_dir / f'env_0_s00_ep{episode_id:06d}', typestore)
        length = lengths[episode_id]
        assert {name: len(msgs) for name, msgs in messages.items()} == expected_counts(length)


def test_robot_topics_rebuilt_from_transitions_are_those_the_env_node_publishes(
        ros_domain, node_logs, tmp_path):
    """Two recorders of the same episodes: one rebuilds the robot topics, one subscribes them.

    The env node holds its simulator, so what it publishes is the reference;
    the actions turn and drive the robot, so that odometry and IR readings change.
    """
    env_node = start_env_node(node_logs)
    processes = [env_node]
    try:
        env_node.wait_for_output('env ready', timeout=60)
        recorders = {source: start_recorder(node_logs, tmp_path, 'all', 'recorder ready',
                                            source, f'from_{source}')
                     for source in ('transitions', 'topics')}
        processes += recorders.values()
        for source, recorder in recorders.items():
            for topic in subscribed(source):
                recorder.wait_for_output(f'recording /env_0/{topic.name}:', timeout=30)
        env = RosEnv('env_0', timeout=10.0)
        try:
            for seed in (31, 32):
                env.reset(seed=seed)
                for step in range(EPISODE_STEPS):
                    env.step(np.array([1.0, 0.3, 0.8 if step % 5 else -0.8], dtype=np.float32))
        finally:
            env.close()
        for source, recorder in recorders.items():
            recorder.wait_for_output(
                f'wrote {tmp_path / f"from_{source}" / "env_0_s00_ep000001"}', timeout=30)
            recorder.send_signal(signal.SIGINT)
            assert recorder.wait(timeout=20) == 0, recorder.output()
    finally:
        stop_all(processes)

    typestore = make_typestore(interface_msg_files())
    for episode in ('env_0_s00_ep000000', 'env_0_s00_ep000001'):
        rebuilt, published = (tmp_path / source / episode
                              for source in ('from_transitions', 'from_topics'))
        assert read_bag(rebuilt, typestore)[0] == read_bag(published, typestore)[0]
        # Compared as messages: CDR's padding bytes are whatever the serializer left there.
        ours, theirs = ros_messages(rebuilt), ros_messages(published)
        for topic in (ODOM.name, CMD_VEL.name, BUMPER.name, TRANSITIONS.name):
            assert ours[topic] == theirs[topic], topic
        odom = read_bag(published, typestore)[1][ODOM.name]
        moved = odom[-1].pose.pose.position
        assert abs(moved.x) + abs(moved.y) > 0.05
        for ours, theirs in zip(read_bag(rebuilt, typestore)[1][DISTANCE_SENSORS.name],
                                read_bag(published, typestore)[1][DISTANCE_SENSORS.name],
                                strict=True):
            assert ours.header == theirs.header
            assert [c for p in ours.points for c in (p.x, p.y, p.z)] == pytest.approx(
                [c for p in theirs.points for c in (p.x, p.y, p.z)], abs=1e-6)


def test_a_bad_policy_stops_the_recorder_with_a_message(ros_domain, node_logs, tmp_path):
    recorder = NodeProcess.python_module(
        'bad_recorder', 'rl_bringup.recorder_node',
        ['--ros-args', '-p', 'policy:=sometimes', '-p', f'bag_dir:={tmp_path / "bags"}'],
        node_logs)
    recorder.start()
    assert recorder.wait(timeout=30) == 2
    assert "got 'sometimes'" in recorder.output()
    assert not (tmp_path / 'bags').exists()


def settings(**values):
    defaults = {spec.name: spec.default for spec in PARAMETERS}
    return RecorderSettings.from_values({**defaults, **values},
                                        now=datetime.datetime(2030, 1, 2, 3, 4, 5))


def test_settings_from_parameters():
    chosen = settings(namespaces=['/env_0', 'env_1/'], bag_dir='/data/bags',
                      policy='every:10', max_total_mb=1.5)
    assert chosen.namespaces == ('env_0', 'env_1')
    assert chosen.run_dir == Path('/data/bags/run_20300102-030405')
    assert (chosen.policy.kind, chosen.policy.every) == (PolicyKind.EVERY, 10)
    assert chosen.max_total_bytes == 1_500_000
    assert settings(run_name='ppo_3').run_dir == Path('bags/ppo_3')


@pytest.mark.parametrize('values, hint', [
    ({'namespaces': ['env_0', '/env_0']}, 'distinct'),
    ({'run_name': 'a/b'}, "'a/b'"),
    ({'policy': 'most'}, "'most'"),
    ({'robot_topics_from': 'both'}, "'both'"),
])
def test_bad_settings_name_the_value(values, hint):
    with pytest.raises(ValueError, match=hint):
        settings(**values)
