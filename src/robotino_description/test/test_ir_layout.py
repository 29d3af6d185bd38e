"""The IR ring: nine sensors 40 degrees apart, and the 0.04 to 0.30 m band."""

import math

import numpy as np
import pytest

from robotino_description import ROBOTINO3, IrSensorLayout

IR = ROBOTINO3.ir


def test_nine_sensors_forty_degrees_apart_starting_forward() -> None:
    assert IR.names == tuple(f'ir{k}' for k in range(1, 10))
    assert np.allclose(np.degrees(IR.headings()), np.arange(9) * 40.0)


def test_sensor_frames_sit_on_the_ring_facing_outward() -> None:
    poses = IR.poses()
    assert poses.shape == (9, 4)
    assert np.allclose(np.hypot(poses[:, 0], poses[:, 1]), IR.mount_radius)
    assert np.allclose(np.arctan2(poses[:, 1], poses[:, 0]),
                       np.arctan2(np.sin(poses[:, 3]), np.cos(poses[:, 3])))
    assert np.allclose(poses[:, 2], IR.mount_height)
    assert poses[0, 0] == pytest.approx(IR.mount_radius) and poses[0, 1] == pytest.approx(0.0)


def test_band_mapping() -> None:
    raw = np.array([-1.0, 0.0, 0.01, 0.04, 0.15, 0.30, 0.31, 5.0, math.nan])
    expected = [0.30, 0.04, 0.04, 0.04, 0.15, 0.30, 0.30, 0.30, 0.30]
    assert np.array_equal(IR.to_band(raw), expected)


def test_beam_end_points_lie_range_beyond_each_sensor() -> None:
    ranges = np.linspace(0.04, 0.3, 9)
    ends = IR.beam_end_points(ranges)
    assert np.allclose(np.hypot(ends[:, 0], ends[:, 1]), IR.mount_radius + ranges)


def test_layout_rejects_an_empty_band() -> None:
    with pytest.raises(ValueError, match='min_range'):
        IrSensorLayout(min_range=0.3, max_range=0.3)
