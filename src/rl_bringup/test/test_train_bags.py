"""A bag of ``./rl train``, as a roboticist opens it: an independent MCAP reader, tf, markers.

``./rl train`` (the repository's script, as a user types it) trains a short
PPO run on one MuJoCo env recording every episode; a bag of it is then read
with the ``mcap`` library and ``mcap-ros2-support`` (not rosbags, which wrote
it), as Foxglove reads it, and drawn by ``./rl replay``. The run's report
links the best and the worst episode's pictures.
"""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml
from mcap_ros2.reader import read_ros2_messages

from rl_testing import NodeProcess
from rl_testing.ros2_cli import repository_root

SHORT_PPO = {'default': {
    'total_steps': 1024, 'normalize': False, 'eval_freq': 0, 'checkpoint_freq': 512,
    'log_freq': 256, 'torch_threads': 1, 'seed': 0, 'policy': 'MlpPolicy', 'n_steps': 128,
    'batch_size': 128, 'n_epochs': 1, 'n_envs': 1}}


@pytest.fixture(scope='module')
def trained_run(tmp_path_factory):
    """The run directory and the output of one short ``./rl train`` (episodes of <= 400 steps)."""
    tmp_path = tmp_path_factory.mktemp('train_bags')
    config = tmp_path / 'config' / 'ppo.yaml'
    config.parent.mkdir()
    config.write_text(yaml.safe_dump(SHORT_PPO))
    run_dir = tmp_path / 'run'
    train = NodeProcess('rl_train', [
        str(repository_root() / 'rl'), 'train', '--config', str(config), '--num-envs', '1',
        '--record', 'all', '--success-target', '0', '--run-dir', str(run_dir)],
        tmp_path).start()
    assert train.wait(300) == 0, train.output()
    return run_dir, train.output()


def newest_bag(run_dir):
    bags = sorted((run_dir / 'bags').glob('env_0_s00_ep*'))
    assert bags, 'the run recorded no episode'
    return bags[-1]


def test_an_independent_mcap_reader_finds_tf_markers_and_the_robot(trained_run):
    run_dir, _ = trained_run
    bag = newest_bag(run_dir)
    (mcap_file,) = bag.glob('*.mcap')
    decoded: dict[str, list] = {}
    for message in read_ros2_messages(str(mcap_file)):
        decoded.setdefault(message.channel.topic, []).append(message.ros_msg)
    assert {'/tf', '/tf_static', '/robot_description', '/env_0/arena_markers', '/env_0/odom',
            '/env_0/cmd_vel', '/env_0/distance_sensors', '/env_0/transitions',
            '/env_0/episode_stats'} <= set(decoded)
    odom_tf = [m.transforms[0] for m in decoded['/tf']]
    assert len(odom_tf) == len(decoded['/env_0/odom'])
    assert {(t.header.frame_id, t.child_frame_id) for t in odom_tf} == {('odom', 'base_link')}
    (static,) = decoded['/tf_static']
    parents = {t.child_frame_id: t.header.frame_id for t in static.transforms}
    assert parents['odom'] == 'map' and parents['ir1'] == 'base_link'
    (arena,) = decoded['/env_0/arena_markers']
    assert {m.ns for m in arena.markers} >= {'walls', 'goal', 'start'}
    assert '<robot name=' in decoded['/robot_description'][0].data
    metadata = yaml.safe_load((bag / 'metadata.yaml').read_text())
    assert metadata['rosbag2_bagfile_information']['ros_distro'] == 'kilted'


def test_rl_replay_draws_the_bag_in_map_with_its_arena(trained_run, tmp_path):
    run_dir, _ = trained_run
    out = tmp_path / 'episode.png'
    done = subprocess.run([str(repository_root() / 'rl'), 'replay', str(newest_bag(run_dir)),
                           '--out', str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:4] == b'\x89PNG' and 'wrote' in done.stdout


def test_the_report_links_the_best_and_worst_episode_pictures(trained_run):
    run_dir, output = trained_run
    best, worst = run_dir / 'episodes' / 'best.png', run_dir / 'episodes' / 'worst.png'
    assert f'best episode:    {best}' in output and f'worst episode:   {worst}' in output
    assert best.read_bytes()[:4] == worst.read_bytes()[:4] == b'\x89PNG'


def test_the_foxglove_layout_shows_topics_the_bags_hold(trained_run):
    run_dir, _ = trained_run
    layout = json.loads((repository_root() / 'src' / 'rl_bringup' / 'foxglove'
                         / 'episode_layout.json').read_text())
    shown = set(layout['configById']['3D!episode']['topics'])
    with_bag = {c['topic_metadata']['name'] for c in yaml.safe_load(
        (newest_bag(run_dir) / 'metadata.yaml').read_text())['rosbag2_bagfile_information'][
        'topics_with_message_count']}
    assert shown <= with_bag
