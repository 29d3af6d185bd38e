"""Env node: tasks, rewards, robot and simulator facades, served as ROS 2 services.

The plain-Python parts are importable without ROS. The in-process MuJoCo
env lives in :mod:`rl_env_node.inprocess` and is not imported here, so that
the node on the real robot does not load MuJoCo; the clients of these
services (Gymnasium env, VecEnv) are :mod:`rl_env_client`'s.
"""

from rl_env_node.backend import EpisodeStart, Observation, RobotBackend, Twist, WorldRequest
from rl_env_node.env_core import (
    CheckedAction,
    EnvCore,
    EnvCoreSpec,
    EpisodeSummary,
    Transition,
    parse_options_json,
)
from rl_env_node.errors import (
    BackendError,
    EnvError,
    InvalidActionError,
    RequestError,
    ResetNeededError,
    TaskOptionError,
    UnknownTaskError,
)
from rl_env_node.scripted import ScriptedGoalReacher
from rl_env_node.tasks import Task, TaskStep, make_task, register_task, task_names

__all__ = [
    'BackendError',
    'CheckedAction',
    'EnvCore',
    'EnvCoreSpec',
    'EnvError',
    'EpisodeStart',
    'EpisodeSummary',
    'InvalidActionError',
    'Observation',
    'RequestError',
    'ResetNeededError',
    'RobotBackend',
    'ScriptedGoalReacher',
    'Task',
    'TaskOptionError',
    'TaskStep',
    'Transition',
    'Twist',
    'UnknownTaskError',
    'WorldRequest',
    'make_task',
    'parse_options_json',
    'register_task',
    'task_names',
]
