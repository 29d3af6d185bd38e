"""The benchmarks keep running: each bench script, run small, prints its table and writes JSON.

Figures are never asserted here (they belong to the bench's own report);
only that the script runs end to end and reports every measurement.
"""

import json
import subprocess
import sys

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
    assert sum(key.startswith('env_node_') for key in train) == 4
    assert 'memory over a long run' in run.stdout
