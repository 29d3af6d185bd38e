"""The arena markers' convention read back, without DDS: messages built and converted here."""

import math

from visualization_msgs.msg import Marker, MarkerArray

from rl_monitor.msg_conversions import arena_from_markers


def marker(ns, kind, x, y, yaw=0.0, size=(1.0, 1.0)):
    m = Marker(ns=ns, type=kind)
    m.pose.position.x, m.pose.position.y = x, y
    m.pose.orientation.z, m.pose.orientation.w = math.sin(yaw / 2), math.cos(yaw / 2)
    m.scale.x, m.scale.y = size
    return m


def test_the_last_deleteall_starts_the_arena_and_other_namespaces_are_ignored():
    old = marker('walls', Marker.CUBE, 9.0, 9.0)
    markers = [old, Marker(action=Marker.DELETEALL),
               marker('walls', Marker.CUBE, 0.0, 2.0, math.pi / 2, (4.0, 0.1)),
               marker('obstacles', Marker.CYLINDER, 1.0, 1.0, size=(0.4, 0.4)),
               marker('obstacles', Marker.CUBE, -1.0, 0.5, 0.25, (0.5, 0.3)),
               marker('goal', Marker.CYLINDER, 1.5, -1.0, size=(0.3, 0.3)),
               marker('start', Marker.ARROW, 0.5, 0.25, -0.5),
               marker('labels', Marker.TEXT_VIEW_FACING, 3.0, 3.0)]
    arena = arena_from_markers(MarkerArray(markers=markers))
    [wall] = arena.walls
    assert (wall.x, wall.y, wall.size_x, wall.size_y) == (0.0, 2.0, 4.0, 0.1)
    assert math.isclose(wall.yaw, math.pi / 2)
    assert [(c.x, c.y, c.radius) for c in arena.cylinders] == [(1.0, 1.0, 0.2)]
    [box] = arena.boxes
    assert (box.x, box.size_x) == (-1.0, 0.5) and math.isclose(box.yaw, 0.25)
    assert (arena.goal.x, arena.goal.y, arena.goal.radius) == (1.5, -1.0, 0.15)
    assert arena.start[:2] == (0.5, 0.25) and math.isclose(arena.start[2], -0.5)


def test_markers_that_are_not_numbers_are_dropped_and_no_start_is_the_identity():
    bad = marker('walls', Marker.CUBE, math.nan, 0.0)
    arena = arena_from_markers(MarkerArray(markers=[Marker(action=Marker.DELETEALL), bad]))
    assert arena.walls == () and arena.goal is None and arena.start == (0.0, 0.0, 0.0)
