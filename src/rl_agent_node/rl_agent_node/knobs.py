"""Knobs: dataclass fields that are at once a command-line flag, a launch argument and a parameter.

A run's settings are written once, as a frozen dataclass whose fields are
made with :func:`knob`; every front door is generated from it, so a knob has
one name everywhere and the doors cannot drift apart (CleanRL's
``tyro.cli(Args)`` habit):

- ``rl train --total-steps 4096``: :func:`add_flags` and :func:`from_flags`;
- ``ros2 launch ... total_steps:=4096``: :func:`launch_arguments` and :func:`from_strings`;
- the node parameter ``total_steps``: :func:`values` and :func:`from_values`.

A knob's type is its default's (str, int, float or bool), as for a ROS
parameter, so "use the config's value" is a sentinel (0, -1 or '') rather
than None, which a parameter cannot hold.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar('T')


def knob(default: Any, help: str, choices: Sequence[str] = ()) -> Any:
    """A dataclass field that is a knob.

    :param default: its value when not given; its type is the knob's type.
    :param help: what it means, with its unit and its sentinel.
    :param choices: the values allowed, for a string knob with a closed set.
    """
    return dataclasses.field(default=default, metadata={'help': help, 'choices': tuple(choices)})


def knob_fields(cls: type) -> list[dataclasses.Field]:
    """The knobs of a settings dataclass, in declaration order (base classes first)."""
    return [f for f in dataclasses.fields(cls) if 'help' in f.metadata]


def flag_name(name: str) -> str:
    """``total_steps`` as ``--total-steps``."""
    return '--' + name.replace('_', '-')


def _parse(name: str, default: Any, text: str) -> Any:
    """A knob's string (a launch argument) as its type; ValueError naming it otherwise."""
    kind = type(default)
    try:
        if kind is bool:
            value = text.strip().lower()
            if value not in ('true', 'false'):
                raise ValueError
            return value == 'true'
        return kind(text)
    except ValueError:
        raise ValueError(f'{name} must be {_KIND[kind]}, got {text!r}') from None


_KIND = {str: 'a string', int: 'an integer', float: 'a number', bool: 'true or false'}


def _string(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def add_flags(parser: argparse.ArgumentParser, cls: type,
              skip: Iterable[str] = ()) -> None:
    """One ``--flag`` per knob of ``cls``; a flag not given is absent from the parsed args.

    Absent rather than defaulted, so :func:`given` tells what the user typed
    (a resume changes only that) and :func:`from_flags` fills in the defaults.
    """
    for f in knob_fields(cls):
        if f.name in skip:
            continue
        help_text = f"{f.metadata['help']} (default {_string(f.default)!r})"
        if isinstance(f.default, bool):
            parser.add_argument(flag_name(f.name), action=argparse.BooleanOptionalAction,
                                default=argparse.SUPPRESS, help=help_text)
            continue
        parser.add_argument(flag_name(f.name), type=type(f.default),
                            choices=f.metadata['choices'] or None,
                            default=argparse.SUPPRESS, help=help_text)


def given(args: argparse.Namespace, cls: type) -> dict[str, Any]:
    """The knobs of ``cls`` the user gave on the command line, by name."""
    present = vars(args)
    return {f.name: present[f.name] for f in knob_fields(cls) if f.name in present}


def from_flags(cls: type[T], args: argparse.Namespace) -> T:
    """The settings from parsed flags, defaults for the knobs not given."""
    return cls(**given(args, cls))


def launch_arguments(cls: type) -> tuple[tuple[str, str, str], ...]:
    """(name, default, description) per knob, for ``DeclareLaunchArgument``."""
    return tuple((f.name, _string(f.default), f.metadata['help']) for f in knob_fields(cls))


def from_strings(cls: type[T], value: Callable[[str], str]) -> T:
    """The settings from launch argument values (strings), each parsed to its knob's type.

    :raises ValueError: for a value of the wrong type, naming the argument.
    """
    return cls(**{f.name: _parse(f.name, f.default, value(f.name)) for f in knob_fields(cls)})


def values(settings: Any, cls: type | None = None) -> dict[str, Any]:
    """The knobs of ``cls`` (default: of the settings' own class) with their values.

    A subclass that adds knobs (a graph's) hands its base class's to the node
    that declares them: ``values(run, TrainSettings)``.
    """
    return {f.name: getattr(settings, f.name) for f in knob_fields(cls or type(settings))}


def from_values(cls: type[T], found: Mapping[str, Any]) -> T:
    """The settings from typed values by name (node parameters), defaults for the missing."""
    return cls(**{f.name: found[f.name] for f in knob_fields(cls) if f.name in found})
