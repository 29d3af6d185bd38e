"""Tasks: spaces, world request, observation, reward and termination, chosen by name."""

from rl_env_node.tasks.base import Task, TaskStep
from rl_env_node.tasks.goal_reaching import GoalReaching, GoalReachingOptions
from rl_env_node.tasks.obstacle_memory import ObstacleMemory
from rl_env_node.tasks.options import (
    check_ranges,
    describe_options,
    option,
    options_to_dict,
    require,
)
from rl_env_node.tasks.registry import make_task, register_task, task_class, task_names
from rl_env_node.tasks.wall_following import WallFollowing, WallFollowingOptions

__all__ = [
    'GoalReaching',
    'GoalReachingOptions',
    'ObstacleMemory',
    'Task',
    'TaskStep',
    'WallFollowing',
    'WallFollowingOptions',
    'check_ranges',
    'describe_options',
    'make_task',
    'option',
    'options_to_dict',
    'register_task',
    'require',
    'task_class',
    'task_names',
]
