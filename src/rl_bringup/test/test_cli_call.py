"""`rl call` from its own process against a real service server over DDS.

The server is rl_testing's echo server (a real node whose answers are a
function of the request), so the test sees the CLI's request arrive intact
and the response printed.
"""

import subprocess
import sys

import pytest
import yaml

from rl_testing import NodeProcess


@pytest.fixture(scope='module')
def echo_server(ros_domain, tmp_path_factory):
    logs = tmp_path_factory.mktemp('echo_logs')
    process = NodeProcess.python_module('echo_server', 'rl_testing.echo_server', [], logs)
    process.start()
    try:
        process.wait_for_output('echo server ready', timeout=30)
        yield process
    finally:
        process.stop()


def rl(*args):
    return subprocess.run([sys.executable, '-m', 'rl_bringup.cli', *args],
                          capture_output=True, text=True, timeout=60)


def test_call_reset_prints_response(echo_server):
    result = rl('call', 'reset', '--seed', '3', '--options', '{"k": 1}')
    assert result.returncode == 0, result.stderr
    fields = yaml.safe_load(result.stdout)
    assert fields['success'] is True
    assert fields['observation'] == [3.0, 3.0, 3.0]
    assert fields['message'] == '{"k": 1}'


def test_call_step_sends_action(echo_server):
    result = rl('call', 'step', '--action', '0.1,0,-0.2')
    assert result.returncode == 0, result.stderr
    fields = yaml.safe_load(result.stdout)
    assert fields['observation'] == pytest.approx([0.2, 0.0, -0.4])
    assert fields['reward'] == pytest.approx(-0.1)


def test_call_spec(echo_server):
    fields = yaml.safe_load(rl('call', 'spec').stdout)
    assert fields['task'] == 'echo' and fields['action_shape'] == [3]


def test_missing_namespace_says_what_to_do(echo_server):
    result = rl('call', 'spec', '--namespace', 'env_9', '--timeout', '1')
    assert result.returncode == 1
    assert '/env_9/get_spec' in result.stderr and './rl sim' in result.stderr


def test_bad_action_is_rejected_by_the_parser():
    result = rl('call', 'step', '--action', '0.1,x')
    assert result.returncode == 2 and 'comma-separated numbers' in result.stderr
