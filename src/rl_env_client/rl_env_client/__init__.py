"""Clients of the env services: what an agent, ours or a user's own script, imports.

:class:`RosEnv` is a Gymnasium env over one env node; :class:`RosVecEnv` a
stable-baselines3 VecEnv over N env nodes stepped together with
asynchronous calls (in :mod:`rl_env_client.ros_vec_env`, not imported here,
since stable-baselines3 brings torch). Neither imports the env server or a
simulator, so an agent on a laptop needs only ROS and gymnasium.
"""

from rl_env_client.env_client import EnvClient
from rl_env_client.errors import EnvClientError, EnvTimeoutError, RemoteEnvError
from rl_env_client.ros_env import RosEnv

__all__ = ['EnvClient', 'EnvClientError', 'EnvTimeoutError', 'RemoteEnvError', 'RosEnv']
