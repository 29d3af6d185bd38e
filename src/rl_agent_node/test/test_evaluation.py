"""Held-out evaluation: episodes side by side are the episodes one after another."""

import threading

import numpy as np
import pytest

from rl_agent_node.evaluation import run_episodes, run_episodes_batched
from rl_env_node.inprocess import RobotinoEnv

SEEDS = list(range(500, 507))


def toward_goal(observations: np.ndarray) -> np.ndarray:
    """Drive forward and turn by the observation's own numbers (no learning needed)."""
    observations = np.atleast_2d(observations)
    turn = np.tanh(observations[:, :1] - observations[:, 1:2])
    return np.concatenate([np.full_like(turn, 0.8), np.zeros_like(turn), turn], axis=1)


def envs(count):
    return [RobotinoEnv('goal_reaching', {}) for _ in range(count)]


def test_side_by_side_episodes_equal_the_same_seeds_one_after_another():
    one = run_episodes(envs(1)[0], lambda obs: toward_goal(obs)[0], SEEDS)
    several = run_episodes_batched(envs(3), toward_goal, SEEDS)
    assert [e.seed for e in several.episodes] == SEEDS
    assert [e.length for e in several.episodes] == [e.length for e in one.episodes]
    assert [e.success for e in several.episodes] == [e.success for e in one.episodes]
    np.testing.assert_allclose([e.episode_return for e in several.episodes],
                               [e.episode_return for e in one.episodes], rtol=1e-6)
    assert len({e.length for e in one.episodes}) > 1   # the seeds give different episodes


@pytest.mark.parametrize('count', [1, 4])
def test_a_stopped_evaluation_keeps_only_the_first_seeds_that_finished(count):
    stop = threading.Event()
    calls = []

    def stopping_policy(observations):
        calls.append(len(observations))
        if len(calls) == 40:
            stop.set()
        return toward_goal(observations)

    summary = run_episodes_batched(envs(count), stopping_policy, SEEDS, stop)
    assert len(summary.episodes) < len(SEEDS)
    assert [e.seed for e in summary.episodes] == SEEDS[:len(summary.episodes)]
