"""An episode's top view, drawn from its bag alone: ``./rl replay BAG``.

Reads one episode bag of the recorder (rosbag2, MCAP) with ``rosbags`` and the
typestore of :mod:`rl_bringup.bag_types`, so no ROS graph, no rclpy and no
simulator are needed: a bag copied off a trainer or a robot is enough. Drawn
with matplotlib's Agg backend (headless): the arena (walls, obstacles, goal)
from the bag's ``arena_markers``, the trajectory, start and end, the robot's
footprint at the end, and the IR hits moved with the pose nearest in time;
the title gives env, episode and outcome. With the markers everything is
drawn in ``map`` (odometry moved by the episode's start pose, as ``/tf_static``
in the bag does); without them (a bag of the real robot) in ``odom``.
Bags recorded with ``record_robot_topics: false`` hold no odom and no IR: the
picture then says so and shows what there is (the outcome).
"""

from __future__ import annotations

import bisect
import importlib.util
import math
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle
from rosbags.rosbag2 import Reader, ReaderError
from rosbags.typesys.store import Typestore

from rl_bringup.bag_types import EPISODE_STATS, TRANSITION, interface_msg_files, make_typestore
from rl_ros.conversions import DRIVER_CLOUD_RADIUS, planar_pose
from rl_ros.markers import GOAL, start_pose
from robotino_description import ROBOTINO3, compose

ODOMETRY = 'nav_msgs/msg/Odometry'
POINT_CLOUD = 'sensor_msgs/msg/PointCloud'
MARKER_ARRAY = 'visualization_msgs/msg/MarkerArray'
_READ = frozenset({ODOMETRY, POINT_CLOUD, TRANSITION, EPISODE_STATS, MARKER_ARRAY})
#: visualization_msgs/Marker types and action drawn: CUBE, CYLINDER, ADD.
_CUBE, _CYLINDER, _ADD = 1, 3, 0
#: An IR point this close to the end of its band (metres) means nothing was seen.
_NO_ECHO_MARGIN = 1e-3
#: A GIF longer than this many frames is subsampled: a picture, not a video.
_MAX_GIF_FRAMES = 120


class ReplayError(ValueError):
    """The bag cannot be replayed (not a bag, unreadable) or the output is not supported."""


@dataclass(frozen=True)
class Pose2D:
    """A planar odom pose.

    :param t_ns: bag time (the header stamp), ns.
    :param x: metres in the odom frame.
    :param y: metres in the odom frame.
    :param yaw: heading, radians.
    """

    t_ns: int
    x: float
    y: float
    yaw: float


@dataclass(frozen=True)
class Solid:
    """A marker seen from above, in ``map``.

    :param namespace: the marker's ns (walls, obstacles, goal).
    :param cylinder: a disc (else a rectangle).
    :param x: centre, metres.
    :param y: centre, metres.
    :param yaw: rotation, radians.
    :param size_x: full size along its x (a disc's diameter), metres.
    :param size_y: full size along its y, metres.
    """

    namespace: str
    cylinder: bool
    x: float
    y: float
    yaw: float
    size_x: float
    size_y: float


@dataclass(frozen=True)
class Outcome:
    """What ``episode_stats`` says of the episode.

    :param episode_id: the env node's episode counter.
    :param success: goal reached (the task's success).
    :param collision: ended on a collision.
    :param truncated: cut off by the time limit.
    :param episode_return: sum of rewards.
    :param length: steps.
    """

    episode_id: int
    success: bool
    collision: bool
    truncated: bool
    episode_return: float
    length: int

    @property
    def label(self) -> str:
        """reached, collision, timed out, or ended (terminated for another reason)."""
        if self.success:
            return 'reached'
        if self.collision:
            return 'collision'
        return 'timed out' if self.truncated else 'ended'


@dataclass
class EpisodeRecord:
    """What a bag holds that the picture needs.

    :param bag: the rosbag2 folder.
    :param env: env namespace without slashes ('' for the root one).
    :param frame: the odom frame id, for the axis labels.
    :param poses: odom poses in time order.
    :param hits: IR hits in odom as ``(t_ns, x, y)``.
    :param transitions: transitions in the bag.
    :param episode_id: from the stats, else from the transitions; None without either.
    :param outcome: from ``episode_stats``; None when the bag has none.
    :param topics: the bag's topics.
    :param solids: the arena's walls, obstacles and goal (from its markers), in ``map``.
    """

    bag: Path
    env: str = ''
    frame: str = 'odom'
    poses: list[Pose2D] = field(default_factory=list)
    hits: list[tuple[int, float, float]] = field(default_factory=list)
    transitions: int = 0
    episode_id: int | None = None
    outcome: Outcome | None = None
    topics: tuple[str, ...] = ()
    solids: list[Solid] = field(default_factory=list)

    def notes(self) -> list[str]:
        """What is missing from the bag, for the picture and the terminal."""
        notes = []
        if not self.poses:
            notes.append('no odom in this bag (recorded with record_robot_topics false?): '
                         'no trajectory')
        if self.outcome is None:
            notes.append('no episode_stats in this bag: outcome unknown')
        return notes


@dataclass(frozen=True)
class ReplaySummary:
    """What :func:`replay` drew.

    :param output: the picture written.
    :param poses: odom poses drawn.
    :param hits: IR hits drawn.
    :param transitions: transitions in the bag.
    :param outcome: reached, collision, timed out, ended, or unknown.
    :param notes: what the bag lacked.
    """

    output: Path
    poses: int
    hits: int
    transitions: int
    outcome: str
    notes: tuple[str, ...]

    def describe(self) -> str:
        """One line per fact, for the terminal."""
        lines = [f'wrote {self.output}: {self.outcome}, {self.poses} poses, '
                 f'{self.hits} IR hits, {self.transitions} transitions']
        return '\n'.join(lines + [f'note: {note}' for note in self.notes])


def to_odom(pose: Pose2D, px: float, py: float) -> tuple[float, float]:
    """A base_link point in odom, given the base's pose."""
    x, y, _ = compose((pose.x, pose.y, pose.yaw), (px, py, 0.0))
    return x, y


def nearest_pose(poses: list[Pose2D], stamps: list[int], t_ns: int) -> Pose2D:
    """The pose closest in time to ``t_ns``; ``stamps`` are the poses' times, sorted."""
    index = bisect.bisect_left(stamps, t_ns)
    candidates = [i for i in (index - 1, index) if 0 <= i < len(poses)]
    return poses[min(candidates, key=lambda i: abs(stamps[i] - t_ns))]


def _is_echo(px: float, py: float, max_range: float) -> bool:
    """Whether a driver cloud point saw something (see ``distance_sensors_msg``)."""
    reach = math.hypot(px, py) - DRIVER_CLOUD_RADIUS
    return reach < max_range - _NO_ECHO_MARGIN


def _env_of(topic: str) -> str:
    return topic.rsplit('/', 1)[0].strip('/')


def read_episode(bag: Path, typestore: Typestore | None = None) -> EpisodeRecord:
    """Read what the picture needs from an episode bag.

    :param bag: a rosbag2 folder written by the recorder.
    :param typestore: with the rl_interfaces types; made from the installed ones if None.
    :raises ReplayError: when ``bag`` is not a readable rosbag2 folder.
    """
    bag = Path(bag)
    if not (bag / 'metadata.yaml').is_file():
        raise ReplayError(f'{bag} is not a rosbag2 bag (no metadata.yaml)')
    typestore = typestore or make_typestore(interface_msg_files())
    record = EpisodeRecord(bag)
    clouds: list[tuple[int, object]] = []
    markers: list = []
    try:
        with Reader(bag) as reader:
            record.topics = tuple(sorted(c.topic for c in reader.connections))
            wanted = [c for c in reader.connections if c.msgtype in _READ]
            for connection, t_ns, raw in reader.messages(connections=wanted):
                msg = typestore.deserialize_cdr(raw, connection.msgtype)
                if connection.msgtype == MARKER_ARRAY:
                    markers = list(msg.markers)
                else:
                    _take(record, clouds, connection.topic, connection.msgtype, t_ns, msg)
    except (ReaderError, OSError) as error:
        raise ReplayError(f'{bag} is not a readable rosbag2 bag: {error}') from None
    record.poses.sort(key=lambda pose: pose.t_ns)
    record.hits = _hits_in_odom(record.poses, clouds)
    start = start_pose(markers)
    if start is not None:
        _into_map(record, start)
        record.solids = [_solid(m) for m in markers
                         if m.action == _ADD and m.type in (_CUBE, _CYLINDER)]
    return record


def _solid(marker: object) -> Solid:
    x, y, yaw = planar_pose(marker.pose)
    return Solid(marker.ns, marker.type == _CYLINDER, float(x), float(y), yaw,
                 float(marker.scale.x), float(marker.scale.y))


def _into_map(record: EpisodeRecord, start: object) -> None:
    """Move poses and hits from ``odom`` into ``map``: ``odom`` lies at the start pose there."""
    origin = Pose2D(0, start.x, start.y, start.yaw)
    record.poses = [Pose2D(p.t_ns, *compose((start.x, start.y, start.yaw), (p.x, p.y, p.yaw)))
                    for p in record.poses]
    record.hits = [(t_ns, *to_odom(origin, x, y)) for t_ns, x, y in record.hits]
    record.frame = 'map'


def _take(record: EpisodeRecord, clouds: list[tuple[int, object]], topic: str,
          msgtype: str, t_ns: int, msg: object) -> None:
    """File one deserialized message into the record (clouds wait for all poses)."""
    record.env = record.env or _env_of(topic)
    if msgtype == ODOMETRY:
        x, y, yaw = planar_pose(msg.pose.pose)
        record.poses.append(Pose2D(t_ns, float(x), float(y), yaw))
        record.frame = msg.header.frame_id or record.frame
    elif msgtype == POINT_CLOUD:
        clouds.append((t_ns, msg))
    elif msgtype == TRANSITION:
        record.transitions += 1
        if record.episode_id is None:
            record.episode_id = int(msg.episode_id)
    elif msgtype == EPISODE_STATS:
        record.outcome = Outcome(int(msg.episode_id), bool(msg.success), bool(msg.collision),
                                 bool(msg.truncated), float(msg.episode_return),
                                 int(msg.length))
        record.episode_id = record.outcome.episode_id


def _hits_in_odom(poses: list[Pose2D],
                  clouds: list[tuple[int, object]]) -> list[tuple[int, float, float]]:
    """IR points that saw something, moved from base_link into odom; none without odom."""
    if not poses:
        return []
    stamps = [pose.t_ns for pose in poses]
    max_range = ROBOTINO3.ir.max_range
    hits = []
    for t_ns, cloud in clouds:
        pose = nearest_pose(poses, stamps, t_ns)
        hits += [(t_ns, *to_odom(pose, float(p.x), float(p.y))) for p in cloud.points
                 if _is_echo(float(p.x), float(p.y), max_range)]
    return hits


def title_of(record: EpisodeRecord) -> str:
    """env, episode, outcome, return and steps, as far as the bag tells them."""
    env = record.env or 'root'
    episode = '?' if record.episode_id is None else str(record.episode_id)
    head = f'{env} episode {episode}: '
    outcome = record.outcome
    if outcome is None:
        return head + f'outcome unknown, {record.transitions} transitions'
    return head + (f'{outcome.label}, return {outcome.episode_return:.2f}, '
                   f'{outcome.length} steps')


def _figure(record: EpisodeRecord) -> tuple[Figure, Axes]:
    """The axes with everything that does not move: labels, start, the note."""
    figure, axis = plt.subplots(figsize=(6, 6))
    axis.set_title(title_of(record), fontsize=10)
    axis.set_xlabel(f'x [m] (frame {record.frame})')
    axis.set_ylabel(f'y [m] (frame {record.frame})')
    axis.set_aspect('equal', adjustable='box')
    axis.grid(True, alpha=0.3)
    for solid in record.solids:
        axis.add_patch(_patch(solid))
    if record.poses:
        start = record.poses[0]
        axis.plot(start.x, start.y, 'o', color='tab:green', label='start')
    if record.notes():
        axis.text(0.02, 0.02, '\n'.join(record.notes()), transform=axis.transAxes,
                  fontsize=7, va='bottom', wrap=True)
    return figure, axis


def _patch(solid: Solid) -> Circle | Rectangle:
    """A wall or obstacle in grey, the goal as a translucent green disc."""
    goal = solid.namespace == GOAL
    style = ({'color': 'tab:green', 'alpha': 0.35, 'label': 'goal'} if goal
             else {'color': '0.45', 'alpha': 0.9})
    if solid.cylinder:
        return Circle((solid.x, solid.y), solid.size_x / 2, **style)
    return Rectangle((solid.x - solid.size_x / 2, solid.y - solid.size_y / 2), solid.size_x,
                     solid.size_y, angle=math.degrees(solid.yaw), rotation_point='center',
                     **style)


def _corners(solid: Solid) -> list[tuple[float, float]]:
    """The corners of a rectangle's footprint, or of a disc's bounding square."""
    half_x, half_y = solid.size_x / 2, solid.size_y / 2
    if solid.cylinder:
        return [(solid.x - half_x, solid.y - half_x), (solid.x + half_x, solid.y + half_x)]
    centre = Pose2D(0, solid.x, solid.y, solid.yaw)
    return [to_odom(centre, sx * half_x, sy * half_y) for sx in (-1, 1) for sy in (-1, 1)]


def _limits(axis: Axes, record: EpisodeRecord) -> None:
    """Fit everything, the footprint and the arena included, so a GIF's frames do not jump."""
    radius = ROBOTINO3.geometry.base_radius
    xs = [p.x for p in record.poses] + [h[1] for h in record.hits]
    ys = [p.y for p in record.poses] + [h[2] for h in record.hits]
    for solid in record.solids:
        corners = _corners(solid)
        xs += [x for x, _ in corners]
        ys += [y for _, y in corners]
    if xs:
        axis.set_xlim(min(xs) - 2 * radius, max(xs) + 2 * radius)
        axis.set_ylim(min(ys) - 2 * radius, max(ys) + 2 * radius)


def draw_png(record: EpisodeRecord, output: Path) -> None:
    """The whole episode in one picture."""
    figure, axis = _figure(record)
    poses = record.poses
    if poses:
        axis.plot([p.x for p in poses], [p.y for p in poses], '-', color='tab:blue',
                  label='trajectory')
        end = poses[-1]
        axis.plot(end.x, end.y, 's', color='tab:red', label='end')
        _footprint(axis, end)
    if record.hits:
        axis.scatter([h[1] for h in record.hits], [h[2] for h in record.hits], s=6,
                     color='tab:orange', label='IR hits')
    _limits(axis, record)
    if poses or record.hits:
        axis.legend(loc='upper right', fontsize=8)
    figure.savefig(output, dpi=100)
    plt.close(figure)


def _footprint(axis: Axes, pose: Pose2D) -> list:
    """The robot's body circle and a heading tick at ``pose``."""
    radius = ROBOTINO3.geometry.base_radius
    circle = plt.Circle((pose.x, pose.y), radius, fill=False, color='tab:red')
    axis.add_patch(circle)
    [heading] = axis.plot([pose.x, pose.x + radius * math.cos(pose.yaw)],
                          [pose.y, pose.y + radius * math.sin(pose.yaw)], color='tab:red')
    return [circle, heading]


def draw_gif(record: EpisodeRecord, output: Path, fps: int = 10) -> int:
    """The trajectory growing, the footprint following; returns the frames written."""
    if importlib.util.find_spec('PIL') is None:
        raise ReplayError('a .gif needs Pillow, which is not installed; use --out '
                          'episode.png, or pip install pillow')
    figure, axis = _figure(record)
    _limits(axis, record)
    poses = record.poses
    step = max(1, math.ceil(len(poses) / _MAX_GIF_FRAMES))
    frames = list(range(step - 1, len(poses), step)) or [0]
    if poses and frames[-1] != len(poses) - 1:
        frames.append(len(poses) - 1)
    [line] = axis.plot([], [], '-', color='tab:blue')
    dots = axis.scatter([], [], s=6, color='tab:orange')
    moving: list = []

    def update(index: int) -> list:
        for artist in moving:
            artist.remove()
        moving.clear()
        if not poses:
            return []
        shown = poses[:index + 1]
        line.set_data([p.x for p in shown], [p.y for p in shown])
        seen = [(h[1], h[2]) for h in record.hits if h[0] <= shown[-1].t_ns]
        if seen:
            dots.set_offsets(seen)
        moving.extend(_footprint(axis, shown[-1]))
        return [line, dots, *moving]

    animation = FuncAnimation(figure, update, frames=frames, blit=False)
    animation.save(output, writer=PillowWriter(fps=fps), dpi=80)
    plt.close(figure)
    return len(frames)


def replay(bag: Path, output: Path | None = None) -> ReplaySummary:
    """Draw an episode bag into ``output`` (.png or .gif; default ``<bag>/episode.png``).

    :raises ReplayError: for a folder that is not a bag, or an unsupported output.
    """
    bag = Path(bag)
    output = Path(output) if output is not None else bag / 'episode.png'
    if output.suffix.lower() not in ('.png', '.gif'):
        raise ReplayError(f'{output}: write a .png or a .gif')
    record = read_episode(bag)
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix.lower() == '.gif':
        draw_gif(record, output)
    else:
        draw_png(record, output)
    outcome = record.outcome.label if record.outcome else 'unknown'
    return ReplaySummary(output, len(record.poses), len(record.hits), record.transitions,
                         outcome, tuple(record.notes()))
