"""Env node: tasks, rewards, robot and simulator facades as ROS 2 services; Gymnasium client."""
