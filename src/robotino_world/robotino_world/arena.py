"""Arenas: a walled rectangular room, obstacles, a start pose and a goal.

An arena is generated from a seed and an :class:`ArenaConfig`, or built
from a named layout (see :mod:`.layouts`); either way the start and goal
that are not fixed are drawn from the same random stream, with the robot's
footprint kept ``clearance`` metres from every wall and obstacle, and
(optionally) a collision-free path between them checked on a grid.

World frame: origin at the centre of the room, x and y on the floor, z up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from robotino_world.errors import ArenaGenerationError, InvalidArgumentError
from robotino_world.shapes import Box, Cylinder, Pose2D, Shape, clearance

_CANDIDATES = 64
"""Random positions drawn per attempt when placing a start or a goal."""

_PATH_RESOLUTION = 0.1
"""Grid step of the start-goal path check, metres; finer costs more per reset."""


@dataclass(frozen=True)
class ArenaConfig:
    """How generated arenas look; every length in metres.

    :param size_x: inner length of the room along world x.
    :param size_y: inner width of the room along world y.
    :param obstacle_count: inclusive range of the number of obstacles.
    :param obstacle_size: inclusive range of an obstacle's radius or half side.
    :param cylinder_fraction: probability that an obstacle is a cylinder, else a box.
    :param clearance: free gap kept between the robot's footprint and any wall
        or obstacle at a sampled start or goal.
    :param min_start_goal_distance: smallest distance between sampled start and goal.
    :param require_path: resample until a collision-free path joins a sampled
        start and goal (checked on a 0.1 m grid).
    :param wall_thickness: thickness of the room's walls.
    :param wall_height: height of walls.
    :param obstacle_height: height of obstacles.
    :param max_attempts: arenas (or start-goal pairs for a fixed layout) tried
        before giving up with :class:`ArenaGenerationError`.
    """

    size_x: float = 5.0
    size_y: float = 5.0
    obstacle_count: tuple[int, int] = (3, 8)
    obstacle_size: tuple[float, float] = (0.1, 0.35)
    cylinder_fraction: float = 0.5
    clearance: float = 0.1
    min_start_goal_distance: float = 2.0
    require_path: bool = True
    wall_thickness: float = 0.1
    wall_height: float = 0.5
    obstacle_height: float = 0.4
    max_attempts: int = 100

    def __post_init__(self) -> None:
        """Reject configurations no arena can satisfy, naming the bad value."""
        for name in ('size_x', 'size_y', 'wall_thickness', 'wall_height', 'obstacle_height'):
            if not getattr(self, name) > 0.0:
                raise ValueError(f'{name} must be > 0, got {getattr(self, name)!r}')
        low, high = self.obstacle_count
        if not 0 <= low <= high:
            raise ValueError(
                f'obstacle_count must be 0 <= min <= max, got {self.obstacle_count!r}')
        small, large = self.obstacle_size
        if not 0.0 < small <= large:
            raise ValueError(f'obstacle_size must be 0 < min <= max, got {self.obstacle_size!r}')
        if not 0.0 <= self.cylinder_fraction <= 1.0:
            raise ValueError(
                f'cylinder_fraction must be in [0, 1], got {self.cylinder_fraction!r}')
        if self.clearance < 0.0 or self.min_start_goal_distance < 0.0:
            raise ValueError('clearance and min_start_goal_distance must be >= 0, got '
                             f'{self.clearance!r}, {self.min_start_goal_distance!r}')
        if self.max_attempts < 1:
            raise ValueError(f'max_attempts must be >= 1, got {self.max_attempts!r}')


def world_stream(rng: np.random.Generator | None, seed: int | None) -> np.random.Generator:
    """The random stream the next world is drawn from.

    Every simulator draws its worlds through this, so a seed gives MuJoCo and
    Webots the same sequence of arenas.

    :param rng: the stream so far; None before the first world.
    :param seed: restarts the stream (an integer >= 0); None continues ``rng``,
        or starts an unseeded stream when there is none yet.
    :raises InvalidArgumentError: for a seed that is not an integer >= 0.
    """
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise InvalidArgumentError(f'seed must be an integer >= 0 or None, got {seed!r}')
        return np.random.default_rng(int(seed))
    return rng if rng is not None else np.random.default_rng()


@dataclass(frozen=True)
class Arena:
    """One world: room, obstacles, start and goal, world frame.

    :param name: the scenario it came from; ``''`` when generated from a seed.
    :param size_x: inner length of the room along x, metres.
    :param size_y: inner width of the room along y, metres.
    :param walls: the room's walls and any interior walls.
    :param obstacles: boxes and cylinders standing in the room.
    :param start: where the robot starts.
    :param goal: where the task wants it to go.
    """

    name: str
    size_x: float
    size_y: float
    walls: tuple[Box, ...]
    obstacles: tuple[Shape, ...]
    start: Pose2D
    goal: Pose2D

    @property
    def shapes(self) -> tuple[Shape, ...]:
        """Walls then obstacles: everything the robot can bump into."""
        return self.walls + self.obstacles

    def clearance(self, x: float, y: float) -> float:
        """Distance from a point to the nearest wall or obstacle footprint, metres."""
        return float(clearance(self.shapes, np.array([[x, y]]))[0])


def room_walls(size_x: float, size_y: float, thickness: float, height: float) -> tuple[Box, ...]:
    """Four walls whose inner faces bound ``[-size_x/2, size_x/2] x [-size_y/2, size_y/2]``."""
    half = thickness / 2.0
    return (
        Box(size_x / 2.0 + half, 0.0, 0.0, half, size_y / 2.0 + thickness, height),
        Box(-size_x / 2.0 - half, 0.0, 0.0, half, size_y / 2.0 + thickness, height),
        Box(0.0, size_y / 2.0 + half, 0.0, size_x / 2.0, half, height),
        Box(0.0, -size_y / 2.0 - half, 0.0, size_x / 2.0, half, height),
    )


def _uniform_inside(rng: np.random.Generator, half_extent: float, reach: float) -> float:
    """A coordinate that keeps a shape of bounding radius ``reach`` inside the room."""
    limit = max(half_extent - reach, 0.0)
    return float(rng.uniform(-limit, limit))


def random_obstacles(config: ArenaConfig, rng: np.random.Generator) -> tuple[Shape, ...]:
    """Draw boxes and cylinders inside the room; they may overlap each other."""
    count = int(rng.integers(config.obstacle_count[0], config.obstacle_count[1] + 1))
    obstacles: list[Shape] = []
    for _ in range(count):
        if rng.random() < config.cylinder_fraction:
            radius = float(rng.uniform(*config.obstacle_size))
            x = _uniform_inside(rng, config.size_x / 2.0, radius)
            y = _uniform_inside(rng, config.size_y / 2.0, radius)
            obstacles.append(Cylinder(x, y, radius, config.obstacle_height))
        else:
            half_x, half_y = (float(v) for v in rng.uniform(*config.obstacle_size, size=2))
            yaw = float(rng.uniform(0.0, math.pi))
            reach = math.hypot(half_x, half_y)
            x = _uniform_inside(rng, config.size_x / 2.0, reach)
            y = _uniform_inside(rng, config.size_y / 2.0, reach)
            obstacles.append(Box(x, y, yaw, half_x, half_y, config.obstacle_height))
    return tuple(obstacles)


def _nearest_cell(centres: np.ndarray, coordinate: float) -> int:
    """Index of the grid cell centre nearest to ``coordinate``."""
    index = round((coordinate - centres[0]) / _PATH_RESOLUTION)
    return min(max(index, 0), len(centres) - 1)


def path_exists(shapes: tuple[Shape, ...], size_x: float, size_y: float,
                start: Pose2D, goal: Pose2D, robot_radius: float) -> bool:
    """Whether a disc of ``robot_radius`` can slide from start to goal.

    Flood fill on a grid of cell centres whose clearance is at least the
    radius, 4-connected; conservative in narrow diagonal gaps.
    """
    xs = np.arange(-size_x / 2.0 + _PATH_RESOLUTION / 2.0, size_x / 2.0, _PATH_RESOLUTION)
    ys = np.arange(-size_y / 2.0 + _PATH_RESOLUTION / 2.0, size_y / 2.0, _PATH_RESOLUTION)
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.column_stack((grid_x.ravel(), grid_y.ravel()))
    free = (clearance(shapes, points) >= robot_radius).reshape(grid_x.shape)

    source = (_nearest_cell(ys, start.y), _nearest_cell(xs, start.x))
    target = (_nearest_cell(ys, goal.y), _nearest_cell(xs, goal.x))
    free[source] = free[target] = True
    reached = np.zeros_like(free)
    reached[source] = True
    while not reached[target]:
        grown = reached.copy()
        grown[1:, :] |= reached[:-1, :]
        grown[:-1, :] |= reached[1:, :]
        grown[:, 1:] |= reached[:, :-1]
        grown[:, :-1] |= reached[:, 1:]
        grown &= free
        if np.array_equal(grown, reached):
            return False
        reached = grown
    return True


def _sample_position(rng: np.random.Generator, shapes: tuple[Shape, ...], size_x: float,
                     size_y: float, margin: float, away_from: Pose2D | None,
                     min_distance: float) -> Pose2D | None:
    """A random pose whose position is ``margin`` from every shape, or None."""
    half_x = max(size_x / 2.0 - margin, 0.0)
    half_y = max(size_y / 2.0 - margin, 0.0)
    points = rng.uniform((-half_x, -half_y), (half_x, half_y), size=(_CANDIDATES, 2))
    yaws = rng.uniform(-math.pi, math.pi, size=_CANDIDATES)
    valid = clearance(shapes, points) >= margin
    if away_from is not None:
        valid &= np.hypot(points[:, 0] - away_from.x, points[:, 1] - away_from.y) >= min_distance
    hits = np.flatnonzero(valid)
    if hits.size == 0:
        return None
    index = hits[0]
    return Pose2D(float(points[index, 0]), float(points[index, 1]), float(yaws[index]))


def place_start_goal(rng: np.random.Generator, shapes: tuple[Shape, ...], size_x: float,
                     size_y: float, robot_radius: float, config: ArenaConfig,
                     start: Pose2D | None = None,
                     goal: Pose2D | None = None) -> tuple[Pose2D, Pose2D] | None:
    """One attempt at a start and goal; fixed ones are kept, missing ones sampled.

    :return: ``(start, goal)``, or None when this attempt found no valid pair.
    """
    margin = robot_radius + config.clearance
    sampled = start is None or goal is None
    if start is None:
        start = _sample_position(rng, shapes, size_x, size_y, margin, None, 0.0)
    if start is not None and goal is None:
        goal = _sample_position(rng, shapes, size_x, size_y, margin, start,
                                config.min_start_goal_distance)
    if start is None or goal is None:
        return None
    if sampled and config.require_path and not path_exists(
            shapes, size_x, size_y, start, goal, robot_radius):
        return None
    return start, goal


def generate_arena(config: ArenaConfig, rng: np.random.Generator, robot_radius: float) -> Arena:
    """Draw a whole arena (obstacles, start, goal) from ``rng``.

    :raises ArenaGenerationError: when ``config.max_attempts`` arenas all fail.
    """
    walls = room_walls(config.size_x, config.size_y, config.wall_thickness, config.wall_height)
    for _ in range(config.max_attempts):
        obstacles = random_obstacles(config, rng)
        poses = place_start_goal(rng, walls + obstacles, config.size_x, config.size_y,
                                 robot_radius, config)
        if poses is not None:
            return Arena('', config.size_x, config.size_y, walls, obstacles, *poses)
    raise ArenaGenerationError(
        f'no collision-free start and goal in {config.max_attempts} arenas for {config!r}')
