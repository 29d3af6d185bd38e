"""Worlds for a seed and scenario, drawn the same way by every simulator.

MuJoCo and Webots both hold one :class:`ArenaStream`, so they consume the
random numbers in the same order and a seed gives both the same room,
obstacles, start and goal.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from robotino_world.arena import Arena, ArenaConfig, generate_arena, world_stream
from robotino_world.errors import InvalidArgumentError
from robotino_world.layouts import layout_arena, parse_layout, read_layout


class ArenaStream:
    """Arenas from one random stream, reseeded on demand.

    :param base: arena settings used when a reset gives none of its own.
    :param robot_radius: the robot's footprint radius, metres, kept clear of
        walls and obstacles at the start and goal.
    """

    def __init__(self, base: ArenaConfig, robot_radius: float) -> None:
        self._base = base
        self._robot_radius = robot_radius
        self._rng: np.random.Generator | None = None
        self._layouts: dict[str, Any] = {}

    @property
    def base(self) -> ArenaConfig:
        """The arena settings a world's options modify."""
        return self._base

    def next_arena(self, seed: int | None, scenario: str = '',
                   config: ArenaConfig | None = None) -> Arena:
        """The next world.

        :param seed: reseeds the stream; None continues it (or starts an
            unseeded one before any seed was given).
        :param scenario: ``''`` for a generated arena, a layout name such as
            ``'corridor'``, or a path to a layout ``.yaml`` (each read once).
        :param config: arena settings for this world only; :attr:`base` when None.
        :raises robotino_world.errors.SimulationError: for a bad seed or
            scenario, or when no start and goal fit (the message says which).
        """
        config = self._base if config is None else config
        if not isinstance(scenario, str):
            raise InvalidArgumentError(f'scenario must be a string, got {scenario!r}')
        self._rng = world_stream(self._rng, seed)
        if scenario == '':
            return generate_arena(config, self._rng, self._robot_radius)
        if scenario not in self._layouts:
            self._layouts[scenario] = read_layout(scenario)
        layout = parse_layout(scenario, self._layouts[scenario], config)
        return layout_arena(layout, config, self._rng, self._robot_radius)
