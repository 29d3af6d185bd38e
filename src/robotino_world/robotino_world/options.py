"""Arena options from a JSON object, checked against :class:`ArenaConfig`.

A world reset may change the arena (room size, obstacle count, ...) for one
episode; the options arrive as JSON from a service request, so every key and
value is checked here and a bad one is named in the error.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from robotino_world.arena import ArenaConfig
from robotino_world.errors import InvalidArgumentError

_FIELDS = {f.name: f for f in dataclasses.fields(ArenaConfig)}


def parse_options_json(text: str) -> dict[str, Any]:
    """A JSON object as a dict; '' is no options.

    :raises InvalidArgumentError: for malformed JSON or a non-object.
    """
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidArgumentError(f'options_json is not valid JSON ({error}): {text!r}') from None
    if not isinstance(value, dict):
        raise InvalidArgumentError(f'options_json must be a JSON object, got {text!r}')
    return value


def _coerce(name: str, value: Any, default: Any) -> Any:
    if isinstance(default, tuple):
        if not isinstance(value, list | tuple) or len(value) != len(default):
            raise InvalidArgumentError(
                f'arena option {name!r} must be a list of {len(default)} numbers, got {value!r}')
        return tuple(_coerce(name, v, d) for v, d in zip(value, default, strict=True))
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise InvalidArgumentError(
                f'arena option {name!r} must be true or false, got {value!r}')
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidArgumentError(f'arena option {name!r} must be an integer, got {value!r}')
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgumentError(f'arena option {name!r} must be a number, got {value!r}')
    return float(value)


def arena_with_options(base: ArenaConfig, options: Mapping[str, Any]) -> ArenaConfig:
    """``base`` with the given fields replaced.

    :raises InvalidArgumentError: for an unknown key, a wrong type, or values
        the arena cannot satisfy; the message names the key and the valid keys.
    """
    unknown = sorted(set(options) - set(_FIELDS))
    if unknown:
        raise InvalidArgumentError(
            f'unknown arena option(s) {unknown}; valid: {sorted(_FIELDS)}')
    changes = {name: _coerce(name, value, getattr(base, name)) for name, value in options.items()}
    try:
        return dataclasses.replace(base, **changes)
    except ValueError as error:
        raise InvalidArgumentError(f'arena options rejected: {error}') from None
