"""The agent over DDS: real env node processes, the agent as its own process.

Env nodes run as ``python -m rl_env_node.env_node`` in namespaces (their
MuJoCo simulator composed in), the agent as ``python -m rl_agent_node.cli``
or as the agent node; the tests kill, signal and restart them as an
operator or a crash would, and read what the run directory says.
"""

import json
import os
import re
import signal
import time

import pytest
import yaml
from rclpy.action import ActionClient
from rclpy.executors import SingleThreadedExecutor

from rl_agent_node.checkpoint import latest_checkpoint, read_meta
from rl_interfaces.action import NavigateToGoal
from rl_testing import NodeProcess, stop_all

PPO_SHORT = {'n_steps': 256, 'batch_size': 128, 'n_epochs': 2, 'log_freq': 512}


def flow(**keys):
    """Config keys as a one-line YAML mapping, the value of ``--overrides``."""
    return yaml.safe_dump(keys, default_flow_style=True).strip()


def overrides(**keys):
    """The agent node's ``overrides`` parameter: the short PPO keys and these, quoted."""
    return f"'{flow(**{**PPO_SHORT, **keys})}'"


def env_node(logs, namespace, *params, name=None):
    args = ['--ros-args', '-r', f'__ns:=/{namespace}', '-p', 'publish_robot_topics:=false']
    for param in params:
        args += ['-p', param]
    return NodeProcess.python_module(name or namespace, 'rl_env_node.env_node', args,
                                     logs).start()


def started(*processes):
    for process in processes:
        process.wait_for_output('ready', timeout=60)
    return list(processes)


def agent_cli(logs, name, *args):
    return NodeProcess.python_module(name, 'rl_agent_node.cli', list(args), logs).start()


def agent_node(logs, name, **params):
    args = ['--ros-args']
    for key, value in params.items():
        args += ['-p', f'{key}:={value}']
    return NodeProcess.python_module(name, 'rl_agent_node.agent_node', args, logs).start()


def finished(process, timeout=240):
    status = process.wait(timeout)
    assert status == 0, process.output()
    return process.output()


def wait_until(predicate, timeout, what, process):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        assert process.poll() is None, f'{process.name} ended early:\n{process.output()}'
        time.sleep(0.1)
    raise AssertionError(f'timed out after {timeout} s waiting for {what}:\n{process.output()}')


def only_run(root):
    runs = [p for p in root.iterdir() if p.is_dir()] if root.is_dir() else []
    return runs[0] if len(runs) == 1 else None


def csv_steps(run):
    path = run / 'metrics.csv'
    if not path.is_file():
        return []
    return [int(line.split(',')[0]) for line in path.read_text().splitlines()[1:]]


@pytest.fixture(scope='module')
def env_nodes(ros_domain, tmp_path_factory):
    logs = tmp_path_factory.mktemp('env_logs')
    processes = started(env_node(logs, 'env_0'), env_node(logs, 'env_1'))
    yield processes
    stop_all(processes)


@pytest.fixture(scope='module')
def ppo_run(env_nodes, tmp_path_factory):
    """A short PPO run by the agent node over env_0 and env_1."""
    root = tmp_path_factory.mktemp('runs')
    logs = tmp_path_factory.mktemp('agent_logs')
    agent = agent_node(
        logs, 'ppo_agent', mode='train', envs='env_0,env_1', runs_root=str(root),
        total_steps=2048,
        overrides=overrides(eval_freq=1024, n_eval_episodes=2, checkpoint_freq=1024))
    output = finished(agent)
    return only_run(root), output


def test_ppo_over_env_nodes_leaves_checkpoints_tensorboard_and_csv(ppo_run):
    run, output = ppo_run
    assert 'outcome' in output and 'completed' in output
    checkpoint = latest_checkpoint(run / 'checkpoints')
    assert read_meta(checkpoint)['step'] == 2048
    assert (checkpoint / 'vecnormalize.pkl').is_file() and (checkpoint / 'rng.pkl').is_file()
    assert list((run / 'tb' / 'PPO').glob('events.out.tfevents.*'))
    steps = csv_steps(run)
    assert steps == sorted(steps) and steps[-1] == 2048
    summary = json.loads((run / 'summary.json').read_text())
    assert summary['envs'] == ['env_0', 'env_1'] and summary['episodes'] >= 0
    assert (run / 'best' / 'model.zip').is_file() and (run / 'learning_curve.png').is_file()


def test_sac_over_env_nodes_checkpoints_its_replay_buffer(env_nodes, tmp_path, node_logs):
    runs = tmp_path / 'runs'
    agent = agent_cli(node_logs, 'sac_agent', 'train', '--algo', 'sac', '--envs', 'env_0',
                      'env_1', '--runs-root', str(runs), '--total-steps', '1200',
                      '--overrides', flow(
                          learning_starts=400, batch_size=64, buffer_size=5000,
                          policy_kwargs={'net_arch': [64, 64]}, gradient_steps=1,
                          checkpoint_freq=600, eval_freq=0, log_freq=200))
    finished(agent)
    run = only_run(runs)
    checkpoint = latest_checkpoint(run / 'checkpoints')
    assert read_meta(checkpoint)['step'] == 1200
    assert (checkpoint / 'replay_buffer.pkl').is_file()
    assert list((run / 'tb' / 'SAC').glob('events.out.tfevents.*'))
    assert csv_steps(run)[-1] == 1200


def test_a_killed_agent_resumes_from_its_last_checkpoint(env_nodes, tmp_path, node_logs):
    runs = tmp_path / 'runs'
    agent = agent_cli(node_logs, 'doomed_agent', 'train', '--envs', 'env_0', 'env_1',
                      '--runs-root', str(runs), '--total-steps', '100000',
                      '--overrides', flow(n_steps=128, n_epochs=1, eval_freq=0,
                                               checkpoint_freq=512, log_freq=256))

    def two_checkpoints():
        run = only_run(runs)
        newest = run and latest_checkpoint(run / 'checkpoints')
        return newest is not None and read_meta(newest)['step'] >= 1024

    wait_until(two_checkpoints, 180, 'two checkpoints', agent)
    os.killpg(agent.pid, signal.SIGKILL)
    agent.wait(10)
    run = only_run(runs)
    step = read_meta(latest_checkpoint(run / 'checkpoints'))['step']
    resumed = agent_cli(node_logs, 'resumed_agent', 'train', '--resume', str(run),
                        '--total-steps', str(step + 512))
    output = finished(resumed)
    assert f'from step {step} ' in output
    summary = json.loads((run / 'summary.json').read_text())
    assert summary['steps'] == step + 512 and summary['starts'] == 2
    steps = csv_steps(run)
    assert steps == sorted(steps) and steps[-1] == step + 512
    assert len(list((run / 'tb' / 'PPO').glob('events.out.tfevents.*'))) == 2


def test_sigterm_saves_a_checkpoint_and_exits_0(env_nodes, tmp_path, node_logs):
    runs = tmp_path / 'runs'
    agent = agent_node(node_logs, 'terminated_agent', mode='train', envs='env_0,env_1',
                       runs_root=str(runs), total_steps=100000,
                       overrides=overrides(eval_freq=0, checkpoint_freq=10**9, log_freq=256))
    wait_until(lambda: only_run(runs) and any(s >= 768 for s in csv_steps(only_run(runs))),
               180, 'the second rollout', agent)
    agent.send_signal(signal.SIGTERM)
    assert agent.wait(60) == 0, agent.output()
    run = only_run(runs)
    checkpoint = latest_checkpoint(run / 'checkpoints')
    step = read_meta(checkpoint)['step']
    assert step > 0 and step % 512 == 0, 'PPO stops at the start of the interrupted rollout'
    assert (checkpoint / 'model.zip').is_file()
    assert json.loads((run / 'summary.json').read_text())['outcome'] == 'interrupted'


def test_eval_over_ros_prints_the_success_rate(ppo_run, tmp_path, node_logs):
    run, _ = ppo_run
    output = tmp_path / 'eval.json'
    agent = agent_cli(node_logs, 'eval_agent', 'eval', str(run), '--envs', 'env_0',
                      '--episodes', '2', '--output', str(output))
    printed = finished(agent, timeout=120)
    assert re.search(r'^success rate: [01]\.\d\d$', printed, re.MULTILINE), printed
    result = json.loads(output.read_text())
    assert result['env'] == 'env_0' and result['episodes_run'] == 2


def test_deploy_runs_the_exported_policy_on_a_real_mode_env_node(ppo_run, node_logs,
                                                                 tmp_path, ros_node):
    run, _ = ppo_run
    policy = tmp_path / 'policy.pt'
    finished(agent_cli(node_logs, 'exporter', 'export', str(run), '--output', str(policy)))
    sim = NodeProcess.python_module(
        'robot', 'robotino_mujoco.sim_node',
        ['--ros-args', '-r', '__ns:=/robot', '-p', 'mode:=realtime',
         '-p', 'scenario:=empty_room'], node_logs).start()
    processes = started(sim)
    processes += started(env_node(node_logs, 'robot', 'mode:=real', 'max_episode_steps:=5',
                                  name='robot_env'))
    try:
        agent = agent_node(node_logs, 'deploy_agent', mode='deploy', model=str(policy),
                           env='robot', episodes=1)
        agent.wait_for_output('send goals', timeout=60)
        client = ActionClient(ros_node, NavigateToGoal, '/navigate_to_goal')
        assert client.wait_for_server(timeout_sec=60)
        executor = SingleThreadedExecutor(context=ros_node.context)
        executor.add_node(ros_node)
        goal = NavigateToGoal.Goal()
        goal.pose.pose.position.x = 1.0
        handle = client.send_goal_async(goal)
        executor.spin_until_future_complete(handle, timeout_sec=10)
        result = handle.result().get_result_async()
        executor.spin_until_future_complete(result, timeout_sec=30)
        # 5 control periods of an exported, barely trained policy: it runs out of time.
        assert result.result().result.steps == 5
        output = finished(agent, timeout=60)
    finally:
        stop_all(processes)
    assert 'goal timed_out' in output and 'deploy ended after 1 goals' in output


def test_training_survives_an_env_node_killed_and_replaced(ros_domain, tmp_path, node_logs):
    runs = tmp_path / 'runs'
    processes = started(env_node(node_logs, 'res_0'), env_node(node_logs, 'res_1'))
    try:
        agent = agent_cli(node_logs, 'resilient_agent', 'train', '--envs', 'res_0', 'res_1',
                          '--runs-root', str(runs), '--total-steps', '3072',
                          '--overrides', flow(n_steps=128, n_epochs=1, eval_freq=0,
                                                   env_timeout=2.0, log_freq=256))
        wait_until(lambda: only_run(runs) and any(
            s >= 512 for s in csv_steps(only_run(runs))), 180, 'training to run', agent)
        os.killpg(processes[1].pid, signal.SIGKILL)
        processes[1].wait(10)
        processes[1] = env_node(node_logs, 'res_1', name='res_1_again')
        output = finished(agent)
    finally:
        stop_all([processes[0]])
        processes[1].stop()
    assert 'env failure' in output and 'env nodes back after' in output
    summary = json.loads((only_run(runs) / 'summary.json').read_text())
    assert summary['env_recoveries'] == 1 and summary['steps'] == 3072


def test_the_agent_node_publishes_its_progress_until_finished(ros_node, tmp_path, node_logs):
    from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy

    from rl_interfaces.msg import TrainingProgress

    reports = []
    latched = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE,
                         durability=DurabilityPolicy.TRANSIENT_LOCAL)
    ros_node.create_subscription(TrainingProgress, '/training_progress', reports.append, latched)
    agent = agent_node(node_logs, 'reporting_agent', mode='train', envs='inprocess',
                       runs_root=str(tmp_path / 'runs'), total_steps=1024,
                       overrides=overrides(n_envs=2, eval_freq=512, n_eval_episodes=2))
    executor = SingleThreadedExecutor(context=ros_node.context)
    executor.add_node(ros_node)
    deadline = time.monotonic() + 240
    try:
        while not reports or reports[-1].status != 'finished':
            assert agent.poll() in (None, 0) and time.monotonic() < deadline, agent.output()
            executor.spin_once(timeout_sec=0.1)
        assert agent.wait(60) == 0, agent.output()
    finally:
        executor.remove_node(ros_node)
        agent.stop()
    statuses = [report.status for report in reports]
    assert statuses[0] == 'training' and statuses[-1] == 'finished' and 'evaluating' in statuses
    steps = [report.num_timesteps for report in reports]
    assert steps == sorted(steps) and steps[-1] == 1024
    last = reports[-1]
    assert last.run_name == only_run(tmp_path / 'runs').name and last.total_timesteps == 1024
    assert (last.algorithm, last.task) == ('ppo', 'goal_reaching')
    assert last.eval_timesteps == 1024 and 0.0 <= last.eval_success_rate <= 1.0
    assert last.steps_per_second > 0 and last.elapsed > 0 and last.time_left == 0.0
