"""What a user chooses for one training run: the agent's knobs, written once.

:class:`TrainSettings` is the agent's part of a training run. Its fields are
the agent node's parameters, the flags of ``rl-agent train``, and (through
``rl_bringup.training_run.TrainingRun``, which adds the graph's knobs) the
flags of ``rl train`` and the arguments of ``train.launch.py``: one name and
one meaning per knob, whichever door a user comes through.

The sentinels (0, -1, '') mean "the config's" on a new run and "the run's
own" on a resume, so a resume changes only what the user gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rl_agent_node.errors import ConfigError
from rl_agent_node.knobs import knob

#: The algorithms, by the name of their config file (see rl_agent_node.config.ALGORITHMS).
ALGORITHM_NAMES = ('ppo', 'sac', 'td3', 'a2c', 'ddpg')


@dataclass(frozen=True)
class TrainSettings:
    """The agent's knobs of a training run (see the module docstring for the sentinels)."""

    algo: str = knob('ppo', 'algorithm', choices=ALGORITHM_NAMES)
    task: str = knob('goal_reaching', 'registered task name, served by every env node')
    config: str = knob('', "training config file, laid out as config/<algo>.yaml (sections "
                           "keyed by task over 'default'); '' for the package's <algo>.yaml")
    total_steps: int = knob(0, "training budget in env steps, summed over the envs; 0 for "
                               "the config's")
    seed: int = knob(-1, "seed of everything; env node k gets seed + k; < 0 for the config's")
    success_target: float = knob(-1.0, 'stop once a periodic evaluation on held-out seeds '
                                       'reaches this success rate (0..1]; 0 trains the whole '
                                       "budget; < 0 for the config's (0.9 for goal_reaching)")
    overrides: str = knob('', "config keys as a YAML mapping, e.g. '{n_steps: 512, "
                              "gamma: 0.98}'")
    run_dir: str = knob('', 'run directory of a new run; a new one under runs/ when empty')
    resume: str = knob('', 'run directory to continue from its newest checkpoint')

    def __post_init__(self) -> None:
        """Refuse what makes no run, naming the knob and its value."""
        if self.algo not in ALGORITHM_NAMES:
            raise ConfigError(f'algo must be one of {", ".join(ALGORITHM_NAMES)}, '
                              f'got {self.algo!r}')
        if self.total_steps < 0:
            raise ConfigError(f'total_steps must be >= 0 (0 for the config\'s), '
                              f'got {self.total_steps}')
        if self.success_target > 1.0:
            raise ConfigError(f'success_target must be a success rate <= 1 (or 0 for none, '
                              f'< 0 for the config\'s), got {self.success_target!r}')
        if self.resume and self.run_dir:
            raise ConfigError('resume continues a run in its own directory: give resume or '
                              'run_dir, not both')
        self.config_overrides()

    @property
    def config_path(self) -> Path | None:
        """The config file, or None for the package's."""
        return Path(self.config) if self.config else None

    def config_overrides(self) -> dict[str, Any]:
        """The config keys these settings change: ``overrides`` and the knobs not at a sentinel.

        :raises ConfigError: when ``overrides`` is not a YAML mapping.
        """
        try:
            overrides = yaml.safe_load(self.overrides) if self.overrides else {}
        except yaml.YAMLError as error:
            raise ConfigError(f'overrides is not YAML: {error}') from None
        if not isinstance(overrides, dict):
            raise ConfigError(f'overrides must be a YAML mapping like {{n_steps: 512}}, '
                              f'got {self.overrides!r}')
        if self.total_steps > 0:
            overrides['total_steps'] = self.total_steps
        if self.seed >= 0:
            overrides['seed'] = self.seed
        if self.success_target >= 0:
            overrides['success_target'] = self.success_target or None
        return overrides
