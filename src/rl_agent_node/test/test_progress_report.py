"""The progress reports of a training run, in process: what the hook gets, and when.

Real short PPO runs (RobotinoEnv in process, no ROS); the agent node turns
these records into ``training_progress`` messages (test_agent_ros.py).
"""

import math
import threading

from rl_agent_node.progress_report import ProgressRecord
from rl_agent_node.train_settings import TrainSettings
from rl_agent_node.training import Outcome, TrainRequest, train

SHORT = '{n_envs: 2, n_steps: 256, batch_size: 128, n_epochs: 1, eval_freq: 512, ' \
        'n_eval_episodes: 2, log_freq: 256}'


def run(tmp_path, hook, stop=None, total_steps=1024):
    settings = TrainSettings(total_steps=total_steps, seed=1, overrides=SHORT)
    return train(TrainRequest(settings, envs=('inprocess',), runs_root=tmp_path,
                              progress_bar=False, progress_hook=hook), stop)


def test_reports_go_from_training_through_evaluations_to_finished(tmp_path):
    records: list[ProgressRecord] = []
    result = run(tmp_path, records.append)
    assert result.outcome is Outcome.COMPLETED
    first, last = records[0], records[-1]
    assert (first.status, first.num_timesteps, first.episodes) == ('training', 0, 0)
    assert math.isnan(first.train_return_mean) and first.eval_timesteps == 0
    assert math.isnan(first.eval_success_rate)
    assert 'evaluating' in [r.status for r in records]
    assert [r.status for r in records].count('finished') == 1 and last.status == 'finished'
    steps = [r.num_timesteps for r in records]
    assert steps == sorted(steps) and last.num_timesteps == 1024
    assert (last.run_name, last.algorithm, last.task) == (result.run_dir.name, 'ppo',
                                                          'goal_reaching')
    assert last.total_timesteps == 1024 and last.eval_timesteps == 1024
    assert last.success_target == 0.9 and last.time_left == 0.0
    evaluations = result.summary['last_eval']
    assert last.eval_success_rate == evaluations['success_rate']
    assert last.eval_return_mean == evaluations['mean_return']
    assert last.episodes == result.summary['episodes']


def test_a_stopped_run_reports_interrupted(tmp_path):
    stop = threading.Event()
    records: list[ProgressRecord] = []

    def hook(record):
        records.append(record)
        if record.num_timesteps >= 256:
            stop.set()

    assert run(tmp_path, hook, stop, total_steps=4096).outcome is Outcome.INTERRUPTED
    assert records[-1].status == 'interrupted' and records[-1].num_timesteps < 4096


def test_a_failing_hook_never_ends_training(tmp_path):
    calls = []

    def hook(record):
        calls.append(record)
        raise RuntimeError('the monitor went away')

    assert run(tmp_path, hook, total_steps=512).outcome is Outcome.COMPLETED
    assert len(calls) == 1   # dropped after its first failure
