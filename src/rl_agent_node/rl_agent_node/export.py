"""Export a trained policy to TorchScript: raw observation in, action out, nothing else needed.

The exported module does what ``model.predict(vec_normalize.normalize_obs(obs),
deterministic=True)`` does, as tensor operations: normalise with the saved
VecNormalize statistics, run the deterministic actor (the Gaussian mean for
PPO and A2C, ``tanh`` of the mean for SAC, the actor network for TD3 and
DDPG), then squash into or clip to the action bounds. A robot with torch
but without stable-baselines3 loads it with ``torch.jit.load`` (see
:func:`rl_agent_node.policies.load_policy`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from stable_baselines3.common.policies import ActorCriticPolicy, BasePolicy
from stable_baselines3.common.vec_env import VecNormalize
from stable_baselines3.sac.policies import SACPolicy
from stable_baselines3.td3.policies import TD3Policy
from torch import nn

from rl_agent_node.policies import EXPORT_META, load_sb3_model, model_folder, quiet_torchscript


class DeterministicActor(nn.Module):
    """Observation normalisation, deterministic actor and action bounds as one module.

    :param policy: the SB3 policy (PPO/A2C, SAC, TD3/DDPG families).
    :param vec_normalize: the training VecNormalize statistics, or None.
    """

    def __init__(self, policy: BasePolicy, vec_normalize: VecNormalize | None) -> None:
        super().__init__()
        if not isinstance(policy, ActorCriticPolicy | SACPolicy | TD3Policy):
            raise TypeError(f'cannot export a {type(policy).__name__}: only the PPO, A2C, SAC, '
                            'TD3 and DDPG policies are supported')
        self.policy = policy
        size = int(np.prod(policy.observation_space.shape))
        mean, var = np.zeros(size), np.ones(size)
        clip, epsilon, normalize = np.inf, 0.0, False
        if vec_normalize is not None and vec_normalize.norm_obs:
            mean, var = vec_normalize.obs_rms.mean, vec_normalize.obs_rms.var
            clip, epsilon, normalize = vec_normalize.clip_obs, vec_normalize.epsilon, True
        self.normalize = normalize
        self.register_buffer('obs_mean', torch.as_tensor(mean, dtype=torch.float64))
        self.register_buffer('obs_scale', torch.sqrt(torch.as_tensor(var + epsilon,
                                                                     dtype=torch.float64)))
        self.clip_obs = float(clip)
        self.register_buffer('low', torch.as_tensor(policy.action_space.low))
        self.register_buffer('high', torch.as_tensor(policy.action_space.high))

    def _actor(self, obs: torch.Tensor) -> tuple[torch.Tensor, bool]:
        """Deterministic action before bounds, and whether it is squashed into [-1, 1]."""
        policy = self.policy
        if isinstance(policy, ActorCriticPolicy):
            features = policy.extract_features(obs, policy.pi_features_extractor)
            mean = policy.action_net(policy.mlp_extractor.forward_actor(features))
            if policy.squash_output:
                return torch.tanh(mean), True
            return mean, False
        if isinstance(policy, SACPolicy):
            mean, _, _ = policy.actor.get_action_dist_params(obs)
            return torch.tanh(mean), True
        return policy.actor(obs), True

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        """Actions (batch, action dims) for raw observations (batch, observation dims)."""
        if self.normalize:
            scaled = (obs.to(torch.float64) - self.obs_mean) / self.obs_scale
            obs = torch.clamp(scaled, -self.clip_obs, self.clip_obs).to(torch.float32)
        action, squashed = self._actor(obs)
        if squashed:
            return self.low + 0.5 * (action + 1.0) * (self.high - self.low)
        return torch.maximum(torch.minimum(action, self.high), self.low)


def export_torchscript(model_path: Path, output: Path | None = None,
                       check_samples: int = 256, tolerance: float = 1e-5) -> Path:
    """Trace the deterministic actor of a saved model and write it as TorchScript.

    :param model_path: a run directory, a model folder or its ``model.zip``.
    :param output: the ``.pt`` file; ``policy.pt`` in the model folder when None.
    :param check_samples: random observations on which the export must match SB3.
    :param tolerance: largest allowed difference from SB3's action, action units.
    :raises RuntimeError: when the export does not match SB3 within ``tolerance``.
    """
    folder = model_folder(Path(model_path))
    model, vec_normalize, meta = load_sb3_model(folder)
    actor = DeterministicActor(model.policy, vec_normalize).eval()
    space = model.observation_space
    example = torch.zeros((1, *space.shape), dtype=torch.float32)
    with torch.no_grad(), quiet_torchscript():
        traced = torch.jit.trace(actor, example)
    observations = sample_observations(space, check_samples, vec_normalize)
    difference = max_action_difference(traced, model, vec_normalize, observations)
    if difference > tolerance:
        raise RuntimeError(f'the TorchScript export differs from the SB3 policy by '
                           f'{difference:g} > {tolerance:g}; not written')
    output = Path(output) if output is not None else folder / 'policy.pt'
    output.parent.mkdir(parents=True, exist_ok=True)
    info: dict[str, Any] = {**meta, 'observation_shape': list(space.shape),
                            'action_low': model.action_space.low.tolist(),
                            'action_high': model.action_space.high.tolist(),
                            'normalized_inside': vec_normalize is not None,
                            'max_difference_to_sb3': difference}
    with quiet_torchscript():
        torch.jit.save(traced, str(output), _extra_files={EXPORT_META: json.dumps(info)})
    return output


def sample_observations(space: Any, count: int, vec_normalize: VecNormalize | None,
                        seed: int = 0) -> np.ndarray:
    """Observations spread over the space, or around the training statistics if unbounded."""
    rng = np.random.default_rng(seed)
    low = np.where(np.isfinite(space.low), space.low, -10.0)
    high = np.where(np.isfinite(space.high), space.high, 10.0)
    samples = rng.uniform(low, high, size=(count, *space.shape))
    if vec_normalize is not None and vec_normalize.norm_obs:
        spread = np.sqrt(vec_normalize.obs_rms.var)
        around = vec_normalize.obs_rms.mean + spread * rng.standard_normal((count, *space.shape))
        samples = np.concatenate([samples, np.clip(around, low, high)])
    return samples.astype(np.float32)


def max_action_difference(module: torch.nn.Module, model: Any,
                          vec_normalize: VecNormalize | None, observations: np.ndarray) -> float:
    """Largest |export - SB3| over ``observations`` (deterministic actions)."""
    with torch.no_grad():
        exported = module(torch.as_tensor(observations)).numpy()
    inputs = observations
    if vec_normalize is not None:
        inputs = vec_normalize.normalize_obs(observations)
    expected, _ = model.predict(inputs, deterministic=True)
    return float(np.max(np.abs(exported - expected)))
