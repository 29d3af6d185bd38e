"""The web server on its thread, without ROS: the page, plotly, /ws pushes, the bag folder.

A real aiohttp server on a free port, read with aiohttp's client; the state
is fed directly, as the node feeds it.
"""

import asyncio
import json
import math

import aiohttp
import pytest

from rl_monitor.monitor_state import MonitorState
from rl_monitor.web_server import MonitorServer, inside


@pytest.fixture
def bag_dir(tmp_path):
    folder = tmp_path / 'bags'
    (folder / 'env_0_s00_ep000001').mkdir(parents=True)
    (folder / 'env_0_s00_ep000001' / 'metadata.yaml').write_text('rosbag2_bagfile_information:')
    (tmp_path / 'secret.txt').write_text('not for the page')
    (folder / 'escape').symlink_to(tmp_path)
    return folder


@pytest.fixture
def server(bag_dir):
    state = MonitorState(0.2, 0.3, 0.23)
    state.add_env('env_0')
    state.update_env('env_0', 'set_odom', (0.5, 0.25, 0.0))
    server = MonitorServer(state, '127.0.0.1', 0, bag_dir, view_rate=20.0)
    server.start()
    try:
        yield server, state
    finally:
        server.stop()


def fetch(port, path):
    async def get():
        url = f'http://127.0.0.1:{port}{path}'
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status, await response.text()
    return asyncio.run(get())


def test_the_page_and_its_scripts_are_served(server):
    port = server[0].port
    status, page = fetch(port, '/')
    assert status == 200 and 'id="steps"' in page and 'static/plotly.min.js' in page
    status, plotly = fetch(port, '/static/plotly.min.js')
    assert status == 200 and 'plotly' in plotly[:2000].lower() and len(plotly) > 1_000_000
    assert fetch(port, '/static/monitor.js')[0] == 200


def test_the_websocket_pushes_snapshots_and_counts_its_pages(server):
    server, state = server

    async def watch():
        url = f'http://127.0.0.1:{server.port}/ws'
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
            first = json.loads((await socket.receive()).data)
            clients = server.clients
            state.update_env('env_0', 'set_odom', (0.6, 0.25, 0.0))
            state.add_progress({'run_name': 'r', 'algorithm': 'ppo', 'task': 't',
                                'status': 'training', 'num_timesteps': 7,
                                'total_timesteps': 9, 'steps_per_second': math.nan,
                                'elapsed': 0.0, 'time_left': math.nan, 'episodes': 0,
                                'train_return_mean': math.nan,
                                'train_success_rate': math.nan, 'eval_timesteps': 0,
                                'eval_return_mean': math.nan,
                                'eval_success_rate': math.nan, 'success_target': 0.9})
            second = json.loads((await socket.receive()).data)
            while second['progress'] is None:
                second = json.loads((await socket.receive()).data)
            return first, second, clients

    first, second, clients = asyncio.run(watch())
    assert clients == 1
    assert first['envs']['env_0']['pose'] == [0.5, 0.25, 0.0] and first['progress'] is None
    assert second['progress']['num_timesteps'] == 7 and second['progress']['time_left'] is None
    assert second['history']['points'] == [[7, None, None, None]]
    assert second['envs']['env_0']['trail'] == [[0.5, 0.25], [0.6, 0.25]]


def test_bag_files_are_served_and_listed(server):
    port = server[0].port
    status, listing = fetch(port, '/bags/env_0_s00_ep000001/')
    assert status == 200 and 'metadata.yaml' in listing
    assert fetch(port, '/bags/env_0_s00_ep000001/metadata.yaml') == (
        200, 'rosbag2_bagfile_information:')
    assert fetch(port, '/bags/env_0_s00_ep000001/missing.mcap')[0] == 404


@pytest.mark.parametrize('path', ['/bags/..%2Fsecret.txt', '/bags/%2E%2E/secret.txt',
                                  '/bags/env_0_s00_ep000001/..%2F..%2Fsecret.txt',
                                  '/bags/escape/secret.txt', '/bags/%2Fetc%2Fpasswd'])
def test_paths_out_of_the_bag_folder_are_refused(server, path):
    status, body = fetch(server[0].port, path)
    assert status in (403, 404) and 'not for the page' not in body and 'root:' not in body


def test_inside_keeps_to_its_folder(bag_dir):
    assert inside(bag_dir, 'env_0_s00_ep000001/metadata.yaml') is not None
    for escape in ('../secret.txt', 'escape/secret.txt', '/etc/passwd', 'a/../../secret.txt'):
        assert inside(bag_dir, escape) is None, escape


def test_a_port_in_use_is_an_os_error(server):
    other = MonitorServer(MonitorState(0.2, 0.3, 0.23), '127.0.0.1', server[0].port, None, 4.0)
    with pytest.raises(OSError):
        other.start()
