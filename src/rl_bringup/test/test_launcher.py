"""The launcher brings up a real graph, respawns what dies, and leaves nothing behind.

It runs as ``python -m rl_bringup.cli sim`` (or ``train``) in its own
process, exactly as a user's ``./rl sim``; the test talks to the nodes over
DDS and signals the launcher as a terminal's Ctrl-C would. ``rl train --envs``
trains on env nodes another ``rl sim`` started, as on compose or Kubernetes;
``--sim webots`` is refused before anything starts (no Webots, no ros2 launch).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from rcl_interfaces.srv import GetParameters
from rclpy.parameter import parameter_value_to_python

from rl_bringup.graph import GraphOptions, NodeSpec, bringup_graph
from rl_bringup.launcher import Launcher, LaunchError
from rl_env_client.ros_vec_env import RosVecEnv
from rl_interfaces.srv import Reset
from rl_ros.contract import RESET
from rl_testing import NodeProcess, domain_pids
from rl_testing.ros import call, wait_for_service

#: A PPO config small enough to train in seconds: 4 updates of 2 x 128 steps.
SHORT_PPO = {'default': {
    'total_steps': 1024, 'normalize': False, 'eval_freq': 0, 'checkpoint_freq': 512,
    'log_freq': 256, 'torch_threads': 1, 'seed': 0, 'policy': 'MlpPolicy', 'n_steps': 128,
    'batch_size': 128, 'n_epochs': 1}}


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
    return set(domain_pids('rl_env_node.env_(node|group)|robotino_mujoco.sim_node', domain))


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

    reset = ros_node.create_client(Reset, f'/env_0/{RESET.name}')
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


def parameter(ros_node, node_name, name, attempts=1):
    """A node's parameter value over its ``get_parameters`` service.

    After a respawn, discovery still holds the dead server for its lease, so
    a request can go out before the new one is matched: ``attempts`` retries.
    """
    client = ros_node.create_client(GetParameters, f'{node_name}/get_parameters')
    wait_for_service(client, 30)
    request = GetParameters.Request(names=[name])
    for _ in range(attempts - 1):
        try:
            return parameter_value_to_python(call(ros_node, client, request, 5.0).values[0])
        except AssertionError:
            continue
    return parameter_value_to_python(call(ros_node, client, request, 5.0).values[0])


def test_env_groups_serve_each_env_with_its_own_seed_in_batches_and_respawn_whole(
        ros_domain, ros_node, node_logs):
    launcher = NodeProcess.python_module(
        'groups', 'rl_bringup.cli', ['sim', '--num-envs', '3', '--envs-per-process', '2',
                                     '--seed', '5', '--task', 'wall_following'],
        node_logs).start()
    try:
        launcher.wait_for_output('[env_group[env_0,env_1]] ', timeout=60)
        launcher.wait_for_output('[env_group[env_2]] ', timeout=60)
        assert [parameter(ros_node, f'/env_{k}/rl_env', 'seed') for k in range(3)] == [5, 6, 7]
        assert parameter(ros_node, '/env_2/rl_env', 'task') == 'wall_following'
        vec = RosVecEnv(['env_0', 'env_1', 'env_2'], timeout=30)
        try:
            assert sorted(sorted(i) for i in vec._batches.values()) == [[0, 1], [2]]
            assert vec.reset().shape[0] == 3
        finally:
            vec.close()
        [group] = [pid for pid in env_domain_processes(ros_domain)
                   if b'env_0' in proc_file(pid, 'cmdline')]
        os.kill(group, signal.SIGKILL)
        launcher.wait_for_output('env_group[env_0,env_1] exited with status', timeout=30)
        deadline = time.monotonic() + 60
        while launcher.output().count('batch ready: env_0, env_1') < 2:
            assert time.monotonic() < deadline, launcher.output()[-3000:]
            time.sleep(0.2)
        assert parameter(ros_node, '/env_1/rl_env', 'seed', attempts=6) == 6   # back, own seed
        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(60) == 0
        assert env_domain_processes(ros_domain) == set(), launcher.output()
    finally:
        launcher.stop()


@pytest.mark.parametrize('command,launch_file', [
    (['train', '--num-envs', '2'], 'train.launch.py'), (['sim'], 'sim.launch.py'),
    (['eval', 'model.zip'], 'eval.launch.py')])
def test_webots_is_refused_with_what_to_do_before_anything_starts(tmp_path, command,
                                                                  launch_file):
    run_dir = tmp_path / 'run'
    extra = ['--run-dir', str(run_dir)] if command[0] == 'train' else []
    cli = subprocess.run([sys.executable, '-m', 'rl_bringup.cli', *command, '--sim', 'webots',
                          *extra], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert cli.returncode == 2, cli.stdout + cli.stderr
    assert f'`ros2 launch rl_bringup {launch_file} sim:=webots`' in cli.stderr
    assert 'Webots and webots_ros2; here use --sim mujoco or mujoco_separate' in cli.stderr
    assert not run_dir.exists() and list(tmp_path.iterdir()) == []


def test_the_launcher_refuses_a_graph_with_a_launch_file(tmp_path):
    graph = bringup_graph(GraphOptions(num_envs=2, sim='webots', agent={}))
    with pytest.raises(LaunchError, match="sim 'webots' cannot start here"):
        Launcher(graph, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_rl_train_envs_rejects_num_envs():
    cli = subprocess.run([sys.executable, '-m', 'rl_bringup.cli', 'train', '--envs',
                          'env_0,env_1', '--num-envs', '2'],
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 2
    assert 'give --envs alone' in cli.stderr


def test_rl_train_envs_trains_on_env_nodes_started_elsewhere(ros_domain, node_logs, tmp_path):
    envs = NodeProcess.python_module('envs', 'rl_bringup.cli',
                                     ['sim', '--num-envs', '2', '--envs-per-process', '1'],
                                     node_logs).start()
    try:
        envs.wait_for_output('[env_1/rl_env]', timeout=60)
        envs.wait_for_output('[env_0/rl_env]', timeout=60)
        started = env_domain_processes(ros_domain)
        config = tmp_path / 'config' / 'ppo.yaml'
        config.parent.mkdir()
        config.write_text(yaml.safe_dump(SHORT_PPO))
        run_dir = tmp_path / 'run'
        train = NodeProcess.python_module(
            'train', 'rl_bringup.cli',
            ['train', '--envs', 'env_0,env_1', '--config', str(config), '--record', 'all',
             '--success-target', '0', '--run-dir', str(run_dir)], node_logs).start()
        assert train.wait(300) == 0, train.output()
        output = train.output()
        assert 'env_0,env_1 (running elsewhere)' in output
        assert 'starting episode_recorder' in output and 'starting env_' not in output
        assert env_domain_processes(ros_domain) == started  # the same env nodes, no others
        summary = yaml.safe_load((run_dir / 'summary.json').read_text())
        assert summary['steps'] >= 1024
        assert list((run_dir / 'bags').glob('env_*_ep*/metadata.yaml'))
    finally:
        envs.stop()


def test_a_monitor_that_keeps_dying_is_left_down_while_the_run_goes_on(tmp_path, monkeypatch,
                                                                      caplog):
    from rl_bringup.launcher import RespawnPolicy

    # Stand-ins run as `python -m` modules: a monitor that dies at once, an agent that works.
    (tmp_path / 'dying_monitor.py').write_text('raise SystemExit(3)\n')
    (tmp_path / 'working_agent.py').write_text('import time\ntime.sleep(3.0)\n')
    monkeypatch.setenv('PYTHONPATH', f"{tmp_path}:{os.environ.get('PYTHONPATH', '')}")
    graph = [NodeSpec('monitor', 'rl_monitor', 'monitor_node', 'dying_monitor', 'rl_monitor',
                      respawn=True),
             NodeSpec('agent', 'rl_agent_node', 'agent_node', 'working_agent', 'rl_agent')]
    policy = RespawnPolicy(max_respawns=2, first_delay=0.1)
    caplog.set_level('INFO', logger='rl.launcher')
    assert Launcher(graph, tmp_path, policy).run() == 0
    assert 'rl_monitor stays down; the run goes on without it' in caplog.text
    assert 'agent exited with status 0' in caplog.text
    # The same deaths of a node the run needs end the run.
    recorder = NodeSpec('recorder', 'rl_bringup', 'episode_recorder', 'dying_monitor',
                        'episode_recorder', respawn=True)
    assert Launcher([recorder, graph[1]], tmp_path, policy).run() == 1
