"""The interface every simulated Robotino serves, as plain data.

Both simulators (the MuJoCo sim node and the Webots plugin) publish the real
driver's topics and serve the ``sim/`` services under these names and types,
relative to their namespace; a test holds each of them to this list. Types
are spelled as the ROS graph reports them (``package/msg/Type``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


@dataclass(frozen=True)
class Endpoint:
    """One topic or service of the contract.

    :param name: name relative to the simulator's namespace (``clock`` is
        ``/clock`` in the root namespace).
    :param type: interface type, ``package/msg/Type`` or ``package/srv/Type``.
    :param frame: ``header.frame_id`` of the messages, '' when they have none.
    """

    name: str
    type: str
    frame: str = ''


#: Topics the simulator publishes, as the real driver does (plus the clock).
PUBLISHED = (
    Endpoint('odom', 'nav_msgs/msg/Odometry', 'odom'),
    Endpoint('distance_sensors', 'sensor_msgs/msg/PointCloud', 'base_link'),
    Endpoint('bumper', 'std_msgs/msg/Bool'),
    Endpoint('clock', 'rosgraph_msgs/msg/Clock'),
)

#: Topics the simulator subscribes to.
SUBSCRIBED = (Endpoint('cmd_vel', 'geometry_msgs/msg/Twist'),)

#: Simulation control services.
SERVICES = (
    Endpoint('sim/reset_world', 'rl_interfaces/srv/ResetWorld'),
    Endpoint('sim/advance', 'rl_interfaces/srv/Advance'),
    Endpoint('sim/set_mode', 'rl_interfaces/srv/SetSimMode'),
    Endpoint('sim/ground_truth', 'rl_interfaces/srv/GetGroundTruth'),
)

#: ``child_frame_id`` of ``odom``: the body frame (REP 105).
ODOM_CHILD_FRAME = 'base_link'


class SimMode(IntEnum):
    """How simulated time moves; the values are ``rl_interfaces/SetSimMode``'s constants.

    PAUSE: time moves only through ``sim/advance`` (lockstep training);
    REALTIME: one control period per wall-clock period; FAST: back to back.
    """

    PAUSE = 0
    REALTIME = 1
    FAST = 2

    @classmethod
    def from_request(cls, value: int) -> SimMode:
        """The mode a ``SetSimMode`` request asks for.

        :raises ValueError: for any other number, saying which ones exist.
        """
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f'unknown mode {value}; use 0 PAUSE, 1 REALTIME or 2 FAST') from None
