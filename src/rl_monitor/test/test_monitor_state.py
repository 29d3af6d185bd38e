"""The monitor's plain logic: frames, trails, rays, the progress history and its cursor, bags."""

import math

import pytest

from rl_monitor.bag_links import bag_index
from rl_monitor.geometry import Arena, Disc
from rl_monitor.monitor_state import (
    MAX_EPISODES,
    MAX_HISTORY,
    TRAIL_POINTS,
    Cursor,
    EnvView,
    EpisodeRecord,
    MonitorState,
)
from robotino_description import compose

NAN = math.nan


def progress(step, run='run_a', evaluation=(0, NAN, NAN), rate=100.0):
    eval_step, eval_return, eval_success = evaluation
    return {'run_name': run, 'algorithm': 'ppo', 'task': 'goal_reaching', 'status': 'training',
            'num_timesteps': step, 'total_timesteps': 10_000, 'steps_per_second': rate,
            'elapsed': 1.0, 'time_left': NAN, 'episodes': 0, 'train_return_mean': NAN,
            'train_success_rate': NAN, 'eval_timesteps': eval_step,
            'eval_return_mean': eval_return, 'eval_success_rate': eval_success,
            'success_target': 0.9}


def episode(env='env_0', episode_id=0, ended=1.0, **outcome):
    flags = {'success': False, 'collision': False, 'truncated': False, **outcome}
    return EpisodeRecord(env, episode_id, -1, 1.5, 40, sim_duration=4.0, ended=ended, **flags)


def state():
    return MonitorState(ir_origin_radius=0.2, ir_max_range=0.3, robot_radius=0.23)


def test_compose_puts_an_odom_pose_into_the_map_frame():
    start = (1.0, 2.0, math.pi / 2)
    x, y, yaw = compose(start, (1.0, 0.0, math.pi / 2))
    assert (x, y, yaw) == pytest.approx((1.0, 3.0, math.pi))
    assert compose((0.0, 0.0, 0.0), (0.3, -0.2, 0.1)) == pytest.approx((0.3, -0.2, 0.1))


def test_the_trail_is_in_the_map_frame_and_restarts_with_each_episode():
    view = EnvView(0.2, 0.3)
    view.set_odom((0.0, 0.0, 0.0))
    view.set_odom((0.1, 0.0, 0.0))
    assert list(view.trail) == [(0.0, 0.0), (0.1, 0.0)]   # no arena: odom is map
    view.set_arena(Arena(goal=Disc(2.0, 0.0, 0.15), start=(1.0, 1.0, math.pi)))
    assert not view.trail
    view.set_odom((0.2, 0.0, 0.0))
    assert view.trail[-1] == pytest.approx((0.8, 1.0))
    assert view.to_json(0.0)['pose'] == pytest.approx([0.8, 1.0, math.pi], abs=1e-3)
    view.end_episode('success')
    view.set_odom((0.0, 0.0, 0.0))   # the next episode's first pose
    assert len(view.trail) == 1 and view.last_outcome == 'success'
    view.set_odom((0.05, 0.0, 0.0))
    view.set_odom((0.9, 0.0, 0.0))   # a jump: odom restarted without an episode_stats seen
    assert len(view.trail) == 1
    for k in range(TRAIL_POINTS + 10):
        view.set_odom((0.9 + 0.001 * k, 0.0, 0.0))
    assert len(view.trail) == TRAIL_POINTS


def test_ir_points_become_rays_from_their_sensor_hits_only_short_of_max_range():
    view = EnvView(0.2, 0.3)
    view.set_ir_points([(0.3, 0.0), (0.0, 0.5), (0.0, 0.0)])
    near, far = view.rays
    assert near == pytest.approx((0.2, 0.0, 0.3, 0.0, True))
    assert far == pytest.approx((0.0, 0.2, 0.0, 0.5, False))   # 0.3 m: no echo


def test_steps_sum_the_return_of_the_episode_under_way():
    view = EnvView(0.2, 0.3)
    view.set_step(4, 0, 1.0)
    view.set_step(4, 1, 0.5)
    assert (view.episode_id, view.step, view.episode_return) == (4, 2, 1.5)
    view.set_step(5, 0, -1.0)
    assert (view.step, view.episode_return) == (1, -1.0)


def test_a_cursor_gets_only_new_history_points():
    monitor = state()
    monitor.add_progress(progress(100))
    first, cursor = monitor.snapshot(Cursor())
    assert first['history']['reset'] and first['history']['points'] == [[100, 100.0, None, None]]
    monitor.add_progress(progress(100))   # the same step again (evaluating): no new point
    monitor.add_progress(progress(200))
    second, cursor = monitor.snapshot(cursor)
    assert not second['history']['reset'] and second['history']['points'] == [
        [200, 100.0, None, None]]
    third, _ = monitor.snapshot(cursor)
    assert third['history']['points'] == []
    assert third['progress']['time_left'] is None   # NaN is not JSON


def test_a_new_run_or_a_resume_rolls_the_history_back_and_resends_it():
    monitor = state()
    for step in (100, 200, 300):
        monitor.add_progress(progress(step))
    _, cursor = monitor.snapshot(Cursor())
    monitor.add_progress(progress(150))   # resumed from a checkpoint at 150
    snapshot, cursor = monitor.snapshot(cursor)
    assert snapshot['history']['reset']
    assert [p[0] for p in snapshot['history']['points']] == [100, 150]
    monitor.add_progress(progress(10, run='run_b'))
    snapshot, _ = monitor.snapshot(cursor)
    assert snapshot['history']['reset'] and [p[0] for p in snapshot['history']['points']] == [10]


def test_the_history_is_thinned_when_full_and_evaluations_are_listed_once():
    monitor = state()
    for step in range(1, MAX_HISTORY + 2):
        monitor.add_progress(progress(step, evaluation=(step // 500 * 500, 1.0, 0.5)))
    snapshot, _ = monitor.snapshot(Cursor())
    points = snapshot['history']['points']
    assert MAX_HISTORY // 2 <= len(points) <= MAX_HISTORY
    assert points[0][0] == 1 and points == sorted(points)
    assert [e[0] for e in snapshot['evaluations']] == [500, 1000, 1500, 2000]


def test_episodes_are_bounded_newest_first_and_linked_to_their_bag():
    monitor = state()
    monitor.add_env('env_1')
    for k in range(MAX_EPISODES + 5):
        monitor.add_episode(episode(episode_id=k, ended=float(k), truncated=True))
    waiting = monitor.episodes_without_bag()
    assert len(waiting) == MAX_EPISODES
    monitor.set_bag(waiting[-1], 'env_0_s00_ep000054')
    snapshot, _ = monitor.snapshot(Cursor())
    newest = snapshot['episodes'][0]
    assert (newest['episode_id'], newest['outcome'], newest['bag']) == (
        MAX_EPISODES + 4, 'timeout', 'bags/env_0_s00_ep000054/')
    assert snapshot['episodes'][1]['bag'] is None
    assert set(snapshot['envs']) == {'env_0', 'env_1'}
    assert snapshot['envs']['env_0']['episodes'] == MAX_EPISODES + 5


@pytest.mark.parametrize('flags,outcome', [
    ({'success': True}, 'success'), ({'collision': True}, 'collision'),
    ({'truncated': True}, 'timeout'), ({}, 'ended')])
def test_an_episode_names_its_outcome(flags, outcome):
    assert episode(**flags).outcome == outcome


def test_the_bag_index_takes_the_newest_start_of_an_episode(tmp_path):
    for name in ('env_0_s00_ep000003', 'env_0_s01_ep000003', 'root_s00_ep000001',
                 'env_1_s00_ep000002_2', 'notes'):
        (tmp_path / name).mkdir()
    (tmp_path / 'env_1_s00_ep000009').write_text('a file, not a bag')
    assert bag_index(tmp_path) == {('env_0', 3): 'env_0_s01_ep000003',
                                   ('', 1): 'root_s00_ep000001',
                                   ('env_1', 2): 'env_1_s00_ep000002_2'}
    assert bag_index(tmp_path / 'missing') == {}
