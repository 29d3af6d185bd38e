"""Several env nodes in one process (``env_group``), stepped over DDS like separate ones."""

import signal

import numpy as np
import yaml

from rl_env_client.ros_env import RosEnv
from rl_env_client.ros_vec_env import RosVecEnv
from rl_testing import NodeProcess, stop_all


def test_a_group_serves_each_namespace_with_its_own_parameters(ros_domain, node_logs, tmp_path):
    params = tmp_path / 'params.yaml'
    params.write_text(yaml.safe_dump({
        '/env_a/rl_env': {'ros__parameters': {'max_episode_steps': 7}},
        '/env_b/rl_env': {'ros__parameters': {'max_episode_steps': 5}}}))
    group = NodeProcess.python_module(
        'group', 'rl_env_node.env_group',
        ['env_a', '/env_b', '--ros-args', '--params-file', str(params)], node_logs).start()
    try:
        group.wait_for_output('env ready', timeout=60)
        limits = {}
        for namespace in ('env_a', 'env_b'):
            env = RosEnv(namespace, timeout=10.0)
            try:
                limits[namespace] = env.max_episode_steps
            finally:
                env.close()
        assert limits == {'env_a': 7, 'env_b': 5}
        vec = RosVecEnv(['env_a', 'env_b'], timeout=10.0)
        try:
            vec.seed(3)
            vec.reset()
            lengths, steps = {}, 0
            while len(lengths) < 2:
                vec.step_async(np.zeros((2, 3), dtype=np.float32))
                _, _, dones, _ = vec.step_wait()
                steps += 1
                for k, done in enumerate(dones):
                    if done:
                        lengths.setdefault(k, steps)
            assert lengths == {0: 7, 1: 5}   # zero actions: each stands until its own limit
        finally:
            vec.close()
        group.send_signal(signal.SIGINT)
        assert group.wait(timeout=20) == 0, group.output()
    finally:
        stop_all([group])


def test_a_group_without_namespaces_says_how_to_call_it(ros_domain, node_logs):
    group = NodeProcess.python_module('bad_group', 'rl_env_node.env_group', [], node_logs).start()
    try:
        assert group.wait(timeout=30) == 2
        assert 'NAMESPACE' in group.output()
    finally:
        group.stop()
