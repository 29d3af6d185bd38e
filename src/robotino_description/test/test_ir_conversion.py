"""Webots IR readings <-> metres through the PROTO's lookup table, and into the band."""

import math

import numpy as np
import pytest

from robotino_description import ROBOTINO3
from robotino_description.ir_conversion import (
    SHARP_GP2Y0A41SK0F,
    IrLookupTable,
    ranges_from_readings,
)

TABLE = IrLookupTable()


def test_every_table_row_reads_back_as_its_distance() -> None:
    distances, readings = np.array(SHARP_GP2Y0A41SK0F).T
    assert TABLE.to_metres(readings) == pytest.approx(distances)
    assert TABLE.to_reading(distances) == pytest.approx(readings)


def test_between_rows_the_inverse_is_linear_as_webots_interpolates() -> None:
    distances = np.linspace(0.03, 0.4, 101)
    assert TABLE.to_metres(TABLE.to_reading(distances)) == pytest.approx(distances, abs=1e-12)


def test_readings_map_into_the_sensor_band() -> None:
    near, wall, nothing = 3.0, TABLE.to_reading(0.15), 0.31
    ranges = ranges_from_readings([near, wall, nothing, math.nan], ROBOTINO3.ir, TABLE)
    assert ranges == pytest.approx([ROBOTINO3.ir.min_range, 0.15, ROBOTINO3.ir.max_range,
                                    ROBOTINO3.ir.max_range])


@pytest.mark.parametrize('rows', [
    ((0.1, 1.0),),
    ((0.1, 1.0), (0.1, 0.5)),
    ((0.0, 0.0), (0.02, 2.2), (0.04, 2.7), (0.1, 1.2)),
])
def test_tables_that_cannot_be_inverted_are_refused(rows) -> None:
    with pytest.raises(ValueError, match=r'rows|distances|readings'):
        IrLookupTable(rows)
