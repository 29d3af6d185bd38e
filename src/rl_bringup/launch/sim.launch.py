"""Simulators and env nodes only, for `ros2 service call /reset` and external agents."""

from rl_bringup.graph import GraphOptions, bringup_graph
from rl_bringup.launch_nodes import COMMON_ARGUMENTS, common_options, describe


def generate_launch_description():
    return describe(COMMON_ARGUMENTS, lambda value: bringup_graph(GraphOptions(
        **common_options(value))))
