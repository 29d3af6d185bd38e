"""How far the simulated Robotino departs from an ideal one, and how that varies per episode.

A :class:`Realism` lists the imperfections the simulator can give the
robot's own measurements and drive: IR noise, quantisation, dropouts and
false echoes; wheel slip and encoder scale errors; command latency;
control-period jitter; friction, mass and motor-gain factors; the driver's
wheel limits. Ground truth never gets any of them. :data:`PRESETS` names two:
``ideal`` (none at all: the simulator bit for bit as it was before realism
existed) and ``realistic`` (the real robot's figures, sources below). A
:class:`Randomisation` draws, once per episode, how much of each an episode
gets on top of a preset (domain randomisation), from the episode's seeded
stream, so a seed always gives the same physics.

Where the ``realistic`` figures come from (anything not published is marked
assumed and is to be measured on the robot):

- IR noise 0.005: the relative standard deviation of every reading in the
  third column of the ``lookupTable`` of ``SharpGP2Y0A41SK0F.proto``
  (cyberbotics/webots, ``projects/devices/sharp/protos/``, line 27); Webots
  multiplies each reading (volts) by ``1 + 0.005 N(0, 1)``. The Sharp
  datasheet (GP2Y0A41SK0F, sheet OP13008EN) gives the curve, 0.4 V typical
  at 30 cm rising by 2.25 V typical to 4 cm, but no noise figure.
- ADC step 5 / 1024 V: assumed, a 10-bit converter over the sensor's 5 V
  supply. Festo's API reports the voltage as a float
  (``rec::robotino::api2::DistanceSensor::voltage``) and publishes no
  resolution for the IR channels.
- Dropouts 1 % and false echoes 0.2 % of readings: assumed (dark, glossy or
  steeply inclined surfaces return too little light); the datasheet gives
  no rate.
- Wheel slip 3 % and encoder scale error 1 % (one standard deviation per
  wheel): assumed; the rollers' grip and wear are not published.
- Latency 0.04 s: the driver takes ``cmd_vel`` in a 30 Hz loop
  (robocup-logistics/ros2-robotino, ``rto_node/src/rto_node.cpp``,
  ``rclcpp::Rate(30)``), so up to 33 ms; the few ms on to the motor
  controllers are assumed.
- Control-period jitter 0.005 s: assumed (the agent's and the driver's
  scheduling); to be measured from the stamps of ``cmd_vel``.
- Wheel speed 3000 rpm / 32 = 9.82 rad/s: ``[Motor] maxrpm=3000`` and
  ``gear=32`` of ``/etc/robotino/controld3.conf`` (Festo's robotino-daemons
  2.0.17 as shipped in robocup-logistics/ros2-robotino), below the motor's
  nominal 3600 rpm in :class:`~robotino_description.RobotinoLimits`.
- Wheel acceleration 5.5 rad/s^2: the per-wheel limit that gives the
  ``[drivesystem] velocityaccel=0.4`` (m/s^2) of the same file straight
  ahead, ``0.4 cos(30 deg) / wheel_radius``; rotation then ramps at 1.9
  rad/s^2, within its ``rotaccel=180`` (deg/s^2). That controld3 ramps the
  API's velocity set-points by these (its log prints ``velocityaccel %1
  m/s^2``) is our reading of the file; its ``[Motor] maxaccel=11500`` is
  looser.
- Friction, mass and motor gain 1.0: the model's own values; only
  randomisation moves them.

Not modelled: the sensor's 16.5 ms measuring cycle (datasheet), which delays
a reading by up to one cycle, well inside the 0.1 s control period.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from robotino_description import ROBOTINO3, RobotinoDescription

Range = tuple[float, float]

_PROBABILITIES = ('ir_dropout', 'ir_false_echo')
_NON_NEGATIVE = ('ir_noise', 'ir_adc_step', 'encoder_error', 'latency', 'period_jitter')
_FACTORS = ('friction_scale', 'mass_scale', 'motor_gain')
_LIMITS = ('max_wheel_speed', 'max_wheel_acceleration')


def _finite(value: object) -> bool:
    """Whether ``value`` is a real, finite number (a bool is not)."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


@dataclass(frozen=True)
class Realism:
    """The imperfections of the robot's measurements and drive; none by default.

    :param ir_noise: standard deviation of each IR voltage reading, relative to it.
    :param ir_adc_step: volts per step of the IR voltage's quantisation; 0 for none.
    :param ir_dropout: chance per reading that no echo comes back (reads the band's maximum).
    :param ir_false_echo: chance per reading of a spurious echo anywhere in the band.
    :param slip: fraction of the wheels' travel the base loses on the floor;
        odometry does not know it, so it overestimates the motion.
    :param encoder_error: standard deviation of each wheel's encoder scale error,
        drawn per episode; unequal errors make the odometry's heading drift.
    :param latency: seconds from a command to the motors (rounded to physics steps).
    :param period_jitter: standard deviation of a free-running control period's
        length, seconds (rounded to physics steps); lockstep periods stay exact.
    :param friction_scale: factor on the friction of every contact.
    :param mass_scale: factor on the base's mass and inertia.
    :param motor_gain: factor on the wheel speeds the motors deliver for a set-point.
    :param max_wheel_speed: the driver's wheel speed limit, rad/s; None keeps the description's.
    :param max_wheel_acceleration: the driver's wheel acceleration limit, rad/s^2;
        None keeps the description's.
    """

    ir_noise: float = 0.0
    ir_adc_step: float = 0.0
    ir_dropout: float = 0.0
    ir_false_echo: float = 0.0
    slip: float = 0.0
    encoder_error: float = 0.0
    latency: float = 0.0
    period_jitter: float = 0.0
    friction_scale: float = 1.0
    mass_scale: float = 1.0
    motor_gain: float = 1.0
    max_wheel_speed: float | None = None
    max_wheel_acceleration: float | None = None

    def __post_init__(self) -> None:
        """Reject values no robot could have, naming the bad one."""
        for name in _NON_NEGATIVE + _PROBABILITIES + _FACTORS + ('slip',):
            if not _finite(getattr(self, name)):
                raise ValueError(f'{name} must be a finite number, got {getattr(self, name)!r}')
        for name in _NON_NEGATIVE:
            if getattr(self, name) < 0.0:
                raise ValueError(f'{name} must be >= 0, got {getattr(self, name)!r}')
        for name in _PROBABILITIES:
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f'{name} must be in [0, 1], got {getattr(self, name)!r}')
        if not 0.0 <= self.slip < 1.0:
            raise ValueError(f'slip must be in [0, 1), got {self.slip!r}')
        for name in _FACTORS:
            if not getattr(self, name) > 0.0:
                raise ValueError(f'{name} must be > 0, got {getattr(self, name)!r}')
        for name in _LIMITS:
            value = getattr(self, name)
            if value is not None and not (_finite(value) and value > 0.0):
                raise ValueError(f'{name} must be None or > 0, got {value!r}')

    @classmethod
    def preset(cls, name: str) -> Realism:
        """The preset called ``name``.

        :raises ValueError: for an unknown name, listing the known ones.
        """
        if name not in PRESETS:
            raise ValueError(f'realism must be one of {", ".join(PRESETS)}, got {name!r}')
        return PRESETS[name]

    @property
    def ir_imperfect(self) -> bool:
        """Whether the IR readings differ from the true distances at all."""
        return any((self.ir_noise, self.ir_adc_step, self.ir_dropout, self.ir_false_echo))

    def with_limits(self, description: RobotinoDescription) -> RobotinoDescription:
        """``description`` with this realism's wheel limits; itself when it sets none."""
        changes = {name: getattr(self, name) for name in _LIMITS
                   if getattr(self, name) is not None}
        if not changes:
            return description
        return dataclasses.replace(
            description, limits=dataclasses.replace(description.limits, **changes))


_NEUTRAL: dict[str, float] = {'noise_scale': 1.0, 'latency': 0.0, 'friction': 1.0,
                              'mass': 1.0, 'motor_gain': 1.0, 'slip': 0.0}
"""What each :class:`Randomisation` quantity is without a range (no change), in field order."""
_FACTOR_RANGES = ('friction', 'mass', 'motor_gain')


def _check_range(name: str, bounds: Range | None, strict: bool) -> None:
    """Reject a range that is not ``(low, high)`` with ``0 <= low <= high`` (``0 <`` if strict)."""
    if bounds is None:
        return
    if (not isinstance(bounds, tuple) or len(bounds) != 2
            or not all(_finite(b) for b in bounds)):
        raise ValueError(f'{name} must be None or (low, high), got {bounds!r}')
    low, high = bounds
    if low > high or low < 0.0 or (strict and low == 0.0):
        raise ValueError(f'{name} must be (low, high) with 0 {"<" if strict else "<="} low '
                         f'<= high, got {bounds!r}')


@dataclass(frozen=True)
class Randomisation:
    """Per-episode ranges, drawn uniformly on top of a preset; None leaves a quantity alone.

    :param noise_scale: factor on the preset's IR noise, dropout and false-echo
        rates and encoder error.
    :param latency: seconds added to the preset's latency.
    :param friction: factor on the preset's friction scale.
    :param mass: factor on the preset's mass scale.
    :param motor_gain: factor on the preset's motor gain.
    :param slip: fraction added to the preset's slip.
    """

    noise_scale: Range | None = None
    latency: Range | None = None
    friction: Range | None = None
    mass: Range | None = None
    motor_gain: Range | None = None
    slip: Range | None = None

    def __post_init__(self) -> None:
        """Reject ranges that are not (low, high) within their quantity's domain."""
        for name in _NEUTRAL:
            _check_range(name, getattr(self, name), strict=name in _FACTOR_RANGES)

    def draw(self, base: Realism, rng: np.random.Generator) -> Realism:
        """This episode's realism: ``base`` with one uniform draw per range, in field order.

        :raises ValueError: when a draw takes ``base`` out of its domain (see :meth:`check`).
        """
        return _apply(base, {name: _NEUTRAL[name] if getattr(self, name) is None
                             else float(rng.uniform(*getattr(self, name))) for name in _NEUTRAL})

    def check(self, base: Realism) -> None:
        """Make sure every draw around ``base`` is a valid :class:`Realism`.

        Each quantity moves alone and monotonically, so the ranges' two
        corners cover every draw.

        :raises ValueError: naming the quantity a corner takes out of its domain.
        """
        for corner in (0, 1):
            _apply(base, {name: _NEUTRAL[name] if getattr(self, name) is None
                          else getattr(self, name)[corner] for name in _NEUTRAL})


def _apply(base: Realism, values: dict[str, float]) -> Realism:
    """``base`` moved by one value per :class:`Randomisation` quantity."""
    noise = values['noise_scale']
    return dataclasses.replace(
        base, ir_noise=base.ir_noise * noise, ir_dropout=base.ir_dropout * noise,
        ir_false_echo=base.ir_false_echo * noise, encoder_error=base.encoder_error * noise,
        latency=base.latency + values['latency'], slip=base.slip + values['slip'],
        friction_scale=base.friction_scale * values['friction'],
        mass_scale=base.mass_scale * values['mass'],
        motor_gain=base.motor_gain * values['motor_gain'])


IDEAL = Realism()
"""No imperfection: the simulator exactly as it was before realism existed."""

REALISTIC = Realism(
    ir_noise=0.005, ir_adc_step=5.0 / 1024.0, ir_dropout=0.01, ir_false_echo=0.002,
    slip=0.03, encoder_error=0.01, latency=0.04, period_jitter=0.005,
    max_wheel_speed=3000.0 / 32.0 * 2.0 * math.pi / 60.0,
    max_wheel_acceleration=0.4 * math.cos(math.radians(30.0)) / ROBOTINO3.geometry.wheel_radius)
"""The real robot's figures, each with its source in the module docstring."""

PRESETS: dict[str, Realism] = {'ideal': IDEAL, 'realistic': REALISTIC}
"""The named presets, for the nodes' ``realism`` parameter."""

DEFAULT_RANDOMISATION = Randomisation(
    noise_scale=(0.5, 2.0), latency=(0.0, 0.05), friction=(0.7, 1.3), mass=(0.9, 1.25),
    motor_gain=(0.9, 1.1), slip=(0.0, 0.05))
"""The ranges ``randomise`` turns on; all assumed, wide enough to cover the
figures above being off by about a factor of two (noise), one driver loop
more (latency), floors from linoleum to carpet (friction), up to a 5 kg
payload on the 20 kg base (mass) and a 10 % motor calibration error."""
