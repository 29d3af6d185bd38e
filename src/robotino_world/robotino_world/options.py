"""Options from JSON: one parser and one typed coercion, for arena options and task options.

A world reset may change the arena (room size, obstacle count, ...) for one
episode, and an env reset may change the task's options; both arrive as JSON
from a service request that any client can send. So
:func:`parse_options_json` bounds the text's size and nesting before and
after parsing, :func:`coerce_option` checks each value against the type of
its default (bool is not a number, floats are finite, strings are short),
and every refusal names the bad option and quotes at most a short prefix of
the input (:func:`quoted`). Both raise :class:`InvalidArgumentError`; the env
node maps it to its own error types.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from typing import Any

from robotino_world.arena import ArenaConfig
from robotino_world.errors import InvalidArgumentError

#: Characters of a bad input that a message quotes: a 10 MB request must not come back whole.
QUOTE_LIMIT = 60
#: Largest ``options_json`` a request may carry, characters: options are a few hundred.
MAX_OPTIONS_JSON = 64 * 1024
#: Deepest nesting of objects and lists in ``options_json``: options are flat or one list deep.
MAX_OPTIONS_DEPTH = 4
#: Longest string option (a layout name or path) a request may give.
MAX_STRING = 200

_FIELDS = {f.name: f for f in dataclasses.fields(ArenaConfig)}


def quoted(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)``, cut to ``limit`` characters with the full size said, for messages."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f'{text[:limit]}... ({len(text)} characters)'


def parse_options_json(text: str, what: str = 'options',
                       example: str = '{"size_x": 6.0}') -> dict[str, Any]:
    """Options from a service request: a JSON object, or '' (or blanks) for none.

    :param text: the request's ``options_json``.
    :param what: what the options are, for messages (``'task options'``).
    :param example: a valid object to suggest when the text is not JSON.
    :raises InvalidArgumentError: for oversized, malformed or too deeply nested
        JSON, or JSON that is not an object; the message quotes a short prefix.
    """
    if not text.strip():
        return {}
    if len(text) > MAX_OPTIONS_JSON:
        raise InvalidArgumentError(f'options_json is {len(text)} characters, more than the '
                                   f'{MAX_OPTIONS_JSON} {what} can need; got {quoted(text)}')
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidArgumentError(
            f'options_json is not valid JSON ({error.msg} at character {error.pos}); send '
            f'a JSON object such as {example}, got {quoted(text)}') from None
    except (RecursionError, ValueError) as error:   # nesting; an integer of 4,300+ digits
        raise InvalidArgumentError(f'options_json cannot be read ({type(error).__name__}); '
                                   f'got {quoted(text)}') from None
    if not isinstance(value, dict):
        raise InvalidArgumentError(f'options_json must be a JSON object of {what}, '
                                   f'got {quoted(text)}')
    if _depth(value) > MAX_OPTIONS_DEPTH:
        raise InvalidArgumentError(f'options_json nests deeper than {MAX_OPTIONS_DEPTH} '
                                   f'levels; got {quoted(text)}')
    return value


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON: 0 for a scalar, 1 for a flat object or list."""
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def coerce_option(name: str, value: Any, default: Any, what: str = 'option') -> Any:
    """``value`` as the type of ``default``, for an option given as JSON.

    A tuple default takes a list (or tuple) of as many values, each coerced
    to its element's type; a bool takes only true or false; an int only an
    integer (not a bool, not 1.0); a float any finite number, as a float; any
    other type an instance of it, and a string at most :data:`MAX_STRING`
    characters without NUL. Ranges are the caller's to check.

    :param what: the kind of option, for the message (``'arena option'``).
    :raises InvalidArgumentError: naming ``what`` and ``name`` and quoting the value.
    """
    if isinstance(default, tuple):
        if not isinstance(value, list | tuple) or len(value) != len(default):
            kind = 'numbers' if all(_is_number(d) for d in default) else 'values'
            raise InvalidArgumentError(f'{what} {name!r} must be a list of {len(default)} '
                                       f'{kind}, got {quoted(value)}')
        return tuple(coerce_option(name, v, d, what) for v, d in zip(value, default, strict=True))
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise InvalidArgumentError(f'{what} {name!r} must be true or false, '
                                       f'got {quoted(value)}')
        return value
    if isinstance(default, int | float):
        return _number(name, value, default, what)
    if not isinstance(value, type(default)):
        raise InvalidArgumentError(f'{what} {name!r} must be a {type(default).__name__}, '
                                   f'got {quoted(value)}')
    if isinstance(value, str) and (len(value) > MAX_STRING or '\0' in value):
        raise InvalidArgumentError(f'{what} {name!r} must be at most {MAX_STRING} characters '
                                   f'without NUL, got {quoted(value)}')
    return value


def _number(name: str, value: Any, default: int | float, what: str) -> int | float:
    """``value`` as the int or finite float ``default`` is."""
    if isinstance(default, int):
        if not _is_number(value) or not isinstance(value, int):
            raise InvalidArgumentError(f'{what} {name!r} must be an integer, '
                                       f'got {quoted(value)}')
        return value
    if not _is_number(value):
        raise InvalidArgumentError(f'{what} {name!r} must be a finite number, '
                                   f'got {quoted(value)}')
    try:
        number = float(value)
    except OverflowError:   # an integer of hundreds of digits
        number = math.inf
    if not math.isfinite(number):
        raise InvalidArgumentError(f'{what} {name!r} must be a finite number, '
                                   f'got {quoted(value)}')
    return number


def arena_with_options(base: ArenaConfig, options: Mapping[str, Any]) -> ArenaConfig:
    """``base`` with the given fields replaced.

    :raises InvalidArgumentError: for an unknown key, a wrong type, or values
        the arena cannot satisfy; the message names the key and the valid keys.
    """
    unknown = sorted(quoted(str(key), 40) for key in options if key not in _FIELDS)
    if unknown:
        raise InvalidArgumentError(
            f'unknown arena option(s) [{", ".join(unknown[:5])}]; valid: {sorted(_FIELDS)}')
    changes = {name: coerce_option(name, value, getattr(base, name), 'arena option')
               for name, value in options.items()}
    try:
        return dataclasses.replace(base, **changes)
    except ValueError as error:
        raise InvalidArgumentError(f'arena options rejected: {error}') from None
