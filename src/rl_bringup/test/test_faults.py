"""Faults injected into a real ``rl train``: env nodes and the agent SIGKILLed, then a resume.

What an unattended run must survive: each env node outage is recovered from
and counted, a checkpoint is taken by wall time (here every second) so a
SIGKILLed agent loses at most that interval's training, and ``--resume``
continues from that checkpoint with the run's config unchanged but for
what the user gave, and counters that add up over the crashes.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys

import yaml

from rl_agent_node.checkpoint import latest_checkpoint, read_meta
from rl_testing import NodeProcess, domain_pids

#: A PPO that checkpoints by time only (every second), notices a dead env node quickly.
FAULT_PPO = ('{n_steps: 128, batch_size: 128, n_epochs: 1, eval_freq: 0, log_freq: 256, '
             'checkpoint_freq: 1000000000, checkpoint_interval_s: 1.0, env_timeout: 5.0}')
OUTAGES = 4


def train(node_logs, name, *args):
    return NodeProcess.python_module(
        name, 'rl_bringup.cli', ['train', '--num-envs', '2', '--record', 'all', *args],
        node_logs).start()


def next_checkpoint(process: NodeProcess) -> None:
    """Wait for the next 'checkpoint at step' line of ``process``."""
    before = process.output().count('checkpoint at step')
    while process.output().count('checkpoint at step') <= before:
        process.wait_for_output('checkpoint at step', timeout=60)


def test_env_node_and_agent_crashes_then_resume(ros_domain, node_logs, tmp_path):
    run_dir = tmp_path / 'run'
    first = train(node_logs, 'train', '--run-dir', str(run_dir), '--total-steps', '1000000',
                  '--overrides', FAULT_PPO)
    try:
        first.wait_for_output('checkpoint at step', timeout=120)
        for outage in range(1, OUTAGES + 1):
            # The two envs are one batched env_group process here (2 cores), or two env nodes.
            pids = domain_pids('rl_env_node.env_(node|group)', ros_domain)
            os.kill(pids[outage % len(pids)], signal.SIGKILL)   # each env process in turn
            while first.output().count('env nodes back after') < outage:
                first.wait_for_output('env nodes back after', timeout=120)
                assert first.poll() is None, first.output()[-3000:]
            next_checkpoint(first)   # training goes on before the next outage
        next_checkpoint(first)       # one after the outages, which must carry them
        [agent] = domain_pids('rl_agent_node.agent_node', ros_domain)
        os.kill(agent, signal.SIGKILL)
        assert first.wait(60) != 0   # the launcher ends with the agent's status
    finally:
        first.stop()
    # Noticed at once: a killed group's batch socket breaks off; env nodes over DDS
    # are noticed by their silence, within a second.
    assert re.search(r'batch socket \S+ broke off|batch socket \S+ is gone|no answer within 1 s',
                     first.output())
    assert 'no summary: the agent did not finish' in first.output()
    assert not (run_dir / 'summary.json').exists()
    checkpoint = latest_checkpoint(run_dir / 'checkpoints')
    saved = read_meta(checkpoint)
    assert saved['metrics']['counters']['recoveries'] == OUTAGES
    config_before = yaml.safe_load((run_dir / 'config.yaml').read_text())

    target = saved['step'] + 512
    second = train(node_logs, 'resume', '--resume', str(run_dir), '--total-steps', str(target))
    try:
        assert second.wait(300) == 0, second.output()[-3000:]
    finally:
        second.stop()
    assert f"from step {saved['step']}" in second.output()
    summary = json.loads((run_dir / 'summary.json').read_text())
    assert (summary['steps'], summary['starts'], summary['env_recoveries']) == (
        target, 2, OUTAGES)
    # Episode ids restart with each env node start; the bag names say which start, so no
    # name is taken twice (a taken one would get a _2 suffix).
    names = [path.name for path in (run_dir / 'bags').iterdir()]
    assert all(re.fullmatch(r'env_[01]_s\d\d_ep\d{6}', name) for name in names), names
    config_after = yaml.safe_load((run_dir / 'config.yaml').read_text())
    assert config_after['agent'].pop('total_steps') == target
    config_before['agent'].pop('total_steps')
    assert config_after == config_before   # only what the resume gave changed


def test_a_resume_of_a_run_without_checkpoint_says_so(ros_domain, node_logs, tmp_path):
    # The agent killed before its first checkpoint: the run directory holds a config only.
    run_dir = tmp_path / 'run'
    agent = NodeProcess.python_module(
        'agent', 'rl_agent_node.cli',
        ['train', '--envs', 'inprocess', '--run-dir', str(run_dir), '--total-steps', '256',
         '--overrides', '{n_envs: 1, n_steps: 128, batch_size: 128, n_epochs: 1, '
         'eval_freq: 0}', '--no-progress'], node_logs).start()
    assert agent.wait(300) == 0, agent.output()
    shutil.rmtree(run_dir / 'checkpoints')
    resumed = subprocess.run(
        [sys.executable, '-m', 'rl_agent_node.cli', 'train', '--resume', str(run_dir),
         '--no-progress'], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert 'has no checkpoint' in resumed.stderr and 'from step 0' in resumed.stderr
