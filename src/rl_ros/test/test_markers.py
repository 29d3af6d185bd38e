"""The arena as markers: what RViz, Foxglove, the monitor and the bag writer read back."""

import math

import pytest
from visualization_msgs.msg import Marker

from rl_ros.conversions import time_from_nanoseconds
from rl_ros.markers import arena_markers, start_pose
from robotino_world.arena import Arena, room_walls
from robotino_world.shapes import Box, Cylinder, Pose2D

ARENA = Arena('', 4.0, 3.0, room_walls(4.0, 3.0, 0.1, 0.3),
              (Cylinder(1.0, 1.0, 0.15, 0.5), Box(-1.0, -1.0, 0.4, 0.2, 0.1, 0.3)),
              Pose2D(-1.0, 0.5, 2.5), Pose2D(1.5, -1.0))


def test_one_array_replaces_the_last_and_draws_every_shape_in_map():
    markers = arena_markers(ARENA, 0.25, time_from_nanoseconds(3 * 10**9)).markers
    assert markers[0].action == Marker.DELETEALL
    assert [m.ns for m in markers[1:]] == ['walls'] * 4 + ['obstacles'] * 2 + ['goal', 'start']
    assert {m.header.frame_id for m in markers} == {'map'}
    assert {m.header.stamp.sec for m in markers} == {3}
    keys = [(m.ns, m.id) for m in markers[1:]]
    assert len(set(keys)) == len(keys), 'each marker has its own (ns, id)'
    pillar, box = markers[5], markers[6]
    assert (pillar.type, pillar.scale.x, pillar.scale.z, pillar.pose.position.z) == (
        Marker.CYLINDER, pytest.approx(0.3), pytest.approx(0.5), pytest.approx(0.25))
    assert (box.type, box.scale.x, box.scale.y) == (Marker.CUBE, pytest.approx(0.4),
                                                    pytest.approx(0.2))
    assert 2 * math.atan2(box.pose.orientation.z, box.pose.orientation.w) == pytest.approx(0.4)
    goal = markers[7]
    assert (goal.pose.position.x, goal.pose.position.y, goal.scale.x) == pytest.approx(
        (1.5, -1.0, 0.5))


def test_the_start_marker_gives_map_to_odom():
    markers = arena_markers(ARENA, 0.2, time_from_nanoseconds(0)).markers
    start = start_pose(markers)
    assert (start.x, start.y, start.yaw) == pytest.approx((-1.0, 0.5, 2.5))
    assert start_pose(markers[:-1]) is None
