"""Training, resuming and evaluating in process (RobotinoEnv, no ROS): the run directory.

The same code runs over env nodes in test_agent_ros.py; here it is fast
enough to check every file a run leaves behind.
"""

import csv
import json
import re
import threading

import pytest
import yaml
from stable_baselines3.common.save_util import load_from_pkl

from rl_agent_node import cli
from rl_agent_node.checkpoint import latest_checkpoint, list_checkpoints, read_meta
from rl_agent_node.train_settings import TrainSettings
from rl_agent_node.training import Outcome, TrainRequest, train

SHORT = ['--overrides', '{n_envs: 2, n_steps: 256, batch_size: 128, n_epochs: 2, eval_freq: 512, '
         'n_eval_episodes: 2, checkpoint_freq: 512, log_freq: 256}', '--no-progress']


def run_dir_of(root):
    (path,) = [p for p in root.iterdir() if p.is_dir()]
    return path


def csv_rows(path):
    with open(path, newline='') as source:
        return list(csv.DictReader(source))


@pytest.fixture(scope='module')
def ppo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp('runs')
    status = cli.main(['train', '--envs', 'inprocess', '--runs-root', str(root),
                       '--total-steps', '1536', '--seed', '3', *SHORT])
    assert status == 0
    return run_dir_of(root)


def test_a_run_directory_holds_everything(ppo_run):
    assert re.fullmatch(r'goal_reaching_ppo_3_\d{8}-\d{6}', ppo_run.name)
    config = yaml.safe_load((ppo_run / 'config.yaml').read_text())
    assert config['algo'] == 'ppo' and config['agent']['seed'] == 3
    assert config['hyperparams']['learning_rate'] == 'lin_3.0e-4'
    assert config['run'] == {'envs': ['inprocess'], 'eval_env': 'inprocess'}
    assert 'train --envs inprocess' in (ppo_run / 'command.txt').read_text()
    assert re.match(r'\S+ ([0-9a-f]{40}(-dirty)?|unknown)', (ppo_run / 'git.txt').read_text())
    checkpoints = list_checkpoints(ppo_run / 'checkpoints')
    assert len(checkpoints) == 2, 'keep_checkpoints is 2'
    newest = checkpoints[-1]
    for name in ('model.zip', 'vecnormalize.pkl', 'rng.pkl', 'meta.json'):
        assert (newest / name).is_file(), name
    assert read_meta(newest)['step'] == 1536
    assert read_meta(newest)['metrics']['counters']['episodes'] >= 0
    for folder in ('best', 'final'):
        assert (ppo_run / folder / 'model.zip').is_file()
        assert (ppo_run / folder / 'vecnormalize.pkl').is_file()
    assert list((ppo_run / 'tb' / 'PPO').glob('events.out.tfevents.*'))
    assert (ppo_run / 'learning_curve.png').read_bytes()[:4] == b'\x89PNG'
    summary = json.loads((ppo_run / 'summary.json').read_text())
    assert summary['outcome'] == 'completed' and summary['steps'] == 1536
    assert summary['last_eval']['step'] == 1536


def test_metrics_csv_has_training_and_evaluation_rows(ppo_run):
    rows = csv_rows(ppo_run / 'metrics.csv')
    steps = [int(r['step']) for r in rows]
    assert steps == sorted(steps) and steps[-1] == 1536
    evaluations = [r for r in rows if r['eval_success_rate']]
    assert [int(r['step']) for r in evaluations] == [512, 1024, 1536]
    assert all(0.0 <= float(r['eval_success_rate']) <= 1.0 for r in evaluations)


def test_resume_continues_step_counter_logs_and_csv(ppo_run, caplog):
    before = len(list((ppo_run / 'tb' / 'PPO').glob('events.out.tfevents.*')))
    with caplog.at_level('INFO'):
        status = cli.main(['train', '--resume', str(ppo_run), '--total-steps', '2048',
                           '--no-progress'])
    assert status == 0
    assert 'from step 1536' in caplog.text
    assert 'training 2048/2048 steps' in caplog.text   # no bar asked for: progress as log lines
    summary = json.loads((ppo_run / 'summary.json').read_text())
    assert summary['steps'] == 2048 and summary['starts'] == 2
    assert yaml.safe_load((ppo_run / 'config.yaml').read_text())['agent'][
        'total_steps'] == 2048
    assert len(list((ppo_run / 'tb' / 'PPO').glob('events.out.tfevents.*'))) == before + 1
    steps = [int(r['step']) for r in csv_rows(ppo_run / 'metrics.csv')]
    assert steps == sorted(steps) and steps[-1] == 2048
    assert (ppo_run / 'command.txt').read_text().count('train') == 2


def test_resuming_a_run_at_its_budget_finishes_it_without_training(ppo_run, caplog):
    steps = json.loads((ppo_run / 'summary.json').read_text())['steps']
    with caplog.at_level('INFO'):
        status = cli.main(['train', '--resume', str(ppo_run), '--total-steps', str(steps),
                           '--no-progress'])
    assert status == 0
    assert f'has its {steps} steps already' in caplog.text
    assert json.loads((ppo_run / 'final' / 'meta.json').read_text())['step'] == steps


def test_eval_prints_the_table_and_writes_json(ppo_run, capsys, tmp_path):
    output = tmp_path / 'eval.json'
    assert cli.main(['eval', str(ppo_run), '--episodes', '3', '--output', str(output)]) == 0
    lines = capsys.readouterr().out.splitlines()
    table_end = [line for line in lines if line.startswith('success rate')]
    assert len(table_end) == 1 and re.fullmatch(r'success rate: [01]\.\d\d', table_end[0])
    assert any(line.startswith('| collisions') for line in lines)
    result = json.loads(output.read_text())
    assert result['episodes_run'] == 3 and [e['seed'] for e in result['episodes']] == [
        2_000_000, 2_000_001, 2_000_002]


def test_a_stop_request_saves_a_checkpoint_and_ends_cleanly(tmp_path):
    stop = threading.Event()
    stop.set()
    settings = TrainSettings(overrides='{n_envs: 2, n_steps: 256, total_steps: 4096}')
    result = train(TrainRequest(settings, envs=('inprocess',), runs_root=tmp_path,
                                progress_bar=False), stop)
    assert result.outcome is Outcome.INTERRUPTED and result.exit_code == 0
    assert latest_checkpoint(result.run_dir / 'checkpoints') is not None
    assert not (result.run_dir / 'final').exists()


def test_sac_checkpoints_keep_the_replay_buffer_and_resume_from_it(tmp_path, caplog):
    overrides = ['--overrides', '{n_envs: 2, learning_starts: 100, batch_size: 32, '
                 'buffer_size: 2000, policy_kwargs: {net_arch: [32, 32]}, checkpoint_freq: 200, '
                 'eval_freq: 0}', '--no-progress']
    assert cli.main(['train', '--algo', 'sac', '--envs', 'inprocess', '--runs-root',
                     str(tmp_path), '--total-steps', '400', *overrides]) == 0
    run = run_dir_of(tmp_path)
    newest = latest_checkpoint(run / 'checkpoints')
    buffer = load_from_pkl(newest / 'replay_buffer.pkl')
    assert buffer.size() * 2 == read_meta(newest)['step'] == 400
    with caplog.at_level('INFO'):
        assert cli.main(['train', '--resume', str(run), '--total-steps', '600',
                         '--no-progress']) == 0
    assert 'from step 400' in caplog.text
    buffer = load_from_pkl(latest_checkpoint(run / 'checkpoints') / 'replay_buffer.pkl')
    assert buffer.size() * 2 == 600
