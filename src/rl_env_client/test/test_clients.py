"""What the clients do on their own, without an env node to answer them.

Their behaviour against real env nodes (Gymnasium's check_env, refusals as
exceptions, the VecEnv's automatic reset) is tested in rl_env_node's tests,
which start the env nodes: colcon forbids the two packages' tests depending
on each other, and the server's tests need the clients.
"""

import pytest

from rl_env_client import EnvTimeoutError, RosEnv
from rl_env_client.ros_vec_env import RosVecEnv


def test_a_missing_env_node_times_out_with_advice(ros_domain):
    with pytest.raises(EnvTimeoutError, match='no env node serves /nowhere/reset'):
        RosEnv('nowhere', timeout=1.0)


def test_the_vec_env_names_the_missing_namespaces(ros_domain):
    with pytest.raises(EnvTimeoutError, match='env_7'):
        RosVecEnv(['env_7', 'env_8'], timeout=1.0)
