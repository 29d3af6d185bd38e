"""Training configuration: ``config/<algo>.yaml`` into SB3 kwargs and an :class:`AgentConfig`.

The file and our keys are read by :mod:`rl_agent_node.config_file` (no
stable-baselines3 there); here the whole section is resolved. Every key
that is not ours is passed to the stable-baselines3 constructor unchanged,
after three conversions
that need no ``eval``: schedules written ``lin_3e-4`` become
:class:`~stable_baselines3.common.utils.LinearSchedule`, ``policy_kwargs``
name activation functions and optimisers by string, and our
``noise_type``/``noise_std`` become SB3's ``action_noise``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from stable_baselines3 import A2C, DDPG, PPO, SAC, TD3
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.noise import NormalActionNoise, OrnsteinUhlenbeckActionNoise
from stable_baselines3.common.utils import LinearSchedule
from torch import nn, optim

from rl_agent_node.config_file import (
    AGENT_KEYS,
    AgentConfig,
    read_section,
    split_section,
)
from rl_agent_node.errors import ConfigError
from rl_agent_node.pipelined_rollouts import PipelinedA2C, PipelinedPPO
from rl_agent_node.pipelined_updates import PipelinedDDPG, PipelinedSAC, PipelinedTD3
from rl_agent_node.train_settings import ALGORITHM_NAMES

#: Algorithm name (the config file's stem) to its SB3 class.
ALGORITHMS: dict[str, type[BaseAlgorithm]] = dict(
    zip(ALGORITHM_NAMES, (PPO, SAC, TD3, A2C, DDPG), strict=True))
#: The classes of ``pipelined_rollouts: true``: on-policy ones step half the envs at a
#: time (:mod:`rl_agent_node.pipelined_rollouts`), off-policy ones update while the envs
#: step (:mod:`rl_agent_node.pipelined_updates`).
_PIPELINED: dict[type[BaseAlgorithm], type[BaseAlgorithm]] = {
    PPO: PipelinedPPO, A2C: PipelinedA2C, SAC: PipelinedSAC, TD3: PipelinedTD3,
    DDPG: PipelinedDDPG}

#: Algorithms that learn from a replay buffer, which checkpoints must keep.
OFF_POLICY = frozenset({'sac', 'td3', 'ddpg'})

_ACTIVATIONS: dict[str, type[nn.Module]] = {
    'tanh': nn.Tanh, 'relu': nn.ReLU, 'elu': nn.ELU, 'leaky_relu': nn.LeakyReLU,
    'gelu': nn.GELU, 'silu': nn.SiLU}
_OPTIMIZERS: dict[str, type[optim.Optimizer]] = {
    'adam': optim.Adam, 'adamw': optim.AdamW, 'rmsprop': optim.RMSprop, 'sgd': optim.SGD}
_SCHEDULE_KEYS = ('learning_rate', 'clip_range', 'clip_range_vf')
_SCHEDULE = re.compile(r'^lin_([0-9.eE+-]+)$')


@dataclass(frozen=True)
class TrainingConfig:
    """One resolved config section: which algorithm, for which task, with what.

    :param algo: algorithm name, a key of :data:`ALGORITHMS`.
    :param task: task name the section was resolved for.
    :param agent: our keys.
    :param hyperparams: SB3 keys as written (strings like ``lin_3e-4`` kept),
        so the run directory's copy reads like the config file.
    """

    algo: str
    task: str
    agent: AgentConfig
    hyperparams: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``config.yaml`` in the run directory."""
        return {'algo': self.algo, 'task': self.task, 'agent': self.agent.to_dict(),
                'hyperparams': dict(self.hyperparams)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainingConfig:
        """The inverse of :meth:`to_dict`, for a run directory's ``config.yaml``.

        Runs saved before the budget's key was named ``total_steps`` (session 3)
        wrote ``total_timesteps``; such a run is read as it was meant.
        """
        try:
            agent = dict(data['agent'])
            if 'total_timesteps' in agent:
                agent.setdefault('total_steps', agent.pop('total_timesteps'))
            section = {**agent, **data['hyperparams']}
            return resolve_section(data['algo'], data['task'], section)
        except KeyError as error:
            raise ConfigError(f'a run config needs algo, task, agent and hyperparams; '
                              f'missing {error}') from None

    def with_overrides(self, overrides: Mapping[str, Any]) -> TrainingConfig:
        """A copy with some keys (ours or SB3's) replaced; checked like a file."""
        section = {**self.agent.to_dict(), **self.hyperparams, **overrides}
        return resolve_section(self.algo, self.task, section)


def load_config(algo: str, task: str, config: Path | None = None,
                overrides: Mapping[str, Any] | None = None) -> TrainingConfig:
    """Read a config file of ``algo``'s keys and resolve the section for ``task``.

    :param algo: algorithm name, e.g. 'ppo'.
    :param task: task name; the file's ``default`` section serves tasks it does not list.
    :param config: the YAML file; ``<algo>.yaml`` of :func:`default_config_dir` when None.
    :param overrides: keys laid over the resolved section (``overrides`` of a run).
    :raises ConfigError: unknown algorithm, unreadable file, or bad keys or values.
    """
    return resolve_section(algo, task, read_section(algo, task, config, overrides))


def resolve_section(algo: str, task: str, section: Mapping[str, Any]) -> TrainingConfig:
    """Split a merged section into our keys and SB3's, checking both."""
    agent, hyperparams = split_section(section)
    config = TrainingConfig(algo, task, agent, hyperparams)
    sb3_kwargs(config, action_dim=1)
    return config


def parse_schedule(key: str, value: Any) -> Any:
    """A number as is; ``lin_<start>`` as a schedule falling linearly to 0 at the end."""
    if not isinstance(value, str):
        return value
    match = _SCHEDULE.match(value)
    if match is None:
        raise ConfigError(f"{key} must be a number or 'lin_<start>' like 'lin_3e-4', "
                          f'got {value!r}')
    try:
        start = float(match.group(1))
    except ValueError:
        raise ConfigError(f'{key}: {match.group(1)!r} is not a number') from None
    return LinearSchedule(start, 0.0, 1.0)


def _policy_kwargs(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f'policy_kwargs must be a mapping, got {value!r}')
    kwargs = dict(value)
    for key, table in (('activation_fn', _ACTIVATIONS), ('optimizer_class', _OPTIMIZERS)):
        if key in kwargs:
            name = kwargs[key]
            if name not in table:
                raise ConfigError(f'policy_kwargs.{key} must be one of {sorted(table)}, '
                                  f'got {name!r}')
            kwargs[key] = table[name]
    return kwargs


def _action_noise(agent: AgentConfig, action_dim: int) -> Any:
    mean, sigma = np.zeros(action_dim), agent.noise_std * np.ones(action_dim)
    if agent.noise_type == 'normal':
        return NormalActionNoise(mean, sigma)
    return OrnsteinUhlenbeckActionNoise(mean, sigma)


def algorithm_class(config: TrainingConfig) -> type[BaseAlgorithm]:
    """The class that trains ``config``: with ``pipelined_rollouts`` the algorithm's
    pipelined one, else SB3's own."""
    algo_class = ALGORITHMS[config.algo]
    return _PIPELINED[algo_class] if config.agent.pipelined_rollouts else algo_class


def sb3_kwargs(config: TrainingConfig, action_dim: int) -> dict[str, Any]:
    """Keyword arguments for the SB3 constructor, ``policy`` included.

    :param config: the resolved config.
    :param action_dim: size of the action space, for the exploration noise.
    :raises ConfigError: for keys the algorithm does not take, or bad values.
    """
    algo_class = ALGORITHMS[config.algo]
    accepted = set(inspect.signature(algo_class.__init__).parameters) - {'self', 'env'}
    reserved = {'tensorboard_log', 'verbose', 'seed', 'device', '_init_setup_model',
                'action_noise'}
    kwargs = dict(config.hyperparams)
    unknown = sorted(set(kwargs) - (accepted - reserved))
    if unknown:
        raise ConfigError(f'{config.algo} takes no key(s) {unknown}; SB3 keys are '
                          f'{sorted(accepted - reserved)}, ours {sorted(AGENT_KEYS)}')
    if 'policy' not in kwargs:
        raise ConfigError(f'{config.algo} config for {config.task} needs a policy, '
                          'e.g. MlpPolicy')
    for key in _SCHEDULE_KEYS:
        if key in kwargs:
            kwargs[key] = parse_schedule(key, kwargs[key])
    if 'policy_kwargs' in kwargs:
        kwargs['policy_kwargs'] = _policy_kwargs(kwargs['policy_kwargs'])
    if config.agent.noise_type is not None:
        if config.algo not in OFF_POLICY:
            raise ConfigError(f'noise_type is for off-policy algorithms '
                              f'({sorted(OFF_POLICY)}), not {config.algo}')
        kwargs['action_noise'] = _action_noise(config.agent, action_dim)
    return kwargs
