"""Task options: frozen dataclasses filled from JSON-like mappings, checked key by key.

A task declares its options as a frozen dataclass whose fields are made with
:func:`option`, so each carries a description with its unit. Options arrive
from ROS parameters and from ``reset(options=...)`` as JSON objects, so
:func:`replace_options` checks every key and value and names the bad one and
the valid ones in a :class:`~rl_env_node.errors.TaskOptionError`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, TypeVar

from rl_env_node.errors import TaskOptionError

OptionsT = TypeVar('OptionsT')


def option(default: Any, description: str) -> Any:
    """A dataclass field with a default and a description (give the unit).

    :param default: the value when the option is not given; its type is the
        option's type (a float option also takes integers from JSON).
    :param description: what the option does, with its unit and range.
    """
    return dataclasses.field(default=default, metadata={'help': description})


def require(condition: bool, name: str, value: Any, requirement: str) -> None:
    """Raise :class:`TaskOptionError` naming ``name`` and ``value`` unless ``condition``.

    For the range checks in an options class's ``__post_init__``.
    """
    if not condition:
        raise TaskOptionError(f'task option {name!r} must be {requirement}, got {value!r}')


def _coerce(name: str, value: Any, default: Any) -> Any:
    """``value`` converted to the type of ``default``, or TaskOptionError."""
    if isinstance(default, tuple):
        if not isinstance(value, list | tuple) or len(value) != len(default):
            raise TaskOptionError(
                f'task option {name!r} must be a list of {len(default)} values, got {value!r}')
        return tuple(_coerce(name, v, d) for v, d in zip(value, default, strict=True))
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise TaskOptionError(f'task option {name!r} must be true or false, got {value!r}')
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TaskOptionError(f'task option {name!r} must be an integer, got {value!r}')
        return int(value)
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            raise TaskOptionError(f'task option {name!r} must be a finite number, got {value!r}')
        return float(value)
    if not isinstance(value, type(default)):
        raise TaskOptionError(
            f'task option {name!r} must be a {type(default).__name__}, got {value!r}')
    return value


def replace_options(base: OptionsT, overrides: Mapping[str, Any] | None) -> OptionsT:
    """``base`` with the fields in ``overrides`` replaced, each checked.

    :param base: an options dataclass instance.
    :param overrides: option names to new values, e.g. parsed from JSON.
    :raises TaskOptionError: for a non-mapping, an unknown key (the message
        lists the valid ones), a wrong type or a value out of range.
    """
    if not overrides:
        return base
    if not isinstance(overrides, Mapping):
        raise TaskOptionError(f'task options must be a mapping of names to values, '
                              f'got {overrides!r}')
    fields = {f.name for f in dataclasses.fields(base)}
    unknown = sorted(str(key) for key in overrides if key not in fields)
    if unknown:
        raise TaskOptionError(
            f'unknown task option(s) {unknown} for {type(base).__name__}; valid: {sorted(fields)}')
    changes = {name: _coerce(name, value, getattr(base, name))
               for name, value in overrides.items()}
    return dataclasses.replace(base, **changes)


def options_to_dict(options: Any) -> dict[str, Any]:
    """The option values as JSON-ready types (tuples become lists)."""
    return {f.name: _jsonable(getattr(options, f.name)) for f in dataclasses.fields(options)}


def describe_options(options: Any) -> dict[str, dict[str, Any]]:
    """For each option: its current value, default and description, for ``spec_json``."""
    return {
        f.name: {
            'value': _jsonable(getattr(options, f.name)),
            'default': _jsonable(f.default),
            'help': f.metadata.get('help', ''),
        }
        for f in dataclasses.fields(options)
    }


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
