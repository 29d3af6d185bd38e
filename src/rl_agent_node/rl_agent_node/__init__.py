"""Agent node: stable-baselines3 training over ROS 2 env nodes, evaluation and deploy mode."""
