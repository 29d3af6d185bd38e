"""The env node in its own process, with the MuJoCo sim node in another, over DDS.

The agent side is this test process: the Gymnasium client RosEnv, the SB3
VecEnv client, plain rclpy clients, and a plain-rclpy subprocess standing in
for ``ros2 service call``.
"""

import json
import math
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from rl_env_client.errors import RemoteEnvError
from rl_env_client.ros_env import RosEnv
from rl_env_client.ros_vec_env import RosVecEnv
from rl_env_node.scripted import ScriptedGoalReacher
from rl_env_node.tasks import make_task
from rl_interfaces.msg import EpisodeStats, Transition
from rl_interfaces.srv import Reset, Step
from rl_ros.contract import EPISODE_STATS, RESET, STEP, TRANSITIONS
from rl_testing import NodeProcess, stop_all
from rl_testing.ros import call, spin_until, wait_for_service


def start(logs, name, module, namespace='', params=(), ready='ready'):
    args = ['--ros-args']
    for param in params:
        args += ['-p', param]
    if namespace:
        args += ['-r', f'__ns:=/{namespace}']
    process = NodeProcess.python_module(name, module, args, logs).start()
    process.wait_for_output(ready, timeout=60)
    return process


def start_pair(logs, namespace='', env_params=()):
    """A sim node and an env node that steps it through the sim/ services."""
    sim = start(logs, f'sim{namespace}', 'robotino_mujoco.sim_node', namespace, ['mode:=pause'])
    env = start(logs, f'env{namespace}', 'rl_env_node.env_node', namespace,
                ['simulator:=service', 'timeout:=2.0', *env_params])
    return sim, env


@pytest.fixture(scope='module')
def pair(ros_domain, tmp_path_factory):
    processes = start_pair(tmp_path_factory.mktemp('pair_logs'))
    yield processes
    stop_all(processes)


@pytest.fixture
def env(pair):
    client = RosEnv(timeout=10.0)
    yield client
    client.close()


def test_check_env_passes(env):
    check_env(env, skip_render_check=True)
    assert env.task == 'goal_reaching'
    assert math.isclose(env.control_period, 0.1)


def test_same_seed_and_actions_give_identical_episodes(env):
    actions = np.random.default_rng(3).uniform(-1, 1, size=(25, 3)).astype(np.float32)
    runs = []
    for _ in range(2):
        observation, _ = env.reset(seed=42)
        trace = [observation]
        for action in actions:
            observation, reward, terminated, truncated, _ = env.step(action)
            trace += [observation, np.float32(reward)]
            if terminated or truncated:
                break
        runs.append(trace)
    assert len(runs[0]) == len(runs[1])
    assert all(np.array_equal(a, b) for a, b in zip(*runs, strict=True))


def test_bad_inputs_are_refused_and_the_next_call_works(pair, ros_node):
    reset = ros_node.create_client(Reset, RESET.name)
    step = ros_node.create_client(Step, STEP.name)
    wait_for_service(reset, 30)
    ok_action = [0.1, 0.0, 0.0]

    assert call(ros_node, reset, Reset.Request(seed=1)).success
    for action, hint in (([0.1, 0.2], '3 values'), ([math.nan, 0, 0], 'NaN'),
                         ([math.inf, 0, 0], 'infinite')):
        refused = call(ros_node, step, Step.Request(action=action))
        assert not refused.success and hint in refused.message
        assert call(ros_node, step, Step.Request(action=ok_action)).success

    for options, hint in (('{bad json', 'JSON'), ('[1, 2]', 'object'),
                          ('{"no_such_option": 1}', 'no_such_option')):
        refused = call(ros_node, reset, Reset.Request(seed=1, options_json=options))
        assert not refused.success and hint in refused.message
        assert call(ros_node, reset, Reset.Request(seed=1)).success

    clipped = call(ros_node, step, Step.Request(action=[5.0, 0.0, 0.0]))
    assert clipped.success and json.loads(clipped.info_json)['action_clipped'] is True


def test_step_before_reset_and_after_the_end_needs_reset(ros_domain, node_logs, ros_node):
    processes = start_pair(node_logs, 'fresh', ['max_episode_steps:=3'])
    try:
        reset = ros_node.create_client(Reset, f'/fresh/{RESET.name}')
        step = ros_node.create_client(Step, f'/fresh/{STEP.name}')
        wait_for_service(step, 30)
        early = call(ros_node, step, Step.Request(action=[0.0, 0.0, 0.0]))
        assert not early.success and 'reset' in early.message
        assert call(ros_node, reset, Reset.Request(seed=2)).success
        answers = [call(ros_node, step, Step.Request(action=[0.0, 0.0, 0.0])) for _ in range(3)]
        assert answers[-1].truncated and not answers[-1].terminated
        late = call(ros_node, step, Step.Request(action=[0.0, 0.0, 0.0]))
        assert not late.success and 'call reset' in late.message
    finally:
        stop_all(processes)


def test_a_silent_simulator_is_reported_and_the_env_recovers(ros_domain, node_logs, ros_node):
    sim, env_node = start_pair(node_logs, 'frozen')
    try:
        reset = ros_node.create_client(Reset, f'/frozen/{RESET.name}')
        step = ros_node.create_client(Step, f'/frozen/{STEP.name}')
        wait_for_service(step, 30)
        assert call(ros_node, reset, Reset.Request(seed=4)).success
        os.kill(sim.pid, signal.SIGSTOP)
        try:
            silent = call(ros_node, step, Step.Request(action=[0.1, 0.0, 0.0]), timeout=20)
        finally:
            os.kill(sim.pid, signal.SIGCONT)
        assert not silent.success and 'did not answer' in silent.message
        assert call(ros_node, reset, Reset.Request(seed=4), timeout=20).success
        assert call(ros_node, step, Step.Request(action=[0.1, 0.0, 0.0])).success
    finally:
        stop_all([sim, env_node])


def test_refusals_reach_the_gymnasium_client_as_exceptions(env):
    with pytest.raises(RemoteEnvError, match='no_such_option'):
        env.reset(seed=1, options={'no_such_option': 1})
    env.reset(seed=1)
    with pytest.raises(RemoteEnvError, match='3 values'):
        env.step(np.zeros(2, dtype=np.float32))


def test_scripted_controller_reaches_the_goal(env):
    controller = ScriptedGoalReacher(make_task('goal_reaching'))
    successes = 0
    for seed in range(50):
        observation, _ = env.reset(seed=1000 + seed)
        controller.reset()
        terminated = truncated = False
        while not (terminated or truncated):
            observation, _, terminated, truncated, info = env.step(controller(observation))
        successes += bool(info['is_success'])
    assert successes >= 40, f'{successes}/50 episodes reached the goal'


def test_transitions_and_episode_stats_are_published(env, ros_node):
    transitions, episodes = [], []
    ros_node.create_subscription(Transition, TRANSITIONS.name, transitions.append, 100)
    ros_node.create_subscription(EpisodeStats, EPISODE_STATS.name, episodes.append, 10)
    spin_until(ros_node, lambda: ros_node.count_publishers(TRANSITIONS.name) > 0, 10,
               'publisher')
    env.reset(seed=8, options={})
    steps = 0
    truncated = terminated = False
    while not (terminated or truncated):
        _, _, terminated, truncated, _ = env.step(np.array([0.0, 0.0, 1.0], dtype=np.float32))
        steps += 1
    # The subscriber keeps the last 100 transitions; the episode's last one must be there.
    spin_until(ros_node, lambda: episodes and transitions
               and transitions[-1].step_index == steps - 1, 20, 'the episode on the topics')
    assert episodes[-1].length == steps and episodes[-1].seed == 8
    assert transitions[-1].truncated or transitions[-1].terminated
    assert transitions[-1].env_namespace == '/'


def test_reset_from_a_plain_rclpy_process(pair):
    script = (
        'import rclpy\n'
        'from rl_interfaces.srv import Reset\n'
        'rclpy.init()\n'
        'node = rclpy.create_node("cli")\n'
        'client = node.create_client(Reset, "/reset")\n'
        'assert client.wait_for_service(timeout_sec=20)\n'
        'future = client.call_async(Reset.Request(seed=1))\n'
        'rclpy.spin_until_future_complete(node, future, timeout_sec=20)\n'
        'response = future.result()\n'
        'print(response.success, len(response.observation))\n'
    )
    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    success, length = result.stdout.split()
    assert success == 'True' and int(length) > 0


def test_vec_env_steps_namespaced_env_nodes(ros_domain, node_logs):
    processes = [p for k in range(2) for p in start_pair(node_logs, f'env_{k}')]
    try:
        vec = RosVecEnv(['env_0', 'env_1'], timeout=20.0)
        try:
            vec.seed(5)
            observations = vec.reset()
            assert observations.shape == (2, *vec.observation_space.shape)
            assert not np.array_equal(observations[0], observations[1])
            dones_seen = 0
            for _ in range(400):
                vec.step_async(np.stack([vec.action_space.sample() for _ in range(2)]))
                observations, _, dones, infos = vec.step_wait()
                for done, info in zip(dones, infos, strict=True):
                    if done:
                        dones_seen += 1
                        assert 'terminal_observation' in info
            assert dones_seen >= 2
        finally:
            vec.close()
    finally:
        stop_all(processes)
