"""An episode's robot topics, rebuilt from its transitions for its bag.

Each ``rl_interfaces/Transition`` carries the robot's states before and after
its step and the command the step held. An env node that holds its
simulator publishes ``cmd_vel``, ``odom``, ``distance_sensors`` and
``bumper`` from exactly these, with :mod:`rl_ros.conversions`; the recorder
rebuilds them the same way when it writes a bag, instead of subscribing
them. Why: every subscribed topic made each env node publish one more
message per step, and delivering one to the recorder cost the env group
30 to 40 us. Measured with PPO over one group of 4 and the recorder at
``every:10``: 0.66 of the group's speed without a recorder when it
subscribed the four topics, 0.83 with transitions and stats alone.

What differs from the published messages: the IR ranges pass through the
transition's ``float32`` (as in every ``RobotState``), so a point of
``distance_sensors`` may differ in its last float32 bit.
"""

from __future__ import annotations

from collections.abc import Sequence

from rclpy.serialization import deserialize_message, serialize_message
from std_msgs.msg import Bool

from rl_bringup.bag_types import header_stamp_ns
from rl_bringup.episode_recording import FinishedEpisode, RecordedMessage
from rl_interfaces.msg import RobotState as RobotStateMsg
from rl_interfaces.msg import Transition
from rl_ros.contract import (
    ARENA_MARKERS,
    BUMPER,
    CMD_VEL,
    DISTANCE_SENSORS,
    ODOM,
    ODOM_CHILD_FRAME,
    TRANSITIONS,
)
from rl_ros.conversions import distance_sensors_msg, odometry_msg, state_from_msg
from robotino_description import ROBOTINO3

#: The topics rebuilt, in the order an env node publishes them within a step.
DERIVED_TOPICS = (CMD_VEL, ODOM, DISTANCE_SENSORS, BUMPER)


def _robot(env: str, state: RobotStateMsg, order_ns: list[int]) -> list[RecordedMessage]:
    """``odom``, ``distance_sensors`` and ``bumper`` of one snapshot, at the given orders."""
    snapshot = state_from_msg(state)
    built = ((ODOM, odometry_msg(snapshot, ODOM.frame, ODOM_CHILD_FRAME)),
             (DISTANCE_SENSORS, distance_sensors_msg(snapshot.ranges, snapshot.stamp,
                                                     ROBOTINO3.ir, ODOM_CHILD_FRAME)),
             (BUMPER, Bool(data=snapshot.bumper)))
    messages = []
    for (endpoint, msg), order in zip(built, order_ns, strict=True):
        data = serialize_message(msg)
        stamp = header_stamp_ns(data) if endpoint is not BUMPER else None
        messages.append(RecordedMessage(endpoint.absolute(env), endpoint.type, data, order,
                                        stamp))
    return messages


def derived_robot_messages(episode: FinishedEpisode) -> list[RecordedMessage]:
    """The robot topics of ``episode``, as its env node would have published them.

    Each step's ``cmd_vel``, ``odom``, ``distance_sensors`` and ``bumper``
    come just before its transition (publication order, in ``order_ns``);
    the reset's ``odom``, ``distance_sensors`` and ``bumper`` come from the
    first transition's state before, just before the arena markers (or the
    first step).

    :param episode: an episode whose transitions carry the robot's states.
    """
    transitions = [m for m in episode.messages if m.msgtype == TRANSITIONS.type]
    if not transitions:
        return []
    env = episode.env
    messages: list[RecordedMessage] = []
    for recorded in transitions:
        step = deserialize_message(recorded.data, Transition)
        if step.step_index == 0:
            messages += _reset(env, step.robot_before, recorded, episode.messages)
        order = recorded.order_ns
        messages.append(RecordedMessage(CMD_VEL.absolute(env), CMD_VEL.type,
                                        serialize_message(step.command), order - 4, None))
        messages += _robot(env, step.robot_after, [order - 3, order - 2, order - 1])
    return messages


def _reset(env: str, state: RobotStateMsg, first: RecordedMessage,
           episode: Sequence[RecordedMessage]) -> list[RecordedMessage]:
    """The reset's snapshot, ordered before the reset's arena markers if recorded."""
    arena = next((m.order_ns for m in episode if m.msgtype == ARENA_MARKERS.type
                  and m.order_ns < first.order_ns), None)
    before = arena if arena is not None else first.order_ns - 4
    return _robot(env, state, [before - 3, before - 2, before - 1])
