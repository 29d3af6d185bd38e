"""Evaluate a trained model on N simulated envs over held-out seeds."""

from rl_bringup.agent_commands import eval_parameters
from rl_bringup.graph import GraphOptions, bringup_graph
from rl_bringup.launch_nodes import COMMON_ARGUMENTS, common_options, describe

ARGUMENTS = (
    *COMMON_ARGUMENTS,
    ('model', '', 'the model to evaluate (a .zip saved by training)'),
    ('seeds', '10000-10099', "episode seeds: 'A-B' or 'a,b,c'"),
)


def generate_launch_description():
    return describe(ARGUMENTS, lambda value: bringup_graph(GraphOptions(
        **common_options(value), agent=eval_parameters(value('model'), value('seeds')))))
