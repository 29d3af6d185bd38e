"""The Webots world: the generator's output, the Robotino3 PROTO as an extern supervisor,
and walls and obstacles that are exactly the MuJoCo simulator's arena."""

import re
from pathlib import Path

import numpy as np
import pytest
from webots_double import parse_shape

from robotino_description import ROBOTINO3
from robotino_webots.world import WORLD_FILE, arena_nodes, build_world, default_world
from robotino_world.arena import ArenaConfig, generate_arena
from robotino_world.layouts import available_layouts, layout_arena, load_layout
from robotino_world.shapes import Box

WORLD = Path(__file__).resolve().parents[1] / 'worlds' / WORLD_FILE
RADIUS = ROBOTINO3.geometry.base_radius


def shape_values(shape):
    values = [shape.x, shape.y, shape.height]
    if isinstance(shape, Box):
        return ['box', *values, shape.yaw, shape.half_x, shape.half_y]
    return ['cylinder', *values, shape.radius]


def assert_same_shapes(parsed, expected):
    assert len(parsed) == len(expected)
    for got, want in zip(parsed, expected, strict=True):
        got, want = shape_values(got), shape_values(want)
        assert got[0] == want[0]
        assert np.allclose(got[1:], want[1:], atol=1e-8)


def test_checked_in_world_is_up_to_date():
    assert WORLD.read_text() == default_world(), (
        'regenerate: python -m robotino_webots.world --out ' + str(WORLD))


def test_world_holds_the_robotino3_proto_as_an_extern_supervisor():
    text = WORLD.read_text()
    assert text.startswith('#VRML_SIM R2025a utf8\n')
    assert ('EXTERNPROTO "webots://projects/robots/festo/robotino3/protos/Robotino3.proto"'
            in text)
    robot = re.search(r'DEF ROBOT Robotino3 \{(.*?)\n\}', text, re.DOTALL).group(1)
    assert 'controller "<extern>"' in robot
    assert 'supervisor TRUE' in robot
    assert 'name "robotino3"' in robot
    assert re.search(r'DEF GOAL Solid \{', text)
    assert 'boundingObject' not in re.search(r'DEF GOAL Solid \{(.*?)\n\}', text,
                                             re.DOTALL).group(1)
    assert 'basicTimeStep 10' in text and 'material1 "WheelMat"' in text
    assert text.count('{') == text.count('}') and text.count('[') == text.count(']')


def test_world_is_the_mujoco_sim_nodes_start_up_arena():
    arena = generate_arena(ArenaConfig(), np.random.default_rng(0), RADIUS)
    text = WORLD.read_text()
    block = re.search(r'DEF ARENA Group \{\n  children \[\n(.*?)\n  \]', text, re.DOTALL)
    assert_same_shapes([parse_shape(line) for line in block.group(1).splitlines()],
                       arena.shapes)
    assert len(arena.walls) == 4
    start = re.search(r'DEF ROBOT Robotino3 \{\n  translation (\S+) (\S+)', text)
    assert (float(start.group(1)), float(start.group(2))) == pytest.approx(
        (arena.start.x, arena.start.y))


@pytest.mark.parametrize('scenario', available_layouts())
def test_every_layout_survives_the_trip_through_vrml(scenario):
    config = ArenaConfig()
    arena = layout_arena(load_layout(scenario, config), config, np.random.default_rng(1), RADIUS)
    assert_same_shapes([parse_shape(node) for node in arena_nodes(arena)], arena.shapes)
    names = re.findall(r'name "([^"]+)"', build_world(arena))
    assert len(names) == len(set(names))
