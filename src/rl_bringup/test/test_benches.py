"""The benchmarks keep running: each bench script, run small, prints its table and writes JSON.

Figures are never asserted here (they belong to the bench's own report);
only that the script runs end to end and reports every measurement.
"""

import json
import math
import subprocess
import sys

from rl_bringup.graph import auto_envs_per_process, usable_cores
from rl_testing.ros2_cli import repository_root

BENCH = repository_root() / 'bench'


def test_the_soak_bench_reports_the_env_node_and_every_training_process(tmp_path):
    out = tmp_path / 'soak.json'
    run = subprocess.run(
        [sys.executable, str(BENCH / 'soak_bench.py'), '--resets', '10', '--steps', '200',
         '--train-seconds', '5', '--out', str(out)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads(out.read_text())['results']
    assert {'rss_before_mb', 'rss_after_mb', 'growth_mb', 'growth_percent'} <= set(
        results['env_node'])
    train = results['train']
    assert {'launcher_mb', 'agent_mb', 'recorder_mb'} <= set(train)
    size = auto_envs_per_process(4, usable_cores())   # as rl train lays the 4 envs out
    kind = 'env_group_' if size > 1 else 'env_node_'
    assert sum(key.startswith(kind) for key in train) == math.ceil(4 / size), train
    assert 'memory over a long run' in run.stdout


def run_bench(tmp_path, script: str, *args: str) -> dict:
    """Run ``bench/<script>`` small; its JSON results, after checking the table was printed."""
    out = tmp_path / f'{script}.json'
    run = subprocess.run([sys.executable, str(BENCH / script), *args, '--out', str(out)],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f'wrote {out}' in run.stdout
    return json.loads(out.read_text())['results']


def test_the_sim_bench_reports_physics_control_resets_and_ros_advance(tmp_path):
    results = run_bench(tmp_path, 'sim_bench.py', '--seconds', '0.3')
    assert set(results) == {'physics', 'control', 'reset', 'ros_advance'}
    assert results['ros_advance']['advance_calls_per_s'] > 0
    assert results['control']['control_steps_per_s'] > 0


def test_the_env_bench_reports_every_layout_with_its_ratio(tmp_path):
    results = run_bench(tmp_path, 'env_bench.py', '--seconds', '0.5')
    assert set(results) == {'inprocess', 'ros_one', 'ros_one_recorded', 'ros_one_service',
                            'ros_four', 'ros_four_grouped', 'subproc_4', 'subproc_8',
                            'batch_1', 'batch_4', 'batch_4_dds', 'batch_8'}
    for name, values in results.items():
        assert values['steps_per_s'] > 0, name
        assert name.startswith(('inprocess', 'subproc')) or values['ratio_to_inprocess'] > 0
    for count in (4, 8):
        batch = results[f'batch_{count}']
        assert batch['ratio_to_subproc'] > 0 and batch['process_rss_mb'] > 0
        assert 'rss_per_extra_env_mb' in batch


def test_the_train_bench_reports_ppo_and_sac_in_process_and_over_ros(tmp_path):
    results = run_bench(tmp_path, 'train_bench.py', '--seconds', '1')
    assert set(results) == {'ppo_inprocess', 'ppo_ros_four', 'ppo_ros_batch_4',
                            'ppo_ros_batch_4_pipelined', 'ppo_ros_batch_4_recorded',
                            'ppo_ros_batch_4_dds',
                            'ppo_ros_batch_2x2', 'sac_inprocess',
                            'sac_ros_four', 'sac_ros_batch_4', 'sac_ros_batch_4_pipelined',
                            'sac_ros_batch_4_dds'}
    for name, values in results.items():
        assert values['steps_per_s'] > 0, name
        if not name.endswith('inprocess'):
            assert values['inprocess_steps_per_s'] > 0 and values['ratio_to_inprocess'] > 0, name


def test_the_deploy_bench_drives_goals_through_the_action_and_reports_both_policies(tmp_path):
    from rl_testing.policies import save_head_for_goal

    policy = save_head_for_goal(tmp_path / 'p.pt')
    results = run_bench(tmp_path, 'deploy_bench.py', '--goals', '1',
                        '--policy', f'ideal={policy}', '--policy', f'randomised={policy}')
    for name in ('ideal', 'randomised'):
        assert results[name]['goals'] == 1, results
        assert len(results[name]['per_goal']) == 1 and results[name]['per_goal'][0]['outcome']
    assert 'ratio_randomised_to_ideal' in results['comparison']


def test_the_monitor_bench_reports_one_run_with_the_page_closed_and_open(tmp_path):
    results = run_bench(tmp_path, 'monitor_bench.py', '--seconds', '2', '--num-envs', '2')
    run = results['rl_train']
    assert run['closed_steps_per_s'] > 0 and run['open_steps_per_s'] > 0
    assert len(run['windows_closed']) == len(run['windows_open']) == 2
    assert run['client'] in ('chromium', 'websocket') and run['open_to_closed'] > 0
