"""The envs an agent trains and evaluates on: env nodes over ROS, or the simulator in process.

``envs`` names them: ``('inprocess',)`` for ``n_envs`` in-process
``RobotinoEnv`` (no ROS at all: the reference comparison and fast tests),
or env node namespaces such as ``('env_0', 'env_1')``, stepped together
through ``RosVecEnv`` and kept alive through outages by
:class:`~rl_agent_node.resilient_vec_env.ResilientVecEnv`. The ROS client
is imported only when namespaces are given.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym
from stable_baselines3.common.vec_env import DummyVecEnv, VecEnv, VecMonitor, VecNormalize

from rl_agent_node.config import TrainingConfig
from rl_agent_node.errors import ConfigError
from rl_agent_node.evaluation import INPROCESS
from rl_agent_node.resilient_vec_env import ResilientVecEnv


def parse_envs(envs: Sequence[str] | str | None, n_envs: int) -> tuple[str, ...]:
    """Namespaces or ``('inprocess',)`` from a list or a comma-separated string.

    :param envs: as given by the user; empty or None for ``env_0`` .. ``env_{n_envs-1}``.
    :param n_envs: the config's number of envs.
    :raises ConfigError: for 'inprocess' mixed with namespaces, or repeated namespaces.
    """
    if isinstance(envs, str):
        envs = envs.split(',')
    names = tuple(name.strip().strip('/') for name in envs or () if name.strip())
    if not names:
        return tuple(f'env_{k}' for k in range(n_envs))
    if INPROCESS in names and len(names) > 1:
        raise ConfigError(f"envs: 'inprocess' stands alone (it makes n_envs envs), got {names}")
    if len(set(names)) != len(names):
        raise ConfigError(f'envs: each env node once, got {names}')
    return names


def is_inprocess(envs: Sequence[str]) -> bool:
    """True for in-process envs."""
    return tuple(envs) == (INPROCESS,)


def make_training_env(config: TrainingConfig, envs: Sequence[str], stop: threading.Event,
                      seed_for: Callable[[int], int],
                      on_recovery: Callable[[], None] | None = None) -> VecEnv:
    """The training VecEnv with episode statistics (VecMonitor), not yet normalised.

    :param config: the run's config (task, task options, n_envs, timeouts).
    :param envs: see :func:`parse_envs`.
    :param stop: ends a wait for an answer or a recovery early (ROS only).
    :param seed_for: reset seed after the n-th recovery (ROS only).
    :param on_recovery: called after each outage survived (ROS only).
    """
    agent = config.agent
    if is_inprocess(envs):
        from rl_env_node.inprocess import RobotinoEnv

        def make_one() -> gym.Env:
            return RobotinoEnv(config.task, dict(agent.task_options), realism=agent.realism,
                               randomise=agent.randomise)

        return VecMonitor(DummyVecEnv([make_one] * agent.n_envs))
    from rl_env_client.errors import EnvTimeoutError, RemoteEnvError
    from rl_env_client.ros_vec_env import RosVecEnv

    def connect() -> VecEnv:
        venv = RosVecEnv(list(envs), timeout=agent.env_timeout, stop=stop,
                         same_host_socket=agent.same_host_socket)
        served = set(venv.get_attr('task'))
        if served != {config.task}:
            venv.close()
            raise ConfigError(f'the env nodes {list(envs)} serve task(s) {sorted(served)}, '
                              f'but this run trains {config.task!r}')
        return VecMonitor(venv)

    return ResilientVecEnv(connect, (EnvTimeoutError, RemoteEnvError), agent.recovery_timeout,
                           seed_for=seed_for, stop=stop, on_recovery=on_recovery)


def normalized(venv: VecEnv, config: TrainingConfig, stats: Path | None) -> VecEnv:
    """Wrap in VecNormalize when the config asks: saved statistics from ``stats``, else new.

    :param venv: the training VecEnv.
    :param config: the run's config (``normalize`` and its arguments, ``gamma``).
    :param stats: a checkpoint's ``vecnormalize.pkl``, when resuming.
    """
    if not config.agent.normalize:
        return venv
    if stats is not None and stats.is_file():
        wrapped = VecNormalize.load(str(stats), venv)
        wrapped.training = True
        return wrapped
    kwargs: dict[str, Any] = {'gamma': config.hyperparams.get('gamma', 0.99),
                              **config.agent.normalize_kwargs}
    try:
        return VecNormalize(venv, **kwargs)
    except TypeError as error:
        raise ConfigError(f'normalize: bad VecNormalize arguments {kwargs}: {error}') from None


def make_eval_env(task: str, where: str, task_options: Mapping[str, Any] | None = None,
                  timeout: float = 10.0, realism: str = 'ideal',
                  randomise: bool = False) -> gym.Env:
    """One env for evaluation: in process, or the env node in namespace ``where``.

    :param task: task name (in process) or the one the env node must serve.
    :param where: 'inprocess', or a namespace ('' for the root one).
    :param task_options: in-process task options.
    :param timeout: seconds to wait for the env node and each answer.
    :param realism: in-process: the simulator's realism preset.
    :param randomise: in-process: draw the realism anew at every reset.
    :raises ConfigError: when the env node serves another task.
    """
    if where == INPROCESS:
        from rl_env_node.inprocess import RobotinoEnv

        return RobotinoEnv(task, dict(task_options or {}), realism=realism, randomise=randomise)
    from rl_env_client.ros_env import RosEnv

    env = RosEnv(where.strip('/'), timeout=timeout)
    if env.task != task:
        env.close()
        raise ConfigError(f'the env node in {where!r} serves {env.task!r}, not {task!r}')
    return env
