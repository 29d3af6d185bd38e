"""Episode pictures from real bags: written by the recorder's bag writer, read back, drawn.

The messages are serialized by rclpy, as the recorder receives them, and the
IR clouds are built by the env node's own conversion, so the replay reads what
a recorded episode holds.
"""

import math
import subprocess
import sys

import numpy as np
import pytest
from matplotlib import image
from nav_msgs.msg import Odometry
from rclpy.serialization import serialize_message

from rl_bringup.bag_types import EPISODE_STATS, TRANSITION, interface_msg_files, make_typestore
from rl_bringup.bag_writer import EpisodeBagWriter
from rl_bringup.episode_pictures import draw_best_and_worst, episode_return
from rl_bringup.episode_recording import FinishedEpisode, RecordedMessage
from rl_bringup.replay import ReplayError, read_episode, replay
from rl_interfaces.msg import EpisodeStats, Transition
from rl_ros.conversions import distance_sensors_msg, time_from_nanoseconds
from rl_ros.markers import arena_markers
from robotino_description import ROBOTINO3
from robotino_world.arena import Arena, room_walls
from robotino_world.shapes import Box, Cylinder, Pose2D

STEPS = 20
NS = 10**8  # 0.1 s per step


@pytest.fixture(scope='module')
def typestore():
    return make_typestore(interface_msg_files())


def pose_at(step):
    """Straight along x to (1, 0), then turning left on the spot."""
    x = min(step, 10) / 10
    yaw = max(0, step - 10) * math.pi / 18
    return x, 0.0, yaw


def odom_bytes(step):
    msg = Odometry()
    msg.header.frame_id, msg.child_frame_id = 'odom', 'base_link'
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(step * NS, 10**9)
    x, y, yaw = pose_at(step)
    msg.pose.pose.position.x, msg.pose.pose.position.y = x, y
    msg.pose.pose.orientation.z, msg.pose.pose.orientation.w = math.sin(yaw / 2), math.cos(yaw / 2)
    return serialize_message(msg)


def cloud_bytes(step):
    """Sensor 1 (straight ahead) sees something 0.1 m away; the others see nothing."""
    ranges = np.full(ROBOTINO3.ir.count, ROBOTINO3.ir.max_range)
    ranges[0] = 0.1
    return serialize_message(distance_sensors_msg(ranges, step * NS / 1e9, ROBOTINO3.ir,
                                                  'base_link'))


def transition_bytes(step):
    msg = Transition(env_namespace='/env_0', episode_id=5, step_index=step,
                     observation=np.zeros(4, np.float32), action=np.zeros(3, np.float32),
                     reward=0.5, truncated=step == STEPS - 1)
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(step * NS, 10**9)
    return serialize_message(msg)


#: A 4 m x 3 m room with a pillar and a box; the robot starts at (-1, 0.5) facing +y.
ARENA = Arena('', 4.0, 3.0, room_walls(4.0, 3.0, 0.1, 0.3),
              (Cylinder(1.0, 1.0, 0.15, 0.3), Box(-1.0, -1.0, 0.4, 0.2, 0.1, 0.3)),
              Pose2D(-1.0, 0.5, math.pi / 2), Pose2D(1.5, -1.0))


def write_episode(path, typestore, robot_topics=True, arena=None):
    """A bag as the recorder writes one: robot topics (optional), the arena, transitions, stats."""
    messages = []
    if arena is not None:
        markers = arena_markers(arena, 0.2, time_from_nanoseconds(0))
        messages.append(RecordedMessage('/env_0/arena_markers',
                                        'visualization_msgs/msg/MarkerArray',
                                        serialize_message(markers), -1, None))
    for step in range(STEPS):
        stamp = step * NS
        if robot_topics:
            messages += [
                RecordedMessage('/env_0/odom', 'nav_msgs/msg/Odometry', odom_bytes(step),
                                3 * step, stamp),
                RecordedMessage('/env_0/distance_sensors', 'sensor_msgs/msg/PointCloud',
                                cloud_bytes(step), 3 * step + 1, stamp)]
        messages.append(RecordedMessage('/env_0/transitions', TRANSITION,
                                        transition_bytes(step), 3 * step + 2, stamp))
    stats = EpisodeStats(env_namespace='/env_0', episode_id=5, episode_return=9.5,
                         length=STEPS, truncated=True)
    stats.header.stamp.sec = 2
    messages.append(RecordedMessage('/env_0/episode_stats', EPISODE_STATS,
                                    serialize_message(stats), 3 * STEPS, 2 * 10**9))
    episode = FinishedEpisode('env_0', 5, False, tuple(messages))
    return EpisodeBagWriter(path, typestore).write(episode).path


def assert_has_content(png):
    pixels = image.imread(png)
    assert pixels.shape[0] > 200 and pixels.shape[1] > 200
    assert np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0).shape[0] > 10


def test_the_bag_gives_poses_ir_hits_in_odom_and_the_outcome(typestore, tmp_path):
    record = read_episode(write_episode(tmp_path, typestore), typestore)
    assert (record.env, record.frame, record.episode_id) == ('env_0', 'odom', 5)
    assert len(record.poses) == STEPS and record.transitions == STEPS
    assert record.poses[-1].yaw == pytest.approx(math.pi / 2)
    assert len(record.hits) == STEPS                  # the max-range points are skipped
    reach = 0.2 + 0.1                                 # driver cloud radius + range
    assert record.hits[0][1:] == pytest.approx((reach, 0.0))
    assert record.hits[-1][1:] == pytest.approx((1.0, reach))   # facing +y at (1, 0)
    outcome = record.outcome
    assert (outcome.label, outcome.length, outcome.episode_return) == ('timed out', STEPS, 9.5)
    assert record.notes() == []


def test_with_the_arena_everything_is_drawn_in_map(typestore, tmp_path):
    record = read_episode(write_episode(tmp_path, typestore, arena=ARENA), typestore)
    assert record.frame == 'map'
    # odom starts at (-1, 0.5) facing +y: odom's x axis is map's y axis there.
    assert (record.poses[0].x, record.poses[0].y) == pytest.approx((-1.0, 0.5))
    assert (record.poses[10].x, record.poses[10].y) == pytest.approx((-1.0, 1.5))
    assert record.poses[-1].yaw == pytest.approx(math.pi)
    assert record.hits[0][1:] == pytest.approx((-1.0, 0.5 + 0.3))
    kinds = sorted((s.namespace, s.cylinder) for s in record.solids)
    assert kinds == [('goal', True), ('obstacles', False), ('obstacles', True)] + [
        ('walls', False)] * 4
    (goal,) = [s for s in record.solids if s.namespace == 'goal']
    assert (goal.x, goal.y, goal.size_x) == pytest.approx((1.5, -1.0, 0.4))
    (box,) = [s for s in record.solids if s.namespace == 'obstacles' and not s.cylinder]
    assert (box.yaw, box.size_x, box.size_y) == pytest.approx((0.4, 0.4, 0.2))
    summary = replay(write_episode(tmp_path / 'drawn', typestore, arena=ARENA))
    assert_has_content(summary.output)


def test_replay_draws_a_png_into_the_bag_by_default(typestore, tmp_path):
    bag = write_episode(tmp_path, typestore)
    summary = replay(bag)
    assert summary.output == bag / 'episode.png'
    assert (summary.poses, summary.hits, summary.transitions) == (STEPS, STEPS, STEPS)
    assert summary.outcome == 'timed out' and summary.notes == ()
    assert summary.output.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert summary.output.stat().st_size > 10_000
    assert_has_content(summary.output)


def test_a_bag_without_robot_topics_still_draws_and_says_so(typestore, tmp_path):
    summary = replay(write_episode(tmp_path, typestore, robot_topics=False),
                     tmp_path / 'out.png')
    assert (summary.poses, summary.hits, summary.outcome) == (0, 0, 'timed out')
    assert 'no odom' in summary.notes[0]
    assert_has_content(tmp_path / 'out.png')


def test_a_gif_animates_the_trajectory(typestore, tmp_path):
    pil = pytest.importorskip('PIL.Image')
    summary = replay(write_episode(tmp_path, typestore), tmp_path / 'episode.gif')
    with pil.open(summary.output) as gif:
        assert gif.format == 'GIF' and gif.n_frames == STEPS


def test_other_outputs_and_non_bags_are_refused(typestore, tmp_path):
    with pytest.raises(ReplayError, match=r'\.png or a \.gif'):
        replay(write_episode(tmp_path, typestore), tmp_path / 'x.jpg')
    with pytest.raises(ReplayError, match='not a rosbag2 bag'):
        replay(tmp_path)


def rl(*args):
    return subprocess.run([sys.executable, '-m', 'rl_bringup.cli', *args],
                          capture_output=True, text=True, timeout=120)


def test_the_cli_writes_the_picture_and_exits_2_for_a_folder_that_is_no_bag(typestore,
                                                                             tmp_path):
    bag = write_episode(tmp_path / 'run', typestore)
    done = rl('replay', str(bag), '--out', str(tmp_path / 'x.png'))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / 'x.png').is_file() and 'timed out' in done.stdout
    not_a_bag = tmp_path / 'empty'
    not_a_bag.mkdir()
    done = rl('replay', str(not_a_bag))
    assert done.returncode == 2
    assert f'rl replay: {not_a_bag} is not a rosbag2 bag' in done.stderr


def test_a_bag_without_stats_has_no_return_and_is_not_drawn(typestore, tmp_path):
    episode = FinishedEpisode('env_0', 1, None, (RecordedMessage(
        '/env_0/transitions', TRANSITION, transition_bytes(0), 1, 0),))
    path = EpisodeBagWriter(tmp_path / 'bags', typestore).write(episode).path
    assert episode_return(path, typestore) is None
    assert draw_best_and_worst(tmp_path / 'bags', tmp_path / 'pictures') == []
