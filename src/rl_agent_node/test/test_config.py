"""Config files, schedules and overrides: plain unit tests, no ROS."""

import re
from pathlib import Path

import pytest
import yaml
from stable_baselines3 import A2C, PPO
from stable_baselines3.common.noise import NormalActionNoise
from stable_baselines3.common.utils import LinearSchedule
from stable_baselines3.common.vec_env import DummyVecEnv
from torch import nn

from rl_agent_node.config import (
    ALGORITHMS,
    TrainingConfig,
    algorithm_class,
    load_config,
    parse_schedule,
    sb3_kwargs,
)
from rl_agent_node.config_file import default_config_dir
from rl_agent_node.errors import ConfigError
from rl_agent_node.pipelined_rollouts import PipelinedRollouts
from rl_agent_node.pipelined_updates import PipelinedUpdates
from rl_env_node.inprocess import RobotinoEnv

PACKAGE = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize('algo', sorted(ALGORITHMS))
def test_every_algorithm_builds_from_its_file(algo):
    config = load_config(algo, 'goal_reaching')
    assert config.agent.n_envs == 4 and config.agent.torch_threads == 1
    env = DummyVecEnv([RobotinoEnv])
    try:
        kwargs = sb3_kwargs(config.with_overrides({'buffer_size': 1000} if 'buffer_size'
                                                  in config.hyperparams else {}), 3)
        model = ALGORITHMS[algo](env=env, device='cpu', **kwargs)
    finally:
        env.close()
    assert model.gamma == config.hyperparams['gamma']


def test_a_task_section_is_laid_over_default(tmp_path):
    # Any file name: the algorithm is named apart from its config.
    config = tmp_path / 'tuned.yaml'
    config.write_text(yaml.safe_dump({
        'default': {'policy': 'MlpPolicy', 'n_steps': 64, 'total_steps': 1000},
        'goal_reaching': {'n_steps': 128}}))
    assert load_config('ppo', 'goal_reaching', config).hyperparams['n_steps'] == 128
    other = load_config('ppo', 'wall_following', config)
    assert other.hyperparams['n_steps'] == 64 and other.agent.total_steps == 1000
    overridden = load_config('ppo', 'goal_reaching', config, {'n_steps': 32, 'seed': 7})
    assert overridden.hyperparams['n_steps'] == 32 and overridden.agent.seed == 7


def test_linear_schedule_strings_need_no_eval():
    schedule = parse_schedule('learning_rate', 'lin_3e-4')
    assert isinstance(schedule, LinearSchedule)
    assert schedule(1.0) == pytest.approx(3e-4) and schedule(0.0) == pytest.approx(0.0)
    assert schedule(0.5) == pytest.approx(1.5e-4)
    assert parse_schedule('learning_rate', 1e-3) == 1e-3
    for bad in ('3e-4', 'lin_', 'lin_abc', '__import__("os")'):
        with pytest.raises(ConfigError, match='learning_rate'):
            parse_schedule('learning_rate', bad)


def test_policy_kwargs_and_noise_are_converted():
    config = load_config('td3', 'goal_reaching', overrides={
        'policy_kwargs': {'net_arch': [32, 32], 'activation_fn': 'tanh'}})
    kwargs = sb3_kwargs(config, 3)
    assert kwargs['policy_kwargs']['activation_fn'] is nn.Tanh
    assert isinstance(kwargs['action_noise'], NormalActionNoise)
    with pytest.raises(ConfigError, match='activation_fn'):
        load_config('td3', 'goal_reaching', overrides={'policy_kwargs': {'activation_fn': 'x'}})


@pytest.mark.parametrize('overrides, hint', [
    ({'n_stepz': 5}, 'n_stepz'),
    ({'n_envs': 0}, 'n_envs'),
    ({'success_target': 1.5}, 'success_target'),
    ({'normalize': 'yes'}, 'normalize'),
    ({'noise_type': 'normal'}, 'off-policy'),
    ({'seed': None}, 'seed'),
    ({'pipelined_rollouts': 'off'}, 'pipelined_rollouts'),
])
def test_bad_keys_and_values_are_refused_by_name(overrides, hint):
    with pytest.raises(ConfigError, match=hint):
        load_config('ppo', 'goal_reaching', overrides=overrides)


@pytest.mark.parametrize('algo', sorted(ALGORITHMS))
def test_every_algorithm_trains_pipelined_unless_the_config_says_false(algo):
    pipelined = algorithm_class(load_config(algo, 'goal_reaching'))
    lockstep = algorithm_class(load_config(algo, 'goal_reaching',
                                           overrides={'pipelined_rollouts': False}))
    assert lockstep is ALGORITHMS[algo]
    mixin = PipelinedRollouts if lockstep in (PPO, A2C) else PipelinedUpdates
    assert issubclass(pipelined, mixin) and issubclass(pipelined, lockstep)


def test_unknown_algorithm_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match='unknown algorithm'):
        load_config('dqn', 'goal_reaching')
    with pytest.raises(ConfigError, match='cannot read'):
        load_config('ppo', 'goal_reaching', tmp_path / 'ppo.yaml')


def test_resolved_config_round_trips_through_yaml():
    config = load_config('sac', 'goal_reaching', overrides={'normalize': {'norm_obs': True}})
    again = TrainingConfig.from_dict(yaml.safe_load(yaml.safe_dump(config.to_dict())))
    assert again == config
    assert again.agent.normalize and again.agent.normalize_kwargs == {'norm_obs': True}


def test_the_package_config_folder_is_found():
    assert (default_config_dir() / 'ppo.yaml').is_file()


def test_no_eval_or_exec_in_the_package():
    sources = (PACKAGE / 'rl_agent_node').glob('*.py')
    offenders = [p.name for p in sources
                 if re.search(r'(?<![\w.])(eval|exec)\(', p.read_text())]
    assert offenders == []


def test_a_run_config_saved_with_the_old_budget_key_still_reads():
    saved = load_config('ppo', 'goal_reaching').to_dict()
    saved['agent']['total_timesteps'] = saved['agent'].pop('total_steps')
    assert TrainingConfig.from_dict(saved).agent.total_steps == 200_000
