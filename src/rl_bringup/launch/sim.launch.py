"""Simulators and env nodes only, for `ros2 service call /reset` and external agents."""

from rl_bringup.graph import GraphOptions, bringup_graph
from rl_bringup.launch_nodes import COMMON_ARGUMENTS, describe


def generate_launch_description():
    return describe(COMMON_ARGUMENTS, lambda value: bringup_graph(GraphOptions(
        num_envs=int(value('num_envs')), sim=value('sim'), task=value('task'),
        task_options=value('task_options'), seed=int(value('seed')))))
