"""The live monitor page alone, beside env nodes and an agent started elsewhere (any host).

    ros2 launch rl_bringup monitor.launch.py
    ros2 launch rl_bringup monitor.launch.py port:=8081 namespaces:=env_0,env_1 \
        bag_dir:=runs/RUN/bags

The node is rl_monitor's (rl_bringup.graph.monitor_node, as ``./rl monitor``
starts it); it respawns, and runs until Ctrl-C.
"""

from rl_bringup.graph import MONITOR_PORT, monitor_node
from rl_bringup.launch_nodes import describe

ARGUMENTS = (
    ('port', str(MONITOR_PORT), 'TCP port of the page; 0 picks a free one'),
    ('host', '0.0.0.0', "address to listen on; '0.0.0.0' for every interface"),
    ('namespaces', '', "env namespaces, comma-separated ('/' for the root one); '' discovers "
                       'them: any topic ending in /episode_stats'),
    ('bag_dir', '', "the run's bag folder (runs/RUN/bags) for the episodes' bag links; '' none"),
)


def generate_launch_description():
    return describe(ARGUMENTS, lambda value: [monitor_node(
        [part for part in value('namespaces').split(',') if part], int(value('port')),
        value('bag_dir'), value('host'))])
