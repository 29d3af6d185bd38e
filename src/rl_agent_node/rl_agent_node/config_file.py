"""Config files and our keys in them: read without stable-baselines3 or torch.

A config file (``config/<algo>.yaml``) is keyed by task, with a ``default``
section for tasks without their own (the rl-baselines3-zoo layout); a task's
section is laid over ``default``. Keys that are fields of
:class:`AgentConfig` are ours (budget, envs, normalisation, evaluation,
checkpoints...); every other key is stable-baselines3's, checked and
converted by :mod:`rl_agent_node.config`. This module stands apart so that
what only plans a run (the launcher, a launch file: how many envs, which
seed) reads the file without importing the learning library.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rl_agent_node.errors import ConfigError
from rl_agent_node.train_settings import ALGORITHM_NAMES


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
    :param realism: how the simulators behave: the realism preset ('ideal' or
        'realistic', robotino_mujoco's) of in-process envs and of the env nodes
        and sim nodes ``rl train`` starts.
    :param randomise: those simulators draw their realism anew at every reset,
        seeded by it (domain randomisation).
    :param env_timeout: seconds to wait for an env node's answer.
    :param recovery_timeout: seconds to keep retrying unreachable env nodes
        before giving up (a checkpoint is saved either way).
    :param same_host_socket: step env groups on this host over their batch
        socket rather than DDS (same answers, a fraction of the cost); false
        keeps every call on DDS.
    :param pipelined_rollouts: over ROS, keep the env nodes and the agent busy
        at once, for more steps per second: PPO and A2C step half the envs
        while the policy acts for the other half (:mod:`rl_agent_node.pipelined_rollouts`),
        SAC, TD3 and DDPG do a step's gradient steps while the envs do the
        next step (:mod:`rl_agent_node.pipelined_updates`). False runs SB3's
        own loop. Envs in process always run SB3's.
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
    realism: str = 'ideal'
    randomise: bool = False
    env_timeout: float = 10.0
    recovery_timeout: float = 3600.0
    same_host_socket: bool = True
    pipelined_rollouts: bool = True

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
        _require(isinstance(self.realism, str), 'realism', self.realism,
                 "a preset name, 'ideal' or 'realistic'")
        for name in ('randomise', 'same_host_socket', 'pipelined_rollouts'):
            _require(isinstance(getattr(self, name), bool), name, getattr(self, name),
                     'true or false')
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
AGENT_KEYS = frozenset(f.name for f in dataclasses.fields(AgentConfig)) - {'normalize_kwargs'}


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


def read_section(algo: str, task: str, config: Path | None = None,
                 overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The merged section of ``task`` in a config file of ``algo``'s keys, overrides laid over.

    :param algo: algorithm name, e.g. 'ppo'.
    :param task: task name; the file's ``default`` section serves tasks it does not list.
    :param config: the YAML file; ``<algo>.yaml`` of :func:`default_config_dir` when None.
    :param overrides: keys laid over the section (``overrides`` of a run).
    :raises ConfigError: unknown algorithm, or a file that cannot be read or is not laid out so.
    """
    if algo not in ALGORITHM_NAMES:
        raise ConfigError(f'unknown algorithm {algo!r}; known: {sorted(ALGORITHM_NAMES)}')
    path = config or default_config_dir() / f'{algo}.yaml'
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f'cannot read {path}: {error}') from None
    if not isinstance(document, Mapping) or 'default' not in document:
        raise ConfigError(f'{path} must map task names to sections and have a default section')
    return {**(document['default'] or {}), **(document.get(task) or {}), **(overrides or {})}


def split_section(section: Mapping[str, Any]) -> tuple[AgentConfig, dict[str, Any]]:
    """Our keys of a merged section as an :class:`AgentConfig`, and the rest (SB3's) as given.

    :raises ConfigError: for a bad value of one of our keys.
    """
    ours = {k: v for k, v in section.items() if k in AGENT_KEYS}
    hyperparams = {k: v for k, v in section.items() if k not in AGENT_KEYS}
    normalize = ours.pop('normalize', False)
    if isinstance(normalize, Mapping):
        ours['normalize'], ours['normalize_kwargs'] = True, dict(normalize)
    elif isinstance(normalize, bool):
        ours['normalize'] = normalize
    else:
        raise ConfigError(f'normalize must be true, false or a mapping of VecNormalize '
                          f'arguments, got {normalize!r}')
    try:
        return AgentConfig(**ours), hyperparams
    except TypeError as error:
        raise ConfigError(f'bad agent key type: {error}') from None
