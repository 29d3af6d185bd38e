"""What the IR sensors report for the true beam distances, imperfections included.

A Sharp GP2Y0A41SK0F outputs a voltage that falls with distance (the curve
of :mod:`robotino_description.ir_conversion`); the robot samples it with an
ADC and turns it back into metres. So noise and quantisation are applied in
volts, as Webots applies its noise, and their effect in metres grows where
the curve flattens, with distance, as on the real sensor. A dropout (no
echo) or a false echo (an echo from nothing) changes what the sensor sees,
before its voltage, noise and ADC step.
"""

from __future__ import annotations

import numpy as np

from robotino_description import IrSensorLayout
from robotino_description.ir_conversion import IrLookupTable
from robotino_mujoco.realism import Realism


def measured_ranges(distances: np.ndarray, layout: IrSensorLayout, table: IrLookupTable,
                    realism: Realism, rng: np.random.Generator) -> np.ndarray:
    """The ranges the sensors report, metres, clipped to the band.

    Without IR imperfections this is ``layout.to_band(distances)`` and draws
    nothing from ``rng``. A beam with no echo reads the far end of ``table``,
    as a Webots sensor does, so noise never makes it see something.

    :param distances: true distance along each beam, metres; negative for no echo.
    :param layout: the sensor ring and its band.
    :param table: the sensor's distance-to-voltage curve.
    :param realism: the noise, ADC step, dropout and false-echo rates.
    :param rng: the simulator's stream, drawn in a fixed order.
    """
    if not realism.ir_imperfect:
        return layout.to_band(distances)
    far = table.rows[-1][0]
    count = distances.shape[0]
    seen = np.where(distances >= 0.0, distances, far)
    if realism.ir_dropout > 0.0:
        seen = np.where(rng.random(count) < realism.ir_dropout, far, seen)
    if realism.ir_false_echo > 0.0:
        echoes = rng.uniform(layout.min_range, layout.max_range, count)
        seen = np.where(rng.random(count) < realism.ir_false_echo, echoes, seen)
    volts = table.to_reading(seen)
    if realism.ir_noise > 0.0:
        volts = volts * (1.0 + realism.ir_noise * rng.standard_normal(count))
    if realism.ir_adc_step > 0.0:
        volts = np.round(volts / realism.ir_adc_step) * realism.ir_adc_step
    return layout.to_band(table.to_metres(volts))
