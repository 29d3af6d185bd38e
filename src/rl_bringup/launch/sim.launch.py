"""Simulators and env nodes only, for `ros2 service call /reset` and external agents.

    ros2 launch rl_bringup sim.launch.py num_envs:=2 monitor:=true     # with the monitor page
"""

from rl_bringup.graph import MONITOR_PORT, GraphOptions, MonitorKnobs, bringup_graph, with_monitor
from rl_bringup.launch_nodes import COMMON_ARGUMENTS, common_options, describe, flag

ARGUMENTS = (
    *COMMON_ARGUMENTS,
    ('monitor', 'false', "serve the live monitor page of these envs (each env's top view, "
                         'the latest episodes); its URL is logged'),
    ('monitor_port', str(MONITOR_PORT), 'TCP port of the monitor page'),
)


def generate_launch_description():
    return describe(ARGUMENTS, lambda value: with_monitor(
        bringup_graph(GraphOptions(**common_options(value))),
        MonitorKnobs(flag('monitor', value('monitor')), int(value('monitor_port')))))
