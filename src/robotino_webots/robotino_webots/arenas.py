"""Worlds for a seed and scenario, drawn exactly as the MuJoCo simulator draws them.

The arena generator and the layout files are robotino_mujoco's (plain
modules, no MuJoCo calls); this stream consumes its random numbers in the
same order as ``RobotinoSimulator.reset``, so a seed gives both simulators
the same room, obstacles, start and goal.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from robotino_mujoco.arena import Arena, ArenaConfig, generate_arena, world_stream
from robotino_mujoco.arena_options import arena_with_options, parse_options_json
from robotino_mujoco.errors import InvalidArgumentError
from robotino_mujoco.layouts import layout_arena, parse_layout, read_layout


class ArenaStream:
    """Arenas from one random stream, reseeded on demand.

    :param base: arena settings that request options modify.
    :param robot_radius: the robot's footprint radius, metres, kept clear of
        walls and obstacles at the start and goal.
    """

    def __init__(self, base: ArenaConfig, robot_radius: float) -> None:
        self._base = base
        self._robot_radius = robot_radius
        self._rng: np.random.Generator | None = None
        self._layouts: dict[str, Any] = {}

    def next_arena(self, seed: int | None, scenario: str = '', options_json: str = '') -> Arena:
        """The next world.

        :param seed: reseeds the stream; None continues it (or starts an
            unseeded one before any seed was given).
        :param scenario: ``''`` for a generated arena, a layout name such as
            ``'corridor'``, or a path to a layout ``.yaml`` (read once).
        :param options_json: arena options for this world only, a JSON object or ''.
        :raises robotino_mujoco.errors.RobotinoSimError: for a bad seed, scenario
            or option, or when no start and goal fit (the message says which).
        """
        config = arena_with_options(self._base, parse_options_json(options_json))
        if not isinstance(scenario, str):
            raise InvalidArgumentError(f'scenario must be a string, got {scenario!r}')
        self._rng = world_stream(self._rng, seed)
        if scenario == '':
            return generate_arena(config, self._rng, self._robot_radius)
        if scenario not in self._layouts:
            self._layouts[scenario] = read_layout(scenario)
        layout = parse_layout(scenario, self._layouts[scenario], config)
        return layout_arena(layout, config, self._rng, self._robot_radius)
