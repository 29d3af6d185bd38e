"""Top view of an arena as a PNG: walls, obstacles, the robot, its IR beams, start and goal.

Draws with matplotlib's Agg canvas (no display needed). From a shell::

    python -m robotino_mujoco.plot --seed 3 --out arena.png
    python -m robotino_mujoco.plot --scenario corridor --periods 30 --twist 0.5 0 0 --out c.png
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrow, Polygon, Rectangle

from robotino_description import GroundTruth, RobotinoDescription, RobotState
from robotino_mujoco.simulator import RobotinoSimulator
from robotino_world.arena import Arena
from robotino_world.shapes import Box, Cylinder, Pose2D

_WALL = '#9aa0a6'
_BOX = '#e07b39'
_CYLINDER = '#3f7fcf'
_ROBOT = '#d9d9de'
_BEAM_HIT = '#d62728'
_BEAM_FREE = '#f2b8b8'


def _draw_shapes(ax: Axes, arena: Arena) -> None:
    ax.add_patch(Rectangle((-arena.size_x / 2.0, -arena.size_y / 2.0), arena.size_x,
                           arena.size_y, facecolor='#fbfbf8', edgecolor='none', zorder=0))
    for wall in arena.walls:
        ax.add_patch(Polygon(wall.corners(), facecolor=_WALL, edgecolor='#6b7075', zorder=2))
    for shape in arena.obstacles:
        if isinstance(shape, Box):
            patch = Polygon(shape.corners(), facecolor=_BOX, edgecolor='#8c4619')
        elif isinstance(shape, Cylinder):
            patch = Circle((shape.x, shape.y), shape.radius, facecolor=_CYLINDER,
                           edgecolor='#1f4f8f')
        ax.add_patch(patch)
        patch.set_zorder(2)


def _draw_pose_marker(ax: Axes, pose: Pose2D, radius: float, color: str, label: str,
                      marker: str) -> None:
    """A footprint outline, a marker and a heading arrow, drawn over the robot."""
    ax.add_patch(Circle((pose.x, pose.y), radius, facecolor='none', edgecolor=color,
                        linestyle='--', linewidth=1.5, zorder=5))
    ax.plot(pose.x, pose.y, marker=marker, color=color, markersize=10,
            markeredgecolor='black', markeredgewidth=0.6, linestyle='none', label=label,
            zorder=6)
    ax.add_patch(FancyArrow(pose.x, pose.y, 0.8 * radius * math.cos(pose.yaw),
                            0.8 * radius * math.sin(pose.yaw), width=0.012, head_width=0.06,
                            length_includes_head=True, color=color, zorder=6))


def _draw_robot(ax: Axes, truth: GroundTruth, ranges: np.ndarray,
                description: RobotinoDescription) -> None:
    cos_y, sin_y = math.cos(truth.yaw), math.sin(truth.yaw)
    rotation = np.array([[cos_y, -sin_y], [sin_y, cos_y]])
    poses = description.ir.poses()
    starts = poses[:, :2] @ rotation.T + (truth.x, truth.y)
    ends = description.ir.beam_end_points(ranges) @ rotation.T + (truth.x, truth.y)
    for start, end, reach in zip(starts, ends, ranges, strict=True):
        hit = reach < description.ir.max_range
        ax.plot((start[0], end[0]), (start[1], end[1]), color=_BEAM_HIT if hit else _BEAM_FREE,
                linewidth=1.6, solid_capstyle='round', zorder=4)
    radius = description.geometry.base_radius
    ax.add_patch(Circle((truth.x, truth.y), radius, facecolor=_ROBOT,
                        edgecolor='#c00000' if truth.in_collision else '#333333',
                        linewidth=2.0 if truth.in_collision else 1.0, zorder=3))
    ax.plot((truth.x, truth.x + 0.8 * radius * cos_y), (truth.y, truth.y + 0.8 * radius * sin_y),
            color='#333333', linewidth=2.0, zorder=4)


def draw_top_view(ax: Axes, arena: Arena, truth: GroundTruth, state: RobotState,
                  description: RobotinoDescription,
                  trajectory: np.ndarray | None = None) -> None:
    """Draw the arena and the robot (ground-truth pose, IR beams at their ranges) on ``ax``.

    :param trajectory: optional (N, 2) ground-truth positions to draw as a path.
    """
    _draw_shapes(ax, arena)
    if trajectory is not None and len(trajectory) > 1:
        ax.plot(trajectory[:, 0], trajectory[:, 1], color='#555555', linewidth=1.0,
                linestyle='--', zorder=3, label='path')
    radius = description.geometry.base_radius
    _draw_robot(ax, truth, state.ranges, description)
    _draw_pose_marker(ax, arena.start, radius, '#2ca02c', 'start', 'o')
    _draw_pose_marker(ax, arena.goal, radius, '#e6b800', 'goal', '*')
    ax.plot([], [], color=_BEAM_HIT, linewidth=1.6, label='IR echo')
    ax.plot([], [], color=_BEAM_FREE, linewidth=1.6, label='IR no echo')
    margin = 0.3
    ax.set_xlim(-arena.size_x / 2.0 - margin, arena.size_x / 2.0 + margin)
    ax.set_ylim(-arena.size_y / 2.0 - margin, arena.size_y / 2.0 + margin)
    ax.set_aspect('equal')
    ax.set_xlabel('x [m]')
    ax.set_ylabel('y [m]')
    ax.grid(True, color='#e6e6e6', linewidth=0.5, zorder=1)
    ax.legend(loc='upper right', fontsize=8, framealpha=0.9)


def save_top_view(sim: RobotinoSimulator, path: Path, title: str = '',
                  trajectory: np.ndarray | None = None) -> Path:
    """Write a PNG of the simulator's current arena and robot; returns ``path``."""
    arena = sim.arena
    width = 7.0
    height = max(3.0, width * (arena.size_y + 0.6) / (arena.size_x + 0.6) + 0.6)
    figure = Figure(figsize=(width, height), dpi=120, layout='constrained')
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    draw_top_view(ax, arena, sim.ground_truth(), sim.state(), sim.config.description, trajectory)
    if title:
        ax.set_title(title, fontsize=10)
    figure.savefig(path)
    return path


def main(args: Sequence[str] | None = None) -> None:
    """Reset a simulator, optionally drive a constant twist, and save the top view."""
    parser = argparse.ArgumentParser(description='Save a top view of a MuJoCo Robotino arena.')
    parser.add_argument('--seed', type=int, default=0, help='arena seed (default 0)')
    parser.add_argument('--scenario', default='',
                        help="layout name or .yaml path; '' (default) generates from the seed")
    parser.add_argument('--periods', type=int, default=0,
                        help='control periods to drive before drawing (default 0)')
    parser.add_argument('--twist', type=float, nargs=3, default=(0.3, 0.0, 0.0),
                        metavar=('VX', 'VY', 'WZ'),
                        help='body twist to drive, m/s m/s rad/s (default 0.3 0 0)')
    parser.add_argument('--out', type=Path, default=Path('arena.png'), help='PNG to write')
    options = parser.parse_args(args)
    sim = RobotinoSimulator()
    _, truth = sim.reset(options.seed, options.scenario)
    path = [(truth.x, truth.y)]
    for _ in range(options.periods):
        sim.advance(1, options.twist)
        truth = sim.ground_truth()
        path.append((truth.x, truth.y))
    name = options.scenario or 'generated'
    title = (f'{name}, seed {options.seed}, t = {sim.sim_time:.1f} s, '
             f'collisions {truth.collisions}')
    save_top_view(sim, options.out, title, np.array(path))


if __name__ == '__main__':
    main()
