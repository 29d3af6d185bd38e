"""How fast the agent trains: SB3 learning steps per second, in process and over ROS, 4 envs.

::

    ./rl bench --only train      # or, in a sourced shell:
    python bench/train_bench.py [--seconds 40] [--only ppo_inprocess ppo_ros_batch_4]

Each measurement builds the training VecEnv exactly as ``rl_agent_node``
does (VecMonitor, VecNormalize from the config, ResilientVecEnv over ROS),
with the package's default config for goal_reaching and 4 envs, and runs
``learn`` (after a warm-up for off-policy algorithms, whose first
``learning_starts`` steps do no gradient work). Over ROS the same 4 envs
are served four ways: one env node process each (``ros_four``), all in one
batched ``env_group`` over its same-host socket (``ros_batch_4``, what
``rl train`` starts on 2 cores) or over DDS (``ros_batch_4_dds``), or two
groups of two (``ros_batch_2x2``). These run SB3's own loop
(``pipelined_rollouts: false``); ``ppo_ros_batch_4_pipelined`` and
``sac_ros_batch_4_pipelined`` run what ``rl train`` runs by default,
``pipelined_rollouts: true``: PPO steps half the envs while the policy acts
for the other half (``rl_agent_node.pipelined_rollouts``), SAC does its
gradient steps while the envs step (``rl_agent_node.pipelined_updates``).
These serve no robot topics and record nothing; ``ppo_ros_batch_4_recorded``
adds what ``make train`` has besides: the env group's robot topics on and
the episode recorder at ``every:10``.

This machine's speed drifts by tens of percent within minutes, so a ROS
measurement alternates with the in-process model of the same algorithm:
:data:`ROUNDS` windows each, ``--seconds`` in all on each side. Its
``ratio_to_inprocess`` compares the two over the same minutes.
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import torch
from report import Measurement, run_benchmarks
from ros_nodes import node_processes
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback

from rl_agent_node.config import algorithm_class, load_config, sb3_kwargs
from rl_agent_node.envs import make_training_env, normalized
from rl_testing import private_domain

_NAMESPACES = [f'env_{k}' for k in range(4)]
#: Windows each side of an interleaved measurement.
ROUNDS = 4
#: The in-process model per algorithm, kept to alternate with every ROS one.
_IN_PROCESS: dict[str, BaseAlgorithm] = {}


class _StopAfter(BaseCallback):
    """Ends ``learn`` after ``seconds`` of wall time."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self._seconds = seconds
        self._start = 0.0

    def _on_training_start(self) -> None:
        self._start = time.perf_counter()

    def _on_step(self) -> bool:
        return time.perf_counter() - self._start < self._seconds


def _model(algo: str, envs: list[str], same_host_socket: bool = True,
           pipelined: bool = False) -> BaseAlgorithm:
    """A model on ``envs``, warmed up past ``learning_starts``."""
    config = load_config(algo, 'goal_reaching',
                         overrides={'n_envs': 4, 'same_host_socket': same_host_socket,
                                    'pipelined_rollouts': pipelined})
    torch.set_num_threads(config.agent.torch_threads)
    env = normalized(make_training_env(config, envs, threading.Event(), lambda n: n),
                     config, None)
    model = algorithm_class(config)(env=env, device='cpu', **sb3_kwargs(config, 3))
    warm_up = int(config.hyperparams.get('learning_starts', 0))
    if warm_up:
        model.learn(warm_up)
    return model


def _learn_for(model: BaseAlgorithm, seconds: float) -> tuple[int, float]:
    """Env steps done and wall time taken by ``seconds`` of ``learn``."""
    first, start = model.num_timesteps, time.perf_counter()
    model.learn(10**9, callback=_StopAfter(seconds), reset_num_timesteps=False)
    return model.num_timesteps - first, time.perf_counter() - start


def _in_process_model(algo: str) -> BaseAlgorithm:
    if algo not in _IN_PROCESS:
        _IN_PROCESS[algo] = _model(algo, ['inprocess'])
    return _IN_PROCESS[algo]


def _env_process(namespaces: list[str], robot_topics: bool = False,
                 ) -> tuple[str, str, list[str], str]:
    """One env node alone, or an env group (batched) for several namespaces."""
    topics = ['-p', f'publish_robot_topics:={str(robot_topics).lower()}']
    if len(namespaces) == 1:
        args = ['--ros-args', '-r', f'__ns:=/{namespaces[0]}', *topics]
        return (f'env_{namespaces[0]}', 'rl_env_node.env_node', args, 'env ready')
    return ('group_' + '_'.join(namespaces), 'rl_env_node.env_group',
            [*namespaces, '--ros-args', *topics], 'batch ready')


def _recorder(bags: Path) -> tuple[str, str, list[str], str]:
    """The episode recorder of ``rl train``, at its ``every:10``."""
    namespaces = '[' + ','.join(_NAMESPACES) + ']'
    return ('recorder', 'rl_bringup.recorder_node',
            ['--ros-args', '-p', f'namespaces:={namespaces}', '-p', f'bag_dir:={bags}',
             '-p', 'policy:=every:10'], 'recorder ready')


def _over_ros(algo: str, envs_per_process: int, same_host_socket: bool = True,
              pipelined: bool = False, recorded: bool = False) -> Measurement:
    groups = [_NAMESPACES[k:k + envs_per_process]
              for k in range(0, len(_NAMESPACES), envs_per_process)]

    def measure(seconds: float) -> dict:
        reference = _in_process_model(algo)
        with tempfile.TemporaryDirectory(prefix='rl_bench_bags_') as bags:
            processes = [_env_process(group, recorded) for group in groups]
            processes += [_recorder(Path(bags))] if recorded else []
            with private_domain(), node_processes(processes):
                model = _model(algo, _NAMESPACES, same_host_socket, pipelined)
                try:
                    windows = [(_learn_for(model, seconds / ROUNDS),
                                _learn_for(reference, seconds / ROUNDS)) for _ in range(ROUNDS)]
                finally:
                    model.get_env().close()
        rate, reference_rate = (sum(w[side][0] for w in windows) / sum(w[side][1] for w in windows)
                                for side in (0, 1))
        return {'steps_per_s': rate, 'inprocess_steps_per_s': reference_rate,
                'ratio_to_inprocess': rate / reference_rate}

    return measure


def _in_process(algo: str) -> Measurement:
    def measure(seconds: float) -> dict:
        steps, elapsed = _learn_for(_in_process_model(algo), seconds)
        return {'steps_per_s': steps / elapsed}

    return measure


MEASUREMENTS: dict[str, Measurement] = {
    'ppo_inprocess': _in_process('ppo'),
    'ppo_ros_four': _over_ros('ppo', 1),
    'ppo_ros_batch_4': _over_ros('ppo', 4),
    'ppo_ros_batch_4_pipelined': _over_ros('ppo', 4, pipelined=True),
    'ppo_ros_batch_4_recorded': _over_ros('ppo', 4, pipelined=True, recorded=True),
    'ppo_ros_batch_4_dds': _over_ros('ppo', 4, same_host_socket=False),
    'ppo_ros_batch_2x2': _over_ros('ppo', 2),
    'sac_inprocess': _in_process('sac'),
    'sac_ros_four': _over_ros('sac', 1),
    'sac_ros_batch_4': _over_ros('sac', 4),
    'sac_ros_batch_4_pipelined': _over_ros('sac', 4, pipelined=True),
    'sac_ros_batch_4_dds': _over_ros('sac', 4, same_host_socket=False),
}


def main(args: list[str] | None = None) -> int:
    """Run the measurements, print the table, write bench/results/train_bench.json."""
    return run_benchmarks('Agent training: env steps per second (4 envs)', 'train_bench',
                          MEASUREMENTS, 40.0, args)


if __name__ == '__main__':
    raise SystemExit(main())
