"""The IR sensors as the Robotino3 PROTO builds them: beam headings, lookup table, noise.

The beams are checked against the PROTO's own ``rotation`` fields, copied
below from ``Robotino3.proto`` (cyberbotics/webots at 5b10083, lines 68 and
102-142); the lookup-table check runs on the TEST DOUBLE of Webots, whose
sensors report the table they were built with.
"""

import math

import numpy as np
import pytest
from webots_double import Supervisor

from robotino_description import ROBOTINO3
from robotino_description.ir_conversion import IrLookupTable
from robotino_webots.errors import WorldSetupError
from robotino_webots.ir_sensors import (
    IR_NOISE,
    WEBOTS_ROBOTINO3,
    WebotsIrLayout,
    check_lookup_table,
)
from robotino_webots.simulation import WebotsSimulation
from robotino_webots.webots_io import WebotsRobotino
from robotino_webots.world import default_world

BODY_TURN = (0.0, 0.0, 1.0, 1.57079632679)
PROTO_ROTATIONS = (
    (-0.577303, 0.577374, 0.577374, -2.094467),
    (0.853684, -0.368255, -0.368255, 1.728335),
    (-0.996624, 0.058057, 0.058057, -1.574178),
    (0.920869, 0.275682, 0.275682, 1.653141),
    (-0.688684, -0.512696, -0.512696, -1.935411),
    (0.421705, 0.641157, 0.641157, 2.343440),
    (0.165287, 0.697381, 0.697381, 2.813982),
    (-0.082363, 0.704704, 0.704704, -2.977237),
    (-0.334640, 0.666339, 0.666339, -2.495740),
)


def rotation_matrix(x: float, y: float, z: float, angle: float) -> np.ndarray:
    """A Webots ``rotation`` (axis, angle) as a matrix (Rodrigues)."""
    axis = np.array([x, y, z]) / math.sqrt(x * x + y * y + z * z)
    skew = np.array([[0.0, -axis[2], axis[1]], [axis[2], 0.0, -axis[0]],
                     [-axis[1], axis[0], 0.0]])
    return np.eye(3) + math.sin(angle) * skew + (1.0 - math.cos(angle)) * skew @ skew


def test_the_beams_head_where_the_protos_distance_sensors_cast_their_rays():
    body = rotation_matrix(*BODY_TURN)
    beams = [body @ rotation_matrix(*r) @ [1.0, 0.0, 0.0] for r in PROTO_ROTATIONS]
    assert all(abs(beam[2]) < 1e-5 for beam in beams)   # horizontal
    proto = np.array([math.atan2(beam[1], beam[0]) for beam in beams])
    ours = WebotsIrLayout().beam_headings()
    error = np.remainder(proto - ours + math.pi, math.tau) - math.pi
    assert np.degrees(np.abs(error)).max() < 0.01
    offsets = np.degrees(ours - ROBOTINO3.ir.headings())
    assert offsets[0] == 0.0 and offsets[1:] == pytest.approx(10.0 / 3.0)


def test_the_webots_layout_moves_the_beams_not_the_mounts_nor_the_drivers_cloud():
    layout = WEBOTS_ROBOTINO3.ir
    assert np.allclose(layout.poses()[:, :3], ROBOTINO3.ir.poses()[:, :3])
    assert np.allclose(layout.poses()[:, 3], layout.beam_headings())
    assert np.array_equal(layout.headings(), ROBOTINO3.ir.headings())
    with pytest.raises(ValueError, match='9 beam offsets'):
        WebotsIrLayout(beam_offsets_deg=(0.0,))


def test_the_protos_table_passes_the_check_with_its_noise_column():
    table = IrLookupTable()
    flat = [value for row in table.rows for value in (*row, IR_NOISE)]
    check_lookup_table('ir1', flat, table)


@pytest.mark.parametrize('flat', [
    [],
    [0.03, 3.03, 0.005],
    [value for row in IrLookupTable().rows for value in (row[0], row[1] * 1.01, 0.005)],
    [value for row in IrLookupTable().rows for value in row],
])
def test_another_table_is_refused_naming_the_sensor(flat):
    with pytest.raises(WorldSetupError, match='ir7 has the lookupTable'):
        check_lookup_table('ir7', flat, IrLookupTable())


def test_a_world_whose_sensors_have_another_table_is_refused_at_start_up():
    """TEST DOUBLE: the sensors report the table they were built with."""
    other = IrLookupTable(((0.04, 2.75), (0.30, 0.40)))   # another Sharp model, say
    io = WebotsRobotino(Supervisor(default_world(), table=other), ROBOTINO3)
    with pytest.raises(WorldSetupError, match='ir1 has the lookupTable'):
        WebotsSimulation(io, ROBOTINO3, 0.1, 0.5)
