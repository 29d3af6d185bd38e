"""Training configuration: ``config/<algo>.yaml`` into SB3 kwargs and an :class:`AgentConfig`.

Each file is keyed by task, with a ``default`` section for tasks without
their own (the rl-baselines3-zoo layout); a task's section is laid over
``default``. Keys that are fields of :class:`AgentConfig` are ours (budget,
envs, normalisation, evaluation, checkpoints...); every other key is passed
to the stable-baselines3 constructor unchanged, after three conversions
that need no ``eval``: schedules written ``lin_3e-4`` become
:class:`~stable_baselines3.common.utils.LinearSchedule`, ``policy_kwargs``
name activation functions and optimisers by string, and our
``noise_type``/``noise_std`` become SB3's ``action_noise``.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from stable_baselines3 import A2C, DDPG, PPO, SAC, TD3
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.noise import NormalActionNoise, OrnsteinUhlenbeckActionNoise
from stable_baselines3.common.utils import LinearSchedule
from torch import nn, optim

from rl_agent_node.errors import ConfigError
from rl_agent_node.train_settings import ALGORITHM_NAMES

#: Algorithm name (the config file's stem) to its SB3 class.
ALGORITHMS: dict[str, type[BaseAlgorithm]] = dict(
    zip(ALGORITHM_NAMES, (PPO, SAC, TD3, A2C, DDPG), strict=True))

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
class AgentConfig:
    """Our keys of a config section (everything else goes to SB3 unchanged).

    :param total_steps: training budget in env steps, summed over the envs.
    :param n_envs: envs stepped together; over ROS the default namespaces are
        ``env_0`` .. ``env_{n_envs-1}``.
    :param normalize: wrap the envs in ``VecNormalize``; a mapping gives its
        keyword arguments (e.g. ``{norm_obs: true, norm_reward: false}``).
    :param eval_freq: env steps between evaluations on held-out seeds; 0 for none.
    :param n_eval_episodes: episodes per periodic evaluation.
    :param eval_seed: first held-out reset seed; episode k uses ``eval_seed + k``,
        far from the training envs' seeds so the worlds are not ones trained on.
    :param checkpoint_freq: env steps between checkpoints.
    :param checkpoint_interval_s: wall-clock seconds between checkpoints, whichever of
        the two comes first: a crash (SIGKILL, power) loses at most this much training.
    :param keep_checkpoints: newest checkpoints kept on disk (older are deleted).
    :param torch_threads: torch intra-op threads; 1 is fastest for small MLPs
        on a machine whose other cores step simulators.
    :param seed: seed of everything (python, numpy, torch, action space, envs).
    :param success_target: stop once a periodic evaluation reaches this success
        rate (0..1); None trains for the whole budget.
    :param log_freq: env steps between rows of ``metrics.csv``.
    :param noise_type: off-policy exploration noise: 'normal', 'ornstein-uhlenbeck' or None.
    :param noise_std: standard deviation of that noise, in action units.
    :param task_options: task options for in-process envs (env nodes take theirs
        as node parameters).
    :param env_timeout: seconds to wait for an env node's answer.
    :param recovery_timeout: seconds to keep retrying unreachable env nodes
        before giving up (a checkpoint is saved either way).
    """

    total_steps: int = 200_000
    n_envs: int = 4
    normalize: bool = False
    normalize_kwargs: Mapping[str, Any] = field(default_factory=dict)
    eval_freq: int = 25_000
    n_eval_episodes: int = 50
    eval_seed: int = 1_000_000
    checkpoint_freq: int = 50_000
    checkpoint_interval_s: float = 60.0
    keep_checkpoints: int = 2
    torch_threads: int = 1
    seed: int = 0
    success_target: float | None = None
    log_freq: int = 5_000
    noise_type: str | None = None
    noise_std: float = 0.1
    task_options: Mapping[str, Any] = field(default_factory=dict)
    env_timeout: float = 10.0
    recovery_timeout: float = 3600.0

    def __post_init__(self) -> None:
        """Reject values that make no run, naming the key and the value."""
        for name in _INTEGER_KEYS:
            value = getattr(self, name)
            _require(isinstance(value, int) and not isinstance(value, bool), name, value,
                     'an integer')
        for name in ('noise_std', 'env_timeout', 'recovery_timeout', 'success_target',
                     'checkpoint_interval_s'):
            value = getattr(self, name)
            _require((value is None and name == 'success_target') or _is_number(value), name,
                     value, 'a number')
        _require(isinstance(self.task_options, Mapping), 'task_options', self.task_options,
                 'a mapping of task options')
        for name in ('total_steps', 'n_envs', 'checkpoint_freq', 'keep_checkpoints',
                     'torch_threads', 'n_eval_episodes', 'log_freq'):
            _require(getattr(self, name) >= 1, name, getattr(self, name), 'an integer >= 1')
        for name in ('eval_freq', 'eval_seed', 'seed', 'noise_std'):
            _require(getattr(self, name) >= 0, name, getattr(self, name), '>= 0')
        for name in ('env_timeout', 'recovery_timeout', 'checkpoint_interval_s'):
            _require(getattr(self, name) > 0, name, getattr(self, name), 'seconds > 0')
        target = self.success_target
        _require(target is None or 0.0 < target <= 1.0, 'success_target', target,
                 'a success rate in (0, 1], or null')
        _require(self.noise_type in (None, 'normal', 'ornstein-uhlenbeck'), 'noise_type',
                 self.noise_type, "'normal', 'ornstein-uhlenbeck' or null")

    def to_dict(self) -> dict[str, Any]:
        """The keys as they are written in a config file."""
        values = dataclasses.asdict(self)
        kwargs = values.pop('normalize_kwargs')
        values['normalize'] = dict(kwargs) if self.normalize and kwargs else self.normalize
        values['task_options'] = dict(self.task_options)
        return values


_INTEGER_KEYS = ('total_steps', 'n_envs', 'eval_freq', 'n_eval_episodes', 'eval_seed',
                 'checkpoint_freq', 'keep_checkpoints', 'torch_threads', 'seed', 'log_freq')
_AGENT_KEYS = frozenset(f.name for f in dataclasses.fields(AgentConfig)) - {'normalize_kwargs'}


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
        """The inverse of :meth:`to_dict`, for a run directory's ``config.yaml``."""
        try:
            section = {**data['agent'], **data['hyperparams']}
            return resolve_section(data['algo'], data['task'], section)
        except KeyError as error:
            raise ConfigError(f'a run config needs algo, task, agent and hyperparams; '
                              f'missing {error}') from None

    def with_overrides(self, overrides: Mapping[str, Any]) -> TrainingConfig:
        """A copy with some keys (ours or SB3's) replaced; checked like a file."""
        section = {**self.agent.to_dict(), **self.hyperparams, **overrides}
        return resolve_section(self.algo, self.task, section)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _require(ok: bool, name: str, value: Any, expected: str) -> None:
    if not ok:
        raise ConfigError(f'{name} must be {expected}, got {value!r}')


def default_config_dir() -> Path:
    """``config/`` of the source tree when run from it, else the installed share folder."""
    source = Path(__file__).resolve().parents[1] / 'config'
    if (source / 'ppo.yaml').is_file():
        return source
    from ament_index_python.packages import get_package_share_directory

    return Path(get_package_share_directory('rl_agent_node')) / 'config'


def load_config(algo: str, task: str, config: Path | None = None,
                overrides: Mapping[str, Any] | None = None) -> TrainingConfig:
    """Read a config file of ``algo``'s keys and resolve the section for ``task``.

    :param algo: algorithm name, e.g. 'ppo'.
    :param task: task name; the file's ``default`` section serves tasks it does not list.
    :param config: the YAML file; ``<algo>.yaml`` of :func:`default_config_dir` when None.
    :param overrides: keys laid over the resolved section (``overrides`` of a run).
    :raises ConfigError: unknown algorithm, unreadable file, or bad keys or values.
    """
    if algo not in ALGORITHMS:
        raise ConfigError(f'unknown algorithm {algo!r}; known: {sorted(ALGORITHMS)}')
    path = config or default_config_dir() / f'{algo}.yaml'
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f'cannot read {path}: {error}') from None
    if not isinstance(document, Mapping) or 'default' not in document:
        raise ConfigError(f'{path} must map task names to sections and have a default section')
    section = {**(document['default'] or {}), **(document.get(task) or {}),
               **(overrides or {})}
    return resolve_section(algo, task, section)


def resolve_section(algo: str, task: str, section: Mapping[str, Any]) -> TrainingConfig:
    """Split a merged section into our keys and SB3's, checking both."""
    ours = {k: v for k, v in section.items() if k in _AGENT_KEYS}
    hyperparams = {k: v for k, v in section.items() if k not in _AGENT_KEYS}
    normalize = ours.pop('normalize', False)
    if isinstance(normalize, Mapping):
        ours['normalize'], ours['normalize_kwargs'] = True, dict(normalize)
    elif isinstance(normalize, bool):
        ours['normalize'] = normalize
    else:
        raise ConfigError(f'normalize must be true, false or a mapping of VecNormalize '
                          f'arguments, got {normalize!r}')
    try:
        agent = AgentConfig(**ours)
    except TypeError as error:
        raise ConfigError(f'bad agent key type: {error}') from None
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
                          f'{sorted(accepted - reserved)}, ours {sorted(_AGENT_KEYS)}')
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


def parse_overrides(items: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """``KEY=VALUE`` strings (values in YAML, e.g. ``n_steps=512``) as a mapping.

    :raises ConfigError: for an item without '=' or a value that is not YAML.
    """
    overrides: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition('=')
        if not sep or not key.strip():
            raise ConfigError(f"an override must read KEY=VALUE, e.g. n_steps=512; got {item!r}")
        try:
            overrides[key.strip()] = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ConfigError(f'the value of {key} is not YAML: {error}') from None
    return overrides
