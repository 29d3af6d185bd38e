"""Declaring a node's parameters from one table, with descriptors.

Every node of the workspace declares its parameters in one place, each with
a description that gives the unit, an optional range, and read_only for the
structural ones (those the node cannot change while running); the node then
reads them once into a frozen dataclass for its plain code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor
from rclpy.node import Node


@dataclass(frozen=True)
class ParameterSpec:
    """One parameter: name, default, description with unit, optional inclusive range.

    :param name: parameter name.
    :param default: default value; its type is the parameter's type.
    :param description: what it means, with its unit.
    :param low: inclusive lower bound for numbers, or None.
    :param high: inclusive upper bound for numbers, or None.
    :param read_only: true when changing it at run time would need a restart.
    """

    name: str
    default: Any
    description: str
    low: float | None = None
    high: float | None = None
    read_only: bool = True

    def with_default(self, value: Any) -> ParameterSpec:
        """This spec with another default: how a value read elsewhere (a URDF) is shown."""
        return dataclasses.replace(self, default=value)

    def descriptor(self) -> ParameterDescriptor:
        """The rcl descriptor, with a range when both bounds are given."""
        descriptor = ParameterDescriptor(
            name=self.name, description=self.description, read_only=self.read_only)
        if self.low is None or self.high is None:
            return descriptor
        if isinstance(self.default, bool):
            return descriptor
        if isinstance(self.default, int):
            descriptor.integer_range = [
                IntegerRange(from_value=int(self.low), to_value=int(self.high), step=1)]
        elif isinstance(self.default, float):
            descriptor.floating_point_range = [
                FloatingPointRange(from_value=float(self.low), to_value=float(self.high))]
        return descriptor


def declare_parameters(node: Node, specs: Sequence[ParameterSpec]) -> dict[str, Any]:
    """Declare each spec on ``node`` and return the values now in force, by name.

    A value outside its range is refused by rclpy at declaration with an
    error that names the parameter, so a bad launch file fails at start-up.
    """
    values = {}
    for spec in specs:
        parameter = node.declare_parameter(spec.name, spec.default, spec.descriptor())
        values[spec.name] = parameter.value
    return values
