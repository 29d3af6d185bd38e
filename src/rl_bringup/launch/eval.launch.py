"""Evaluate a trained model on N simulated envs over held-out seeds."""

from rl_bringup.agent_commands import eval_parameters
from rl_bringup.graph import GraphOptions, bringup_graph
from rl_bringup.launch_nodes import COMMON_ARGUMENTS, describe

ARGUMENTS = (
    *COMMON_ARGUMENTS,
    ('model', '', 'the model to evaluate (a .zip saved by training)'),
    ('seeds', '10000-10099', "episode seeds: 'A-B' or 'a,b,c'"),
)


def generate_launch_description():
    return describe(ARGUMENTS, lambda value: bringup_graph(GraphOptions(
        num_envs=int(value('num_envs')), sim=value('sim'), task=value('task'),
        task_options=value('task_options'), seed=int(value('seed')),
        agent=eval_parameters(value('model'), value('seeds')))))
