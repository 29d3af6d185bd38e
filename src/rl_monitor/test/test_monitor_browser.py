"""The monitor page in a real browser during a real ``rl train``: live, and it survives faults.

``rl train`` (the user's entry point, with the monitor on a free port)
trains PPO on 2 env nodes on a private domain; Debian's Chromium, driven
headless by playwright (which never downloads a browser here), loads the
page. The test reads the live figures twice and checks they changed (steps
grew, a pose moved), that the three Plotly figures drew their traces and an
env's canvas drew the arena the test publishes (the env nodes' own markers
may or may not come: either way ``env_0`` has an arena). Then it SIGKILLs
the env group process, which the launcher respawns, and checks the page
goes on updating (the screenshot is taken then, once an evaluation is
shown, and copied to ``$RL_MONITOR_SCREENSHOT`` when set); and it lets
training end and checks the page keeps the run on screen with status
``finished``, without a script error.
"""

import math
import os
import shutil
import signal
import socket
from pathlib import Path

import pytest
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from visualization_msgs.msg import Marker, MarkerArray

from rl_testing import NodeProcess, domain_pids

CHROMIUM = Path('/usr/bin/chromium')
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update',
                 '--disable-sync']
#: A PPO that updates often and evaluates once in a while, for a run of a few tens of seconds.
SHORT_PPO = ('{n_steps: 256, batch_size: 256, n_epochs: 1, eval_freq: 4096, '
             'n_eval_episodes: 2, log_freq: 512}')
TOTAL_STEPS = 18_000
#: Milliseconds the page gets to show a change.
WAIT_MS = 60_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason='Debian chromium is not installed (/usr/bin/chromium); '
                                  'scripts/setup.sh installs it')

READ_FIGURES = """() => {
  const pose = document.querySelector('[data-env="env_0"] .pose');
  const canvas = document.querySelector('[data-env="env_0"] canvas');
  return {
    steps: Number(document.querySelector('#steps').dataset.value),
    status: document.querySelector('#status').textContent,
    connection: document.querySelector('#connection').textContent,
    updates: Number(document.querySelector('#updates').textContent),
    x: pose ? Number(pose.dataset.x) : null, y: pose ? Number(pose.dataset.y) : null,
    frames: canvas ? Number(canvas.dataset.frames) : 0,
    episode: document.querySelector('[data-env="env_0"] .episode')?.textContent || '',
    rows: document.querySelectorAll('#episodes-table tbody tr').length,
    evaluated: document.querySelector('#eval-return').textContent !== '-',
  };
}"""

#: Whether each Plotly figure drew a line (a path with at least one segment).
CURVES_DRAWN = """['plot-rate', 'plot-return', 'plot-success'].every((id) => {
  const line = document.querySelector(`#${id} .scatterlayer .trace .js-line`);
  return line !== null && (line.getAttribute('d') || '').includes('L');
})"""

DRAWN_PIXELS = """() => {
  const canvas = document.querySelector('[data-env="env_0"] canvas');
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let k = 3; k < pixels.length; k += 4) { if (pixels[k] > 0) drawn += 1; }
  return drawn;
}"""


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def arena():
    """A square arena of four walls with a box and a goal, started at (0.5, 0.5, 0)."""
    markers = [Marker(action=Marker.DELETEALL)]
    for k, (x, y, yaw) in enumerate([(0.0, 2.0, 0.0), (0.0, -2.0, 0.0), (2.0, 0.0, 1.5708),
                                           (-2.0, 0.0, 1.5708)]):
        wall = Marker(ns='walls', id=k, type=Marker.CUBE)
        wall.pose.position.x, wall.pose.position.y, wall.pose.position.z = x, y, 0.15
        wall.pose.orientation.z, wall.pose.orientation.w = math.sin(yaw / 2), math.cos(yaw / 2)
        wall.scale.x, wall.scale.y, wall.scale.z = 4.1, 0.1, 0.3
        markers.append(wall)
    box = Marker(ns='obstacles', id=0, type=Marker.CUBE)
    box.pose.position.x, box.pose.position.y = -0.8, 1.0
    box.scale.x, box.scale.y, box.scale.z = 0.5, 0.3, 0.3
    goal = Marker(ns='goal', id=0, type=Marker.CYLINDER)
    goal.pose.position.x, goal.pose.position.y = 1.2, -1.0
    goal.scale.x = goal.scale.y = 0.3
    start = Marker(ns='start', id=0, type=Marker.ARROW)
    start.pose.position.x = start.pose.position.y = 0.5
    start.pose.orientation.w = 1.0
    for marker in (*markers, box, goal, start):
        marker.header.frame_id = 'map'
    return MarkerArray(markers=[*markers, box, goal, start])


def wait_for(page, condition, what):
    """Wait until the JS ``condition`` on ``figures`` holds, or fail naming ``what``."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(f'() => {{ const figures = ({READ_FIGURES})(); '
                               f'return {condition}; }}', timeout=WAIT_MS, polling=200)
    except PlaywrightTimeout:
        raise AssertionError(f'the page never showed {what}: {page.evaluate(READ_FIGURES)}'
                             ) from None
    return page.evaluate(READ_FIGURES)


def test_the_page_is_live_during_training_and_survives_a_respawn_and_the_end(
        ros_domain, ros_node, node_logs, tmp_path):
    from playwright.sync_api import sync_playwright

    port = free_port()
    train = NodeProcess.python_module(
        'train', 'rl_bringup.cli',
        ['train', '--num-envs', '2', '--total-steps', str(TOTAL_STEPS), '--overrides', SHORT_PPO,
         '--record', 'every:2', '--success-target', '0', '--run-dir', str(tmp_path / 'run'),
         '--monitor-port', str(port)], node_logs).start()
    latched = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                         durability=DurabilityPolicy.TRANSIENT_LOCAL)
    ros_node.create_publisher(MarkerArray, '/env_0/arena_markers', latched).publish(arena())
    errors = []
    try:
        train.wait_for_output('monitor at http://', timeout=120)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={'width': 1280, 'height': 1500})
            page.on('pageerror', lambda error: errors.append(str(error)))
            page.goto(f'http://127.0.0.1:{port}/')
            first = wait_for(page, 'figures.steps > 0 && figures.x !== null && figures.rows > 0',
                             'steps, a pose of env_0 and an episode')
            second = wait_for(page, f'figures.steps > {first["steps"]} && '
                                    f'(figures.x !== {first["x"]} || figures.y !== {first["y"]})',
                              'more steps and a pose that moved')
            assert second['updates'] > first['updates'] and second['frames'] > first['frames']
            assert second['status'] in ('training', 'evaluating')
            assert second['connection'] == 'connected'
            assert 'no arena markers' not in second['episode']   # env_0 has the test's arena
            wait_for(page, CURVES_DRAWN, 'a line in each of the three curves')
            assert page.evaluate(DRAWN_PIXELS) > 2000   # walls, box, goal, trail, robot

            [env_group, *_] = domain_pids(r'rl_env_node\.env_(node|group)', ros_domain)
            os.kill(env_group, signal.SIGKILL)
            train.wait_for_output('env nodes back after', timeout=120)
            before = page.evaluate(READ_FIGURES)
            after = wait_for(page, f'figures.steps > {before["steps"]} && figures.frames > '
                                   f'{before["frames"]} && (figures.x !== {before["x"]} || '
                                   f'figures.y !== {before["y"]})',
                             'training and a moving robot after the env group respawned')
            assert after['connection'] == 'connected'
            wait_for(page, 'figures.evaluated', 'an evaluation')
            screenshot = tmp_path / 'monitor.png'
            page.screenshot(path=str(screenshot), full_page=True)
            if os.environ.get('RL_MONITOR_SCREENSHOT'):
                target = Path(os.environ['RL_MONITOR_SCREENSHOT'])
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(screenshot, target)

            assert train.wait(240) == 0, train.output()[-3000:]
            end = wait_for(page, "figures.status === 'finished'", 'the run finished')
            assert end['steps'] >= TOTAL_STEPS and end['rows'] > 0
            assert page.evaluate(f'() => {CURVES_DRAWN}')
            browser.close()
    finally:
        train.stop()
    assert not errors, errors
    assert 'restarting' in train.output()   # the launcher respawned the env group
