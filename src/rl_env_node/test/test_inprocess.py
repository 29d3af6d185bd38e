"""The in-process MuJoCo env: Gymnasium's checker, determinism, scripted success, both tasks."""

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from rl_env_node.errors import InvalidActionError, ResetNeededError, TaskOptionError
from rl_env_node.inprocess import RobotinoEnv
from rl_env_node.scripted import ScriptedGoalReacher


@pytest.fixture(scope='module')
def env() -> RobotinoEnv:
    made = RobotinoEnv('goal_reaching')
    yield made
    made.close()


@pytest.mark.parametrize('task', ['goal_reaching', 'wall_following'])
def test_gymnasium_env_checker_passes(task: str) -> None:
    made = RobotinoEnv(task)
    check_env(made, skip_render_check=True)
    made.close()


def test_registered_ids_make_the_env() -> None:
    made = gymnasium.make('Robotino-WallFollowing-v0', task_options={'follow_length': 1.0})
    assert made.unwrapped.core.task.name == 'wall_following'
    assert made.unwrapped.core.task.options.follow_length == 1.0
    made.close()


def rollout(env: RobotinoEnv, seed: int, steps: int) -> tuple[list, list]:
    observations, rewards = [env.reset(seed=seed)[0]], []
    actions = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(steps, 3))
    for action in actions:
        obs, reward, terminated, truncated, _ = env.step(action)
        observations.append(obs)
        rewards.append(reward)
        if terminated or truncated:
            break
    return observations, rewards


def test_same_seed_and_actions_give_identical_results(env: RobotinoEnv) -> None:
    other = RobotinoEnv('goal_reaching')
    first, second = rollout(env, 11, 60), rollout(other, 11, 60)
    other.close()
    assert len(first[0]) > 10
    assert all(np.array_equal(a, b) for a, b in zip(first[0], second[0], strict=True))
    assert first[1] == second[1]
    assert not np.array_equal(env.reset(seed=12)[0], first[0][0])


def test_goal_in_odom_matches_the_true_goal(env: RobotinoEnv) -> None:
    _, info = env.reset(seed=3)
    assert info['goal_distance'] == pytest.approx(info['true_goal_distance'], abs=1e-9)
    for _ in range(30):
        _, _, terminated, _, info = env.step([0.6, 0.3, 0.8])
        if terminated:
            break
    assert info['goal_distance'] == pytest.approx(info['true_goal_distance'], abs=0.02)


def test_errors_leave_the_env_usable(env: RobotinoEnv) -> None:
    env.reset(seed=0)
    with pytest.raises(InvalidActionError):
        env.step([0.0, 0.0, 0.0, 0.0])
    _, _, _, _, info = env.step([3.0, 0.0, 0.0])
    assert info['action_clipped'] is True
    with pytest.raises(TaskOptionError, match='no_such_layout'):
        env.reset(options={'layout': 'no_such_layout'})
    with pytest.raises(ResetNeededError):
        env.step([0.0, 0.0, 0.0])
    obs, _ = env.reset(seed=0, options={'obstacle_count': [0, 0]})
    assert env.simulator.arena.obstacles == ()
    assert obs in env.observation_space


def test_scripted_controller_reaches_the_goal_in_most_episodes(env: RobotinoEnv) -> None:
    controller = ScriptedGoalReacher(env.core.task)
    successes = 0
    for seed in range(50):
        obs, _ = env.reset(seed=seed)
        controller.reset()
        terminated = truncated = False
        while not (terminated or truncated):
            obs, _, terminated, truncated, info = env.step(controller(obs))
        successes += info['is_success']
    assert successes >= 40


def test_wall_following_runs_to_an_end() -> None:
    made = RobotinoEnv('wall_following', max_episode_steps=150)
    obs, _ = made.reset(seed=5)
    rewards = []
    terminated = truncated = False
    rng = np.random.default_rng(5)
    while not (terminated or truncated):
        obs, reward, terminated, truncated, info = made.step(rng.uniform(-0.2, 1.0, size=3))
        assert obs in made.observation_space and np.isfinite(reward)
        rewards.append(reward)
    assert len(rewards) <= 150 and 'followed_length' in info
    assert made.core.last_episode.length == len(rewards)
    made.close()
