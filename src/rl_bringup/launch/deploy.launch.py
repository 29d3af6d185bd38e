"""Run a trained policy on the Robotino, or on a MuJoCo stand-in, and drive it to goals.

    ros2 launch rl_bringup deploy.launch.py model:=runs/RUN robot:=sim
    ros2 launch rl_bringup deploy.launch.py model:=policy.pt robot:=real namespace:=robotino

The env node runs in real mode and the agent in deploy mode; with robot:=real
the robot's own driver (robocup-logistics ros2-robotino) provides cmd_vel,
odom, distance_sensors and bumper: start it first, in the same namespace.
Goals go to the agent's navigate_to_goal action or RViz's goal_pose topic.
The graph is rl_bringup.deploy_graph's, the same as ``./rl deploy``'s.
"""

from rl_bringup.deploy_graph import ROBOTS, DeployOptions, deploy_graph
from rl_bringup.launch_nodes import describe

ARGUMENTS = (
    ('model', '', 'the trained model: run directory, model folder, model.zip or .pt'),
    ('robot', 'real', '; '.join(f"'{name}': {meaning}" for name, meaning in ROBOTS.items())),
    ('namespace', '', "the robot's namespace; '' for the root one, as the driver's"),
    ('realism', 'realistic', "robot 'sim': the stand-in's realism preset, ideal or realistic"),
    ('seed', '0', "robot 'sim': seed of the stand-in's arena"),
    ('scenario', '', "robot 'sim': the stand-in's arena layout; '' generates one from seed"),
    ('task', 'goal_reaching', 'registered task name (as trained)'),
    ('task_options', '', 'task options as a JSON object (as trained)'),
    ('goals', '0', 'goals to serve before the launch ends; 0 until stopped'),
)


def generate_launch_description():
    return describe(ARGUMENTS, lambda value: deploy_graph(DeployOptions(
        model=value('model'), robot=value('robot'), namespace=value('namespace'),
        realism=value('realism'), seed=int(value('seed')), scenario=value('scenario'),
        task=value('task'),
        task_options=value('task_options'), goals=int(value('goals')))))
