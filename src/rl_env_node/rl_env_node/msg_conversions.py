"""The env core's plain results <-> rl_interfaces messages, in one place."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from rl_env_node.env_core import EnvCoreSpec, EpisodeSummary, Transition
from rl_interfaces.msg import EpisodeStats as EpisodeStatsMsg
from rl_interfaces.msg import Transition as TransitionMsg
from rl_interfaces.srv import GetSpec
from rl_ros.conversions import float32_array, state_to_msg, time_from_seconds, twist_to_msg


def info_json(info: dict[str, Any]) -> str:
    """Gymnasium info as JSON; numpy values become plain numbers and lists."""
    return json.dumps(info, default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def fill_spec(response: GetSpec.Response, spec: EnvCoreSpec) -> GetSpec.Response:
    """Copy the core's spec into a GetSpec response."""
    response.task = spec.task
    response.observation_shape = [int(n) for n in spec.observation_shape]
    response.observation_low = np.asarray(spec.observation_low, dtype=np.float32)
    response.observation_high = np.asarray(spec.observation_high, dtype=np.float32)
    response.action_shape = [int(n) for n in spec.action_shape]
    response.action_low = np.asarray(spec.action_low, dtype=np.float32)
    response.action_high = np.asarray(spec.action_high, dtype=np.float32)
    response.control_period = float(spec.control_period)
    response.max_episode_steps = int(spec.max_episode_steps)
    response.spec_json = info_json(spec.extra)
    return response


def transition_msg(step: Transition, namespace: str) -> TransitionMsg:
    """One step as ``rl_interfaces/Transition``, the robot's states and command included."""
    msg = TransitionMsg(
        env_namespace=namespace, episode_id=step.episode_id, step_index=step.step_index,
        observation=float32_array(np.ravel(step.observation)),
        action=float32_array(np.ravel(step.action)), reward=float(step.reward),
        terminated=bool(step.terminated), truncated=bool(step.truncated),
        robot_before=state_to_msg(step.robot_before), robot_after=state_to_msg(step.robot_after),
        command=twist_to_msg(step.command))
    msg.header.stamp = time_from_seconds(step.stamp)
    return msg


def episode_stats_msg(summary: EpisodeSummary, namespace: str) -> EpisodeStatsMsg:
    """One finished episode as ``rl_interfaces/EpisodeStats``."""
    msg = EpisodeStatsMsg(
        env_namespace=namespace, episode_id=summary.episode_id,
        seed=-1 if summary.seed is None else int(summary.seed),
        episode_return=float(summary.episode_return), length=int(summary.length),
        success=bool(summary.success), collision=bool(summary.collision),
        truncated=bool(summary.truncated), wall_duration=float(summary.wall_duration),
        sim_duration=float(summary.sim_duration))
    msg.header.stamp = time_from_seconds(summary.stamp)
    return msg
