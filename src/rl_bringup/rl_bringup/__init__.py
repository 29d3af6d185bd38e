"""Launch files, configs, launcher and rosbag2 episode recorder for Robotino RL."""
