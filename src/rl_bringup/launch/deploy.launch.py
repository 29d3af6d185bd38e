"""Run a trained policy on the real Robotino: env node in real mode + agent in deploy mode.

The robot's own driver (robocup-logistics ros2-robotino) provides cmd_vel,
odom, distance_sensors and bumper; start it first, in the same namespace.
"""

from rl_bringup.graph import GraphOptions, bringup_graph
from rl_bringup.launch_nodes import describe

ARGUMENTS = (
    ('task', 'goal_reaching', 'registered task name (as trained)'),
    ('task_options', '', 'task options as a JSON object (as trained)'),
    ('model', '', 'the trained model (.zip)'),
)


def generate_launch_description():
    return describe(ARGUMENTS, lambda value: bringup_graph(GraphOptions(
        task=value('task'), task_options=value('task_options'), real_robot=True,
        agent={'mode': 'deploy', 'model': value('model')})))
