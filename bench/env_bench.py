"""How fast an agent steps the Robotino env: in-process, over ROS, and 4 envs at once.

::

    ./rl bench --only env        # or, in a sourced shell:
    python bench/env_bench.py [--seconds 5] [--only inprocess ros_one ros_four]

- ``inprocess``: the goal_reaching task on the MuJoCo simulator in this
  process (``RobotinoEnv``), random actions, resets included.
- ``ros_one``: one env node process (simulator composed in it) stepped by
  ``RosEnv`` from this process: one service hop per step.
- ``ros_one_service``: one env node stepping a separate sim node through
  ``sim/advance``: two hops per step, the path Webots takes.
- ``ros_one_recorded``: ``ros_one`` with the episode recorder (``every:10``)
  listening, as in ``rl train``: the cost of recording.
- ``ros_four``: four env node processes stepped together by ``RosVecEnv``.
- ``ros_four_grouped``: the same four env nodes, two per process (``env_group``),
  each process stepped in one ``step_batch`` call.
- ``batch_1``, ``batch_4``, ``batch_8``: K envs in one ``env_group`` process,
  stepped in one ``step_batch`` round trip per step over its same-host
  socket; with the process's resident memory, and per extra env (against
  ``batch_1``). ``batch_4_dds``: ``batch_4`` over the DDS services.
- ``subproc_4``, ``subproc_8``: the in-process reference with as many envs on
  all cores: SB3's ``SubprocVecEnv`` of ``RobotinoEnv``, one process per env.

Each ROS figure is also given as a ratio to ``inprocess``, and each batch
as a ratio to the ``SubprocVecEnv`` with as many envs, measured in the same run.
"""

from __future__ import annotations

import shutil
import tempfile

import numpy as np
from report import Measurement, run_benchmarks, timed
from ros_nodes import node_processes, rss_mb
from stable_baselines3.common.vec_env import SubprocVecEnv

from rl_env_client.ros_env import RosEnv
from rl_env_client.ros_vec_env import RosVecEnv
from rl_env_node.inprocess import RobotinoEnv
from rl_testing import private_domain

_BASELINE: dict[str, float] = {}


def _env_node(namespace: str, *params: str) -> tuple[str, str, list[str], str]:
    args = ['--ros-args', '-r', f'__ns:=/{namespace}']
    for param in params:
        args += ['-p', param]
    return (f'env_{namespace}', 'rl_env_node.env_node', args, 'env ready')


def _sim_node(namespace: str) -> tuple[str, str, list[str], str]:
    args = ['--ros-args', '-r', f'__ns:=/{namespace}', '-p', 'mode:=pause']
    return (f'sim_{namespace}', 'robotino_mujoco.sim_node', args, 'robotino sim ready')


def _step_gym_env(env, seconds: float) -> float:
    rng = np.random.default_rng(0)
    env.reset(seed=0)

    def steps() -> int:
        for _ in range(100):
            action = rng.uniform(-1.0, 1.0, size=env.action_space.shape).astype(np.float32)
            _, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                env.reset()
        return 100

    count, elapsed = timed(seconds, steps)
    return count / elapsed


def _with_ratio(steps_per_s: float) -> dict:
    result = {'steps_per_s': steps_per_s}
    if 'inprocess' in _BASELINE:
        result['ratio_to_inprocess'] = steps_per_s / _BASELINE['inprocess']
    return result


def bench_inprocess(seconds: float) -> dict:
    """Task + simulator in this process, no ROS."""
    env = RobotinoEnv()
    try:
        _BASELINE['inprocess'] = _step_gym_env(env, seconds)
    finally:
        env.close()
    return {'steps_per_s': _BASELINE['inprocess']}


def bench_ros_one(seconds: float) -> dict:
    """One env node (simulator inside it), stepped over one service hop."""
    with private_domain(), node_processes([_env_node('bench')]):
        env = RosEnv('bench')
        try:
            return _with_ratio(_step_gym_env(env, seconds))
        finally:
            env.close()


def bench_ros_one_recorded(seconds: float) -> dict:
    """``ros_one`` with the episode recorder subscribed, recording every 10th episode."""
    bags = tempfile.mkdtemp(prefix='rl_bench_bags_')
    recorder = ('recorder', 'rl_bringup.recorder_node',
                ['--ros-args', '-p', 'namespaces:=[bench]', '-p', f'bag_dir:={bags}',
                 '-p', 'policy:=every:10'], 'recorder ready')
    try:
        with private_domain(), node_processes([_env_node('bench'), recorder]):
            env = RosEnv('bench')
            try:
                return _with_ratio(_step_gym_env(env, seconds))
            finally:
                env.close()
    finally:
        shutil.rmtree(bags, ignore_errors=True)


def bench_ros_one_service(seconds: float) -> dict:
    """One env node stepping a separate sim node: agent -> env -> sim."""
    with private_domain(), node_processes(
            [_sim_node('bench'), _env_node('bench', 'simulator:=service')]):
        env = RosEnv('bench')
        try:
            return _with_ratio(_step_gym_env(env, seconds))
        finally:
            env.close()


def _step_vec(vec, seconds: float) -> float:
    """Env steps per second of a VecEnv (all envs counted) under random actions."""
    rng = np.random.default_rng(0)
    vec.seed(0)
    vec.reset()
    batches = max(1, 100 // vec.num_envs)

    def steps() -> int:
        for _ in range(batches):
            vec.step_async(rng.uniform(-1.0, 1.0, size=(vec.num_envs, *vec.action_space.shape)))
            vec.step_wait()
        return batches * vec.num_envs

    count, elapsed = timed(seconds, steps)
    return count / elapsed


def _step_ros_vec(namespaces: list[str], seconds: float, same_host_socket: bool = True) -> float:
    vec = RosVecEnv(namespaces, same_host_socket=same_host_socket)
    try:
        return _step_vec(vec, seconds)
    finally:
        vec.close()


def bench_ros_four(seconds: float) -> dict:
    """Four env nodes, each in its own process, stepped concurrently through the VecEnv client."""
    namespaces = [f'env_{k}' for k in range(4)]
    with private_domain(), node_processes([_env_node(ns) for ns in namespaces]):
        return {**_with_ratio(_step_ros_vec(namespaces, seconds)), 'envs': 4}


def bench_ros_four_grouped(seconds: float) -> dict:
    """Four env nodes, two per ``env_group`` process, stepped through the VecEnv client."""
    namespaces = [f'env_{k}' for k in range(4)]
    groups = [(f'group_{k}', 'rl_env_node.env_group', namespaces[2 * k:2 * k + 2], 'env ready')
              for k in range(2)]
    with private_domain(), node_processes(groups):
        return {**_with_ratio(_step_ros_vec(namespaces, seconds)), 'envs': 4, 'processes': 2}


def _subproc(count: int) -> Measurement:
    def measure(seconds: float) -> dict:
        vec = SubprocVecEnv([RobotinoEnv] * count)
        try:
            _BASELINE[f'subproc_{count}'] = _step_vec(vec, seconds)
        finally:
            vec.close()
        return {'steps_per_s': _BASELINE[f'subproc_{count}'], 'envs': count}

    return measure


def _batch(count: int, same_host_socket: bool = True) -> Measurement:
    def measure(seconds: float) -> dict:
        namespaces = [f'env_{k}' for k in range(count)]
        group = ('group', 'rl_env_node.env_group', namespaces, 'batch ready')
        with private_domain(), node_processes([group]) as [process]:
            rate = _step_ros_vec(namespaces, seconds, same_host_socket)
            rss = rss_mb(process.pid)
        if same_host_socket:
            _BASELINE[f'batch_{count}_rss'] = rss
        result = {**_with_ratio(rate), 'envs': count, 'process_rss_mb': rss}
        if f'subproc_{count}' in _BASELINE:
            result['ratio_to_subproc'] = rate / _BASELINE[f'subproc_{count}']
        if count > 1 and 'batch_1_rss' in _BASELINE:
            result['rss_per_extra_env_mb'] = (rss - _BASELINE['batch_1_rss']) / (count - 1)
        return result

    return measure


MEASUREMENTS: dict[str, Measurement] = {
    'inprocess': bench_inprocess,
    'ros_one': bench_ros_one,
    'ros_one_recorded': bench_ros_one_recorded,
    'ros_one_service': bench_ros_one_service,
    'ros_four': bench_ros_four,
    'ros_four_grouped': bench_ros_four_grouped,
    'subproc_4': _subproc(4),
    'subproc_8': _subproc(8),
    'batch_1': _batch(1),
    'batch_4': _batch(4),
    'batch_4_dds': _batch(4, same_host_socket=False),
    'batch_8': _batch(8),
}


def main(args: list[str] | None = None) -> int:
    """Run the measurements, print the table, write bench/results/env_bench.json."""
    return run_benchmarks('Robotino env: steps per second', 'env_bench', MEASUREMENTS, 5.0,
                          args)


if __name__ == '__main__':
    raise SystemExit(main())
