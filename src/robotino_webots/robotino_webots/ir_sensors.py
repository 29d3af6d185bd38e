"""The IR sensors as Webots builds them from the Robotino3 PROTO: beams, noise, lookup table.

Where the figures come from (cyberbotics/webots, the PROTOs as of commits
5b10083 and 061e5bf):

- ``projects/robots/festo/robotino3/protos/Robotino3.proto`` places ``IR1``
  .. ``IR9`` inside a quarter turn about z (line 68, "rotate whole body to
  x=front") with the ``rotation`` fields of lines 102, 107, ... 142 (every
  fifth line). A Webots ``DistanceSensor`` casts its ray along its own x
  axis; turned by those rotations, ir1's beam heads 0 degrees (-0.007) and
  ir2 .. ir9's head ``40 k + 10/3`` degrees (within 0.001): 3.33 degrees
  counter-clockwise of the radial direction robotino_description assumes
  (and MuJoCo casts along). The mounts themselves are on our ring, within
  0.7 mm.
- ``projects/devices/sharp/protos/SharpGP2Y0A41SK0F.proto`` line 27: the
  ``lookupTable``, whose third column (0.005 on every row) is the standard
  deviation of a Gaussian noise relative to the reading; Webots multiplies
  each reading by ``1 + 0.005 N(0, 1)`` (``WbLookupTable::lookup``).

The plugin converts the readings to metres with the table of
:mod:`robotino_description.ir_conversion`; :func:`check_lookup_table` makes
sure at start-up that the world's sensors have that table. Where the real
driver places its readings in the ``distance_sensors`` cloud does not change:
that is :meth:`IrSensorLayout.headings`, the mounts' angles.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from robotino_description import ROBOTINO3, IrSensorLayout, RobotinoDescription
from robotino_description.ir_conversion import IrLookupTable
from robotino_webots.errors import WorldSetupError

BEAM_OFFSETS_DEG: tuple[float, ...] = (0.0, *(10.0 / 3.0,) * 8)
"""Beam heading minus mount angle of ir1 .. ir9, degrees (Robotino3.proto lines 102-142)."""

IR_NOISE = 0.005
"""Standard deviation of the readings' noise, relative to the reading (Sharp PROTO line 27)."""


@dataclass(frozen=True)
class WebotsIrLayout(IrSensorLayout):
    """The IR ring of the Robotino3 PROTO: mounts on our ring, beams turned off radial.

    :meth:`poses` (and so the URDF's ``irK`` frames) carry the beams;
    :meth:`headings` stays the mounts' angles, where the real driver places
    its readings.

    :param beam_offsets_deg: beam heading minus mount angle per sensor, degrees.
    """

    beam_offsets_deg: tuple[float, ...] = BEAM_OFFSETS_DEG

    def __post_init__(self) -> None:
        """Reject offsets that do not give one per sensor."""
        super().__post_init__()
        if len(self.beam_offsets_deg) != self.count:
            raise ValueError(f'need {self.count} beam offsets, got {self.beam_offsets_deg!r}')

    def beam_headings(self) -> np.ndarray:
        """Headings of the beams in ``base_link``, radians, sensor order."""
        return self.headings() + np.radians(self.beam_offsets_deg)

    def poses(self) -> np.ndarray:
        """Sensor frames in ``base_link``: the mounts' positions, the beams' headings."""
        poses = super().poses()
        poses[:, 3] = self.beam_headings()
        return poses


WEBOTS_ROBOTINO3: RobotinoDescription = dataclasses.replace(
    ROBOTINO3, ir=WebotsIrLayout(**dataclasses.asdict(ROBOTINO3.ir)))
"""The Robotino 3 as the PROTO builds it in Webots: ROBOTINO3 with :class:`WebotsIrLayout`."""


def check_lookup_table(name: str, flat: Sequence[float], table: IrLookupTable) -> None:
    """Refuse a sensor whose ``lookupTable`` would not convert like ``table``.

    Only the distance and reading columns matter to the conversion; the
    noise column is Webots' business.

    :param name: the device, for the message.
    :param flat: ``DistanceSensor.getLookupTable()``: distance, reading and
        noise of each row, one after another.
    :param table: the table the plugin converts readings with.
    :raises WorldSetupError: when the rows differ, naming the sensor.
    """
    rows = [(float(flat[k]), float(flat[k + 1])) for k in range(0, len(flat) - 2, 3)]
    if (len(flat) != 3 * len(table.rows)
            or not np.allclose(rows, table.rows, rtol=1e-9, atol=1e-12)):
        raise WorldSetupError(
            f'{name} has the lookupTable (distance, reading) {rows}, not the '
            'SharpGP2Y0A41SK0F one the plugin converts readings with; use the Robotino3 '
            'PROTO with its default infraredSensorModel')
