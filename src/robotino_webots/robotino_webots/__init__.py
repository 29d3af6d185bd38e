"""Webots world and webots_ros2_driver plugin for the Robotino 3."""
