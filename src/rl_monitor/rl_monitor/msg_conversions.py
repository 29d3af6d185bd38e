"""The monitor's messages -> plain Python, in one place.

The arena comes as the env node's ``arena_markers`` (a ``MarkerArray`` in
``map``, sent at every episode start), by this convention: first a marker
with action DELETEALL; namespace ``walls``: a CUBE per wall (pose at its
centre, yaw as a quaternion, ``scale`` its full sizes); ``obstacles``: CUBE
for boxes, CYLINDER for cylinders (``scale.x`` the diameter); ``goal``: a
CYLINDER disc at the goal (``scale.x`` twice the goal tolerance); ``start``:
an ARROW at the episode's start pose, which is the ``map`` -> ``odom``
transform of that episode. Markers of other namespaces are ignored.
"""

from __future__ import annotations

import math
import time
from typing import Any

from nav_msgs.msg import Odometry
from sensor_msgs.msg import PointCloud
from visualization_msgs.msg import Marker, MarkerArray

from rl_interfaces.msg import EpisodeStats, TrainingProgress
from rl_monitor.geometry import IDENTITY, Arena, Box, Disc, Pose2D
from rl_monitor.monitor_state import EpisodeRecord
from rl_ros.conversions import planar_pose, pose_from_odometry
from rl_ros.markers import GOAL, OBSTACLES, START, WALLS

#: The ``TrainingProgress`` fields the page shows, by name.
PROGRESS_FIELDS = ('run_name', 'algorithm', 'task', 'status', 'num_timesteps',
                   'total_timesteps', 'steps_per_second', 'elapsed', 'time_left', 'episodes',
                   'train_return_mean', 'train_success_rate', 'eval_timesteps',
                   'eval_return_mean', 'eval_success_rate', 'success_target')


def progress_from_msg(msg: TrainingProgress) -> dict[str, Any]:
    """The report as a dict of its fields (NaN kept: the state turns it into null)."""
    return {name: getattr(msg, name) for name in PROGRESS_FIELDS}


def episode_from_msg(msg: EpisodeStats, env: str) -> EpisodeRecord:
    """A finished episode of ``env``, the namespace it was heard in ('' for the root one).

    The namespace heard in, rather than the message's ``env_namespace``, is what
    the page and the bag names use, even for an env node remapped elsewhere.
    """
    return EpisodeRecord(
        env=env, episode_id=int(msg.episode_id), seed=int(msg.seed),
        episode_return=float(msg.episode_return), length=int(msg.length),
        success=bool(msg.success), collision=bool(msg.collision), truncated=bool(msg.truncated),
        sim_duration=float(msg.sim_duration), ended=time.time())


def pose_from_msg(msg: Odometry) -> Pose2D | None:
    """``(x, y, yaw)`` in ``odom``; None for a pose that is not numbers."""
    pose = pose_from_odometry(msg)
    return pose if all(math.isfinite(v) for v in pose) else None


def ir_points_from_msg(msg: PointCloud) -> list[tuple[float, float]]:
    """The IR hit points ``(x, y)`` in ``base_link``."""
    return [(p.x, p.y) for p in msg.points if math.isfinite(p.x) and math.isfinite(p.y)]


def _finite(marker: Marker) -> bool:
    """Whether the marker's pose and scale are numbers (a NaN would blank the page's view)."""
    p, q, s = marker.pose.position, marker.pose.orientation, marker.scale
    return all(math.isfinite(v) for v in (p.x, p.y, q.x, q.y, q.z, q.w, s.x, s.y))


def _box(marker: Marker) -> Box:
    x, y, yaw = planar_pose(marker.pose)
    return Box(x, y, yaw, marker.scale.x, marker.scale.y)


def _disc(marker: Marker) -> Disc:
    x, y, _ = planar_pose(marker.pose)
    return Disc(x, y, 0.5 * max(marker.scale.x, marker.scale.y))


def arena_from_markers(msg: MarkerArray) -> Arena:
    """The episode's arena in ``map``, from the markers after the last DELETEALL."""
    walls: list[Box] = []
    boxes: list[Box] = []
    cylinders: list[Disc] = []
    goal: Disc | None = None
    start: Pose2D = IDENTITY
    for marker in msg.markers:
        if marker.action == Marker.DELETEALL:
            walls, boxes, cylinders, goal, start = [], [], [], None, IDENTITY
        elif marker.action != Marker.ADD or not _finite(marker):
            continue
        elif marker.ns == WALLS and marker.type == Marker.CUBE:
            walls.append(_box(marker))
        elif marker.ns == OBSTACLES and marker.type == Marker.CUBE:
            boxes.append(_box(marker))
        elif marker.ns == OBSTACLES and marker.type == Marker.CYLINDER:
            cylinders.append(_disc(marker))
        elif marker.ns == GOAL:
            goal = _disc(marker)
        elif marker.ns == START and marker.type == Marker.ARROW:
            start = planar_pose(marker.pose)
    return Arena(tuple(walls), tuple(boxes), tuple(cylinders), goal, start)
