"""Every topic and service of the workspace, named and typed once.

The robot's topics are the real Robotino driver's; every simulator
(the MuJoCo sim node, the Webots plugin) publishes them and serves the
``sim/`` services, and the env node serves the env services, under these
names and types relative to its namespace. Nodes take the name and the
message class from here (``ODOM.name``, ``ODOM.interface()``), and tests
hold the running graph to the same tuples. Types are spelled as the ROS
graph reports them (``package/msg/Type``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import IntEnum


@dataclass(frozen=True)
class Endpoint:
    """One topic or service of the contract.

    :param name: name relative to the node's namespace (``clock`` is
        ``/clock`` in the root namespace).
    :param type: interface type, ``package/msg/Type`` or ``package/srv/Type``.
    :param frame: ``header.frame_id`` of the messages, '' when they have none.
    """

    name: str
    type: str
    frame: str = ''

    def interface(self) -> type:
        """The message or service class, imported on first use.

        Imported here rather than at module level so that the names can be
        read (by tests, docs and launch files) without the message packages.
        """
        package, kind, name = self.type.split('/')
        return getattr(importlib.import_module(f'{package}.{kind}'), name)

    def absolute(self, namespace: str) -> str:
        """The absolute name in ``namespace`` ('' or '/' for the root one): ``/env_0/odom``."""
        namespace = namespace.strip('/')
        return f'/{namespace}/{self.name}' if namespace else f'/{self.name}'


CMD_VEL = Endpoint('cmd_vel', 'geometry_msgs/msg/Twist')
ODOM = Endpoint('odom', 'nav_msgs/msg/Odometry', 'odom')
DISTANCE_SENSORS = Endpoint('distance_sensors', 'sensor_msgs/msg/PointCloud', 'base_link')
BUMPER = Endpoint('bumper', 'std_msgs/msg/Bool')
CLOCK = Endpoint('clock', 'rosgraph_msgs/msg/Clock')
CAMERA = Endpoint('camera/image_raw', 'sensor_msgs/msg/Image', 'camera')
"""The MuJoCo sim node's onboard camera, published only when enabled."""

RESET_WORLD = Endpoint('sim/reset_world', 'rl_interfaces/srv/ResetWorld')
ADVANCE = Endpoint('sim/advance', 'rl_interfaces/srv/Advance')
SET_MODE = Endpoint('sim/set_mode', 'rl_interfaces/srv/SetSimMode')
GROUND_TRUTH = Endpoint('sim/ground_truth', 'rl_interfaces/srv/GetGroundTruth')

RESET = Endpoint('reset', 'rl_interfaces/srv/Reset')
STEP = Endpoint('step', 'rl_interfaces/srv/Step')
GET_SPEC = Endpoint('get_spec', 'rl_interfaces/srv/GetSpec')
TRANSITIONS = Endpoint('transitions', 'rl_interfaces/msg/Transition')
EPISODE_STATS = Endpoint('episode_stats', 'rl_interfaces/msg/EpisodeStats')
STEP_BATCH = Endpoint('step_batch', 'rl_interfaces/srv/StepBatch')
RESET_BATCH = Endpoint('reset_batch', 'rl_interfaces/srv/ResetBatch')
NAVIGATE_TO_GOAL = Endpoint('navigate_to_goal', 'rl_interfaces/action/NavigateToGoal', 'odom')
GOAL_POSE = Endpoint('goal_pose', 'geometry_msgs/msg/PoseStamped', 'odom')
#: The env node's world, when its backend knows it (MuJoCo in process): walls,
#: obstacles and goal as markers in ``map``, latched, sent again at every reset.
ARENA_MARKERS = Endpoint('arena_markers', 'visualization_msgs/msg/MarkerArray', 'map')
#: The agent's, in its namespace, while it trains (latched).
TRAINING_PROGRESS = Endpoint('training_progress', 'rl_interfaces/msg/TrainingProgress')

#: Topics a simulator publishes, as the real driver does (plus the clock).
PUBLISHED = (ODOM, DISTANCE_SENSORS, BUMPER, CLOCK)

#: Topics a simulator subscribes to.
SUBSCRIBED = (CMD_VEL,)

#: Simulation control services, served by every simulator.
SERVICES = (RESET_WORLD, ADVANCE, SET_MODE, GROUND_TRUTH)

#: The env node's services, the Gymnasium API over ROS.
ENV_SERVICES = (RESET, STEP, GET_SPEC)

#: Served by a process holding several envs, in its first env's namespace: one round
#: trip for a step (or reset) of all of them; each env's ``get_spec`` names it (``batch``).
BATCH_SERVICES = (STEP_BATCH, RESET_BATCH)

#: The env node's topics: every step and every finished episode.
ENV_TOPICS = (TRANSITIONS, EPISODE_STATS)

#: ``header.frame_id`` of the arena: the world (REP 105 ``map``), fixed for an episode;
#: ``map`` -> ``odom`` is where the episode started.
MAP_FRAME = 'map'

#: The agent's in deploy mode: goals by action, and RViz's "2D Goal Pose" topic.
GOAL_INTERFACES = (NAVIGATE_TO_GOAL, GOAL_POSE)

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

    @classmethod
    def from_name(cls, name: str) -> SimMode:
        """The mode a parameter names (``pause``, ``realtime`` or ``fast``, any case).

        :raises ValueError: for any other name, saying which ones exist.
        """
        try:
            return cls[str(name).upper()]
        except KeyError:
            raise ValueError(f'mode must be pause, realtime or fast, got {name!r}') from None
