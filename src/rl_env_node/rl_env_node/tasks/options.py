"""Task options: frozen dataclasses filled from JSON-like mappings, checked key by key.

A task declares its options as a frozen dataclass whose fields are made with
:func:`option`, so each carries a description with its unit and, for a
number, its documented range. Options arrive from ROS parameters and from
``reset(options=...)`` as JSON objects from any client, so
:func:`replace_options` checks every key and value and names the bad one,
quoting at most a short prefix of it, in a
:class:`~rl_env_node.errors.TaskOptionError`: the type, finiteness and
string length by :func:`robotino_world.options.coerce_option` (the one
coercion the arena options use too), the range by the field's metadata.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from rl_env_node.errors import TaskOptionError, quoted
from robotino_world.errors import InvalidArgumentError
from robotino_world.options import coerce_option

OptionsT = TypeVar('OptionsT')


def option(default: Any, description: str, low: float | None = None,
           high: float | None = None, above: bool = False) -> Any:
    """A dataclass field with a default, a description (give the unit) and a range.

    :param default: the value when the option is not given; its type is the
        option's type (a float option also takes integers from JSON).
    :param description: what the option does, with its unit.
    :param low: smallest value allowed (each element's, for a tuple), or None.
    :param high: largest value allowed, or None.
    :param above: the value must be strictly above ``low``.
    """
    return dataclasses.field(default=default, metadata={
        'help': description, 'range': (low, high, above)})


def _range_text(low: float | None, high: float | None, above: bool) -> str:
    left = '(' if above else '['
    return f"in {left}{'-inf' if low is None else f'{low:g}'}, " \
           f"{'inf' if high is None else f'{high:g}'}]"


def require(condition: bool, name: str, value: Any, requirement: str) -> None:
    """Raise :class:`TaskOptionError` naming ``name`` and ``value`` unless ``condition``.

    For the range checks in an options class's ``__post_init__``.
    """
    if not condition:
        raise TaskOptionError(f'task option {name!r} must be {requirement}, got {quoted(value)}')


def _in_range(name: str, value: float, bounds: tuple[Any, Any, bool]) -> None:
    low, high, above = bounds
    if (low is not None and (value < low or (above and value == low))) \
            or (high is not None and value > high):
        raise TaskOptionError(
            f'task option {name!r} must be {_range_text(low, high, above)}, got {quoted(value)}')


def check_ranges(options: Any) -> None:
    """Raise TaskOptionError for the first option outside its documented range.

    For an options class's ``__post_init__``, so that options made in Python
    are checked as those from a request are.
    """
    for f in dataclasses.fields(options):
        bounds = f.metadata.get('range', (None, None, False))
        value = getattr(options, f.name)
        for number in value if isinstance(value, tuple) else (value,):
            if isinstance(number, int | float) and not isinstance(number, bool):
                _in_range(f.name, number, bounds)


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
                              f'got {quoted(overrides)}')
    fields = {f.name for f in dataclasses.fields(base)}
    unknown = sorted(quoted(str(key), 40) for key in overrides if key not in fields)
    if unknown:
        raise TaskOptionError(f'unknown task option(s) [{", ".join(unknown[:5])}] for '
                              f'{type(base).__name__}; valid: {sorted(fields)}')
    try:
        changes = {name: coerce_option(name, value, getattr(base, name), 'task option')
                   for name, value in overrides.items()}
    except InvalidArgumentError as error:
        raise TaskOptionError(str(error)) from None
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
            **_described_range(f.metadata.get('range')),
        }
        for f in dataclasses.fields(options)
    }


def _described_range(bounds: tuple[Any, Any, bool] | None) -> dict[str, Any]:
    """``{'range': 'in (0, 2]'}`` for an option with bounds, else nothing."""
    if bounds is None or bounds[:2] == (None, None):
        return {}
    return {'range': _range_text(*bounds)}


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
