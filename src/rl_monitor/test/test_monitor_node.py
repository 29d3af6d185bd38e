"""The monitor node over DDS: its own process, fed by this test's publishers, read on /ws.

The test publishes what the agent and the env nodes would (a latched
``training_progress``, the arena markers by the env node's convention,
``episode_stats``, ``odom`` and ``distance_sensors``) and reads the page's
WebSocket with aiohttp's client. It checks the costs too: the high-rate
topics are subscribed only while a page is connected.
"""

import asyncio
import json
import math
import socket
import time

import aiohttp
from geometry_msgs.msg import Point32
from nav_msgs.msg import Odometry
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import PointCloud
from visualization_msgs.msg import Marker, MarkerArray

from rl_interfaces.msg import EpisodeStats, TrainingProgress
from rl_testing import NodeProcess, stop_all

LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)
START = (0.5, -0.25, math.pi / 2)


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def yaw_marker(marker, x, y, yaw, z=0.0):
    marker.pose.position.x, marker.pose.position.y, marker.pose.position.z = x, y, z
    marker.pose.orientation.z, marker.pose.orientation.w = math.sin(yaw / 2), math.cos(yaw / 2)
    return marker


def arena_markers():
    """One episode's arena as the env node sends it: DELETEALL, walls, obstacles, goal, start."""
    markers = [Marker(action=Marker.DELETEALL)]
    for k, (x, y, yaw, length) in enumerate([(0.0, 2.0, 0.0, 4.0), (2.0, 0.0, math.pi / 2, 4.0)]):
        wall = yaw_marker(Marker(ns='walls', id=k, type=Marker.CUBE), x, y, yaw, 0.15)
        wall.scale.x, wall.scale.y, wall.scale.z = length, 0.1, 0.3
        markers.append(wall)
    box = yaw_marker(Marker(ns='obstacles', id=0, type=Marker.CUBE), 1.0, 1.0, 0.3)
    box.scale.x, box.scale.y, box.scale.z = 0.4, 0.2, 0.3
    cylinder = yaw_marker(Marker(ns='obstacles', id=1, type=Marker.CYLINDER), -1.0, 0.5, 0.0)
    cylinder.scale.x = cylinder.scale.y = 0.3
    goal = yaw_marker(Marker(ns='goal', id=0, type=Marker.CYLINDER), 1.5, 1.5, 0.0)
    goal.scale.x = goal.scale.y = 0.3
    start = yaw_marker(Marker(ns='start', id=0, type=Marker.ARROW), *START)
    for marker in (*markers, box, cylinder, goal, start):
        marker.header.frame_id = 'map'
    return MarkerArray(markers=[*markers, box, cylinder, goal, start])


def odometry(x, y, yaw):
    msg = Odometry()
    msg.header.frame_id, msg.child_frame_id = 'odom', 'base_link'
    yaw_marker(msg.pose, x, y, yaw)
    return msg


def progress(step, status='training'):
    return TrainingProgress(run_name='run_x', algorithm='ppo', task='goal_reaching',
                            status=status, num_timesteps=step, total_timesteps=10_000,
                            steps_per_second=250.0, elapsed=4.0, time_left=40.0, episodes=3,
                            train_return_mean=1.5, train_success_rate=0.25,
                            eval_timesteps=2048, eval_return_mean=2.5, eval_success_rate=0.5,
                            success_target=0.9)


def start_monitor(node_logs, name, port, *params):
    args = ['--ros-args', '-p', f'port:={port}', '-p', 'host:=127.0.0.1', '-p', 'view_rate:=10.0']
    for param in params:
        args += ['-p', param]
    monitor = NodeProcess.python_module(name, 'rl_monitor.monitor_node', args, node_logs).start()
    monitor.wait_for_output('monitor at http://', timeout=60)
    return monitor


async def receive_until(socket_, predicate, what, timeout=20.0):
    """Snapshots from /ws until ``predicate`` holds for one; fails naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = await socket_.receive(timeout=deadline - time.monotonic())
        snapshot = json.loads(message.data)
        if predicate(snapshot):
            return snapshot
    raise AssertionError(f'no snapshot with {what} within {timeout} s')


async def until(predicate, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f'timed out waiting for {what}'
        await asyncio.sleep(0.05)


def test_the_monitor_shows_progress_arena_pose_and_episodes_and_follows_its_viewers(
        ros_node, node_logs, tmp_path):
    bags = tmp_path / 'bags'
    (bags / 'env_0_s00_ep000003').mkdir(parents=True)
    (bags / 'env_0_s00_ep000003' / 'metadata.yaml').write_text('bag')
    port = free_port()
    monitor = start_monitor(node_logs, 'monitor', port, 'namespaces:=env_0,env_1',
                            f'bag_dir:={bags}')
    publish = {name: ros_node.create_publisher(kind, topic, qos) for name, kind, topic, qos in (
        ('progress', TrainingProgress, '/training_progress', LATCHED),
        ('arena', MarkerArray, '/env_0/arena_markers', LATCHED),
        ('stats', EpisodeStats, '/env_0/episode_stats', 10),
        ('odom_0', Odometry, '/env_0/odom', 10), ('odom_1', Odometry, '/env_1/odom', 10),
        ('ir', PointCloud, '/env_0/distance_sensors', 10))}
    publish['progress'].publish(progress(1024))
    publish['arena'].publish(arena_markers())

    def subscribers(topic):
        return ros_node.count_subscribers(topic)

    async def watch():
        await until(lambda: subscribers('/env_0/episode_stats') == 1, 'the rare subscriptions')
        assert subscribers('/env_0/odom') == 0   # nobody watches: no odometry subscribed
        url = f'http://127.0.0.1:{port}/ws'
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as page:
            await until(lambda: subscribers('/env_0/odom') == 1 == subscribers('/env_1/odom'),
                        'odom subscribed for the page')
            await until(lambda: subscribers('/env_0/distance_sensors') == 1, 'IR subscribed')
            publish['stats'].publish(EpisodeStats(env_namespace='/env_0', episode_id=3,
                                                  episode_return=4.5, length=37, success=True))
            for k in range(5):
                publish['odom_0'].publish(odometry(0.1 * k, 0.0, 0.0))
                publish['odom_1'].publish(odometry(0.2, 0.1 * k, 0.0))
                await asyncio.sleep(0.05)
            publish['ir'].publish(PointCloud(points=[Point32(x=0.3), Point32(y=0.5)]))
            snapshot = await receive_until(
                page, lambda s: s['episodes'] and s['episodes'][0]['bag']
                and s['envs']['env_0']['rays'] and len(s['envs']['env_0']['trail']) >= 4
                and s['envs']['env_1']['pose'] and s['envs']['env_1']['pose'][1] > 0.35,
                'the episode with its bag, rays, trails and poses')
        await until(lambda: subscribers('/env_0/odom') == 0, 'odom dropped after the page left')
        return snapshot

    snapshot = asyncio.run(watch())
    assert snapshot['progress']['num_timesteps'] == 1024
    assert snapshot['progress']['status'] == 'training'
    assert snapshot['evaluations'] == [[2048, 2.5, 0.5]]
    env_0, env_1 = snapshot['envs']['env_0'], snapshot['envs']['env_1']
    arena = env_0['arena']
    assert len(arena['walls']) == 2 and len(arena['boxes']) == 1
    assert arena['cylinders'] == [[-1.0, 0.5, 0.15]] and arena['goal'] == [1.5, 1.5, 0.15]
    # pose in map = start ∘ pose in odom: odom (0.4, 0, 0) from a start at (0.5, -0.25, 90°)
    assert env_0['pose_odom'][:2] == [0.4, 0.0]
    assert env_0['pose'] == [0.5, 0.15, round(math.pi / 2, 3)]
    assert env_0['rays'] == [[0.2, 0.0, 0.3, 0.0, True], [0.0, 0.2, 0.0, 0.5, False]]
    # No markers for env_1: its top view is odom as map, without an arena.
    assert env_1['arena'] is None and env_1['pose'] == [0.2, 0.4, 0.0]
    [listed] = snapshot['episodes']
    assert (listed['env'], listed['episode_id'], listed['outcome'], listed['bag']) == (
        'env_0', 3, 'success', 'bags/env_0_s00_ep000003/')
    stop_all([monitor])
    assert 'a page connected' in monitor.output()


def test_with_no_namespaces_the_monitor_discovers_envs_from_the_graph(ros_node, node_logs):
    port = free_port()
    monitor = start_monitor(node_logs, 'discovering', port)
    ros_node.create_publisher(EpisodeStats, '/robot_a/env/episode_stats', 10)

    async def snapshot():
        async with aiohttp.ClientSession() as session:
            url = f'http://127.0.0.1:{port}/ws'
            async with session.ws_connect(url) as page:
                return await receive_until(page, lambda s: 'robot_a/env' in s['envs'],
                                           'the discovered env')

    assert set(asyncio.run(snapshot())['envs']) == {'robot_a/env'}
    stop_all([monitor])
    assert 'showing env robot_a/env' in monitor.output()
