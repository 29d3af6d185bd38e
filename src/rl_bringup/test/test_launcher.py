"""The launcher brings up a real graph, respawns what dies, and leaves nothing behind.

It runs as ``python -m rl_bringup.cli sim`` in its own process, exactly as a
user's ``./rl sim``; the test talks to the nodes over DDS and signals the
launcher as a terminal's Ctrl-C would.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from rl_interfaces.srv import Reset
from rl_testing import NodeProcess
from rl_testing.ros import call, wait_for_service


def node_pids(pattern):
    result = subprocess.run(['pgrep', '-f', pattern], capture_output=True, text=True)
    return {int(pid) for pid in result.stdout.split()}


def proc_file(pid, name):
    try:
        return Path(f'/proc/{pid}/{name}').read_bytes()
    except OSError:
        return b''


def env_domain_processes(domain):
    """Node processes of this test's ROS domain (other sessions run their own)."""
    return {pid for pid in node_pids('rl_env_node.env_node|robotino_mujoco.sim_node')
            if f'ROS_DOMAIN_ID={domain}'.encode() in proc_file(pid, 'environ').split(b'\0')}


@pytest.fixture
def launcher(ros_domain, node_logs):
    process = NodeProcess.python_module(
        'launcher', 'rl_bringup.cli', ['sim', '--num-envs', '2', '--sim', 'mujoco_separate'],
        node_logs).start()
    process.wait_for_output('[env_1/rl_env]', timeout=60)
    process.wait_for_output('[env_0/rl_env]', timeout=60)
    yield process
    process.stop()


def test_launcher_serves_restarts_and_cleans_up(launcher, ros_node, ros_domain):
    cli = subprocess.run([sys.executable, '-m', 'rl_bringup.cli', 'call', 'reset', '--seed', '1',
                          '--namespace', 'env_1', '--timeout', '30'],
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert len(yaml.safe_load(cli.stdout)['observation']) > 0

    reset = ros_node.create_client(Reset, '/env_0/reset')
    wait_for_service(reset, 30)
    assert len(call(ros_node, reset, Reset.Request(seed=2)).observation) > 0

    sims = {pid for pid in env_domain_processes(ros_domain)
            if b'sim_node' in proc_file(pid, 'cmdline') and b'/env_0' in proc_file(pid, 'cmdline')}
    assert len(sims) == 1
    os.kill(sims.pop(), signal.SIGKILL)
    launcher.wait_for_output('restarting in', timeout=30)
    launcher.wait_for_output('[env_0/robotino_sim]', timeout=30)
    deadline = time.monotonic() + 60
    answer = None
    while time.monotonic() < deadline:
        answer = call(ros_node, reset, Reset.Request(seed=2), timeout=40)
        if answer.success:
            break
        time.sleep(1.0)
    assert answer is not None and answer.success, answer.message

    assert env_domain_processes(ros_domain)
    launcher.send_signal(signal.SIGINT)
    assert launcher.wait(60) == 0
    assert env_domain_processes(ros_domain) == set(), launcher.output()
