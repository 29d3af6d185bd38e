"""The Festo Robotino 3 defined once: URDF, geometry, limits, IR layout, omni-wheel kinematics.

The URDF is generated from these figures by :mod:`robotino_description.urdf`
(``python -m robotino_description.urdf``) and installed to ``share/robotino_description/urdf``.
"""

from robotino_description.description import ROBOTINO3, RobotinoDescription
from robotino_description.geometry import RobotinoGeometry
from robotino_description.ir_layout import IrSensorLayout
from robotino_description.kinematics import RobotinoKinematics
from robotino_description.limits import RobotinoLimits
from robotino_description.odometry import WheelOdometry, body_displacement, wrap_angle
from robotino_description.planar import PlanarPose, compose, relative_pose
from robotino_description.state import GroundTruth, RobotState

__all__ = [
    'ROBOTINO3',
    'GroundTruth',
    'IrSensorLayout',
    'PlanarPose',
    'RobotState',
    'RobotinoDescription',
    'RobotinoGeometry',
    'RobotinoKinematics',
    'RobotinoLimits',
    'WheelOdometry',
    'body_displacement',
    'compose',
    'relative_pose',
    'wrap_angle',
]
