"""The topics an episode bag needs besides the recorded ones, for RViz and Foxglove to draw it.

A viewer places everything through tf and draws the robot from its URDF;
the env nodes publish neither (tf2_msgs has no wheel here, and a training
env has no reason to), so the bag writer derives them from what was
recorded, at the recorded times:

- ``/tf``: ``odom`` -> ``base_link`` for every ``odom`` message (REP 105);
- ``/tf_static``: the URDF's joints from ``base_link`` (the IR frames, the
  bumper, the camera; the wheels at angle zero, since their angles are not
  recorded) and ``map`` -> ``odom`` from the episode's arena markers (the
  start pose, see :mod:`rl_ros.markers`), once at the episode's first time;
- ``/robot_description``: the URDF (``std_msgs/String``), once.

Messages are built with the rosbags typestore and serialized to CDR, so no
rclpy type is needed.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from rosbags.typesys.store import Typestore

from rl_bringup.episode_recording import RecordedMessage
from rl_ros.markers import start_pose
from robotino_description.urdf import build_urdf

TF, TF_STATIC, ROBOT_DESCRIPTION = '/tf', '/tf_static', '/robot_description'
TF_MESSAGE = 'tf2_msgs/msg/TFMessage'
STRING = 'std_msgs/msg/String'
ODOMETRY = 'nav_msgs/msg/Odometry'
MARKER_ARRAY = 'visualization_msgs/msg/MarkerArray'
MAP_FRAME = 'map'

#: The derived topics that ``robot_state_publisher`` latches (transient local).
LATCHED_TOPICS = (TF_STATIC, ROBOT_DESCRIPTION)


@dataclass(frozen=True)
class Joint:
    """A URDF joint as a fixed transform: ``parent`` -> ``child``, translation and rpy."""

    parent: str
    child: str
    xyz: tuple[float, float, float]
    rpy: tuple[float, float, float]


@dataclass(frozen=True)
class SceneMessage:
    """One derived message for the bag.

    :param topic: ``/tf``, ``/tf_static`` or ``/robot_description``.
    :param msgtype: its ROS type.
    :param stamp_ns: bag time, ns (robot time, as the recorded messages').
    :param data: CDR bytes.
    """

    topic: str
    msgtype: str
    stamp_ns: int
    data: bytes


def urdf_joints(urdf: str) -> list[Joint]:
    """Every joint of a URDF, at zero for the moving ones."""
    joints = []
    for joint in ET.fromstring(urdf).iter('joint'):
        origin = joint.find('origin')
        xyz = rpy = (0.0, 0.0, 0.0)
        if origin is not None:
            xyz = tuple(float(v) for v in origin.get('xyz', '0 0 0').split())
            rpy = tuple(float(v) for v in origin.get('rpy', '0 0 0').split())
        joints.append(Joint(joint.find('parent').get('link'), joint.find('child').get('link'),
                            xyz, rpy))
    return joints


def _quaternion(roll: float, pitch: float, yaw: float) -> tuple[float, float, float, float]:
    """(x, y, z, w) of fixed-axis roll, pitch, yaw (URDF's rpy)."""
    cr, sr = math.cos(roll / 2), math.sin(roll / 2)
    cp, sp = math.cos(pitch / 2), math.sin(pitch / 2)
    cy, sy = math.cos(yaw / 2), math.sin(yaw / 2)
    return (sr * cp * cy - cr * sp * sy, cr * sp * cy + sr * cp * sy,
            cr * cp * sy - sr * sp * cy, cr * cp * cy + sr * sp * sy)


class BagScene:
    """Derives ``/tf``, ``/tf_static`` and ``/robot_description`` for one episode.

    :param typestore: a store with the ROS distribution's types.
    :param urdf: the robot description; the Robotino 3's when None.
    """

    def __init__(self, typestore: Typestore, urdf: str | None = None) -> None:
        self._store = typestore
        self._urdf = urdf if urdf is not None else build_urdf()
        self._joints = urdf_joints(self._urdf)
        types = typestore.types
        self._tf_message = types[TF_MESSAGE]
        self._stamped = types['geometry_msgs/msg/TransformStamped']
        self._header = types['std_msgs/msg/Header']
        self._time = types['builtin_interfaces/msg/Time']
        self._transform = types['geometry_msgs/msg/Transform']
        self._vector = types['geometry_msgs/msg/Vector3']
        self._rotation = types['geometry_msgs/msg/Quaternion']
        self._string = types[STRING]

    def messages(self, timed: Sequence[tuple[int, RecordedMessage]]) -> list[SceneMessage]:
        """The derived messages of an episode whose recorded ones are ``(bag time, message)``.

        :param timed: the episode's messages with their bag times, in time order.
        """
        if not timed:
            return []
        first_ns = timed[0][0]
        static = [self._transform_of(j.parent, j.child, j.xyz, j.rpy, first_ns)
                  for j in self._joints]
        arena = next((m for _, m in timed if m.msgtype == MARKER_ARRAY), None)
        start = start_pose(self._deserialize(arena).markers) if arena is not None else None
        result = [SceneMessage(ROBOT_DESCRIPTION, STRING, first_ns,
                               self._serialize(self._string(data=self._urdf), STRING))]
        if start is not None:
            odom = next((m for _, m in timed if m.msgtype == ODOMETRY), None)
            odom_frame = self._deserialize(odom).header.frame_id if odom else 'odom'
            static.append(self._transform_of(MAP_FRAME, odom_frame, (start.x, start.y, 0.0),
                                             (0.0, 0.0, start.yaw), first_ns))
        result.append(SceneMessage(TF_STATIC, TF_MESSAGE, first_ns,
                                   self._serialize(self._tf_message(transforms=static),
                                                   TF_MESSAGE)))
        for stamp_ns, message in timed:
            if message.msgtype == ODOMETRY:
                result.append(SceneMessage(TF, TF_MESSAGE, stamp_ns, self._odom_tf(message)))
        return result

    def _odom_tf(self, message: RecordedMessage) -> bytes:
        odom = self._deserialize(message)
        pose = odom.pose.pose
        stamped = self._stamped(
            header=odom.header, child_frame_id=odom.child_frame_id,
            transform=self._transform(
                translation=self._vector(x=pose.position.x, y=pose.position.y,
                                         z=pose.position.z),
                rotation=pose.orientation))
        return self._serialize(self._tf_message(transforms=[stamped]), TF_MESSAGE)

    def _transform_of(self, parent: str, child: str, xyz: Sequence[float], rpy: Sequence[float],
                      stamp_ns: int) -> object:
        sec, nanosec = divmod(stamp_ns, 1_000_000_000)
        x, y, z, w = _quaternion(*rpy)
        return self._stamped(
            header=self._header(stamp=self._time(sec=sec, nanosec=nanosec), frame_id=parent),
            child_frame_id=child,
            transform=self._transform(translation=self._vector(x=xyz[0], y=xyz[1], z=xyz[2]),
                                      rotation=self._rotation(x=x, y=y, z=z, w=w)))

    def _deserialize(self, message: RecordedMessage) -> object:
        return self._store.deserialize_cdr(message.data, message.msgtype)

    def _serialize(self, msg: object, msgtype: str) -> bytes:
        return bytes(self._store.serialize_cdr(msg, msgtype))
