"""What the monitor page shows, held in memory and bounded: plain Python, no ROS.

The node feeds it from ROS topics (progress reports, finished episodes, each
env's arena, odometry, IR points and steps); the web server reads JSON
snapshots of it. Both run on threads of their own, so every method takes
one lock. Memory stays bounded for a run of days: the progress history is
thinned to every other point when it fills up, each env keeps a trail of
its last :data:`TRAIL_POINTS` poses, and only the latest episodes are kept.

A snapshot is incremental per page: :class:`Cursor` says which history
points a page already holds, so a push carries only the new ones (and the
whole history again after it was thinned or a new run began).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rl_monitor.geometry import IDENTITY, Arena, Pose2D
from robotino_description import compose

#: Progress history points kept before thinning to every other one.
MAX_HISTORY = 2000
#: Evaluations kept (the newest).
MAX_EVALUATIONS = 500
#: Latest finished episodes kept, over all envs.
MAX_EPISODES = 50
#: Poses in an env's trail (the current episode's, or its last ones).
TRAIL_POINTS = 600
#: An odometry jump this long (metres) means a new episode (odom restarts at its start).
EPISODE_JUMP = 0.5
#: The progress fields the curves plot, after the step: one list per history point.
CURVE_FIELDS = ('steps_per_second', 'train_return_mean', 'train_success_rate')


def finite(value: float) -> float | None:
    """``value``, or None for nan and infinity (JSON has neither)."""
    return None if value is None or math.isnan(value) or math.isinf(value) else value


@dataclass(frozen=True)
class EpisodeRecord:
    """One finished episode, as ``episode_stats`` reports it.

    :param env: the env's namespace ('' for the root one).
    :param ended: wall-clock time the monitor heard of it, seconds since the epoch.
    """

    env: str
    episode_id: int
    seed: int
    episode_return: float
    length: int
    success: bool
    collision: bool
    truncated: bool
    sim_duration: float
    ended: float

    @property
    def outcome(self) -> str:
        """'success', 'collision', 'timeout' or 'ended' (the task ended it otherwise)."""
        if self.success:
            return 'success'
        if self.collision:
            return 'collision'
        return 'timeout' if self.truncated else 'ended'


@dataclass(frozen=True)
class Cursor:
    """How much of the progress history a page holds: the history's epoch and last point."""

    epoch: int = -1
    seq: int = -1


class EnvView:
    """One env's live top view: arena, pose, trail, IR rays, the episode under way.

    :param ir_origin_radius: distance of each IR ray's origin from the centre, metres
        (where the driver's point cloud puts a zero reading).
    :param ir_max_range: a reading this long means no echo, metres.
    """

    def __init__(self, ir_origin_radius: float, ir_max_range: float) -> None:
        self._origin = ir_origin_radius
        self._max_range = ir_max_range
        self.arena: Arena | None = None
        self.pose_odom: Pose2D | None = None
        self.trail: deque[tuple[float, float]] = deque(maxlen=TRAIL_POINTS)
        self.rays: list[tuple[float, float, float, float, bool]] = []
        self.episode_id: int | None = None
        self.step = 0
        self.episode_return = 0.0
        self.episodes = 0
        self.last_outcome: str | None = None
        self.heard = 0.0
        self._episode_over = False

    @property
    def start(self) -> Pose2D:
        """``map`` -> ``odom`` of the episode: its start pose, or identity without an arena."""
        return self.arena.start if self.arena is not None else IDENTITY

    def set_arena(self, arena: Arena) -> None:
        """A new episode's world: the trail starts again."""
        self.arena = arena
        self.trail.clear()
        self._episode_over = False
        self.heard = time.time()

    def set_odom(self, pose: Pose2D) -> None:
        """The robot's pose in ``odom``; a jump or an ended episode starts a new trail."""
        last = self.pose_odom
        jumped = last is not None and math.dist(last[:2], pose[:2]) > EPISODE_JUMP
        if jumped or self._episode_over:
            self.trail.clear()
            self._episode_over = False
        self.pose_odom = pose
        x, y, _ = compose(self.start, pose)
        self.trail.append((round(x, 3), round(y, 3)))
        self.heard = time.time()

    def set_ir_points(self, points: list[tuple[float, float]]) -> None:
        """The IR hit points in ``base_link``: each becomes a ray from its sensor."""
        rays = []
        for px, py in points:
            reach = math.hypot(px, py)
            if reach <= 0.0:
                continue
            scale = self._origin / reach
            hit = reach - self._origin < self._max_range - 1e-3
            rays.append((round(px * scale, 3), round(py * scale, 3), round(px, 3),
                         round(py, 3), hit))
        self.rays = rays

    def set_step(self, episode_id: int, step_index: int, reward: float) -> None:
        """A step of the episode under way (from ``transitions``)."""
        if episode_id != self.episode_id:
            self.episode_return = 0.0
        self.episode_id = episode_id
        self.step = step_index + 1
        self.episode_return += reward
        self.heard = time.time()

    def end_episode(self, outcome: str) -> None:
        """An episode ended: counted, and the next pose starts a new trail."""
        self.episodes += 1
        self.last_outcome = outcome
        self._episode_over = True
        self.heard = time.time()

    def to_json(self, now: float) -> dict[str, Any]:
        """The view for the page: pose in ``map``, trail, rays in ``base_link``, arena."""
        pose = compose(self.start, self.pose_odom) if self.pose_odom is not None else None
        return {
            'pose': [round(v, 3) for v in pose] if pose else None,
            'pose_odom': [round(v, 3) for v in self.pose_odom] if self.pose_odom else None,
            'trail': list(self.trail), 'rays': self.rays,
            'arena': self.arena.to_json() if self.arena else None,
            'episode_id': self.episode_id, 'step': self.step,
            'episode_return': round(self.episode_return, 3), 'episodes': self.episodes,
            'last_outcome': self.last_outcome,
            'age': round(now - self.heard, 1) if self.heard else None,
        }


class MonitorState:
    """Everything the page shows, fed by the node and read by the web server.

    :param ir_origin_radius: see :class:`EnvView`.
    :param ir_max_range: see :class:`EnvView`.
    :param robot_radius: the base's radius, metres, for drawing it.
    """

    def __init__(self, ir_origin_radius: float, ir_max_range: float,
                 robot_radius: float) -> None:
        self._lock = threading.Lock()
        self._ir = (ir_origin_radius, ir_max_range)
        self._robot_radius = robot_radius
        self._progress: dict[str, Any] | None = None
        self._history: list[list] = []
        self._epoch = 0
        self._seq = 0
        self._evaluations: deque[list] = deque(maxlen=MAX_EVALUATIONS)
        self._envs: dict[str, EnvView] = {}
        self._episodes: deque[EpisodeRecord] = deque(maxlen=MAX_EPISODES)
        self._bags: dict[tuple[str, int, float], str] = {}

    def add_env(self, name: str) -> None:
        """Show env ``name`` (its namespace, '' for the root one), even before it says anything."""
        with self._lock:
            self._env(name)

    def _env(self, name: str) -> EnvView:
        view = self._envs.get(name)
        if view is None:
            view = self._envs[name] = EnvView(*self._ir)
        return view

    def update_env(self, name: str, method: str, *args: Any) -> None:
        """Call :class:`EnvView` ``method`` on env ``name`` under the lock (the node's way in)."""
        with self._lock:
            getattr(self._env(name), method)(*args)

    def add_progress(self, progress: Mapping[str, Any]) -> None:
        """A progress report (the fields of ``TrainingProgress``, NaN for unknown).

        A new run name starts the history again; a step counter that went back
        (a resumed run rolls back to its checkpoint) drops the points past it.
        """
        with self._lock:
            previous = self._progress
            self._progress = dict(progress)
            step = int(progress['num_timesteps'])
            if previous is not None and previous['run_name'] != progress['run_name']:
                self._history.clear()
                self._evaluations.clear()
                self._epoch += 1
            elif self._history and step < self._history[-1][1]:
                self._history = [p for p in self._history if p[1] <= step]
                self._epoch += 1
            if not self._history or step > self._history[-1][1]:
                self._append_point(step, progress)
            self._add_evaluation(progress)

    def _append_point(self, step: int, progress: Mapping[str, Any]) -> None:
        self._seq += 1
        self._history.append([self._seq, step, *(finite(progress[f]) for f in CURVE_FIELDS)])
        if len(self._history) > MAX_HISTORY:
            self._history = self._history[::2]
            self._epoch += 1

    def _add_evaluation(self, progress: Mapping[str, Any]) -> None:
        step = int(progress['eval_timesteps'])
        if step <= 0 or (self._evaluations and self._evaluations[-1][0] == step):
            return
        self._evaluations.append([step, finite(progress['eval_return_mean']),
                                  finite(progress['eval_success_rate'])])

    def add_episode(self, episode: EpisodeRecord) -> None:
        """A finished episode: listed, and its env's trail starts again."""
        with self._lock:
            self._episodes.append(episode)
            self._env(episode.env).end_episode(episode.outcome)

    def episodes_without_bag(self) -> list[EpisodeRecord]:
        """The listed episodes no bag was found for yet."""
        with self._lock:
            return [e for e in self._episodes
                    if (e.env, e.episode_id, e.ended) not in self._bags]

    def set_bag(self, episode: EpisodeRecord, name: str) -> None:
        """Link ``episode`` to the bag folder ``name`` of the run's bag folder."""
        with self._lock:
            self._bags[(episode.env, episode.episode_id, episode.ended)] = name
            listed = {(e.env, e.episode_id, e.ended) for e in self._episodes}
            self._bags = {key: value for key, value in self._bags.items() if key in listed}

    @property
    def env_names(self) -> list[str]:
        """The envs shown, in the order they appeared."""
        with self._lock:
            return list(self._envs)

    def snapshot(self, cursor: Cursor) -> tuple[dict[str, Any], Cursor]:
        """What a page shows now, JSON-able, and its new cursor.

        :param cursor: what the page holds of the history; the default one gets all of it.
        """
        now = time.time()
        with self._lock:
            since = cursor.seq if cursor.epoch == self._epoch else -1
            points = [p[1:] for p in self._history if p[0] > since]
            new_cursor = Cursor(self._epoch, self._history[-1][0] if self._history else -1)
            progress = ({k: finite(v) if isinstance(v, float) else v
                         for k, v in self._progress.items()} if self._progress else None)
            return {
                'time': now, 'progress': progress,
                'history': {'reset': since < 0, 'fields': ['step', *CURVE_FIELDS],
                            'points': points},
                'evaluations': list(self._evaluations),
                'envs': {name: view.to_json(now) for name, view in self._envs.items()},
                'episodes': [self._episode_json(e) for e in reversed(self._episodes)],
                'robot_radius': self._robot_radius,
            }, new_cursor

    def _episode_json(self, episode: EpisodeRecord) -> dict[str, Any]:
        bag = self._bags.get((episode.env, episode.episode_id, episode.ended))
        return {'env': episode.env, 'episode_id': episode.episode_id, 'seed': episode.seed,
                'return': round(episode.episode_return, 3), 'length': episode.length,
                'outcome': episode.outcome, 'sim_duration': round(episode.sim_duration, 2),
                'ended': episode.ended, 'bag': f'bags/{bag}/' if bag else None}
