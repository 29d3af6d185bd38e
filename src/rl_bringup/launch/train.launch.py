"""Train an agent on N simulated envs, optionally recording episodes to rosbag2.

    ros2 launch rl_bringup train.launch.py num_envs:=4 sim:=webots headless:=true
"""

import os

from rl_bringup.graph import GraphOptions, bringup_graph
from rl_bringup.launch_nodes import COMMON_ARGUMENTS, common_options, describe

ARGUMENTS = (
    *COMMON_ARGUMENTS,
    ('config', '', 'training config <algo>.yaml (default: the package default for the algorithm)'),
    ('algo', 'ppo', 'ppo, sac, td3, a2c or ddpg'),
    ('total_steps', '0', 'training steps; 0 for the config value'),
    ('run_dir', '', 'run directory; a new one under runs/ when empty'),
    ('resume', '', 'run directory to resume from its latest checkpoint'),
    ('record', 'every:10', "episodes to record: 'none', 'all', 'failures' or 'every:K'"),
    ('bag_dir', 'bags', 'folder for the recorded bags'),
)


def generate_launch_description():
    return describe(ARGUMENTS, lambda value: bringup_graph(GraphOptions(
        **common_options(value), record=value('record'), bag_dir=value('bag_dir'),
        agent={'mode': 'train', 'config_dir': os.path.dirname(value('config')),
               'algo': value('algo'), 'total_timesteps': int(value('total_steps')),
               'run_dir': value('run_dir'), 'resume': value('resume')})))
