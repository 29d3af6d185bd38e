"""How long a dead node waits before launch starts it again, for every launcher of the workspace.

rl_bringup's launch files and launcher, and the docker images' launch files
(which ship without rl_bringup), respawn nodes after the same delay.
Standard library only, so launch files read it without loading ROS.
"""

RESPAWN_DELAY = 0.5
"""Seconds before a respawned node (simulator, env node, recorder) is started again: short,
since every env of a training waits for the one that died."""
