"""Train an agent on N simulated envs, recording episodes to rosbag2 in the run directory.

    ros2 launch rl_bringup train.launch.py num_envs:=2 total_steps:=4096
    ros2 launch rl_bringup train.launch.py resume:=runs/goal_reaching_ppo_0_20261201-101500
    ros2 launch rl_bringup train.launch.py monitor_port:=8081      # or monitor:=false

The arguments are the knobs of rl_bringup.training_run.TrainingRun, the same
as the flags of ``rl train``, and of rl_bringup.graph.MonitorKnobs (the live
monitor page, on by default; its URL is logged). The launch ends when the
agent does; Ctrl-C or SIGTERM saves a checkpoint first.
"""

from rl_agent_node.knobs import from_strings, launch_arguments
from rl_bringup.graph import MonitorKnobs, with_monitor
from rl_bringup.launch_nodes import describe
from rl_bringup.training_run import TrainingRun, training_plan

ARGUMENTS = launch_arguments(TrainingRun) + launch_arguments(MonitorKnobs)


def generate_launch_description():
    return describe(ARGUMENTS, lambda value: with_monitor(training_plan(
        from_strings(TrainingRun, value), progress_bar=False)[1],
        from_strings(MonitorKnobs, value)))
