"""The nine infrared distance sensors of the Festo Robotino 3.

Where the figures come from:

- Nine sensors 40 degrees apart, sensor 1 facing forward, counting
  counter-clockwise: the real driver places reading ``i`` at ``40 * i``
  degrees (robocup-logistics/ros2-robotino,
  ``rto_node/src/DistanceSensorArrayROS.cpp``), and the Webots PROTO's
  devices ``ir1`` .. ``ir9`` lie at 0, 40, ... 320 degrees.
- Mounting radius 0.2264 m and height 0.0566 m: the translations of ``IR1``
  .. ``IR9`` in ``Robotino3.proto`` (cyberbotics/webots,
  ``projects/robots/festo/robotino3/protos/``).
- Band 0.04 to 0.30 m: the Sharp GP2Y0A41SK0F, the PROTO's default
  ``infraredSensorModel``, measures 4 to 30 cm (Sharp datasheet).

Each sensor frame ``irK`` has its x axis along the beam, horizontal and
pointing away from the centre (REP 103); MuJoCo casts its rays along it.
Webots casts along the PROTO's own beams, which for ir2 .. ir9 point 3.33
degrees off radial (``robotino_webots.ir_sensors``). Webots' raw
lookup-table readings become metres in :mod:`.ir_conversion`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class IrSensorLayout:
    """Where the IR sensors sit on the body and what band they report.

    :param count: number of sensors.
    :param first_angle_deg: heading of sensor 1 in ``base_link``, degrees.
    :param spacing_deg: counter-clockwise angle between neighbours, degrees.
    :param mount_radius: distance of each sensor from the centre, metres.
    :param mount_height: height of the beams above the floor, metres.
    :param min_range: nearest distance reported; closer objects read this, metres.
    :param max_range: farthest distance reported; no echo reads this, metres.
    """

    count: int = 9
    first_angle_deg: float = 0.0
    spacing_deg: float = 40.0
    mount_radius: float = 0.2264
    mount_height: float = 0.0566
    min_range: float = 0.04
    max_range: float = 0.30

    def __post_init__(self) -> None:
        """Reject layouts no sensor could have, naming the bad value."""
        if self.count < 1:
            raise ValueError(f'count must be >= 1, got {self.count!r}')
        if not 0.0 <= self.min_range < self.max_range:
            raise ValueError(
                f'need 0 <= min_range < max_range, got {self.min_range!r}, {self.max_range!r}')

    @property
    def names(self) -> tuple[str, ...]:
        """Frame and device names, ``ir1`` .. ``irN`` (as in Webots and the URDF)."""
        return tuple(f'ir{k + 1}' for k in range(self.count))

    def headings(self) -> np.ndarray:
        """Beam headings in ``base_link``, radians, sensor order."""
        degrees = self.first_angle_deg + self.spacing_deg * np.arange(self.count)
        return np.radians(degrees)

    def poses(self) -> np.ndarray:
        """Sensor frames in ``base_link``, shape (count, 4).

        Columns: x, y, z in metres and heading in radians; the beam points along
        the heading, horizontally, away from the centre.
        """
        headings = self.headings()
        return np.column_stack(
            (
                self.mount_radius * np.cos(headings),
                self.mount_radius * np.sin(headings),
                np.full(self.count, self.mount_height),
                headings,
            )
        )

    def to_band(self, distances: np.ndarray) -> np.ndarray:
        """Map metric beam distances to what the sensors report.

        A negative distance (no echo, MuJoCo's convention) or one beyond
        ``max_range`` reads ``max_range``; one below ``min_range`` reads
        ``min_range``.

        :param distances: distances from each sensor along its beam, metres.
        :return: a new float array of reported ranges, metres.
        """
        raw = np.asarray(distances, dtype=float)
        # The ufuncs, not np.clip, whose Python wrapper costs more than clipping nine values.
        clipped = np.minimum(np.maximum(raw, self.min_range), self.max_range)
        return np.where((raw < 0.0) | ~np.isfinite(raw), self.max_range, clipped)

    def beam_end_points(self, ranges: np.ndarray) -> np.ndarray:
        """End points of the beams for given ranges, ``base_link``, shape (count, 2).

        Useful for drawing and for a point cloud of the readings.

        :param ranges: reported ranges in metres, sensor order.
        """
        poses = self.poses()
        reach = np.asarray(ranges, dtype=float)
        return np.column_stack(
            (
                poses[:, 0] + reach * np.cos(poses[:, 3]),
                poses[:, 1] + reach * np.sin(poses[:, 3]),
            )
        )

