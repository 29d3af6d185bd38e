"""The Festo Robotino 3 defined once: URDF, geometry, limits, IR layout, omni-wheel kinematics."""

from robotino_description.state import GroundTruth, RobotState

__all__ = [GroundTruth, RobotState]
