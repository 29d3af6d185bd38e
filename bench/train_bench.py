"""How fast the agent trains: SB3 learning steps per second, in process and over ROS, 4 envs.

::

    ./rl bench --only train      # or, in a sourced shell:
    python bench/train_bench.py [--seconds 20] [--only ppo_inprocess ppo_ros_four]

Each measurement builds the training VecEnv exactly as ``rl_agent_node``
does (VecMonitor, VecNormalize from the config, ResilientVecEnv over ROS),
with the package's default config for goal_reaching and 4 envs, and runs
``learn`` for the given wall time (after a warm-up for off-policy
algorithms, whose first ``learning_starts`` steps do no gradient work).
Over ROS the same 4 envs are served three ways: one env node process each
(``ros_four``), all in one batched ``env_group`` (``ros_batch_4``, what
``rl train`` starts on 2 cores), or two groups of two (``ros_batch_2x2``).
"""

from __future__ import annotations

import threading
import time

import torch
from report import Measurement, run_benchmarks
from ros_nodes import node_processes
from stable_baselines3.common.callbacks import BaseCallback

from rl_agent_node.config import ALGORITHMS, load_config, sb3_kwargs
from rl_agent_node.envs import make_training_env, normalized
from rl_testing import private_domain

_NAMESPACES = [f'env_{k}' for k in range(4)]
#: In-process rate per algorithm, measured first, so the ROS rows carry a ratio from one run.
_BASELINE: dict[str, float] = {}


class _StopAfter(BaseCallback):
    """Ends ``learn`` after ``seconds`` of wall time, counting the steps done."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self._seconds = seconds
        self._start = 0.0
        self.first_step = 0

    def _on_training_start(self) -> None:
        self._start = time.perf_counter()
        self.first_step = self.num_timesteps

    def _on_step(self) -> bool:
        return time.perf_counter() - self._start < self._seconds

    def rate(self) -> float:
        """Env steps per second since training started."""
        return (self.num_timesteps - self.first_step) / (time.perf_counter() - self._start)


def _learning_rate(algo: str, envs: list[str], seconds: float) -> dict:
    config = load_config(algo, 'goal_reaching', overrides={'n_envs': 4})
    torch.set_num_threads(config.agent.torch_threads)
    env = normalized(make_training_env(config, envs, threading.Event(), lambda n: n),
                     config, None)
    try:
        model = ALGORITHMS[algo](env=env, device='cpu', **sb3_kwargs(config, 3))
        warm_up = int(config.hyperparams.get('learning_starts', 0))
        if warm_up:
            model.learn(warm_up)
        meter = _StopAfter(seconds)
        model.learn(10**9, callback=meter, reset_num_timesteps=False)
        return {'steps_per_s': meter.rate(), 'torch_threads': config.agent.torch_threads}
    finally:
        env.close()


def _env_process(namespaces: list[str]) -> tuple[str, str, list[str], str]:
    """One env node alone, or an env group (batched) for several namespaces."""
    topics = ['-p', 'publish_robot_topics:=false']
    if len(namespaces) == 1:
        args = ['--ros-args', '-r', f'__ns:=/{namespaces[0]}', *topics]
        return (f'env_{namespaces[0]}', 'rl_env_node.env_node', args, 'env ready')
    return ('group_' + '_'.join(namespaces), 'rl_env_node.env_group',
            [*namespaces, '--ros-args', *topics], 'batch ready')


def _over_ros(algo: str, envs_per_process: int) -> Measurement:
    groups = [_NAMESPACES[k:k + envs_per_process]
              for k in range(0, len(_NAMESPACES), envs_per_process)]

    def measure(seconds: float) -> dict:
        with private_domain(), node_processes([_env_process(group) for group in groups]):
            result = _learning_rate(algo, _NAMESPACES, seconds)
        if algo in _BASELINE:
            result['ratio_to_inprocess'] = result['steps_per_s'] / _BASELINE[algo]
        return result

    return measure


def _in_process(algo: str) -> Measurement:
    def measure(seconds: float) -> dict:
        result = _learning_rate(algo, ['inprocess'], seconds)
        _BASELINE[algo] = result['steps_per_s']
        return result

    return measure


MEASUREMENTS: dict[str, Measurement] = {
    'ppo_inprocess': _in_process('ppo'),
    'ppo_ros_four': _over_ros('ppo', 1),
    'ppo_ros_batch_4': _over_ros('ppo', 4),
    'ppo_ros_batch_2x2': _over_ros('ppo', 2),
    'sac_inprocess': _in_process('sac'),
    'sac_ros_four': _over_ros('sac', 1),
    'sac_ros_batch_4': _over_ros('sac', 4),
}


def main(args: list[str] | None = None) -> int:
    """Run the measurements, print the table, write bench/results/train_bench.json."""
    return run_benchmarks('Agent training: env steps per second (4 envs)', 'train_bench',
                          MEASUREMENTS, 20.0, args)


if __name__ == '__main__':
    raise SystemExit(main())
