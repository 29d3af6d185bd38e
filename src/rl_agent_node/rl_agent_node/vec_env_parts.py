"""Step one part of the training VecEnv's envs, through the wrappers the trainer puts on it.

Why: an on-policy rollout over ROS waits for the env nodes, then the env
nodes wait for the policy. Stepping half the envs while the policy computes
the other half's actions (:mod:`rl_agent_node.pipelined_rollouts`) keeps
both sides busy, and needs every layer of the training VecEnv to step a
part on its own: ``RosVecEnv`` and
:class:`~rl_agent_node.resilient_vec_env.ResilientVecEnv` do so themselves
(``step_part_async``, ``step_part_wait``), and SB3's VecMonitor and
VecNormalize, which know only whole steps, through :func:`wait_part` here,
which does their ``step_wait``'s bookkeeping for the part's envs alone.

A part is a slice of consecutive env indices; parts are waited for in the
order they were sent.
"""

from __future__ import annotations

import time

import numpy as np
from gymnasium import spaces
from stable_baselines3.common.vec_env import VecEnv, VecMonitor, VecNormalize
from stable_baselines3.common.vec_env.base_vec_env import VecEnvStepReturn


def steps_in_parts(venv: VecEnv) -> bool:
    """True when every layer of ``venv`` can step a part of its envs on its own."""
    if isinstance(venv, VecNormalize):
        return isinstance(venv.observation_space, spaces.Box) and steps_in_parts(venv.venv)
    if isinstance(venv, VecMonitor):
        return steps_in_parts(venv.venv)
    return bool(getattr(venv, 'steps_in_parts', False))


def send_part(venv: VecEnv, actions: np.ndarray, part: slice) -> None:
    """Send the envs of ``part`` their actions (one row each); returns at once."""
    while isinstance(venv, VecNormalize | VecMonitor):
        venv = venv.venv
    venv.step_part_async(actions, part)


def wait_part(venv: VecEnv) -> tuple[slice, VecEnvStepReturn]:
    """The oldest part sent, and what ``venv.step_wait`` would say of its envs."""
    if isinstance(venv, VecNormalize):
        part, step = wait_part(venv.venv)
        return part, _normalized(venv, part, *step)
    if isinstance(venv, VecMonitor):
        part, step = wait_part(venv.venv)
        return part, _monitored(venv, part, *step)
    return venv.step_part_wait()


def _monitored(monitor: VecMonitor, part: slice, obs: np.ndarray, rewards: np.ndarray,
               dones: np.ndarray, infos: list[dict]) -> VecEnvStepReturn:
    """VecMonitor.step_wait's episode statistics, for the envs of ``part``."""
    monitor.episode_returns[part] += rewards
    monitor.episode_lengths[part] += 1
    infos = list(infos)
    for row in np.flatnonzero(dones):
        k = part.start + row
        info = dict(infos[row])
        episode = {'r': monitor.episode_returns[k], 'l': monitor.episode_lengths[k],
                   't': round(time.time() - monitor.t_start, 6)}
        for key in monitor.info_keywords:
            episode[key] = info[key]
        info['episode'] = episode
        monitor.episode_count += 1
        monitor.episode_returns[k] = 0
        monitor.episode_lengths[k] = 0
        if monitor.results_writer:
            monitor.results_writer.write_row(episode)
        infos[row] = info
    return obs, rewards, dones, infos


def _normalized(norm: VecNormalize, part: slice, obs: np.ndarray, rewards: np.ndarray,
                dones: np.ndarray, infos: list[dict]) -> VecEnvStepReturn:
    """VecNormalize.step_wait for the envs of ``part``.

    The running statistics take the part's observations and returns as one
    batch of their own; RunningMeanStd combines batches exactly, so two
    parts update them as their whole step would.
    """
    norm.old_obs = replace_rows(norm.old_obs, part, obs, norm.num_envs)
    norm.old_reward = replace_rows(norm.old_reward, part, rewards, norm.num_envs)
    if norm.training and norm.norm_obs:
        norm.obs_rms.update(obs)
    normalized = norm.normalize_obs(obs)
    if norm.training:
        norm.returns[part] = norm.returns[part] * norm.gamma + rewards
        norm.ret_rms.update(norm.returns[part])
    for row in np.flatnonzero(dones):
        if 'terminal_observation' in infos[row]:
            infos[row]['terminal_observation'] = norm.normalize_obs(
                infos[row]['terminal_observation'])
    norm.returns[part][dones] = 0
    return normalized, norm.normalize_reward(rewards), dones, infos


def replace_rows(whole: np.ndarray | None, part: slice, rows: np.ndarray,
                 count: int) -> np.ndarray:
    """A copy of ``whole`` (``count`` rows) with ``part``'s rows replaced.

    A copy, since the array a step returned may be held elsewhere (SB3's
    last observation, VecNormalize's ``old_obs``); zeros for the other rows
    when there is no ``whole`` yet.
    """
    if whole is None or whole.shape[:1] != (count,):
        whole = np.zeros((count, *rows.shape[1:]), dtype=rows.dtype)
    else:
        whole = whole.copy()
    whole[part] = rows
    return whole
