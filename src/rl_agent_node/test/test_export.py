"""TorchScript export against the SB3 policy, for every algorithm: plain tests, no ROS.

The policies get random weights and VecNormalize statistics far from the
identity, so a missing normalisation, a wrong squashing or a wrong bound
shows up as a difference, not as two near-zero actions agreeing.
"""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from stable_baselines3.common.vec_env import DummyVecEnv, VecNormalize

from rl_agent_node.checkpoint import save_model_dir
from rl_agent_node.config import ALGORITHMS, load_config, sb3_kwargs
from rl_agent_node.export import export_torchscript, sample_observations
from rl_agent_node.policies import load_policy
from rl_env_node.inprocess import RobotinoEnv


def random_model(algo, normalize):
    config = load_config(algo, 'goal_reaching', overrides={
        'policy_kwargs': {'net_arch': [32, 32]},
        **({'buffer_size': 100} if algo in ('sac', 'td3', 'ddpg') else {})})
    env = DummyVecEnv([RobotinoEnv])
    if normalize:
        env = VecNormalize(env, norm_reward=False)
        rng = np.random.default_rng(1)
        size = env.observation_space.shape[0]
        env.obs_rms.mean = rng.normal(0.3, 0.2, size)
        env.obs_rms.var = rng.uniform(0.01, 0.5, size)
    model = ALGORITHMS[algo](env=env, device='cpu', **sb3_kwargs(config, 3))
    torch.manual_seed(2)
    with torch.no_grad():
        for parameter in model.policy.parameters():
            parameter.normal_(0.0, 0.5)
    return model, env


@pytest.mark.parametrize('algo', sorted(ALGORITHMS))
def test_export_gives_the_sb3_policy_actions(algo, tmp_path):
    model, env = random_model(algo, normalize=True)
    folder = save_model_dir(tmp_path / 'best', model, {'algo': algo, 'task': 'goal_reaching',
                                                        'step': 0})
    path = export_torchscript(folder, tmp_path / 'policy.pt')
    exported = load_policy(path)
    observations = sample_observations(model.observation_space, 200, env)
    actions = np.stack([exported.act(o) for o in observations])
    expected, _ = model.predict(env.normalize_obs(observations), deterministic=True)
    assert np.max(np.abs(actions - expected)) <= 1e-5
    assert np.ptp(expected, axis=0).min() > 0.1, 'the test policy must not be constant'
    env.close()


def test_export_without_normalisation_and_single_observations(tmp_path):
    model, env = random_model('ppo', normalize=False)
    folder = save_model_dir(tmp_path / 'm', model, {'algo': 'ppo', 'task': 'goal_reaching',
                                                    'step': 0})
    export_torchscript(folder)
    policy = load_policy(folder / 'policy.pt')
    assert policy.meta['algo'] == 'ppo' and policy.meta['normalized_inside'] is False
    sb3 = load_policy(folder)
    for observation in sample_observations(model.observation_space, 20, None):
        np.testing.assert_allclose(policy.act(observation), sb3.act(observation), atol=1e-5)
    env.close()


def test_the_export_runs_where_stable_baselines3_is_absent(tmp_path):
    model, env = random_model('sac', normalize=True)
    folder = save_model_dir(tmp_path / 'm', model, {'algo': 'sac', 'task': 'goal_reaching',
                                                    'step': 0})
    path = export_torchscript(folder)
    observations = sample_observations(model.observation_space, 5, env)
    expected, _ = model.predict(env.normalize_obs(observations), deterministic=True)
    script = (
        'import json, sys\n'
        'sys.modules["stable_baselines3"] = None  # importing it now fails\n'
        'import numpy as np\n'
        'from rl_agent_node.policies import load_policy\n'
        f'policy = load_policy({str(path)!r})\n'
        f'observations = np.array({observations.tolist()!r}, dtype=np.float32)\n'
        'print(json.dumps([policy.act(o).tolist() for o in observations]))\n'
    )
    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    np.testing.assert_allclose(json.loads(result.stdout), expected, atol=1e-5)
    env.close()
