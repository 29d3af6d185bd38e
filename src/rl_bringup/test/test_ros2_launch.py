"""The front door as users type it: ``ros2 launch rl_bringup ...`` and the ros2 command line.

Every test runs the real ``ros2`` (a ROS 2 install's, or the one built from
``../shared/ros2-cli``; skipped with the reason where neither exists) in a
process group of its own, on the session's private ROS domain, from a
scratch folder (so ``runs/`` lands there). A terminal's Ctrl-C is SIGINT to
that group; ``docker stop`` and ``systemctl stop`` send SIGTERM to
``ros2 launch`` alone. Training runs use a small PPO (``overrides``) so that
each takes seconds.
"""

from __future__ import annotations

import ast
import json
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from launch_arguments import tuple_names

from rl_agent_node.checkpoint import latest_checkpoint, read_meta
from rl_agent_node.knobs import flag_name, knob_fields
from rl_agent_node.train_settings import TrainSettings
from rl_bringup.agent_commands import rl_train_plan
from rl_bringup.cli import build_parser
from rl_bringup.graph import MonitorKnobs
from rl_bringup.training_run import TrainingRun
from rl_testing import NodeProcess

LAUNCH_DIR = Path(__file__).resolve().parents[1] / 'launch'
CONFIG_DIR = Path(__file__).resolve().parents[2] / 'rl_agent_node' / 'config'
#: PPO in seconds: rollouts of 2 x 256 steps, a checkpoint and a 4-episode evaluation per 1024.
SMALL = ('{n_steps: 256, batch_size: 128, n_epochs: 2, eval_freq: 1024, n_eval_episodes: 4, '
         'checkpoint_freq: 1024, log_freq: 512}')
#: What a finished run directory holds (the issue's list).
RUN_FILES = ('config.yaml', 'checkpoints', 'best', 'final', 'tb', 'metrics.csv',
             'learning_curve.png', 'summary.json', 'bags')


def described_arguments(path: Path) -> set[str]:
    """The names in the argument table a launch file hands ``describe``, read from its source."""
    tree = ast.parse(path.read_text())
    [call] = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
              and getattr(node.func, 'id', '') == 'describe']
    return set(tuple_names(path, call.args[0].id))


def launch(ros2_cli, logs: Path, cwd: Path, name: str, *args: str) -> NodeProcess:
    """``ros2 launch rl_bringup <args>`` started in ``cwd``, its output in ``logs/<name>.log``."""
    return NodeProcess(name, ['ros2', 'launch', 'rl_bringup', *args], logs,
                       env=ros2_cli.environment(), cwd=cwd).start()


def ended(process: NodeProcess, timeout: float) -> int:
    """The exit status, failing with the log when the launch does not end by itself."""
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.stop()
        raise AssertionError(f'{process.name} did not end within {timeout} s:\n'
                             f'{process.output()[-4000:]}') from None


def only_run(cwd: Path) -> Path:
    (run,) = (cwd / 'runs').iterdir()
    return run


def summary_of(run: Path) -> dict:
    return json.loads((run / 'summary.json').read_text())


@pytest.fixture
def scratch(tmp_path):
    folder = tmp_path / 'work'
    folder.mkdir()
    return folder


@pytest.fixture(scope='module')
def finished_run(ros2_cli, tmp_path_factory):
    """``train.launch.py num_envs:=2`` with a small budget, run to its end."""
    cwd = tmp_path_factory.mktemp('train')
    process = launch(ros2_cli, cwd, cwd, 'train', 'train.launch.py', 'num_envs:=2',
                     'total_steps:=2048', f'overrides:={SMALL}', 'record:=all',
                     'monitor_port:=0')
    status = ended(process, timeout=240)
    return status, only_run(cwd), process.output()


@pytest.mark.parametrize('path', sorted(LAUNCH_DIR.glob('*.launch.py')), ids=lambda p: p.name)
def test_show_args_lists_every_argument_with_its_description(ros2_cli, path):
    result = ros2_cli.run('launch', 'rl_bringup', path.name, '--show-args')
    assert result.returncode == 0, result.stderr
    shown = dict(re.findall(r"^    '(\w+)':\n        (.+)$", result.stdout, re.MULTILINE))
    expected = ({f.name for f in (*knob_fields(TrainingRun), *knob_fields(MonitorKnobs))}
                if path.name == 'train.launch.py' else described_arguments(path))
    assert set(shown) == expected
    assert all(text.strip() and not text.startswith('(default') for text in shown.values())


def test_sim_launch_serves_reset_step_spec_topics_and_parameters(ros2_cli, node_logs, scratch):
    sim = launch(ros2_cli, node_logs, scratch, 'sim', 'sim.launch.py', 'seed:=4')
    try:
        sim.wait_for_output('env ready', timeout=60)
        reset = ros2_cli.run('service', 'call', '/reset', 'rl_interfaces/srv/Reset',
                             '{seed: 1}')
        assert reset.returncode == 0 and 'success=True' in reset.stdout, reset.stdout
        echo = subprocess.Popen(
            ['ros2', 'topic', 'echo', '--once', '/odom', 'nav_msgs/msg/Odometry'],
            env=ros2_cli.environment(), stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while echo.poll() is None and time.monotonic() < deadline:
            step = ros2_cli.run('service', 'call', '/step', 'rl_interfaces/srv/Step',
                                '{action: [0.2, 0.0, 0.0]}')
            assert step.returncode == 0 and 'success=True' in step.stdout, step.stdout
        odom, _ = echo.communicate(timeout=10)
        assert 'frame_id: odom' in odom and 'child_frame_id: base_link' in odom
        spec = ros2_cli.run('service', 'call', '/get_spec', 'rl_interfaces/srv/GetSpec')
        assert "task='goal_reaching'" in spec.stdout and 'control_period=0.1' in spec.stdout
        seed = ros2_cli.run('param', 'get', '/rl_env', 'seed')
        assert 'Integer value is: 4' in seed.stdout, seed.stdout
        bad = ros2_cli.run('service', 'call', '/step', 'rl_interfaces/srv/Step',
                           '{action: [1.0]}')
        assert 'success=False' in bad.stdout   # answered, and the node goes on serving
    finally:
        sim.interrupt_group()
        assert sim.wait(30) == 0, sim.output()


def test_sim_launch_groups_envs_each_with_its_parameters_and_serves_batches(
        ros2_cli, node_logs, scratch):
    sim = launch(ros2_cli, node_logs, scratch, 'groups', 'sim.launch.py', 'num_envs:=3',
                 'envs_per_process:=2', 'seed:=4')
    try:
        sim.wait_for_output('batch ready: env_0, env_1', timeout=60)
        sim.wait_for_output('batch ready: env_2', timeout=60)
        reset = ros2_cli.run('service', 'call', '/env_0/reset_batch',
                             'rl_interfaces/srv/ResetBatch',
                             '{namespaces: [env_0, env_1], seeds: [1, 2]}')
        assert 'success=True' in reset.stdout, reset.stdout + reset.stderr
        step = ros2_cli.run('service', 'call', '/env_0/step_batch', 'rl_interfaces/srv/StepBatch',
                            '{namespaces: [env_0, env_1], actions: [0.3, 0, 0, 0.3, 0, 0]}')
        assert 'success=True' in step.stdout, step.stdout + step.stderr
        alone = ros2_cli.run('service', 'call', '/env_2/step', 'rl_interfaces/srv/Step',
                             '{action: [0.2, 0.0, 0.0]}')
        assert 'success=' in alone.stdout   # a grouped env keeps its own services
        # ros2 param looks the node up in its graph first, which a fresh CLI may not yet hold.
        for k in range(3):
            seed = ros2_cli.run('param', 'get', f'/env_{k}/rl_env', 'seed')
            if 'Node not found' in seed.stdout + seed.stderr:
                seed = ros2_cli.run('param', 'get', f'/env_{k}/rl_env', 'seed')
            assert f'Integer value is: {4 + k}' in seed.stdout, seed.stdout + seed.stderr
    finally:
        sim.interrupt_group()
        assert sim.wait(30) == 0, sim.output()


#: A value other than the default for every agent knob but resume (the resume tests' own).
GIVEN = {'algo': 'sac', 'task': 'wall_following', 'config': 'tuned/sac.yaml', 'total_steps': 777,
         'seed': 5, 'success_target': 0.5, 'overrides': '{learning_starts: 10}',
         'run_dir': 'runs/given'}


def test_every_knob_reaches_the_agent_alike_through_ros2_launch_and_rl_train(
        ros2_cli, node_logs, scratch, monkeypatch):
    assert set(GIVEN) | {'resume'} == {f.name for f in knob_fields(TrainSettings)}
    # Planning reads the config (its realism goes to the env nodes): give the one named.
    config = scratch / GIVEN['config']
    config.parent.mkdir(parents=True)
    config.write_text((CONFIG_DIR / 'sac.yaml').read_text())
    monkeypatch.chdir(scratch)
    # --launch-prefix echo prints each node's command instead of running it, so the agent
    # "ends" at once and the launch with it; launch_ros's params files hold what each got.
    process = NodeProcess(
        'echo_launch', ['ros2', 'launch', '--launch-prefix', 'echo', 'rl_bringup',
                        'train.launch.py', 'num_envs:=3', 'record:=none',
                        *(f'{name}:={value}' for name, value in GIVEN.items())],
        node_logs, env=ros2_cli.environment(TMPDIR=str(scratch)), cwd=scratch).start()
    assert ended(process, timeout=60) == 0, process.output()
    # An env group's file (rl_bringup.launch_nodes) is keyed by node, one entry per env.
    files = [yaml.safe_load(path.read_text()) for pattern in ('launch_params_*', 'rl_env_group_*')
             for path in scratch.glob(pattern)]
    parameters = [entry['ros__parameters'] for f in files for entry in f.values()]
    [agent] = [p for p in parameters if p.get('mode') == 'train']
    assert {name: agent[name] for name in GIVEN} == GIVEN
    envs = [p for p in parameters if 'simulator' in p]
    assert sorted(p['seed'] for p in envs) == [5, 6, 7]
    assert {p['task'] for p in envs} == {'wall_following'}

    flags = [item for name, value in GIVEN.items() for item in (flag_name(name), str(value))]
    args = build_parser().parse_args(['train', '--num-envs', '3', '--record', 'none', *flags])
    _, graph = rl_train_plan(args)
    from_cli = graph[-1].parameters
    assert {**from_cli, 'progress_bar': False} == agent


def test_train_launch_ends_by_itself_with_everything_in_the_run_directory(finished_run):
    status, run, output = finished_run
    assert status == 0, output[-4000:]
    assert all((run / name).exists() for name in RUN_FILES), sorted(p.name for p in run.iterdir())
    assert summary_of(run)['outcome'] == 'completed' and summary_of(run)['steps'] == 2048
    assert list((run / 'bags').glob('*/metadata.yaml')), 'record:=all writes bags in the run'
    assert 'the agent finished' in output or 'process has finished cleanly' in output
    assert 'monitor at http://' in output   # the monitor is on by default, its URL logged


def test_eval_launch_evaluates_a_trained_model_and_ends(ros2_cli, finished_run, node_logs,
                                                          scratch):
    _, run, _ = finished_run
    process = launch(ros2_cli, node_logs, scratch, 'eval', 'eval.launch.py',
                     f'model:={run}', 'seeds:=10000-10002')
    assert ended(process, timeout=120) == 0, process.output()[-4000:]
    assert 'success rate:' in process.output()
    assert list(run.glob('**/evaluation*.json')), 'the evaluation is written beside the model'


def test_deploy_launch_takes_a_goal_from_ros2_action_and_stops_on_ctrl_c(ros2_cli, finished_run,
                                                                         node_logs, scratch):
    _, run, _ = finished_run
    deploy = launch(ros2_cli, node_logs, scratch, 'deploy', 'deploy.launch.py',
                    f'model:={run / "best" / "model.zip"}', 'robot:=sim',
                    'scenario:=empty_room')
    try:
        deploy.wait_for_output('send goals', timeout=90)
        echo = subprocess.Popen(
            ['ros2', 'topic', 'echo', '--once', '/cmd_vel', 'geometry_msgs/msg/Twist'],
            env=ros2_cli.environment(), stdout=subprocess.PIPE, text=True)
        # A policy of 2048 steps does not get far: the goal runs out of its 400 periods or
        # hits something, and ros2 action reports how it ended either way.
        sent = ros2_cli.run('action', 'send_goal', '--feedback', '/navigate_to_goal',
                            'rl_interfaces/action/NavigateToGoal',
                            '{pose: {header: {frame_id: odom}, pose: {position: {x: 0.5}}}}',
                            timeout=90)
        assert 'Goal accepted' in sent.stdout, sent.stdout + sent.stderr
        assert 'distance_remaining' in sent.stdout and 'Goal finished with status' in sent.stdout
        twist, _ = echo.communicate(timeout=10)   # the agent drove the stand-in meanwhile
        assert 'linear:' in twist, twist
    finally:
        deploy.interrupt_group()
        status = deploy.wait(60)
    assert status == 0, deploy.output()[-4000:]
    assert 'deploy ended after 1 goals' in deploy.output()


def test_wall_following_trains_end_to_end_through_the_launch(ros2_cli, node_logs, scratch):
    process = launch(ros2_cli, node_logs, scratch, 'wall', 'train.launch.py',
                     'task:=wall_following', 'num_envs:=2', 'seed:=3', 'total_steps:=1024',
                     f'overrides:={SMALL}', 'record:=none')
    assert ended(process, timeout=240) == 0, process.output()[-4000:]
    run = only_run(scratch)
    assert run.name.startswith('wall_following_ppo_3_')
    summary = summary_of(run)
    assert (summary['task'], summary['outcome'], summary['steps']) == (
        'wall_following', 'completed', 1024)


@pytest.mark.parametrize('how', ['ctrl_c', 'sigterm'])
def test_a_stopped_launch_saves_a_checkpoint_and_resume_continues_it(ros2_cli, node_logs,
                                                                      scratch, how):
    process = launch(ros2_cli, node_logs, scratch, f'train_{how}', 'train.launch.py',
                     'num_envs:=2', 'total_steps:=1000000', 'record:=none',
                     f'overrides:={SMALL}')
    process.wait_for_output('checkpoint at step', timeout=120)   # a few rollouts in
    if how == 'ctrl_c':
        process.interrupt_group()
    else:
        process.send_signal(signal.SIGTERM)
    assert ended(process, timeout=150) == 0, process.output()[-4000:]
    run = only_run(scratch)
    step = read_meta(latest_checkpoint(run / 'checkpoints'))['step']
    assert step > 0 and summary_of(run)['outcome'] == 'interrupted'
    assert summary_of(run)['steps'] == step

    resumed = launch(ros2_cli, node_logs, scratch, f'resume_{how}', 'train.launch.py',
                     f'resume:={run}', f'total_steps:={step + 1024}', 'record:=none')
    assert ended(resumed, timeout=240) == 0, resumed.output()[-4000:]
    assert f'from step {step}' in resumed.output()
    summary = summary_of(run)
    assert (summary['outcome'], summary['steps'], summary['starts']) == (
        'completed', step + 1024, 2)
    assert summary['envs'] == ['env_0', 'env_1']   # the run's own env count, unasked
