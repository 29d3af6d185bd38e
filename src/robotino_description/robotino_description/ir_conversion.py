"""Raw IR readings of the Webots sensor model <-> metres, from the model's lookup table.

A Webots ``DistanceSensor`` does not report metres: it maps the distance it
measures through its ``lookupTable`` (here the Sharp GP2Y0A41SK0F's output in
volts, which falls as the distance grows). The Webots plugin turns each
reading back into metres with :meth:`IrLookupTable.to_metres` and then into
the sensor band with :meth:`IrSensorLayout.to_band`, so the ranges match the
MuJoCo simulator's and the real driver's.

Where the figures come from: the ``lookupTable`` of
``projects/devices/sharp/protos/SharpGP2Y0A41SK0F.proto`` (cyberbotics/webots,
R2023b and later), the default ``infraredSensorModel`` of ``Robotino3.proto``.
Its third column (relative noise 0.005) is not needed to invert it. Older
copies of the PROTO (``projects/robots/festo/robotino3/protos/``) also had a
rising branch below 0.03 m, which no sensor on the ring can see (the body
keeps obstacles 0.0002 m or more from the sensors, and readings below the
band read the band's minimum anyway).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from robotino_description.ir_layout import IrSensorLayout

#: ``(distance in metres, reading in volts)`` rows of the PROTO's lookup table.
SHARP_GP2Y0A41SK0F: tuple[tuple[float, float], ...] = (
    (0.030, 3.03), (0.035, 2.78), (0.040, 2.72), (0.050, 2.33), (0.060, 2.01),
    (0.070, 1.76), (0.080, 1.55), (0.090, 1.40), (0.100, 1.25), (0.120, 1.04),
    (0.140, 0.92), (0.160, 0.82), (0.180, 0.73), (0.200, 0.66), (0.250, 0.53),
    (0.300, 0.42), (0.350, 0.37), (0.400, 0.31),
)


@dataclass(frozen=True)
class IrLookupTable:
    """A monotonic Webots ``lookupTable``, read in both directions.

    Between rows the mapping is linear, as Webots interpolates it; outside
    the table it holds the end rows' values (Webots reports the last row's
    value when nothing is in reach).

    :param rows: ``(distance, reading)`` pairs, distances in metres strictly
        increasing, readings strictly monotonic (either way).
    """

    rows: tuple[tuple[float, float], ...] = SHARP_GP2Y0A41SK0F

    def __post_init__(self) -> None:
        """Reject tables that cannot be inverted, naming the fault."""
        table = np.asarray(self.rows, dtype=float)
        if table.ndim != 2 or table.shape[0] < 2 or table.shape[1] != 2:
            raise ValueError(
                f'rows must be at least two (distance, reading) pairs, got {self.rows!r}')
        steps = np.diff(table, axis=0)
        if not np.all(steps[:, 0] > 0.0):
            raise ValueError(f'distances must increase strictly, got {table[:, 0].tolist()}')
        if not (np.all(steps[:, 1] > 0.0) or np.all(steps[:, 1] < 0.0)):
            raise ValueError(
                f'readings must be strictly monotonic to invert, got {table[:, 1].tolist()}')

    @property
    def _table(self) -> np.ndarray:
        return np.asarray(self.rows, dtype=float)

    def to_metres(self, readings: np.ndarray | list[float]) -> np.ndarray:
        """Distances in metres for raw readings; NaN stays NaN.

        :param readings: raw ``DistanceSensor`` values, in the table's unit.
        """
        table = self._table
        distances, values = table[:, 0], table[:, 1]
        if values[0] > values[-1]:
            distances, values = distances[::-1], values[::-1]
        return np.interp(np.asarray(readings, dtype=float), values, distances)

    def to_reading(self, distances: np.ndarray | list[float]) -> np.ndarray:
        """Raw readings for distances in metres, as the Webots device reports them."""
        table = self._table
        return np.interp(np.asarray(distances, dtype=float), table[:, 0], table[:, 1])


def ranges_from_readings(readings: np.ndarray | list[float], layout: IrSensorLayout,
                         table: IrLookupTable) -> np.ndarray:
    """The IR ranges (metres, sensor order, clipped to the band) from raw readings.

    A reading that is not a number (a sensor not sampled yet) reads the
    band's maximum, as a sensor with no echo does.
    """
    return layout.to_band(table.to_metres(readings))
