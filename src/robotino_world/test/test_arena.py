"""Arena generation and layouts: collision-free starts and goals, clear errors."""

import math
from pathlib import Path

import numpy as np
import pytest

from robotino_description import ROBOTINO3
from robotino_world import ArenaConfig, ScenarioError, available_layouts, generate_arena
from robotino_world.arena import path_exists, room_walls
from robotino_world.layouts import layout_arena, load_layout
from robotino_world.shapes import Box, Cylinder, Pose2D, clearance

RADIUS = ROBOTINO3.geometry.base_radius
CONFIG = ArenaConfig()


def inside_room(pose: Pose2D, size_x: float, size_y: float) -> bool:
    return abs(pose.x) <= size_x / 2.0 - RADIUS and abs(pose.y) <= size_y / 2.0 - RADIUS


@pytest.mark.parametrize('seed', range(40))
def test_generated_start_and_goal_are_collision_free(seed: int) -> None:
    arena = generate_arena(CONFIG, np.random.default_rng(seed), RADIUS)
    low, high = CONFIG.obstacle_count
    assert low <= len(arena.obstacles) <= high
    for pose in (arena.start, arena.goal):
        assert arena.clearance(pose.x, pose.y) >= RADIUS + CONFIG.clearance
        assert inside_room(pose, arena.size_x, arena.size_y)
    gap = math.hypot(arena.goal.x - arena.start.x, arena.goal.y - arena.start.y)
    assert gap >= CONFIG.min_start_goal_distance
    assert path_exists(arena.shapes, arena.size_x, arena.size_y, arena.start, arena.goal, RADIUS)


def test_same_seed_same_arena_and_seeds_differ() -> None:
    first = generate_arena(CONFIG, np.random.default_rng(7), RADIUS)
    assert generate_arena(CONFIG, np.random.default_rng(7), RADIUS) == first
    assert generate_arena(CONFIG, np.random.default_rng(8), RADIUS) != first


def test_wall_blocks_the_path() -> None:
    walls = (*room_walls(4.0, 4.0, 0.1, 0.5), Box(0.0, 0.0, 0.0, 0.05, 2.0, 0.5))
    start, goal = Pose2D(-1.0, 0.0), Pose2D(1.0, 0.0)
    assert not path_exists(walls, 4.0, 4.0, start, goal, RADIUS)
    gap = (*room_walls(4.0, 4.0, 0.1, 0.5), Box(0.0, 0.5, 0.0, 0.05, 1.5, 0.5))
    assert path_exists(gap, 4.0, 4.0, start, goal, RADIUS)


def test_shape_distances() -> None:
    points = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 3.0]])
    box = Box(0.0, 0.0, math.pi / 2.0, 1.0, 0.5, 1.0)
    assert box.distance(points) == pytest.approx([0.0, 1.5, 2.0])
    assert Cylinder(0.0, 0.0, 1.0, 1.0).distance(points) == pytest.approx([0.0, 1.0, 2.0])
    assert clearance((), points).tolist() == [math.inf] * 3


@pytest.mark.parametrize(('field', 'value'), [
    ('size_x', 0.0), ('obstacle_count', (3, 2)), ('obstacle_size', (0.0, 0.2)),
    ('cylinder_fraction', 1.5), ('max_attempts', 0)])
def test_config_rejects_bad_values(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        ArenaConfig(**{field: value})


def test_shipped_layouts_load_and_place_the_robot() -> None:
    names = available_layouts()
    assert {'empty_room', 'corridor', 'wall_test'} <= set(names)
    for name in names:
        arena = layout_arena(load_layout(name, CONFIG), CONFIG, np.random.default_rng(0), RADIUS)
        for pose in (arena.start, arena.goal):
            assert arena.clearance(pose.x, pose.y) >= RADIUS


def test_unknown_scenario_names_the_known_ones() -> None:
    with pytest.raises(ScenarioError, match='corridor'):
        load_layout('no_such_room', CONFIG)


@pytest.mark.parametrize(('text', 'message'), [
    ('size_x: 4.0\nsize_y: 4.0\nflour: 1\n', 'unknown keys'),
    ('size_x: 4.0\n', "'size_y'"),
    ('size_x: 4\nsize_y: 4\nobstacles: [{shape: cone, x: 0, y: 0}]\n', 'cone'),
    ('size_x: 4\nsize_y: 4\nobstacles: [{shape: box, x: 0, y: 0, half_x: -1, half_y: 1}]\n',
     'sizes must be > 0'),
    ('size_x: 4\nsize_y: 4\nstart: {x: 0, y: 0}\nobstacles: [{shape: cylinder, x: 0, y: 0, '
     'radius: 0.5}]\n', 'overlaps'),
])
def test_bad_layouts_are_rejected(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / 'bad.yaml'
    path.write_text(text)
    with pytest.raises(ScenarioError, match=message):
        layout = load_layout(str(path), CONFIG)
        layout_arena(layout, CONFIG, np.random.default_rng(0), RADIUS)
