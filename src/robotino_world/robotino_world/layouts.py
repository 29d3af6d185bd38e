"""Named arena layouts, read from YAML files.

A scenario string names a layout: ``corridor`` is ``arenas/corridor.yaml``
of this package (installed to ``share/robotino_world/arenas``), and a path
ending in ``.yaml`` is read as is, so users can try their own. A layout
file holds, lengths in metres and angles in radians, world frame::

    size_x: 5.0            # inner room length along x (required)
    size_y: 4.0            # inner room width along y (required)
    walls:                 # interior walls, besides the room's four
      - {x: 0.0, y: 1.0, yaw: 0.0, half_x: 1.5, half_y: 0.05}
    obstacles:
      - {shape: box, x: 1.0, y: -1.0, yaw: 0.3, half_x: 0.3, half_y: 0.2}
      - {shape: cylinder, x: -1.2, y: 0.8, radius: 0.25}
    start: {x: -2.0, y: 0.0, yaw: 0.0}   # optional: drawn from the seed if absent
    goal: {x: 2.0, y: 0.0}               # optional: drawn from the seed if absent

Heights are optional and default to the :class:`ArenaConfig` ones; a
``description`` string is allowed and ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from robotino_world.arena import Arena, ArenaConfig, place_start_goal, room_walls
from robotino_world.errors import ArenaGenerationError, ScenarioError
from robotino_world.shapes import Box, Cylinder, Pose2D, Shape, clearance

_TOP_KEYS = {'description', 'size_x', 'size_y', 'walls', 'obstacles', 'start', 'goal'}


@dataclass(frozen=True)
class Layout:
    """A fixed room read from a file; start and goal may be left to the seed.

    :param name: the scenario string it was loaded for.
    :param size_x: inner room length along x, metres.
    :param size_y: inner room width along y, metres.
    :param walls: interior walls (the room's four are added when built).
    :param obstacles: boxes and cylinders.
    :param start: fixed start, or None to draw it from the seed.
    :param goal: fixed goal, or None to draw it from the seed.
    """

    name: str
    size_x: float
    size_y: float
    walls: tuple[Box, ...]
    obstacles: tuple[Shape, ...]
    start: Pose2D | None
    goal: Pose2D | None


def layout_dirs() -> tuple[Path, ...]:
    """Folders searched for ``<name>.yaml``: the source tree's, then the installed one."""
    dirs = [Path(__file__).resolve().parent.parent / 'arenas']
    try:
        from ament_index_python.packages import get_package_share_directory

        dirs.append(Path(get_package_share_directory('robotino_world')) / 'arenas')
    except (ImportError, LookupError, OSError):
        pass
    return tuple(path for path in dirs if path.is_dir())


def available_layouts(dirs: tuple[Path, ...] | None = None) -> list[str]:
    """Names of the layouts found in ``dirs`` (default :func:`layout_dirs`), sorted."""
    found = {path.stem for folder in (dirs or layout_dirs()) for path in folder.glob('*.yaml')}
    return sorted(found)


def resolve_layout(scenario: str, dirs: tuple[Path, ...] | None = None) -> Path:
    """The file a scenario string names.

    :raises ScenarioError: when no such file exists; the message lists the names known.
    """
    if scenario.endswith(('.yaml', '.yml')):
        path = Path(scenario).expanduser()
        if path.is_file():
            return path
        raise ScenarioError(f'layout file {scenario!r} does not exist')
    for folder in dirs or layout_dirs():
        path = folder / f'{scenario}.yaml'
        if path.is_file():
            return path
    raise ScenarioError(
        f'unknown scenario {scenario!r}; known layouts: {available_layouts(dirs)}, '
        "'' for a generated arena, or a path to a .yaml file")


def _number(entry: Mapping[str, Any], key: str, where: str, default: float | None = None) -> float:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise ScenarioError(f'{where}: {key!r} must be a finite number, got {value!r}')
    return float(value)


def _check_keys(entry: Any, allowed: set[str], where: str) -> Mapping[str, Any]:
    if not isinstance(entry, Mapping):
        raise ScenarioError(f'{where}: expected a mapping, got {entry!r}')
    unknown = set(entry) - allowed
    if unknown:
        raise ScenarioError(f'{where}: unknown keys {sorted(unknown)}; allowed {sorted(allowed)}')
    return entry


def _pose(entry: Any, where: str) -> Pose2D | None:
    if entry is None:
        return None
    entry = _check_keys(entry, {'x', 'y', 'yaw'}, where)
    return Pose2D(_number(entry, 'x', where), _number(entry, 'y', where),
                  _number(entry, 'yaw', where, 0.0))


def _box(entry: Mapping[str, Any], where: str, height: float) -> Box:
    entry = _check_keys(entry, {'shape', 'x', 'y', 'yaw', 'half_x', 'half_y', 'height'}, where)
    values = [_number(entry, key, where) for key in ('x', 'y')]
    values.append(_number(entry, 'yaw', where, 0.0))
    values += [_number(entry, key, where) for key in ('half_x', 'half_y')]
    values.append(_number(entry, 'height', where, height))
    try:
        return Box(*values)
    except ValueError as error:
        raise ScenarioError(f'{where}: {error}') from error


def _obstacle(entry: Any, where: str, config: ArenaConfig) -> Shape:
    shape = entry.get('shape') if isinstance(entry, Mapping) else None
    if shape == 'box':
        return _box(entry, where, config.obstacle_height)
    if shape == 'cylinder':
        entry = _check_keys(entry, {'shape', 'x', 'y', 'radius', 'height'}, where)
        values = [_number(entry, key, where) for key in ('x', 'y', 'radius')]
        try:
            return Cylinder(*values, _number(entry, 'height', where, config.obstacle_height))
        except ValueError as error:
            raise ScenarioError(f'{where}: {error}') from error
    raise ScenarioError(f"{where}: 'shape' must be 'box' or 'cylinder', got {shape!r}")


def parse_layout(name: str, data: Any, config: ArenaConfig) -> Layout:
    """Check a loaded YAML document and turn it into a :class:`Layout`.

    :raises ScenarioError: naming the first bad entry.
    """
    data = _check_keys(data, _TOP_KEYS, name)
    walls = data.get('walls') or []
    obstacles = data.get('obstacles') or []
    if not isinstance(walls, list) or not isinstance(obstacles, list):
        raise ScenarioError(f"{name}: 'walls' and 'obstacles' must be lists")
    return Layout(
        name=name,
        size_x=_number(data, 'size_x', name),
        size_y=_number(data, 'size_y', name),
        walls=tuple(_box(w, f'{name}: walls[{i}]', config.wall_height)
                    for i, w in enumerate(walls)),
        obstacles=tuple(_obstacle(o, f'{name}: obstacles[{i}]', config)
                        for i, o in enumerate(obstacles)),
        start=_pose(data.get('start'), f'{name}: start'),
        goal=_pose(data.get('goal'), f'{name}: goal'),
    )


def read_layout(scenario: str, dirs: tuple[Path, ...] | None = None) -> Any:
    """Find and read the YAML document a scenario string names, unchecked."""
    path = resolve_layout(scenario, dirs)
    try:
        return yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise ScenarioError(f'cannot read layout {str(path)!r}: {error}') from error


def load_layout(scenario: str, config: ArenaConfig,
                dirs: tuple[Path, ...] | None = None) -> Layout:
    """Find, read and check the layout a scenario string names."""
    return parse_layout(scenario, read_layout(scenario, dirs), config)


def layout_arena(layout: Layout, config: ArenaConfig, rng: np.random.Generator,
                 robot_radius: float) -> Arena:
    """Build the arena of a layout, drawing the start and goal it leaves open.

    :raises ScenarioError: when a fixed start or goal overlaps a wall or obstacle.
    :raises ArenaGenerationError: when no start-goal pair fits.
    """
    walls = room_walls(layout.size_x, layout.size_y, config.wall_thickness,
                       config.wall_height) + layout.walls
    shapes = walls + layout.obstacles
    for label, pose in (('start', layout.start), ('goal', layout.goal)):
        if pose is not None and clearance(shapes, np.array([[pose.x, pose.y]]))[0] < robot_radius:
            raise ScenarioError(f'{layout.name}: the {label} {pose} overlaps a wall or obstacle')
    for _ in range(config.max_attempts):
        poses = place_start_goal(rng, shapes, layout.size_x, layout.size_y, robot_radius,
                                 config, layout.start, layout.goal)
        if poses is not None:
            return Arena(layout.name, layout.size_x, layout.size_y, walls, layout.obstacles,
                         *poses)
    raise ArenaGenerationError(
        f'{layout.name}: no start and goal found in {config.max_attempts} attempts')
