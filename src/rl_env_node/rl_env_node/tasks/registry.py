"""Tasks by name, so the node, the CLI and configs pick a task with a string.

Three ways to add a task, none of which touches the node:

- in this package: one module plus one line in ``_BUILT_IN`` below;
- from your code: :func:`register_task` before the env is made;
- from your own package: an entry point in the group ``rl_env_node.tasks``
  (``'my_task = my_pkg.my_task:MyTask'`` in ``setup.py``), found the first
  time a name is not known.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Any

from rl_env_node.errors import UnknownTaskError
from rl_env_node.tasks.base import Task
from rl_env_node.tasks.goal_reaching import GoalReaching
from rl_env_node.tasks.options import replace_options
from rl_env_node.tasks.wall_following import WallFollowing
from robotino_description import ROBOTINO3, RobotinoDescription

#: Entry-point group other packages use to ship tasks.
ENTRY_POINT_GROUP = 'rl_env_node.tasks'

_BUILT_IN: tuple[type[Task], ...] = (GoalReaching, WallFollowing)

_registry: dict[str, type[Task]] = {task.name: task for task in _BUILT_IN}


def register_task(task: type[Task]) -> type[Task]:
    """Add a task class under its ``name``; usable as a class decorator.

    :param task: a :class:`Task` subclass.
    :raises ValueError: when it is not a Task subclass or the name is taken by another class.
    """
    if not (isinstance(task, type) and issubclass(task, Task)):
        raise ValueError(f'register_task takes a Task subclass, got {task!r}')
    known = _registry.get(task.name)
    if known is not None and known is not task:
        raise ValueError(f'task name {task.name!r} is taken by {known.__qualname__}')
    _registry[task.name] = task
    return task


def _load_entry_points() -> None:
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name not in _registry:
            register_task(point.load())


def task_names() -> tuple[str, ...]:
    """The names of all registered tasks, sorted."""
    _load_entry_points()
    return tuple(sorted(_registry))


def task_class(name: str) -> type[Task]:
    """The task class registered as ``name``.

    :raises UnknownTaskError: naming the known tasks.
    """
    if name not in _registry:
        _load_entry_points()
    if name not in _registry:
        raise UnknownTaskError(
            f'unknown task {name!r}; known tasks: {sorted(_registry)} '
            f'(add one with register_task or the {ENTRY_POINT_GROUP!r} entry point group)')
    return _registry[name]


def make_task(name: str, options: Mapping[str, Any] | None = None,
              description: RobotinoDescription = ROBOTINO3) -> Task:
    """A new task instance by name, with options from a JSON-like mapping.

    :param name: registered task name, e.g. ``'goal_reaching'``.
    :param options: option names to values; the task's defaults for the rest.
    :param description: the robot.
    :raises UnknownTaskError: for an unknown name.
    :raises TaskOptionError: for an unknown option, a wrong type or a bad value.
    """
    cls = task_class(name)
    return cls(replace_options(cls.options_type(), options), description=description)
