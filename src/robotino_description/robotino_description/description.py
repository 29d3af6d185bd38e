"""The Robotino 3 as one value: geometry, limits and IR layout together.

Both simulators and the URDF generator take a :class:`RobotinoDescription`,
so each figure exists once, in :mod:`.geometry`, :mod:`.limits` and
:mod:`.ir_layout`, with its source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from robotino_description.geometry import RobotinoGeometry
from robotino_description.ir_layout import IrSensorLayout
from robotino_description.kinematics import RobotinoKinematics
from robotino_description.limits import RobotinoLimits


@dataclass(frozen=True)
class RobotinoDescription:
    """Everything the simulators need to know about the robot.

    :param name: robot name, used for the URDF.
    :param geometry: body and wheel geometry.
    :param limits: twist clamps and motor limits.
    :param ir: the IR sensor ring.
    """

    name: str = 'robotino3'
    geometry: RobotinoGeometry = field(default_factory=RobotinoGeometry)
    limits: RobotinoLimits = field(default_factory=RobotinoLimits)
    ir: IrSensorLayout = field(default_factory=IrSensorLayout)

    def kinematics(self) -> RobotinoKinematics:
        """Omni-wheel kinematics with this robot's geometry and limits."""
        return RobotinoKinematics(self.geometry, self.limits)


ROBOTINO3 = RobotinoDescription()
"""The Festo Robotino 3 with the figures cited in the modules of this package."""
